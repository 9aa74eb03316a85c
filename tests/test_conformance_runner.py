"""The conformance runner's bookkeeping (tests/conformance/run.py): a
documented deviation is counted apart and does not fail the run; any other
failure, also of that test, does."""

import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "conformance_run", os.path.join(os.path.dirname(__file__), "conformance", "run.py"))
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

GSL_TEST = "test_GSL.py::test_GSL_method_options_neurongroup"
GSL_FAILURE = "AssertionError: This neuron should call gsl_odeiv2_driver_apply_fixed_step()"


def test_expected_failure_is_a_documented_deviation():
    reason = runner.documented_deviation(GSL_TEST, GSL_FAILURE)
    assert reason == runner.DOCUMENTED_DEVIATIONS[GSL_TEST].reason
    # the id as pytest gives it with a directory in front
    assert runner.documented_deviation(f"brian2/tests/{GSL_TEST}", GSL_FAILURE) == reason


def test_other_failures_are_failures():
    assert runner.documented_deviation(GSL_TEST, "RuntimeError: build failed") is None
    assert runner.documented_deviation("test_GSL.py::test_GSL_stochastic", GSL_FAILURE) is None


def test_summary_counts_deviations_apart():
    outcomes = {GSL_TEST: ("deviation", "why"), "test_a.py::test_b": ("passed", "")}
    summary = runner._summary(outcomes, "cpu", "2.9.0", 1.0, subset=False)
    assert (summary["passed"], summary["failed"], summary["deviation"]) == (1, 0, 1)
    assert summary["documented_deviations"] == {GSL_TEST: "why"}
    assert summary["failures"] == {}
