"""Brian's feature-test harness (`brian2.tests.features.base`), made to run.

Brian's `run_feature_tests` and `run_speed_tests` run each test in a fresh
process and compare (or check) its results. In brian2 2.9.0 they cannot run
on Python 3 with numpy 2, for reasons in the harness, not in the tests:

1. ``base.results`` runs a code string with ``except Exception, ex:``
   (Python 2), so the child process dies with a SyntaxError and the parent
   fails with FileNotFoundError on the child's result file;
2. that code string reads ``magic_network.profiling_info``, which raises
   ValueError for every run without ``profile=True``;
3. ``FeatureTest.compare_arrays`` negates a boolean array with ``-``, which
   numpy refuses (TypeError);
4. ``run_feature_tests`` stores the ``exc`` of ``except InaccuracyError as
   exc`` after the ``except`` block, where Python 3 has deleted it, so any
   inaccurate result ends the whole run with UnboundLocalError;
5. ``run_speed_tests`` marks a failed test with ``numpy.NAN``, gone in numpy 2.

`patched_brian_harness` replaces ``base.results`` by `run_child` (1, 2),
``compare_arrays`` (3) and provides ``numpy.NAN`` (5) while a ``with`` block
runs, so that Brian's ``run_speed_tests`` runs unchanged; `run_feature_tests`
is Brian's loop without (4), which decides with Brian's ``check_or_compare``
and tolerances and returns Brian's `FeatureTestResults`. Also:

- `compare_arrays` divides by the reference's magnitude (Brian divides by the
  signed value, so that any negative reference value passed whatever the
  difference) and counts arrays of different shapes (e.g. numbers of spikes)
  as an error of infinite size (Brian's code would crash on broadcasting).
  Both only make the comparison stricter.
- The baseline is the first configuration given: Brian always puts its
  ``DefaultConfiguration`` (the runtime device with the default target,
  Cython here) first; this project's reference is the runtime device with
  the numpy target, so `run_features` uses `NumpyConfiguration`.

The child process is this file run as a script (``feature_harness.py
CONFIG_MODULE CONFIG_NAME FEATURE_MODULE FEATURE_NAME N MAX_RUN_TIME
OUTFILE``); it does what Brian's code string does.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import importlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

import numpy

from brian2.tests.features import base
from brian2.tests.features.base import (Configuration, FeatureTest, InaccuracyError,
                                        NumpyConfiguration)

__all__ = ["FeatureOutcome", "patched_brian_harness", "run_feature_tests", "run_features",
           "compare_arrays", "run_child", "all_feature_tests"]

#: seconds one test process may take before it counts as an error
CHILD_TIMEOUT = 1800

#: Brian's symbols in `FeatureTestResults.full_results` -> our status names
STATUS = {".": "passed", "N": "not_implemented", "I": "poor", "F": "failed", "E": "error"}

#: errors collected by `compare_arrays` while `_measure` measures one
#: comparison (None: compare as Brian does)
_measured: list[float] | None = None


# ================================================================ comparison
def compare_arrays(self, maxrelerr, v_base, v_test):
    """Brian's `FeatureTest.compare_arrays`, with the fixes in the module's
    docstring: raises `InaccuracyError` when the largest relative difference
    of `v_test` from `v_base` (values that are 0 in `v_base` must be 0) is
    above `maxrelerr`."""
    if isinstance(v_base, dict):
        for key in v_base:
            compare_arrays(self, maxrelerr, v_base[key], v_test[key])
        return
    error = relative_error(numpy.asarray(v_base), numpy.asarray(v_test))
    if _measured is not None:
        _measured.append(error)
    elif error > maxrelerr:
        raise InaccuracyError(error)


def relative_error(v_base: numpy.ndarray, v_test: numpy.ndarray) -> float:
    """Largest ``|test - base| / |base|``; infinite where the shapes differ
    or `v_test` is not 0 where `v_base` is."""
    if v_base.shape != v_test.shape:
        return numpy.inf
    nonzero = v_base != 0
    if (v_test[~nonzero] != 0).any():
        return numpy.inf
    if not nonzero.any():
        return 0.0
    return float(numpy.amax(numpy.abs(v_base[nonzero] - v_test[nonzero])
                            / numpy.abs(v_base[nonzero])))


# ============================================================ child process
def run_child(configuration, feature, n=None, maximum_run_time=1e7):
    """Replacement of Brian's ``base.results``: runs one test in a fresh
    process and returns ``(traceback or None, results or exception, run
    time, profiling info)``."""
    handle, outfile = tempfile.mkstemp(suffix=".pickle", prefix="feature_")
    os.close(handle)
    args = [sys.executable, os.path.abspath(__file__),
            configuration.__module__, configuration.__name__,
            feature.__module__, feature.__name__,
            "" if n is None else repr(n), repr(float(maximum_run_time)), outfile]
    env = dict(os.environ)
    # the child imports what this process imports (the configuration's module)
    env["PYTHONPATH"] = os.pathsep.join([os.path.abspath(p) for p in sys.path if p]
                                        + [env.get("PYTHONPATH", "")])
    try:
        proc = subprocess.run(args, capture_output=True, text=True, env=env,
                              timeout=CHILD_TIMEOUT)
        with open(outfile, "rb") as f:
            return pickle.load(f)
    except subprocess.TimeoutExpired:
        message = f"the test process ran longer than {CHILD_TIMEOUT} s"
        return message, RuntimeError(message), 0.0, []
    except (OSError, EOFError, pickle.UnpicklingError):
        # the process died before writing its result (crash, out of memory)
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        message = f"the test process exited with code {proc.returncode}"
        return f"{message}:\n{tail}", RuntimeError(message), 0.0, []
    finally:
        os.unlink(outfile)


def _child_main(argv: list[str]) -> None:
    """What Brian's code string in ``base.results`` does, in Python 3."""
    config_module, config_name, feature_module, feature_name, n, max_time, outfile = argv
    import brian2

    configuration = getattr(importlib.import_module(config_module), config_name)()
    feature_class = getattr(importlib.import_module(feature_module), feature_name)
    feature = feature_class(int(n)) if n else feature_class()
    warnings.simplefilter("ignore")
    try:
        start_time = time.time()
        configuration.before_run()
        brian2.device._set_maximum_run_time(float(max_time))
        feature.run()
        configuration.after_run()
        results = feature.results()
        run_time = time.time() - start_time
        if feature.allow_time_override:
            try:
                run_time = configuration.get_last_run_time()
            except NotImplementedError:
                pass
        completed = configuration.get_last_run_completed_fraction()
        run_time = run_time / completed
        profiling = [(name, t / completed) for name, t in _profiling_info(brian2)]
        outcome = (None, results, run_time, profiling)
    except Exception as ex:  # noqa: BLE001  (every failure is a result)
        outcome = (traceback.format_exc(), _picklable(ex), 0.0, [])
    with open(outfile, "wb") as f:
        pickle.dump(outcome, f, -1)


def _profiling_info(brian2) -> list:
    """The magic network's profiling info, empty for a run without profiling
    (where Brian's `profiling_info` raises ValueError)."""
    try:
        return brian2.magic_network.profiling_info
    except ValueError:
        return []


def _picklable(ex: Exception) -> Exception:
    """`ex`, or an exception of its kind with its message where it cannot be
    pickled (exceptions whose ``__init__`` takes other arguments)."""
    try:
        pickle.loads(pickle.dumps(ex, -1))
        return ex
    except Exception:  # noqa: BLE001
        kind = NotImplementedError if isinstance(ex, NotImplementedError) else RuntimeError
        return kind(f"{type(ex).__name__}: {ex}")


# ================================================================= harness
@dataclasses.dataclass
class FeatureOutcome:
    """One feature test's result in one configuration.

    ``status`` is ``passed`` (within Brian's strict tolerance), ``poor``
    (only within its tolerant one), ``failed``, ``not_implemented`` (a
    NotImplementedError) or ``error`` (any other exception); ``error`` is
    the largest relative difference from the reference (for tests that
    check against an exact solution: from that solution); ``message`` the
    first line of the exception's message."""

    category: str
    name: str
    configuration: str
    status: str
    error: float | None
    message: str

    @property
    def fullname(self) -> str:
        return f"{self.category}: {self.name}"


@contextlib.contextmanager
def patched_brian_harness():
    """Brian's ``base.results``, ``FeatureTest.compare_arrays`` (also where
    a test bound it as its ``compare``) and ``numpy.NAN`` replaced (see the
    module's docstring) while the ``with`` block runs."""
    saved = []

    def patch(owner, name: str, value) -> None:
        old = owner.__dict__.get(name, _MISSING) if isinstance(owner, type) else getattr(
            owner, name, _MISSING)
        saved.append((owner, name, old))
        setattr(owner, name, value)

    patch(base, "results", run_child)
    patch(FeatureTest, "compare_arrays", compare_arrays)
    for test in _subclasses(FeatureTest):
        # `compare = FeatureTest.compare_arrays` bound Brian's function
        if test.__dict__.get("compare") is _BRIAN_COMPARE_ARRAYS:
            patch(test, "compare", compare_arrays)
    if not hasattr(numpy, "NAN"):
        patch(numpy, "NAN", numpy.nan)
    try:
        yield
    finally:
        for owner, name, old in reversed(saved):
            if old is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, old)


def run_feature_tests(configurations, feature_tests, strict=1e-5, tolerant=0.05,
                      verbose=True, maximum_run_time=1e7):
    """Brian's `run_feature_tests`, with its first configuration as the
    baseline.

    Brian's loop cannot report an inaccurate result: it stores the
    ``exc`` of ``except InaccuracyError as exc``, which Python 3 deletes
    at the end of the ``except`` block (UnboundLocalError). This is its
    loop without that, deciding with Brian's ``check_or_compare`` and
    tolerances as Brian's does, and also measuring each result's largest
    relative error.

    Returns
    -------
    results : `brian2.tests.features.base.FeatureTestResults`
        Brian's results object (its ``tables`` give Brian's tables).
    outcomes : list of `FeatureOutcome`
        One per test and configuration, in the tables' order.
    """
    configurations = list(configurations)
    feature_tests = sorted(feature_tests, key=lambda ft: ft.fullname())
    if verbose:
        print("Running feature tests")
        print("Configurations:", ", ".join(c.name for c in configurations))
    full_results, outcomes = {}, []
    tag_results = collections.defaultdict(lambda: collections.defaultdict(list))
    with patched_brian_harness():
        for ft in feature_tests:
            if verbose:
                print(f"{ft.fullname()}: [", end=" ", flush=True)
            baseline = None
            for configuration in configurations:
                tb, res, runtime, prof_info = run_child(configuration, ft,
                                                        maximum_run_time=maximum_run_time)
                if baseline is None:
                    if isinstance(res, Exception):
                        raise RuntimeError(f"the baseline {configuration.name} failed "
                                           f"{ft.fullname()}:\n{tb}")
                    baseline = res
                sym, txt, error = _judge(ft, res, baseline, strict, tolerant)
                if verbose:
                    print(sym, end="", flush=True)
                entry = (sym, txt, None, tb, runtime, prof_info)
                full_results[configuration.name, ft.fullname()] = entry
                for tag in ft.tags:
                    tag_results[tag][configuration.name].append(entry)
                message = _first_line(str(res)) if isinstance(res, Exception) else ""
                if sym == "E":
                    message = f"{type(res).__name__}: {message}"
                outcomes.append(FeatureOutcome(ft.category, ft.name, configuration.name,
                                               STATUS[sym], error, message))
            if verbose:
                print("]")
    results = base.FeatureTestResults(full_results, tag_results, configurations,
                                      feature_tests)
    return results, outcomes


def _judge(ft, res, baseline, strict: float, tolerant: float):
    """Brian's symbol and text for one result, and its largest relative
    error (None for an exception)."""
    if isinstance(res, NotImplementedError):
        return "N", "Not implemented", None
    if isinstance(res, Exception):
        return "E", "Error", None
    error = _measure(ft, res, baseline)
    try:
        base.check_or_compare(ft, res, baseline, strict)
        return ".", "OK", error
    except InaccuracyError as strict_error:
        try:
            base.check_or_compare(ft, res, baseline, tolerant)
            return "I", f"Poor (error={100.0 * strict_error.error:.2f}%)", error
        except InaccuracyError as tolerant_error:
            return "F", f"Fail (error={100.0 * tolerant_error.error:.2f}%)", error


def _measure(ft, res, baseline) -> float:
    """Largest relative error of `res` in Brian's check or comparison."""
    global _measured
    _measured = []
    try:
        base.check_or_compare(ft, res, baseline, 0.0)
    except InaccuracyError as error:  # a `check`, or a test's own comparison
        _measured.append(float(error.error))
    finally:
        errors, _measured = _measured, None
    return max(errors, default=0.0)


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _subclasses(cls: type) -> list[type]:
    """Every subclass of `cls` defined so far, at any depth."""
    direct = cls.__subclasses__()
    return direct + [sub for child in direct for sub in _subclasses(child)]


_MISSING = object()
_BRIAN_COMPARE_ARRAYS = FeatureTest.compare_arrays


def all_feature_tests() -> list[type[FeatureTest]]:
    """Brian's feature tests (every `FeatureTest` subclass it defines)."""
    importlib.import_module("brian2.tests.features")
    return [test for test in FeatureTest.__subclasses__()
            if test.__module__.startswith("brian2.tests.features.")]


def run_features(configuration: type[Configuration], feature_tests=None,
                 baseline: type[Configuration] = NumpyConfiguration,
                 verbose: bool = True) -> list[FeatureOutcome]:
    """`run_feature_tests` for `baseline` and `configuration`, with Brian's
    tolerances (strict 1e-5, tolerant 0.05)."""
    tests = list(feature_tests or all_feature_tests())
    return run_feature_tests([baseline, configuration], tests, verbose=verbose)[1]


if __name__ == "__main__":
    _child_main(sys.argv[1:])
