#!/usr/bin/env bash
# GPU benchmark suite, made for one device call of at most 9 minutes:
#
#   bash ../shared/gpu/stage.sh                       # here, once: kit -> .gpu/
#   device run, carry [".gpu"], command:
#     source .gpu/env.sh && bash benchmarks/gpu_suite.sh
#
# COBAHH (paper variant) and Mbody, float32, 1 s simulated, SpikeMonitor on.
# Every configuration runs in its own process with its own timeout; all of
# them share one deadline (BUDGET_S seconds after this script starts), so the
# script ends in time: a configuration that cannot start with enough time left
# is recorded as skipped. Order = priority:
#   1. genn-cuda at the comparison sizes (COBAHH 1e5, Mbody 40), + repeat run
#   2. cpp_standalone (THREADS OpenMP threads) at the comparison sizes
#   3. genn-cuda at the other sizes up to the comparison size, + repeat runs
#   4. brian2cuda at Mbody 40, then COBAHH 1e5 (~100 s compile per the reference)
#   5. genn-cuda at sizes above the comparison size (e.g. COBAHH 1e6)
# Results: $OUT/cobahh.jsonl, $OUT/mbody.jsonl, $OUT/table.md, $OUT/summary.txt,
# $OUT/logs/ (child logs), $OUT/plots/ (if matplotlib is importable); the
# jsonl lines are also appended to benchmarks/results/*.jsonl when writable.
#
# Environment (all optional):
#   BUDGET_S=470            seconds from start to the last configuration's end
#   COBAHH_SIZES="1000 10000 100000"   (add 1000000 if time allows)
#   MBODY_SCALES="1 10 40"
#   COMPARE_COBAHH=100000 COMPARE_MBODY=40   sizes for cpp_standalone/brian2cuda
#   THREADS=16              OpenMP threads of cpp_standalone
#   REPEAT=1                genn repeat runs (0: none)
#   SKIP_CPP=0 SKIP_BRIAN2CUDA=0
#   DURATION=1 FLOAT=32
#   BENCH_WORKDIR=/tmp/bench_work   build directories (deleted after each configuration)
#   PYTHON=python3
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."

START=$(date +%s)
BUDGET_S=${BUDGET_S:-470}
DEADLINE=$((START + BUDGET_S))
COBAHH_SIZES=${COBAHH_SIZES:-"1000 10000 100000"}
MBODY_SCALES=${MBODY_SCALES:-"1 10 40"}
COMPARE_COBAHH=${COMPARE_COBAHH:-100000}
COMPARE_MBODY=${COMPARE_MBODY:-40}
THREADS=${THREADS:-16}
REPEAT=${REPEAT:-1}
SKIP_CPP=${SKIP_CPP:-0}
SKIP_BRIAN2CUDA=${SKIP_BRIAN2CUDA:-0}
DURATION=${DURATION:-1}
FLOAT=${FLOAT:-32}
PY=${PYTHON:-python3}
WORK=${BENCH_WORKDIR:-/tmp/bench_work}
OUT=${OUT:-benchmarks/results/gpu-run-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs" "$WORK"
export PYTHONUNBUFFERED=1

# brian2cuda 1.0b1's makefile template hard-codes nvcc -std=c++11, which CUDA 13's
# nvcc cannot compile the host's libstdc++ 13 headers with (and a second -std in
# extra_compile_args_nvcc is rejected): switch the installed template to C++17.
B2C_MAKEFILE=$($PY -c "import os, brian2cuda; print(os.path.join(os.path.dirname(brian2cuda.__file__), 'templates', 'makefile'))" 2>/dev/null)
if [[ -n "$B2C_MAKEFILE" && -w "$B2C_MAKEFILE" ]]; then
    sed -i 's/-std=c++11/-std=c++17/' "$B2C_MAKEFILE"
fi

echo "== gpu_suite: $(date -u +%FT%TZ), budget ${BUDGET_S} s, results in $OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null \
    || echo "nvidia-smi: no GPU visible"
echo "$($PY --version 2>&1), $(nproc) cores; CXX=${CXX:-unset} CUDA_PATH=${CUDA_PATH:-unset}"
$PY - <<'PY' 2>&1 | sed 's/^/  /'
import importlib
for name in ("brian2", "pygenn", "brian2cuda", "numpy"):
    try:
        module = importlib.import_module(name)
        print(name, getattr(module, "__version__", "?"))
    except Exception as exc:  # noqa: BLE001
        print(name, "NOT IMPORTABLE:", type(exc).__name__, str(exc)[:200])
try:
    from pygenn import cuda_backend  # noqa: F401
    print("pygenn CUDA backend: yes")
except Exception as exc:  # noqa: BLE001
    print("pygenn CUDA backend: NO", exc)
PY

common=(--float "$FLOAT" --duration "$DURATION" --deadline "$DEADLINE"
        --workdir "$WORK" --logdir "$OUT/logs" --label gpu_suite)
repeat=()
[[ "$REPEAT" == 1 ]] && repeat=(--repeat-run)

# bench MODEL BACKEND SIZE TIMEOUT MIN_START [extra args]
bench() {
    local model=$1 backend=$2 size=$3 timeout=$4 min_start=$5
    shift 5
    local left=$((DEADLINE - $(date +%s)))
    echo "-- $model $size $backend (timeout ${timeout} s, ${left} s of the budget left)"
    "$PY" "benchmarks/$model/run.py" --sizes "$size" --backends "$backend" \
        --timeout "$timeout" --min-start "$min_start" --out "$OUT/$model.jsonl" \
        "${common[@]}" "$@" || echo "   (harness exited with status $?)"
}

is_less() { "$PY" -c "import sys; sys.exit(0 if float('$1') < float('$2') else 1)"; }

# 1. genn-cuda at the comparison sizes
bench cobahh genn-cuda "$COMPARE_COBAHH" 240 60 --variant paper "${repeat[@]}"
bench mbody genn-cuda "$COMPARE_MBODY" 180 45 "${repeat[@]}"

# 2. cpp_standalone at the comparison sizes (reference: whole run() 28.5 s / 19.5 s)
if [[ "$SKIP_CPP" != 1 ]]; then
    bench cobahh cpp_standalone "$COMPARE_COBAHH" 120 45 --variant paper --threads "$THREADS"
    bench mbody cpp_standalone "$COMPARE_MBODY" 90 35 --threads "$THREADS"
fi

# 3. genn-cuda at the smaller sizes
for n in $COBAHH_SIZES; do
    if is_less "$n" "$COMPARE_COBAHH"; then
        bench cobahh genn-cuda "$n" 150 30 --variant paper "${repeat[@]}"
    fi
done
for s in $MBODY_SCALES; do
    if is_less "$s" "$COMPARE_MBODY"; then
        bench mbody genn-cuda "$s" 120 30 "${repeat[@]}"
    fi
done

# 4. brian2cuda (reference: whole run() 31.6 s for Mbody 40, 108.8 s for COBAHH 1e5)
if [[ "$SKIP_BRIAN2CUDA" != 1 ]]; then
    bench mbody brian2cuda "$COMPARE_MBODY" 120 50
    bench cobahh brian2cuda "$COMPARE_COBAHH" 220 130 --variant paper
fi

# 5. genn-cuda above the comparison sizes
for n in $COBAHH_SIZES; do
    if is_less "$COMPARE_COBAHH" "$n"; then
        bench cobahh genn-cuda "$n" 400 150 --variant paper
    fi
done
for s in $MBODY_SCALES; do
    if is_less "$COMPARE_MBODY" "$s"; then
        bench mbody genn-cuda "$s" 300 100
    fi
done

# results
echo "== summary ($(( $(date +%s) - START )) s since start)"
"$PY" benchmarks/table.py "$OUT"/*.jsonl --compact | tee "$OUT/summary.txt"
"$PY" benchmarks/table.py "$OUT"/*.jsonl --print > "$OUT/table.md" 2>&1 || true
if "$PY" -c "import matplotlib" 2>/dev/null; then
    "$PY" benchmarks/plot.py "$OUT"/*.jsonl --outdir "$OUT/plots" || true
else
    echo "(matplotlib not importable: no plots; run benchmarks/plot.py on the results later)"
fi
if mkdir -p benchmarks/results 2>/dev/null && [[ -w benchmarks/results ]]; then
    case "$(cd "$OUT" && pwd)" in
        "$(cd benchmarks/results && pwd)"*) ;;  # OUT is already inside benchmarks/results
        *) for f in "$OUT"/*.jsonl; do
               [[ -e "$f" ]] && cat "$f" >> "benchmarks/results/$(basename "$f")"
           done
           echo "results also appended to benchmarks/results/" ;;
    esac
fi
rm -rf "$WORK/cobahh" "$WORK/mbody" "$WORK/results_tmp"
echo "== gpu_suite done in $(( $(date +%s) - START )) s"
