#!/usr/bin/env bash
# Published models against the hand-written PyGeNN versions, made for one
# device call of at most 9 minutes:
#
#   device run, carry [".gpu"], command:
#     source .gpu/env.sh && bash benchmarks/gpu_real_models.sh
#
# The Potjans-Diesmann microcircuit (scale MC_SCALE, default 1.0) and the STDP
# network (STDP_SIZE postsynaptic neurons, default 10000, each with 1000 Poisson
# inputs), float32, 1 s simulated, SpikeMonitors on, GeNN's kernel timers on.
# Every configuration runs in its own process with its own timeout; all share
# one deadline (BUDGET_S after this script starts): what cannot start in time
# is recorded as skipped. Order = priority:
#   1. microcircuit: genn-cuda (groups), pygenn-cuda, genn-cuda (subgroups)
#   2. STDP: genn-cuda, pygenn-cuda
#   3. cpp_standalone (THREADS threads): STDP, then the microcircuit (groups)
#   4. brian2cuda (timeout B2C_TIMEOUT): STDP, then the microcircuit (groups)
# Results: $OUT/microcircuit.jsonl, $OUT/stdp.jsonl, $OUT/compare.txt (ours /
# pygenn time ratios, rates of every back-end per population, kernel times;
# also printed), $OUT/summary.txt, $OUT/logs/.
#
# Environment (all optional):
#   BUDGET_S=480 MC_SCALE=1.0 STDP_SIZE=10000 THREADS=16 B2C_TIMEOUT=200
#   SKIP_CPP=0 SKIP_BRIAN2CUDA=0 SKIP_GENN=0 (genn-cuda and pygenn-cuda; e.g. for a
#   second call with cpp_standalone and brian2cuda only) SKIP_MC=0 SKIP_STDP=0
#   DURATION=1 FLOAT=32
#   BENCH_WORKDIR=/tmp/bench_work PYTHON=python3
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."

START=$(date +%s)
BUDGET_S=${BUDGET_S:-480}
DEADLINE=$((START + BUDGET_S))
MC_SCALE=${MC_SCALE:-1.0}
STDP_SIZE=${STDP_SIZE:-10000}
THREADS=${THREADS:-16}
B2C_TIMEOUT=${B2C_TIMEOUT:-200}
SKIP_CPP=${SKIP_CPP:-0}
SKIP_BRIAN2CUDA=${SKIP_BRIAN2CUDA:-0}
SKIP_GENN=${SKIP_GENN:-0}
SKIP_MC=${SKIP_MC:-0}
SKIP_STDP=${SKIP_STDP:-0}
DURATION=${DURATION:-1}
FLOAT=${FLOAT:-32}
PY=${PYTHON:-python3}
WORK=${BENCH_WORKDIR:-/tmp/bench_work}
OUT=${OUT:-benchmarks/results/gpu-real-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs" "$WORK"
export PYTHONUNBUFFERED=1

# brian2cuda 1.0b1's makefile template hard-codes nvcc -std=c++11 (see gpu_suite.sh)
B2C_MAKEFILE=$($PY -c "import os, brian2cuda; print(os.path.join(os.path.dirname(brian2cuda.__file__), 'templates', 'makefile'))" 2>/dev/null)
if [[ -n "$B2C_MAKEFILE" && -w "$B2C_MAKEFILE" ]]; then
    sed -i 's/-std=c++11/-std=c++17/' "$B2C_MAKEFILE"
fi

echo "== gpu_real_models: $(date -u +%FT%TZ), budget ${BUDGET_S} s, results in $OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null \
    || echo "nvidia-smi: no GPU visible"

common=(--float "$FLOAT" --duration "$DURATION" --deadline "$DEADLINE" --kernel-timers
        --workdir "$WORK" --logdir "$OUT/logs" --label gpu_real_models)

# bench MODEL BACKEND SIZE TIMEOUT MIN_START [extra args]
bench() {
    local model=$1 backend=$2 size=$3 timeout=$4 min_start=$5
    shift 5
    [[ "$model" == microcircuit && "$SKIP_MC" == 1 ]] && return
    [[ "$model" == stdp && "$SKIP_STDP" == 1 ]] && return
    [[ "$backend" == *genn-cuda && "$SKIP_GENN" == 1 ]] && return
    echo "-- $model $size $backend $* (timeout ${timeout} s, $((DEADLINE - $(date +%s))) s left)"
    "$PY" "benchmarks/$model/run.py" --sizes "$size" --backends "$backend" \
        --timeout "$timeout" --min-start "$min_start" --out "$OUT/$model.jsonl" \
        "${common[@]}" "$@" || echo "   (harness exited with status $?)"
}

# 1. microcircuit on the GPU
bench microcircuit genn-cuda "$MC_SCALE" 200 60 --shape groups
bench microcircuit pygenn-cuda "$MC_SCALE" 150 45
bench microcircuit genn-cuda "$MC_SCALE" 200 60 --shape subgroups
# 2. STDP on the GPU
bench stdp genn-cuda "$STDP_SIZE" 120 30
bench stdp pygenn-cuda "$STDP_SIZE" 120 30
# 3. cpp_standalone
if [[ "$SKIP_CPP" != 1 ]]; then
    bench stdp cpp_standalone "$STDP_SIZE" 120 30 --threads "$THREADS"
    bench microcircuit cpp_standalone "$MC_SCALE" 240 90 --shape groups --threads "$THREADS"
fi
# 4. brian2cuda
if [[ "$SKIP_BRIAN2CUDA" != 1 ]]; then
    bench stdp brian2cuda "$STDP_SIZE" "$B2C_TIMEOUT" 60
    bench microcircuit brian2cuda "$MC_SCALE" "$B2C_TIMEOUT" 90 --shape groups
fi

echo "== comparison ($(( $(date +%s) - START )) s since start)"
"$PY" benchmarks/compare.py "$OUT"/*.jsonl | tee "$OUT/compare.txt"
"$PY" benchmarks/table.py "$OUT"/*.jsonl --compact > "$OUT/summary.txt" 2>&1 || true
rm -rf "$WORK/microcircuit" "$WORK/stdp" "$WORK/results_tmp"
echo "== gpu_real_models done in $(( $(date +%s) - START )) s"
