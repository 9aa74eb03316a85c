"""Brian's schedule inside a time step, against Brian's runtime device.

GeNN runs synapses before neurons; the device maps Brian's step m onto
GeNN's steps m and m + 1 (see `genn_neuron_sim.cpp`) and finishes every
run with an extra step. These scripts are built so that a wrong order
shows: a neuron that spikes and receives input in the same step (Brian
resets after the synaptic effect), StateMonitors in the 'end' slot (after
synapses and resets), and delayed spikes still in flight when a run ends.
"""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                    Synapses, ms)

from utils import assert_spikes_equal, assert_traces_close, run_both


def _driven_network(delay, name):
    """Spikes from a generator into LIF neurons that also fire by themselves."""
    times = np.array([0.0, 0.3, 1.0, 1.0, 2.2, 3.1, 4.0, 4.9, 5.5, 7.0, 7.3, 9.9]) * ms
    indices = np.array([0, 1, 0, 2, 1, 2, 0, 1, 2, 0, 1, 2])
    source = SpikeGeneratorGroup(3, indices, times, name=f"{name}_source")
    target = NeuronGroup(4, """dv/dt = (I - v)/(2*ms) : 1
                               I : 1 (constant)""",
                         threshold="v > 1", reset="v = -0.2", method="exact",
                         name=f"{name}_target")
    target.I = [1.2, 1.5, 0.5, 2.0]
    synapses = Synapses(source, target, "w : 1", on_pre="v_post += w",
                        name=f"{name}_synapses")
    synapses.connect()
    synapses.w = "0.1 + 0.2*i + 0.15*j"
    if delay is not None:
        synapses.delay = delay
    start = StateMonitor(target, "v", record=True, name=f"{name}_start")
    end = StateMonitor(target, "v", record=True, when="end", name=f"{name}_end")
    spikes = SpikeMonitor(target, name=f"{name}_spikes")
    return Network(source, target, synapses, start, end, spikes), target, dict(
        start=start, end=end, spikes=spikes)


def _results(monitors, target):
    return dict(start=monitors["start"].v[:], end=monitors["end"].v[:],
                end_t=monitors["end"].t[:], i=monitors["spikes"].i[:],
                t=monitors["spikes"].t[:], v=target.v[:])


def reset_after_input():
    net, target, monitors = _driven_network(None, "sched")
    net.run(12 * ms)
    return _results(monitors, target)


def delayed_spikes_across_runs():
    net, target, monitors = _driven_network("(0.2 + 0.4*i)*ms", "sched_delay")
    values_between = []
    # run ends chosen to fall while delayed spikes are in flight
    for duration in (1.1, 0.3, 2.0, 3.5, 5.1):
        net.run(duration * ms)
        values_between.append(np.array(target.v[:]))
    return _results(monitors, target) | dict(between=np.array(values_between))


def homogeneous_delay_across_runs():
    net, target, monitors = _driven_network(0.5 * ms, "sched_hdelay")
    for duration in (1.05, 2.0, 1.0, 8.0):
        net.run(duration * ms)
    return _results(monitors, target)


@pytest.mark.parametrize("script", [reset_after_input, delayed_spikes_across_runs,
                                    homogeneous_delay_across_runs])
def test_schedule_matches_brian(script):
    reference, genn = run_both(script)
    # the scripts make the interesting cases happen
    assert len(reference["i"]) > 5
    assert not np.allclose(reference["start"], reference["end"])
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    np.testing.assert_allclose(genn["end_t"], reference["end_t"])
    for name in ("start", "end", "v"):
        assert_traces_close(reference[name], genn[name], what=name)
    if "between" in reference:
        assert_traces_close(reference["between"], genn["between"], what="v between runs")
