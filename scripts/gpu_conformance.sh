#!/bin/bash
# Runs on the GPU machine (device tool), from the repo root, with .gpu, .whl and
# .whl-ref carried (see scripts/gpu_tests.sh for what they hold):
#   bash scripts/gpu_conformance.sh [run.py args, e.g. -n 14]
# Brian's standalone-compatible tests against the device on the CUDA backend; the
# summary goes to $OUT/summary-cuda.json (copy it to tests/conformance/).
source .gpu/env.sh
python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site .whl/*.whl 2>&1 | grep -v -i warning
if compgen -G ".whl-ref/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site-ref .whl-ref/*.whl 2>&1 | grep -v -i warning
    export PYTHONPATH=/tmp/site-ref:$PYTHONPATH
fi
nvidia-smi -L
python3 tests/conformance/run.py --backend cuda --summary "${OUT:-/tmp}/summary-cuda.json" "$@" 2>&1 | tail -30
