"""Run a rendered Brian script on the runtime device and on the GeNN device
and compare the results.

The reference is Brian's runtime device (numpy target) with one change: its
transcendental functions (``exp``, ``log``, ...) are the C library's, which
the GeNN code calls, instead of numpy's own vectorised ones, which differ from
them in the last bit for about 5 % of arguments (``exp``, numpy 2.3 on
x86-64). Everything else is Brian's own numpy code, so that the comparison
can be bit for bit.

Accepted outcomes: the same results (in float64 on the CPU backend: spikes,
integers and times exactly, floating-point values to `CPU_RTOL` of each
array's scale), or a `NotImplementedError` that the GeNN device raises before it
builds or simulates anything of the run that raises it. A script that the
runtime device itself rejects is *invalid* (a gap in the strategies, not a
bug of the device). Anything else raises `FuzzFailure`.
"""

from __future__ import annotations

import contextlib
import linecache
import math
import re
import traceback
from dataclasses import dataclass

import numpy as np
from brian2.codegen.generators.numpy_generator import NumpyCodeGenerator
from brian2.core.functions import DEFAULT_FUNCTIONS
from brian2.utils.logger import catch_logs

from utils import run_with

from .spec import synapse_creation

#: functions of the GeNN device that build, load, fill or step a model: a
#: NotImplementedError raised under them came too late
_AFTER_BUILD = {"_simulation_for", "_push_values", "_simulate", "_collect"}

#: arrays of a monitor of events, one value per event (sorted together)
_EVENT_MONITORS = {"SpikeMonitor", "EventMonitor"}


#: Brian's functions whose numpy implementation is replaced by the C library's
_LIBM_FUNCTIONS = {"exp": math.exp, "log": math.log, "log10": math.log10, "sin": math.sin,
                   "cos": math.cos, "tan": math.tan, "sinh": math.sinh, "cosh": math.cosh,
                   "tanh": math.tanh, "arcsin": math.asin, "arccos": math.acos,
                   "arctan": math.atan}


@contextlib.contextmanager
def libm_functions():
    """Brian's numpy target computes ``exp``, ``log``, ... with the C library's
    functions (elementwise), as the GeNN device's C++ code does."""
    saved = {}
    for name, function in _LIBM_FUNCTIONS.items():
        implementation = DEFAULT_FUNCTIONS[name].implementations[NumpyCodeGenerator]
        saved[name] = implementation._code
        implementation._code = np.vectorize(function, otypes=[np.float64])
    try:
        yield
    finally:
        for name, code in saved.items():
            DEFAULT_FUNCTIONS[name].implementations[NumpyCodeGenerator]._code = code


class FuzzFailure(AssertionError):
    """The devices disagree, or the GeNN device failed. ``signature`` names
    the kind of failure (to tell distinct bugs apart in a campaign)."""

    def __init__(self, message: str, signature: str):
        super().__init__(message)
        self.signature = signature


@dataclass
class Outcome:
    """``kind``: 'same', 'not_implemented' or 'invalid'; ``detail``: the
    message of the error, if any."""

    kind: str
    detail: str = ""


def load_script(source: str, filename: str = "<fuzz script>"):
    """The ``script`` function of ``source`` (registered with linecache, so
    that tracebacks show its lines)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": "fuzz_script", "__file__": filename}
    exec(compile(source, filename, "exec"), namespace)
    return namespace["script"]


#: tolerance of floating-point values on the CPU backend, relative to each
#: array's scale. Brian adds each synapse's effect to its target in turn
#: (``(g + a) + b``); GeNN sums the input that reaches a neuron in one step
#: first (its postsynaptic input, ``g + (a + b)``): with several spikes
#: reaching a neuron in one step the values may differ in the last bits
#: (seen: 4e-16 after one step, 2e-13 after 40 ms), and by nothing else.
CPU_RTOL = 1e-10


def check_source(source: str, float_dtype=np.float64, rtol: float = CPU_RTOL,
                 filename: str = "<fuzz script>") -> Outcome:
    """Run ``source`` on both devices and compare (see the module docstring).

    ``rtol`` 0 compares bit for bit; else floating-point values to ``rtol``
    of each array's scale (`CPU_RTOL`; for float32 on CUDA, a larger one)."""
    script = load_script(source, filename)
    try:
        with libm_functions():
            reference = run_with("runtime", script)
    except Exception as error:  # noqa: BLE001 (any error: the script is invalid)
        return Outcome("invalid", f"{type(error).__name__}: {error}")
    with catch_logs() as logs:
        try:
            results = run_with("genn", script, float_dtype=float_dtype, preferences={
                "devices.genn.synapse_creation": synapse_creation()})
        except NotImplementedError as error:
            if _raised_after_build(error):
                raise FuzzFailure(_error_report(error, logs),
                                  "late NotImplementedError: " + _normalise(error)) from error
            return Outcome("not_implemented", str(error))
        except Exception as error:  # noqa: BLE001 (any other error is a failure)
            raise FuzzFailure(_error_report(error, logs),
                              f"{type(error).__name__}: {_normalise(error)}") from error
    compare_results(reference, results, rtol, _warnings(logs))
    return Outcome("same")


def _raised_after_build(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return any(frame.name in _AFTER_BUILD and "brian2genn_bridge" in frame.filename
               for frame in frames)


def _normalise(error: BaseException) -> str:
    """The first line of an error message without numbers and quoted names,
    as a signature of the failure."""
    line = (str(error).splitlines() or [""])[0]
    line = re.sub(r"'[^']*'", "'…'", line)
    return re.sub(r"\d+(\.\d+)?", "#", line)[:200]


def _warnings(logs) -> list:
    return [f"{name}: {message}" for level, name, message in logs
            if level in ("WARNING", "ERROR")]


def _error_report(error: BaseException, logs) -> str:
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    warnings = _warnings(logs)
    if warnings:
        text += "\nwarnings on the GeNN device:\n" + "\n".join(warnings)
    return "the GeNN device raised:\n" + text


def compare_results(reference: dict, results: dict, rtol: float = 0.0,
                    warnings: list | None = None) -> None:
    """Raise `FuzzFailure` at the first difference between the results of
    the two devices (``{phase/object: {variable: values}}``)."""
    if sorted(results) != sorted(reference):
        raise FuzzFailure(f"objects differ: {sorted(results)} on GeNN, "
                          f"{sorted(reference)} on the runtime device", "objects")
    for key in sorted(reference):
        ref, res = dict(reference[key]), dict(results[key])
        kind = ref.pop("__class__")
        res.pop("__class__")
        if sorted(ref) != sorted(res):
            raise FuzzFailure(f"{key}: variables differ: {sorted(res)} on GeNN, "
                              f"{sorted(ref)} on the runtime device", f"{kind} variables")
        if kind in _EVENT_MONITORS:
            ref, res = _events_in_order(ref), _events_in_order(res)
        for var in sorted(ref):
            _compare_array(f"{key}.{var} ({kind})", np.asarray(ref[var]),
                           np.asarray(res[var]), rtol, f"{kind}.{var}", warnings or [])


def _events_in_order(values: dict) -> dict:
    """A monitor's events ordered by time step, then index: the order
    within a time step is not part of Brian's semantics."""
    n = len(values["i"])
    order = np.lexsort((np.asarray(values["i"]), np.asarray(values["t"])))
    return {var: (np.asarray(val)[order] if np.ndim(val) == 1 and len(val) == n
                  and var != "count" else val)
            for var, val in values.items()}


def _compare_array(what: str, ref: np.ndarray, res: np.ndarray, rtol: float,
                   signature: str, warnings: list) -> None:
    try:
        if ref.shape != res.shape:
            raise AssertionError(f"shape {res.shape} on GeNN, {ref.shape} on the runtime "
                                 "device")
        if rtol == 0 or ref.dtype.kind not in "fc":
            np.testing.assert_array_equal(res, ref)
        else:
            finite = np.isfinite(ref)
            scale = np.max(np.abs(ref[finite]), initial=0.0)
            np.testing.assert_allclose(res, ref, rtol=rtol, atol=rtol * scale)
    except AssertionError as error:
        message = (f"{what} differs (GeNN vs runtime device):\n{error}\n"
                   f"runtime: {np.array2string(ref, threshold=60)}\n"
                   f"GeNN:    {np.array2string(res, threshold=60)}")
        if warnings:
            message += "\nwarnings on the GeNN device:\n" + "\n".join(warnings)
        raise FuzzFailure(message, "mismatch: " + signature) from None
