# call 1: CUDA test suite, with 8 copies of the synaptic-random diagnostic run alongside
source scripts/gpu_env.sh
export BRIAN2GENN_BRIDGE_TEST_BACKEND=cuda
mkdir -p $OUT/diag
( sleep 20; for k in 1 2 3 4 5 6 7 8; do OUT=$OUT/diag timeout 400 python3 .diag/sr.py $k > $OUT/diag/log$k 2>&1 & done; wait ) &
python3 -m pytest -q -p no:cacheprovider -p no:logging -n 12 --junitxml="$OUT/junit-cuda.xml" tests > "$OUT/pytest-cuda.log" 2>&1
tail -30 $OUT/pytest-cuda.log
wait
grep -h RESULT $OUT/diag/log* ; for f in $OUT/diag/log*; do grep -q RESULT $f || tail -5 $f; done
