# call 3: race fix on CUDA (tests + 8 diagnostic copies at once), then genn-cuda benchmarks
source scripts/gpu_env.sh
export BRIAN2GENN_BRIDGE_TEST_BACKEND=cuda
mkdir -p $OUT/diag
for k in 1 2 3 4 5 6 7 8; do OUT=$OUT/diag timeout 300 python3 .diag/sr.py $k > $OUT/diag/log$k 2>&1 & done
python3 -m pytest -q -p no:cacheprovider -p no:logging -n 6 tests/test_connectivity.py tests/test_synaptic_random.py > $OUT/pytest-cuda.log 2>&1
tail -3 $OUT/pytest-cuda.log
wait
grep -h RESULT $OUT/diag/log* | cut -c1-200; rm -f $OUT/diag/*.npz
OUT=$OUT/bench BUDGET_S=215 CONFIGS="mbody:400 cobahh:100000" BACKENDS="genn-cuda" bash benchmarks/gpu_sizes.sh > $OUT/bench.log 2>&1
tail -8 $OUT/bench.log
