#!/usr/bin/env bash
# Synapses made by GeNN (issue 22) and the real models (issue 20) in one device
# call of at most 10 minutes (carry .gpu, .whl and .whl-ref; see scripts/gpu_env.sh):
#
#   bash scripts/gpu_synapse_creation.sh
#
# 1. the tests of the changed generated code on CUDA (test_synapse_creation,
#    test_input_fusion, test_connectivity; session 15's test_synapse_monitors,
#    test_shared_random, test_poissoninput, test_integration_cache);
# 2. COBAHH (paper variant) at 2e5 neurons with synapses made on the host and by
#    GeNN (the loop and kernels side by side), then at 1e6 neurons, 1e9 synapses,
#    made by GeNN (--connect-on-gpu), float32, 1 s, kernel timers on;
# 3. the balanced network at the multi-area model's scale (4e6 neurons,
#    in-degree 6,000, 2.4e10 synapses) with procedural connectivity
#    (SKIP_BALANCED=1 skips it), then the microcircuit (groups) with synapses
#    made by GeNN;
# 4. benchmarks/gpu_real_models.sh (microcircuit and STDP against the
#    hand-written PyGeNN models) with what time is left.
# Results and logs in $OUT.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/gpu_env.sh >/dev/null 2>&1
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu_synapse_creation}
mkdir -p "$OUT/logs"
START=$(date +%s)
left() { echo $(( ${BUDGET_S:-570} - ($(date +%s) - START) )); }

echo "== CUDA tests ($(left) s left)"
BRIAN2GENN_BRIDGE_TEST_BACKEND=cuda timeout 200 python3 -m pytest -q -p no:cacheprovider -n 12 \
    tests/test_synapse_creation.py tests/test_input_fusion.py tests/test_connectivity.py \
    tests/test_synapse_monitors.py tests/test_shared_random.py tests/test_poissoninput.py \
    tests/test_integration_cache.py \
    > "$OUT/cuda-tests.log" 2>&1
echo "rc=$?"; tail -4 "$OUT/cuda-tests.log"

for how in "" "--connect-on-gpu"; do
    echo "== COBAHH 2e5 $how ($(left) s left)"
    timeout 90 python3 benchmarks/cobahh/run.py --sizes 200000 --backends genn-cuda $how \
        --kernel-timers --out "$OUT/cobahh2e5.jsonl" --workdir /tmp/bw --logdir "$OUT/logs" \
        --timeout 85 2>&1 | grep "^\[cobahh"
done

echo "== COBAHH 1e6, synapses made by GeNN ($(left) s left)"
timeout 120 python3 benchmarks/cobahh/run.py --sizes 1000000 --backends genn-cuda \
    --connect-on-gpu --kernel-timers --repeat-run --out "$OUT/cobahh.jsonl" \
    --workdir /tmp/bw --logdir "$OUT/logs" --timeout 110 2>&1 | tail -3

if [[ "${SKIP_BALANCED:-0}" != 1 ]]; then
echo "== balanced network 4e6 x 6000, procedural ($(left) s left)"
timeout 120 python3 benchmarks/balanced.py --neurons 4000000 --in-degree 6000 \
    --connectivity procedural --out "$OUT/balanced.jsonl" --directory /tmp/balanced \
    > "$OUT/logs/balanced.log" 2>&1
echo "rc=$?"; tail -2 "$OUT/logs/balanced.log"
fi

echo "== microcircuit (groups), synapses made by GeNN ($(left) s left)"
timeout 150 python3 benchmarks/microcircuit/run.py --sizes 1.0 --backends genn-cuda \
    --shape groups --connect-on-gpu --kernel-timers --float 32 --out "$OUT/microcircuit-gpu.jsonl" \
    --workdir /tmp/bw --logdir "$OUT/logs" --timeout 140 2>&1 | tail -3

budget=$(( $(left) - 20 ))
if (( budget > 90 )); then
    echo "== real models ($budget s)"
    SKIP_CPP=1 SKIP_BRIAN2CUDA=1 BUDGET_S=$budget bash benchmarks/gpu_real_models.sh 2>&1 | tail -40
fi
echo "== done in $(( $(date +%s) - START )) s"
