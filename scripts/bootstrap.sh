#!/usr/bin/env bash
# Create/refresh the project's virtual environment in .venv (repo root).
#
#   scripts/bootstrap.sh          # idempotent; ~0.01 s when nothing changed
#
# Steps (each prints one line to stderr; full output goes to .venv/bootstrap.log):
#   1. .venv with python3.11 if present, else python3
#   2. pip upgraded
#   3. pygenn 5.4.x (skipped when .venv already imports pygenn 5.4.x), first of:
#        a) a wheel in $GENN_BRIDGE_WHEELS (default ../shared/wheels) for this Python
#        b) $GENN_BRIDGE_VENDOR/genn-5.4.0.tar.gz (default ../shared/vendor), built
#           with pip (~5 min on 2 cores; needs g++, make, libffi-dev)
#        c) GeNN's 5.4.0 source release from GitHub ($GENN_BRIDGE_GENN_URL)
#   4. pip install -e '.[test]'   (brian2, numpy<2.4, jinja2, pytest from PyPI)
# A stamp file (.venv/.bootstrap-stamp) records pyproject.toml + this script; when
# it matches, the script exits at once. Set GENN_BRIDGE_FORCE_BOOTSTRAP=1 to redo.
set -Eeuo pipefail   # -E: the ERR trap also fires inside functions

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
STAMP="$VENV/.bootstrap-stamp"
LOG="$VENV/bootstrap.log"
WHEELS="${GENN_BRIDGE_WHEELS:-$ROOT/../shared/wheels}"
VENDOR="${GENN_BRIDGE_VENDOR:-$ROOT/../shared/vendor}"
GENN_URL="${GENN_BRIDGE_GENN_URL:-https://github.com/genn-team/genn/archive/refs/tags/5.4.0.tar.gz}"
[[ -d "$WHEELS" ]] && WHEELS=$(cd "$WHEELS" && pwd)
[[ -d "$VENDOR" ]] && VENDOR=$(cd "$VENDOR" && pwd)
PYGENN_SPEC='pygenn>=5.4,<5.5'
NUMPY_SPEC='numpy<2.4'

want_stamp() {
    # what the current venv was bootstrapped from; cheap (no Python start-up)
    cat "$ROOT/pyproject.toml" "${BASH_SOURCE[0]}" | cksum
}

up_to_date() {
    [[ "${GENN_BRIDGE_FORCE_BOOTSTRAP:-0}" != 1 ]] &&
    [[ -x "$PY" && -f "$STAMP" ]] &&
    [[ "$(cat "$STAMP")" == "$(want_stamp)" ]] &&
    compgen -G "$VENV/lib/python3*/site-packages/pygenn-5.4*.dist-info" >/dev/null &&
    compgen -G "$VENV/lib/python3*/site-packages/*brian2genn_bridge*" >/dev/null
}

# ---- fast path -------------------------------------------------------------
if up_to_date; then exit 0; fi

say() { echo "bootstrap: $*" >&2; }
STEP="start"
on_error() {
    local rc=$?
    echo "bootstrap: FAILED (exit $rc) during: $STEP" >&2
    if [[ -s "$LOG" ]]; then
        echo "---- last 40 lines of $LOG ----" >&2
        tail -n 40 "$LOG" >&2
        echo "---- end of log ----" >&2
    fi
    exit "$rc"
}
trap on_error ERR
# run a command with its output in the log only
quiet() { "$@" >>"$LOG" 2>&1; }

mkdir -p "$VENV"
# one bootstrap at a time (scripts/demo and scripts/test may start together)
exec 9>"$VENV/.bootstrap.lock"
flock 9
if up_to_date; then exit 0; fi
: >"$LOG"
rm -f "$STAMP"

# ---- 1. virtual environment ------------------------------------------------
STEP="creating .venv"
if [[ -x "$PY" ]] && ! "$PY" -c '' >/dev/null 2>&1; then
    say "existing .venv is broken; recreating it"
    find "$VENV" -mindepth 1 -maxdepth 1 ! -name .bootstrap.lock ! -name bootstrap.log -exec rm -rf {} +
fi
if [[ ! -x "$PY" ]]; then
    BASE_PY=$(command -v python3.11 || command -v python3 || true)
    [[ -n "$BASE_PY" ]] || { say "neither python3.11 nor python3 found"; false; }
    say "creating .venv with $("$BASE_PY" --version 2>&1) ($BASE_PY)"
    quiet "$BASE_PY" -m venv "$VENV"
fi
PIP=("$PY" -m pip --disable-pip-version-check)

# ---- 2. pip ------------------------------------------------------------------
STEP="upgrading pip"
say "upgrading pip"
quiet "${PIP[@]}" install -q --upgrade pip

# ---- 3. pygenn -------------------------------------------------------------
is_root() { [[ "$(id -u)" == 0 ]]; }
apt_install() {   # apt_install PKG... (only as root; needs Debian's package lists)
    if ! is_root || ! command -v apt-get >/dev/null; then
        say "missing system packages: $* (install them, e.g. apt-get install $*)"
        return 1
    fi
    say "apt-get install $*"
    quiet apt-get update -qq
    DEBIAN_FRONTEND=noninteractive quiet apt-get install -y -qq --no-install-recommends "$@"
}
need_compiler() {   # pygenn builds generated C++ with make + g++ at run time too
    local missing=()
    command -v g++ >/dev/null || command -v c++ >/dev/null || missing+=(g++)
    command -v make >/dev/null || missing+=(make)
    if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
}
need_build_deps() {  # GeNN's setup.py finds libffi through pkg-config
    need_compiler
    local missing=()
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    pkg-config --exists libffi 2>/dev/null || missing+=(libffi-dev)
    if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
}
has_pygenn() {
    "$PY" -c 'import sys, pygenn; sys.exit(0 if pygenn.__version__.startswith("5.4.") else 1)' \
        >/dev/null 2>&1
}

STEP="checking for a C++ compiler and make"
need_compiler || say "warning: pygenn needs g++ and make to build models"

if has_pygenn; then
    say "pygenn $("$PY" -c 'import pygenn; print(pygenn.__version__)') already installed"
else
    installed=""
    # (a) prebuilt wheel for this interpreter: pip picks by tag, no index
    STEP="installing pygenn from a wheel in $WHEELS"
    if [[ -d "$WHEELS" ]] && compgen -G "$WHEELS/pygenn-5.4*.whl" >/dev/null &&
       quiet "${PIP[@]}" install -q --no-index --no-deps --find-links "$WHEELS" "$PYGENN_SPEC"; then
        say "installed pygenn from a wheel in $WHEELS"
        installed=wheel
    fi
    # (b) GeNN's release source in the shared vendor folder
    if [[ -z "$installed" && -f "$VENDOR/genn-5.4.0.tar.gz" ]]; then
        STEP="building pygenn from $VENDOR/genn-5.4.0.tar.gz"
        need_build_deps
        say "building pygenn from $VENDOR/genn-5.4.0.tar.gz (about 5 min on 2 cores)"
        quiet "${PIP[@]}" install -q "$VENDOR/genn-5.4.0.tar.gz" "$NUMPY_SPEC"
        installed=vendor
    fi
    # (c) GeNN's 5.4.0 source release from GitHub
    if [[ -z "$installed" ]]; then
        STEP="building pygenn from $GENN_URL"
        need_build_deps
        say "no pygenn wheel or vendored source; building pygenn from $GENN_URL (about 5 min)"
        quiet "${PIP[@]}" install -q "$GENN_URL" "$NUMPY_SPEC"
        installed=github
    fi
    # pygenn's own dependencies (numpy, psutil, setuptools) from PyPI
    STEP="installing pygenn's dependencies"
    quiet "${PIP[@]}" install -q "$PYGENN_SPEC" "$NUMPY_SPEC" --find-links "$WHEELS"
    STEP="checking that pygenn 5.4 imports"
    has_pygenn || { "$PY" -c 'import pygenn; print(pygenn.__version__)' >>"$LOG" 2>&1; false; }
fi

# ---- 4. this package, editable, with test extras ---------------------------
STEP="pip install -e '.[test]'"
say "installing brian2genn_bridge (editable) with brian2, numpy<2.4, jinja2, pytest"
quiet "${PIP[@]}" install -q -e "$ROOT[test]"

STEP="final import check"
quiet "$PY" -c 'import pygenn, brian2, numpy, jinja2, pytest'
want_stamp >"$STAMP"
say "ready: $("$PY" -c 'import sys, pygenn, brian2, numpy
print("Python %d.%d.%d" % sys.version_info[:3], "pygenn", pygenn.__version__,
      "brian2", brian2.__version__, "numpy", numpy.__version__)')"
