"""Building a GeNN model quietly, and errors that say why a build failed.

PyGeNN runs ``make`` (and its code generator logs) on the process's own
standard output and error. The device sends them to a log file next to the
model's code instead: a run prints nothing of GeNN's build, a failed build
raises an error with the log's tail (a full disk is named as such), and a
successful one is logged at debug level.

GeNN's CPU backend compiles without optimisation (its Makefile has no
``-O`` flag) unless told to optimise, and then with ``-ffast-math``, which
changes results. The device adds its own flags
(``prefs.devices.genn.cpu_compiler_flags``) through the compiler that
``make`` runs: GeNN's Makefile sets ``CXXFLAGS`` but takes ``CXX`` from the
environment.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import shutil
import struct
import sys

from brian2.utils.logger import get_logger

from ..model import ModelDescription
from ..options import RunOptions

__all__ = ["BUILD_LOG", "build_model", "library_intact", "disk_full_error", "model_key",
           "build_path", "backend_preferences"]

logger = get_logger(__name__)

#: name of the log of GeNN's build output in a model's build directory
BUILD_LOG = "build.log"

#: free bytes below which a failed build is put down to a full disk (a
#: compilation of a large model writes tens of megabytes)
LOW_DISK_BYTES = 64 * 1024 ** 2

#: lines of the build log that a failed build's error shows
_TAIL_LINES = 40


def build_model(model, path: str, always_rebuild: bool, compiler_flags: str = "") -> None:
    """``model.build(path, always_rebuild=...)`` with GeNN's output (code
    generator, make, compiler) in ``path/build.log``, and ``compiler_flags``
    added to every compilation of GeNN's Makefile (``make`` only compiles
    what changed: other flags need another ``path``).

    Raises
    ------
    OSError
        ``errno.ENOSPC`` where the build failed and the disk of ``path`` is
        (nearly) full.
    RuntimeError
        Any other failure, with the tail of the build log.
    """
    log_path = os.path.join(path, BUILD_LOG)
    try:
        with _output_to(log_path), _compiler_with(compiler_flags):
            model.build(path, always_rebuild=always_rebuild)
    except Exception as error:
        _forget_code(model, path)
        full = disk_full_error(path, error)
        if full is not None:
            raise full from error
        raise RuntimeError(f"GeNN could not build the model in {path}: "
                           f"{type(error).__name__}: {error}\n"
                           f"{_tail(log_path)}") from error
    output = _read(log_path).strip()
    if output:
        logger.debug(f"GeNN's build output ({log_path}):\n{output}")


def _forget_code(model, path: str) -> None:
    """Make the next build of ``model`` in ``path`` generate its code again
    (GeNN skips that where its hash file, ``model.sha``, matches): a failed
    build may have left truncated files (C++ streams fail silently on a
    full disk)."""
    with contextlib.suppress(OSError):
        os.remove(os.path.join(path, f"{model.name}_CODE", "model.sha"))


def disk_full_error(path: str, error: BaseException) -> OSError | None:
    """The error for ``error``, raised while building in ``path``, where the
    disk of ``path`` is full (an `OSError` of ``ENOSPC``, or less than
    `LOW_DISK_BYTES` free); ``None`` otherwise.

    A full disk shows in many ways: GeNN writes an empty Makefile
    (``make: *** No targets.``), the compiler or linker fails to write,
    creating a directory or lock file fails.
    """
    free = _free_bytes(path)
    if not (isinstance(error, OSError) and error.errno == errno.ENOSPC
            or free is not None and free < LOW_DISK_BYTES):
        return None
    return OSError(errno.ENOSPC,
                   f"Building the GeNN model failed: the disk of the build directory {path} "
                   f"is full ({'unknown' if free is None else _amount(free)} free). "
                   "Free some space there, or build elsewhere with "
                   "set_device('genn', directory=...)")


def library_intact(library: str) -> bool:
    """Whether the shared library ``library`` (GeNN's ``librunner.so``)
    exists and is as long as its ELF header says. A truncated library (a
    build cut short, a full disk) fails to load with ``file too short``, or
    kills the process with a bus error when the loader maps a part the
    file lacks."""
    try:
        with open(library, "rb") as f:
            header = f.read(64)
            size = os.fstat(f.fileno()).st_size
    except OSError:
        return False
    if len(header) < 52 or header[:4] != b"\x7fELF" or header[4] not in (1, 2):
        return False
    order = "<" if header[5] == 1 else ">"
    if header[4] == 2:  # 64-bit
        phoff, shoff = struct.unpack_from(order + "QQ", header, 32)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(order + "HHHH", header, 54)
    else:
        phoff, shoff = struct.unpack_from(order + "II", header, 28)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(order + "HHHH", header, 42)
    # the linker writes the section header table last, at the end of the file
    return size >= max(phoff + phentsize * phnum, shoff + shentsize * shnum)


@contextlib.contextmanager
def _compiler_with(flags: str):
    """Make ``make`` compile with ``flags`` while the block runs: they go
    into the ``CXX`` variable of the environment (make's default compiler
    ``g++``, or the one ``CXX`` names), which GeNN's Makefiles use for every
    compilation and the link, before their own ``CXXFLAGS``."""
    if not flags.strip():
        yield
        return
    saved = os.environ.get("CXX")
    os.environ["CXX"] = f"{saved or 'g++'} {flags.strip()}"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["CXX"]
        else:
            os.environ["CXX"] = saved


@contextlib.contextmanager
def _output_to(log_path: str):
    """Send what this process writes to its standard output and error
    (file descriptors 1 and 2: ``make`` and the compiler, GeNN's C++ code
    generator) to ``log_path`` while the block runs."""
    for stream in (sys.stdout, sys.stderr):
        _flush(stream)
    with open(log_path, "wb") as log:
        saved = [_duplicate(fd) for fd in (1, 2)]
        try:
            for fd in (1, 2):
                os.dup2(log.fileno(), fd)
            yield
        finally:
            # what C++'s streams (and C's stdio) still hold goes to the log
            _flush_c_streams()
            for fd, copy in zip((1, 2), saved):
                if copy is None:
                    os.close(fd)  # it was closed before
                else:
                    os.dup2(copy, fd)
                    os.close(copy)


def _duplicate(fd: int) -> int | None:
    """A copy of file descriptor ``fd``, ``None`` where it is closed."""
    try:
        return os.dup(fd)
    except OSError:
        return None


def _flush(stream) -> None:
    try:
        stream.flush()
    except (AttributeError, OSError, ValueError):
        pass  # a replaced or closed stream


def _flush_c_streams() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):
        pass


def _read(path: str) -> str:
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _tail(log_path: str) -> str:
    lines = _read(log_path).rstrip().splitlines()
    if not lines:
        return f"GeNN's build output ({log_path}) is empty."
    shown = lines[-_TAIL_LINES:]
    what = "Its output" if len(shown) == len(lines) else f"The last {len(shown)} lines of its output"
    return f"{what} ({log_path}):\n" + "\n".join(shown)


def _free_bytes(path: str) -> int | None:
    """Free bytes on the disk of ``path`` (of its nearest existing parent)."""
    while path and not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def _amount(n_bytes: int) -> str:
    if n_bytes < 1024 ** 2:
        return f"{n_bytes // 1024} kB"
    return f"{n_bytes / 1024 ** 2:.1f} MB"


#: threads per block of the presynaptic kernel with word-packed bitmask
#: propagation (GeNN's default). Each thread keeps the sums of the 32 targets
#: of its word in shared memory, and GeNN 5.4 moves them to the targets with
#: the block's first 32 threads, 32 sums each: the sums of threads 32 and up
#: of a larger block would be lost (targets beyond the first 1024 of a block)
_WORD_PACKED_BLOCK_SIZE = 32


def model_key(description: ModelDescription, options: RunOptions) -> tuple:
    """What a loaded model is: its description's load identity, the backend
    and the backend's preferences (block sizes, compiler flags) of the run's
    ``options``, so that a preference changed between runs takes effect."""
    return (description.key(), options.backend,
            repr(backend_preferences(options, description)), options.compiler_flags)


def build_path(directory: str, description: ModelDescription, options: RunOptions) -> str:
    """The directory of the model's build: by its code identity, and by what
    else changes the compiled code. GeNN does not regenerate a model whose
    code is unchanged, and ``make`` does not recompile for other flags:
    other block sizes and compiler flags build elsewhere."""
    name = description.code_key()
    sizes = backend_preferences(options, description).get("manual_block_sizes")
    if sizes:
        name += f"_b{sizes[0]}" + (f"p{sizes[1]}" if sizes[1] != sizes[0] else "")
    flags = options.compiler_flags
    if flags:
        name += "_f" + hashlib.sha1(flags.encode()).hexdigest()[:8]
    return os.path.join(directory, name)


def backend_preferences(options: RunOptions, description: ModelDescription) -> dict:
    """Preferences of GeNN's backend from the device's (CUDA block sizes)."""
    block_size = options.cuda_block_size
    if options.backend != "cuda" or not block_size:
        return {}
    # only where the backend is CUDA: the CPU-only pygenn has no cuda_backend
    from pygenn.cuda_backend import BlockSizeSelect, Preferences

    sizes = [block_size] * len(Preferences().manual_block_sizes)
    # GeNN's order of kernels (CodeGenerator::Kernel): neuron update first,
    # presynaptic update second
    sizes[1] = options.presynaptic_block_size
    if any(p.parallelism == "word_packed" for p in description.synapses):
        sizes[1] = min(sizes[1], _WORD_PACKED_BLOCK_SIZE)
    return {"block_size_select_method": BlockSizeSelect.MANUAL,
            "manual_block_sizes": sizes}
