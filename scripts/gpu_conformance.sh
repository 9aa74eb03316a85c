#!/bin/bash
# Runs on the GPU machine (device tool), from the repo root, with .gpu, .whl and
# .whl-ref carried (see scripts/gpu_env.sh):
#   bash scripts/gpu_conformance.sh [run.py args, e.g. -n 16]
# Brian's standalone-compatible tests against the device on the CUDA backend; the
# summary goes to $OUT/summary-cuda.json (copy it to tests/conformance/).
source scripts/gpu_env.sh
python3 tests/conformance/run.py --backend cuda --summary "${OUT:-/tmp}/summary-cuda.json" "$@" 2>&1 | tail -30
