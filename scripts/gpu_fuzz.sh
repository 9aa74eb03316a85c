#!/bin/bash
# On the GPU machine (device tool; carry .gpu, .whl and .whl-ref, see scripts/gpu_env.sh),
# from the repo root, in one call:
#   bash scripts/gpu_fuzz.sh [PROCESSES] [EXAMPLES_EACH] [CUDA_EXAMPLES] [PYTEST FILES...]
# - a CPU-backend fuzz campaign (float64) over PROCESSES processes, one seed each;
# - a CUDA fuzz campaign (float32, rtol 1e-5) in one process;
# - the given test files on CUDA (3 workers), if any.
# Logs, summaries and shrunk failures go to $OUT.
source scripts/gpu_env.sh >/dev/null 2>&1
export PYTHONPATH="$PWD/tests:$PYTHONPATH"
processes=${1:-12}; each=${2:-170}; cuda_examples=${3:-40}; shift 3 || true
out=${OUT:-/tmp/gpu-fuzz}; mkdir -p "$out"
for s in $(seq 1 "$processes"); do
    timeout 480 python3 -m fuzz.campaign --examples "$each" --seed "$s" --shrink-seconds 60 \
        --out "$out/cpu-$s" --build "/tmp/genn-fuzz-$s" --json "$out/cpu-$s.json" \
        > "$out/cpu-$s.log" 2>&1 &
done
timeout 480 python3 -m fuzz.campaign --backend cuda --examples "$cuda_examples" --seed 500 \
    --shrink-seconds 60 --out "$out/cuda" --build /tmp/genn-fuzz-cuda \
    --json "$out/cuda.json" > "$out/cuda.log" 2>&1 &
if (($# > 0)); then
    BRIAN2GENN_BRIDGE_TEST_BACKEND=cuda timeout 480 python3 -m pytest -q -p no:cacheprovider \
        -n 3 "$@" > "$out/pytest-cuda.log" 2>&1
    echo "== CUDA tests"; tail -15 "$out/pytest-cuda.log" | grep -v "^\s*$"
fi
wait
echo "== fuzz summaries"
for log in "$out"/cpu-*.log "$out"/cuda.log; do
    json=${log%.log}.json
    if [[ -f $json ]]; then
        python3 -c "import json; d = json.load(open('$json')); print('$json'.split('/')[-1], d['scripts'], 'scripts', d['outcomes'], 'failures:', [f['signature'] for f in d['failures']])"
    else
        echo "$log: no summary (timed out?)"; tail -2 "$log"
    fi
done
# the device tool brings back only a few files: everything in one archive
tar czf /tmp/fuzz-results.tgz -C "$out" . && find "$out" -mindepth 1 -delete \
    && mv /tmp/fuzz-results.tgz "$out/"
