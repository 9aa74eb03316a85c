"""Run Brian 2's own standalone-compatible tests against the ``'genn'`` device.

Usage::

    .venv/bin/python tests/conformance/run.py [--backend cpu|cuda] [--subset]
        [--only single|multiple] [-n N] [-- extra pytest args]

Brian's harness (its ``conftest.py`` fixtures, ``PreferencePlugin`` and
``make_argv``) runs the tests exactly as ``brian2.test(test_standalone=...)``
does: a single-run pass and a multiple-run pass (``build_on_run=False``).
A test that stops at our ``NotImplementedError`` is reported by Brian's hook
as skipped; this runner counts it as *not implemented*. A test that fails in
the way `DOCUMENTED_DEVIATIONS` expects counts as a *documented deviation*,
neither passed nor failed. The outcome of every test is written to
``tests/conformance/summary-<backend>.json`` (or
``summary-<backend>-subset.json`` for ``--subset``). Exit code 1 when a test
failed (documented deviations and not-implemented tests do not count).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import NamedTuple

HERE = os.path.dirname(os.path.abspath(__file__))

#: A fast selection that still goes through every translator: neurons and
#: state updaters, thresholds/resets/refractoriness, synapses and delays,
#: spike sources, monitors, functions, subgroups, and the multiple-run pass.
SUBSET = " or ".join([
    "test_simple_threshold",
    "test_refractoriness_basic",
    "test_pre_post_simple",
    "test_spike_monitor",
    "test_rate_monitor_1",
    "test_poissongroup",
    "test_poissoninput",
    "test_spikegenerator_connected",
    "test_transmission_simple",
    "test_transmission_one_to_all_heterogeneous_delays",
    "test_state_variable_assignment",
    "test_timedarray_semantics",
    "test_run_regularly_scheduling",
    "test_subexpression_references",
    "test_incoming_outgoing",
    "test_changing_delay_scalar",
    "test_active_flag",
    "test_multiple_runs_constant_change",
    "test_summed_variable_pre_and_post",
    "test_synaptic_equations",
    "test_event_monitor",
    "test_transmission_custom_event",
    "test_spike_monitor_variables",
    "test_transmission_scalar_delay_different_clocks",
])

MARKERS = {
    "single": "standalone_compatible and not long and not multiple_runs",
    "multiple": "standalone_compatible and not long and multiple_runs",
}


class Deviation(NamedTuple):
    """A Brian test that fails on purpose: the failure it must show
    (text of its message) and why the device differs."""

    failure: str
    reason: str


#: Brian tests (id without directory) whose failure is a documented
#: deviation of the device from Brian's implementation, not a wrong result
DOCUMENTED_DEVIATIONS = {
    "test_GSL.py::test_GSL_method_options_neurongroup": Deviation(
        failure="gsl_odeiv2_driver_apply_fixed_step",
        reason=("inspects the generated C code for a call of GSL's "
                "gsl_odeiv2_driver_apply_fixed_step; GeNN code cannot call GSL, so the "
                "device integrates with GSL's Runge-Kutta pairs and error control in GeNN "
                "code (translators/integration.py), and the fixed step the test asks for "
                "works (tests/test_gsl.py checks it against the exact solution)")),
}


def documented_deviation(test_id: str, message: str) -> str | None:
    """The reason of a documented deviation where the failure of `test_id`
    with `message` is the one expected, else None."""
    deviation = DOCUMENTED_DEVIATIONS.get(test_id.rsplit("/", 1)[-1])
    if deviation is not None and deviation.failure in message:
        return deviation.reason
    return None


class OutcomeCollector:
    """pytest plugin that records one outcome per test id."""

    def __init__(self):
        self.outcomes: dict[str, tuple[str, str]] = {}

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            previous = self.outcomes.get(report.nodeid)
            if previous and previous[0] != "passed":
                return  # keep the first failure (e.g. call) over teardown noise
            self.outcomes[report.nodeid] = _classify(report)


#: the skip message of test_GSL.py's ``skip_if_not_implemented``
_GSL_NOT_IMPLEMENTED = "GSL support for numpy has not been implemented yet"


def _classify(report) -> tuple[str, str]:
    if report.outcome == "passed":
        return "passed", ""
    if report.outcome == "skipped":
        message = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(
            report.longrepr)
        if _GSL_NOT_IMPLEMENTED in message:
            # test_GSL's wrapper turns any NotImplementedError into this skip
            return "not_implemented", ("NotImplementedError (test_GSL reports it as "
                                       f"'{_GSL_NOT_IMPLEMENTED}')")
        if message.startswith("Skipped"):
            return "skipped", _one_line(message)
        # Brian's hook turns a NotImplementedError (or one wrapped in a
        # BrianObjectException) into a skip with the error's message
        return "not_implemented", _one_line(message.replace("NotImplementedError: ", ""))
    crash = getattr(report.longrepr, "reprcrash", None)
    message = crash.message if crash is not None else str(report.longrepr)
    reason = documented_deviation(report.nodeid, message)
    if reason is not None:
        return "deviation", reason
    return "failed", _one_line(message)


def _one_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:300]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--subset", action="store_true",
                        help="only the fast fixed subset that CI runs")
    parser.add_argument("--only", choices=["single", "multiple"])
    parser.add_argument("-n", dest="workers", default=None,
                        help="pytest-xdist workers (e.g. 2 or auto)")
    parser.add_argument("-k", dest="keyword", default=None, help="pytest -k expression")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per test")
    parser.add_argument("--summary", default=None, help="where to write the JSON summary")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args(argv)

    import pytest
    import brian2
    import brian2genn_bridge  # noqa: F401  (registers the 'genn' device)
    from brian2 import prefs
    from brian2.devices.device import reset_device
    from brian2.tests import PreferencePlugin, clear_caches, make_argv
    from brian2.utils.logger import LOG_LEVELS, BrianLogger

    backend = "cuda" if args.backend == "cuda" else "single_threaded_cpu"
    prefs.reset_to_defaults()
    BrianLogger.console_handler.setLevel(LOG_LEVELS["WARNING"])
    prefs["codegen.cpp.extra_compile_args_gcc"].extend(["-w", "-O0"])
    # the host side (connect, variable setting) runs with numpy: no Cython
    # compile per test
    prefs["codegen.target"] = "numpy"
    prefs["devices.genn.backend"] = backend

    plugin = PreferencePlugin(prefs, fail_for_not_implemented=False)
    plugin.device = "genn"
    collector = OutcomeCollector()
    brian_dir = os.path.dirname(brian2.__file__)
    build_root = tempfile.mkdtemp(prefix="genn_conformance_")
    extra = ["-p", "no:cacheprovider", "-W", "ignore", "-p", "brian2genn_bridge",
             "-o", f"timeout={args.timeout}", "-q", "--no-header", "-rN"]
    if args.workers:
        extra += ["-n", str(args.workers)]
    keyword = args.keyword or (SUBSET if args.subset else None)
    if keyword:
        extra += ["-k", keyword]
    extra += args.pytest_args

    started = time.perf_counter()
    passes = [args.only] if args.only else ["single", "multiple"]
    path = args.summary or os.path.join(
        HERE, f"summary-{args.backend}{'-subset' if keyword else ''}.json")
    for which in passes:
        options = {"directory": os.path.join(build_root, which), "with_output": False}
        if which == "multiple":
            options["build_on_run"] = False
        plugin.device_options = options
        pytest.main(make_argv([brian_dir], MARKERS[which], test_GSL=True) + extra,
                    plugins=[plugin, collector])
        clear_caches()
        reset_device()
        # written after each pass, so that a run cut short keeps what it did
        summary = _summary(collector.outcomes, args.backend, brian2.__version__,
                           time.perf_counter() - started, subset=bool(keyword))
        with open(path, "w") as f:
            json.dump(summary, f, indent=1, sort_keys=False)
            f.write("\n")
    print(f"\nconformance ({args.backend}): {summary['passed']} passed, "
          f"{summary['failed']} failed, {summary['deviation']} documented deviation(s), "
          f"{summary['not_implemented']} not implemented, "
          f"{summary['skipped']} skipped by Brian, {summary['total']} total "
          f"-> {os.path.relpath(path)}")
    for test_id, reason in summary["documented_deviations"].items():
        print(f"documented deviation: {test_id}: {reason}")
    return 1 if summary["failed"] else 0


def _summary(outcomes, backend, brian_version, seconds, subset) -> dict:
    counts = {k: 0 for k in ("passed", "failed", "deviation", "not_implemented", "skipped")}
    for outcome, _ in outcomes.values():
        counts[outcome] += 1
    return {
        "backend": backend,
        "brian2": brian_version,
        "subset": subset,
        **counts,
        "total": len(outcomes),
        "seconds": round(seconds, 1),
        "failures": {k: why for k, (o, why) in sorted(outcomes.items()) if o == "failed"},
        "documented_deviations": {k: why for k, (o, why) in sorted(outcomes.items())
                                  if o == "deviation"},
        "not_implemented_tests": {k: why for k, (o, why) in sorted(outcomes.items())
                                  if o == "not_implemented"},
        "skipped_tests": {k: why for k, (o, why) in sorted(outcomes.items())
                          if o == "skipped"},
    }


if __name__ == "__main__":
    sys.exit(main())
