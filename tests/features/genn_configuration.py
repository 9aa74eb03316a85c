"""Configurations of Brian's feature and speed tests
(`brian2.tests.features`) for the ``'genn'`` device.

Brian's harness runs every test in a fresh process that imports the
configuration class by its module and name, so everything a configuration
needs comes from this module and the environment:

- ``BRIAN2GENN_BRIDGE_TEST_BACKEND``: GeNN backend of `GeNNConfiguration`
  (default ``single_threaded_cpu``, as for the rest of the test suite);
- ``BRIAN2GENN_BRIDGE_FEATURE_DIRECTORY``: where GeNN builds (and caches)
  the models (default ``brian2genn_feature_tests`` in the temp directory).
"""

from __future__ import annotations

import os
import tempfile

import numpy

import brian2
import brian2genn_bridge  # noqa: F401  (registers the 'genn' device)
from brian2.tests.features import Configuration

__all__ = ["GeNNConfiguration", "GeNNCUDAConfiguration", "GeNNCPUConfiguration",
           "genn_backend", "genn_directory"]


def genn_backend() -> str:
    """GeNN backend chosen by the environment (the test suite's variable)."""
    return os.environ.get("BRIAN2GENN_BRIDGE_TEST_BACKEND", "single_threaded_cpu")


def genn_directory() -> str:
    """GeNN build directory shared by the test processes of one run."""
    return os.environ.get("BRIAN2GENN_BRIDGE_FEATURE_DIRECTORY",
                          os.path.join(tempfile.gettempdir(), "brian2genn_feature_tests"))


class _GeNNConfigurationBase(Configuration):
    """``set_device('genn')`` in float64 with Brian's default preferences."""

    backend: str = "single_threaded_cpu"

    def before_run(self):
        brian2.prefs.reset_to_defaults()
        brian2.prefs.core.default_float_dtype = numpy.float64
        # the host side (connect, setting variables) runs with numpy, as in
        # NumpyConfiguration: no Cython compilation in every test process
        brian2.prefs.codegen.target = "numpy"
        brian2.set_device("genn", directory=genn_directory(), backend=self.backend)


class GeNNConfiguration(_GeNNConfigurationBase):
    """The GeNN device on the backend that the environment chooses."""

    backend = genn_backend()
    name = f"GeNN ({backend})"


class GeNNCUDAConfiguration(_GeNNConfigurationBase):
    """The GeNN device on CUDA (needs a GPU)."""

    backend = "cuda"
    name = "GeNN (cuda)"


class GeNNCPUConfiguration(_GeNNConfigurationBase):
    """The GeNN device on GeNN's single-threaded CPU backend."""

    backend = "single_threaded_cpu"
    name = "GeNN (single_threaded_cpu)"
