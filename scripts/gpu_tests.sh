#!/bin/bash
# Runs on the GPU machine (device tool), from the repo root, with .gpu and .whl carried:
#   bash scripts/gpu_tests.sh [pytest args]
# Test selection and results go to $OUT.
source .gpu/env.sh
python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site .whl/*.whl 2>&1 | grep -v -i warning
nvidia-smi -L
python3 -c "import brian2, pygenn, numpy; print('brian2', brian2.__version__, 'numpy', numpy.__version__)"
export BRIAN2GENN_BRIDGE_TEST_BACKEND=cuda
python3 -m pytest -q -p no:cacheprovider -p no:logging --junitxml="${OUT:-/tmp}/junit-cuda.xml" "$@" 2>&1 | tee "${OUT:-/tmp}/pytest-cuda.log" | tail -40
