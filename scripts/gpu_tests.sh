#!/bin/bash
# Runs on the GPU machine (device tool), from the repo root, with .gpu, .whl and
# .whl-ref carried:
#   bash scripts/gpu_tests.sh [pytest args]
# .whl holds pytest and its plugins for Python 3.12; .whl-ref holds brian2 2.9.0 and
# numpy 2.3.5 (the versions CI uses): the reference runs of Brian's runtime device
# need them, because brian2 2.10.1 with numpy 2.5 leaves garbage in the first
# entries of monitor arrays there. Results go to $OUT.
source .gpu/env.sh
python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site .whl/*.whl 2>&1 | grep -v -i warning
if compgen -G ".whl-ref/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site-ref .whl-ref/*.whl 2>&1 | grep -v -i warning
    export PYTHONPATH=/tmp/site-ref:$PYTHONPATH
fi
nvidia-smi -L
python3 -c "import brian2, pygenn, numpy; print('brian2', brian2.__version__, 'numpy', numpy.__version__)"
export BRIAN2GENN_BRIDGE_TEST_BACKEND=cuda
python3 -m pytest -q -p no:cacheprovider -p no:logging --junitxml="${OUT:-/tmp}/junit-cuda.xml" "$@" 2>&1 | tee "${OUT:-/tmp}/pytest-cuda.log" | tail -40
