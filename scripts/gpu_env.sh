# Sourced by the scripts that run on the GPU machine (device tool), from the repo root,
# with .gpu, .whl and .whl-ref carried: the GPU kit's environment (.gpu/env.sh), then
# pytest and its plugins for Python 3.12 (.whl) and brian2 2.9.0 with numpy 2.3.5
# (.whl-ref, the versions CI uses): the reference runs of Brian's runtime device need them,
# because brian2 2.10.1 with numpy 2.5 leaves garbage in the first entries of monitor arrays
# there.
source .gpu/env.sh
python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site .whl/*.whl 2>&1 | grep -v -i warning
if compgen -G ".whl-ref/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site-ref .whl-ref/*.whl 2>&1 | grep -v -i warning
    export PYTHONPATH=/tmp/site-ref:$PYTHONPATH
fi
nvidia-smi -L
