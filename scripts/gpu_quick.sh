#!/bin/bash
# On the GPU machine (device tool; carry .gpu, .whl and .whl-ref, see scripts/gpu_env.sh),
# from the repo root: the test suite on GeNN's CPU backend over 14 workers (about 2 min),
# then on CUDA over 6 workers (about 5 min); logs in $OUT.
source scripts/gpu_env.sh >/dev/null 2>&1
nvidia-smi -L
python3 -c "import brian2, pygenn, numpy; print('brian2', brian2.__version__, 'numpy', numpy.__version__)"
echo "== CPU backend suite, 14 workers"
start=$SECONDS
BRIAN2GENN_BRIDGE_TEST_BACKEND=single_threaded_cpu timeout 250 python3 -m pytest -q -p no:cacheprovider -n 14 -m "not slow and not conformance" --ignore=tests/conformance tests > $OUT/cpu-suite.log 2>&1
echo "rc=$? $((SECONDS-start)) s"; tail -25 $OUT/cpu-suite.log | grep -v "^\s*$" | tail -25
echo "== CUDA suite, 6 workers"
start=$SECONDS
BRIAN2GENN_BRIDGE_TEST_BACKEND=cuda timeout 300 python3 -m pytest -q -p no:cacheprovider -n 6 -m "not slow and not conformance" --ignore=tests/conformance tests > $OUT/cuda-suite.log 2>&1
echo "rc=$? $((SECONDS-start)) s"; tail -25 $OUT/cuda-suite.log | grep -v "^\s*$" | tail -25
