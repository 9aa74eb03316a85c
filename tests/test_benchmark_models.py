"""The benchmark models (benchmarks/models.py) on the GeNN device against
Brian's runtime device: Mbody (STDP, lateral inhibition, spike generator
input) spike for spike in float64; COBAHH (Hodgkin-Huxley, conductance
synapses) in its firing rates (its chaotic dynamics amplify the last-bit
differences of C's and numpy's maths functions)."""

import os
import sys

import numpy as np
import pytest
from brian2 import ms, seed

from utils import assert_spikes_equal, run_both

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from benchmarks import models  # noqa: E402


def mbody():
    seed(21)  # connect(p=...) runs on the host with numpy on both devices
    model = models.build_mbody(0.2, duration=300 * ms)
    model["network"].run(300 * ms)
    return {name: dict(i=monitor.i[:], t=monitor.t[:])
            for name, monitor in model["monitors"].items()}


def cobahh():
    seed(22)
    model = models.build_cobahh(1000, variant="coupled")
    model["network"].run(300 * ms)
    return models.mean_rates(model)


def test_mbody_spike_for_spike():
    reference, genn = run_both(mbody)
    assert set(reference) == set(genn)
    for name in reference:
        assert len(reference[name]["i"]) > 10, name
        assert_spikes_equal(reference[name]["i"], reference[name]["t"],
                            genn[name]["i"], genn[name]["t"])


def test_cobahh_rates():
    reference, genn = run_both(cobahh)
    for name, rate in reference.items():
        assert rate > 1
        assert genn[name] == pytest.approx(rate, rel=0.05), name
