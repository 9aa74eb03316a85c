"""Scripts written as users write them that once crashed or differed
silently from Brian's runtime device (issue 19's list), each compared with
the runtime device exactly (float64, CPU backend), or checked for the
error the device gives instead."""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, SpikeMonitor, StateMonitor, ms)

from utils import run_both


@pytest.mark.parametrize("buffer_bytes", [1000, 64 * 1024 * 1024])
def test_two_state_monitors_with_prefixed_names(buffer_bytes):
    """Brian's default names ``statemonitor`` and ``statemonitor_1``: the
    buffers of the second were taken for the first's (a crash, a heap
    corruption or a reshape error, by buffer size)."""

    def script():
        G = NeuronGroup(100, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact", name="g")
        first = StateMonitor(G, "v", record=0, name="statemonitor")
        second = StateMonitor(G, "v", record=True, name="statemonitor_1")
        # a monitor m recording a_b and one m_a recording b
        spikes = SpikeMonitor(G, "v", name="m", when="after_resets")
        net = Network(G, first, second, spikes)
        net.run(30 * ms)
        return first.v[:], second.v[:], spikes.v[:], spikes.t[:]

    reference, genn = run_both(
        script, preferences={"devices.genn.recording_buffer_bytes": buffer_bytes})
    for expected, values in zip(reference, genn):
        np.testing.assert_array_equal(values, expected)
