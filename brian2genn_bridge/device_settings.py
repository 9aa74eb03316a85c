"""What ``set_device('genn', ...)`` and ``device.build(...)`` accept and
where it leads: GeNN's backends (`check_backend`, and whether CUDA is usable
here, `cuda_problem`), the keywords (`check_keywords`), and the default
build directory (`default_directory`). A leaf module."""

from __future__ import annotations

import os
import tempfile

__all__ = ["BACKENDS", "cuda_problem", "default_backend", "check_backend", "check_keywords",
           "default_directory"]


#: values of ``set_device('genn', backend=...)`` and ``prefs.devices.genn.backend``
BACKENDS = ("auto", "cuda", "single_threaded_cpu")

#: keywords of ``set_device('genn', ...)`` and ``device.build(...)`` that the
#: device uses
DEVICE_KEYWORDS = ("directory", "backend", "profile")

#: keywords of Brian's standalone devices' ``build`` (and so of their
#: ``set_device`` calls), accepted and ignored: scripts and Brian's test
#: harness pass them to any device, and `reset_device` passes them back
STANDALONE_KEYWORDS = ("results_directory", "compile", "run", "debug", "clean",
                       "with_output", "additional_source_files", "run_args",
                       "direct_call")

#: brian2genn's keywords, with what replaces them here
BRIAN2GENN_KEYWORDS = {
    "use_GPU": "backend='cuda' (use_GPU=True) or backend='single_threaded_cpu' "
               "(use_GPU=False); backend='auto', the default, uses CUDA where a GPU is "
               "usable",
}


def cuda_problem() -> str | None:
    """Why GeNN's CUDA backend cannot run here, or ``None`` where it can
    (PyGeNN has it and a CUDA GPU is usable)."""
    import importlib.util

    if importlib.util.find_spec("pygenn.cuda_backend") is None:
        return ("the installed PyGeNN has no CUDA backend (pygenn.cuda_backend is "
                "missing: it was built without CUDA)")
    try:
        import ctypes

        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return "no CUDA driver (libcuda.so.1) is installed"
    count = ctypes.c_int(0)
    if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0 \
            or count.value == 0:
        return "the CUDA driver finds no usable GPU"
    return None


def default_backend() -> str:
    """CUDA when PyGeNN has it and a GPU is usable, else the CPU backend."""
    return "cuda" if cuda_problem() is None else "single_threaded_cpu"


def check_backend(backend: str | None) -> None:
    """Raise a clear error for a ``backend`` that is no GeNN backend
    (`ValueError`) or that cannot run here (CUDA without PyGeNN's CUDA
    backend or a GPU: `RuntimeError`); ``None`` leaves the choice to the
    preference."""
    if backend is None:
        return
    if backend not in BACKENDS:
        raise ValueError(f"Unknown GeNN backend {backend!r}: use one of "
                         f"{', '.join(repr(b) for b in BACKENDS)}.")
    if backend == "cuda":
        problem = cuda_problem()
        if problem is not None:
            raise RuntimeError(f"GeNN backend 'cuda' is not available: {problem}. Use "
                               "backend='auto' (CUDA where usable, else the CPU) or "
                               "backend='single_threaded_cpu'.")


def check_keywords(keywords, where: str) -> None:
    """Raise a `TypeError` naming the first of ``keywords`` that the device
    does not know (``where``: the call that got it)."""
    for name in keywords:
        if name in DEVICE_KEYWORDS or name in STANDALONE_KEYWORDS:
            continue
        if name in BRIAN2GENN_KEYWORDS:
            raise TypeError(f"{where}: keyword '{name}' is brian2genn's; this device's "
                            f"equivalent is {BRIAN2GENN_KEYWORDS[name]}.")
        raise TypeError(f"{where}: unknown keyword '{name}'. Accepted: "
                        f"{', '.join(DEVICE_KEYWORDS)} (and Brian's standalone build "
                        f"options, which are ignored: {', '.join(STANDALONE_KEYWORDS)}).")


def default_directory() -> str:
    """The default build directory: a per-user cache,
    ``$XDG_CACHE_HOME/brian2genn_bridge/models`` (``~/.cache/...`` without
    it), like Brian's Cython cache (``~/.cython/brian_extensions``); a
    directory in the temporary directory named after the user where the
    home directory is not writable.

    Not ``/tmp/brian2genn_models``, shared by every user of a machine: a
    second user could not take the first one's lock files."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                             ".cache")
    directory = os.path.join(cache, "brian2genn_bridge", "models")
    try:
        os.makedirs(directory, exist_ok=True)
        if os.access(directory, os.W_OK | os.X_OK):
            return directory
    except OSError:
        pass
    return os.path.join(tempfile.gettempdir(), f"brian2genn_bridge-{os.getuid()}")
