#!/usr/bin/env bash
# genn-cuda and brian2cuda side by side over sizes, in one device call:
#   device run, carry [".gpu"], command:
#     source .gpu/env.sh && bash benchmarks/gpu_sizes.sh
# Configurations run in the order given, all against one deadline (BUDGET_S
# seconds from the start); one that cannot start in time is recorded as
# skipped. Results: $OUT/cobahh.jsonl, $OUT/mbody.jsonl, $OUT/summary.txt.
#
# Environment (all optional):
#   BUDGET_S=540
#   CONFIGS="cobahh:1000 cobahh:10000 mbody:1 mbody:10"   model:size pairs
#   BACKENDS="brian2cuda genn-cuda"
#   FLOAT=32 DURATION=1
#   TIMEOUT_S=400                                 per configuration
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
START=$(date +%s)
BUDGET_S=${BUDGET_S:-540}
DEADLINE=$((START + BUDGET_S))
CONFIGS=${CONFIGS:-"cobahh:1000 cobahh:10000 mbody:1 mbody:10"}
BACKENDS=${BACKENDS:-"brian2cuda genn-cuda"}
PY=${PYTHON:-python3}
WORK=${BENCH_WORKDIR:-/tmp/bench_work}
OUT=${OUT:-benchmarks/results/gpu-sizes-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs" "$WORK"
export PYTHONUNBUFFERED=1
# brian2cuda 1.0b1's makefile asks nvcc for C++11, which CUDA 13 cannot use (see gpu_suite.sh)
B2C_MAKEFILE=$($PY -c "import os, brian2cuda; print(os.path.join(os.path.dirname(brian2cuda.__file__), 'templates', 'makefile'))" 2>/dev/null)
[[ -n "$B2C_MAKEFILE" && -w "$B2C_MAKEFILE" ]] && sed -i 's/-std=c++11/-std=c++17/' "$B2C_MAKEFILE"
nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null
for config in $CONFIGS; do
    model=${config%%:*} size=${config#*:}
    for backend in $BACKENDS; do
        extra=()
        [[ "$model" == cobahh ]] && extra=(--variant paper)
        echo "-- $model $size $backend ($((DEADLINE - $(date +%s))) s left)"
        "$PY" "benchmarks/$model/run.py" --sizes "$size" --backends "$backend" \
            --float "${FLOAT:-32}" --duration "${DURATION:-1}" --deadline "$DEADLINE" \
            --timeout "${TIMEOUT_S:-400}" --min-start 40 --workdir "$WORK" --logdir "$OUT/logs" \
            --out "$OUT/$model.jsonl" --label gpu_sizes "${extra[@]}" \
            || echo "   (harness exited with status $?)"
    done
done
"$PY" benchmarks/table.py "$OUT"/*.jsonl --compact | tee "$OUT/summary.txt"
rm -rf "$WORK"
echo "== gpu_sizes done in $(( $(date +%s) - START )) s"
