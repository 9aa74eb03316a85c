#!/bin/bash
# Runs on the GPU machine (device tool), from the repo root, with .gpu, .whl and
# .whl-ref carried:
#   bash scripts/gpu_tests.sh [pytest args]
# (see scripts/gpu_env.sh for what they hold). Results go to $OUT.
source scripts/gpu_env.sh
python3 -c "import brian2, pygenn, numpy; print('brian2', brian2.__version__, 'numpy', numpy.__version__)"
export BRIAN2GENN_BRIDGE_TEST_BACKEND=cuda
python3 -m pytest -q -p no:cacheprovider -p no:logging --junitxml="${OUT:-/tmp}/junit-cuda.xml" "$@" 2>&1 | tee "${OUT:-/tmp}/pytest-cuda.log" | tail -40
