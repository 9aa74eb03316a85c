"""Brian's feature tests (`brian2.tests.features`) on the GeNN device: each
one equal to Brian's runtime device (numpy target) within Brian's strict
tolerance, or stopped by a NotImplementedError.

Runs Brian's harness through ``tests/features/feature_harness.py``, one test
process per feature test and configuration: 40 s to 2 minutes in all on the
CPU backend with fresh GeNN builds, by the load of a 2-core machine, so
marked slow. ``tests/features/run.py`` prints the same
results as a table.
"""

import os
import sys

import pytest

pytestmark = pytest.mark.slow

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "features"))

from feature_harness import all_feature_tests, run_features  # noqa: E402
from genn_configuration import GeNNConfiguration  # noqa: E402


@pytest.fixture(autouse=True)
def feature_directory(genn_directory, monkeypatch):
    """GeNN builds of the test processes go to the session's directory."""
    monkeypatch.setenv("BRIAN2GENN_BRIDGE_FEATURE_DIRECTORY", str(genn_directory))


@pytest.mark.parametrize("feature_test", all_feature_tests(), ids=lambda t: t.fullname())
def test_feature(feature_test):
    reference, genn = run_features(GeNNConfiguration, [feature_test], verbose=False)
    assert reference.status == "passed", reference
    assert genn.status in ("passed", "not_implemented"), (
        f"{genn.fullname}: {genn.status}, largest relative error {genn.error} "
        f"{genn.message}")
