"""Linked variables on the GeNN device against Brian's runtime device
(numpy): links to variables and subexpressions, with index arrays, from
size-1 groups and from subgroups, read by monitors and by state updates,
sources that change after the thresholds (resets: two GeNN steps per Brian
step), sources outside the network, and values changed between runs."""

import numpy as np
from brian2 import (Network, NeuronGroup, SpikeMonitor, StateMonitor, linked_var, ms)

from utils import assert_same_values, assert_spikes_equal, genn_device, run_both


def links_read_by_monitors():
    # the source resets after its threshold: its values at 'start' include
    # the resets of the step before
    G = NeuronGroup(2, """dv/dt = 100*Hz : 1
                          I = clip(v - 0.2, 0, inf) : 1""",
                    threshold="v > 1", reset="v = 0", name="lk_src")
    G.v = [0, 0.5]
    H = NeuronGroup(20, "du/dt = (1 - u)/(7*ms) : 1", name="lk_sub_src")
    H.u = "0.01*i"
    part = H[10:]
    R = NeuronGroup(10, """I_l : 1 (linked)
                           x : 1 (linked)
                           both = 2*I_l + x : 1""", name="lk_reader")
    R.I_l = linked_var(G.I, index=np.array([0, 1]).repeat(5))
    R.x = linked_var(part.u)
    mon = StateMonitor(R, ["I_l", "x", "both"], record=True)
    source = StateMonitor(G, "I", record=True)
    net = Network(G, H, R, mon, source)
    net.run(30 * ms)
    return {"I_l": mon.I_l[:], "x": mon.x[:], "both": mon.both[:], "I": source.I[:],
            "x_now": R.x[:], "I_l_now": R.I_l[:]}


def test_links_read_by_monitors():
    reference, genn = run_both(links_read_by_monitors)
    for name in reference:
        assert_same_values(reference[name], genn[name], name)
    assert np.any(reference["I"] == 0) and np.any(reference["I"] > 0.5)
    # a reset source needs Brian's steps in two GeNN steps
    assert genn_device.model_description.substeps == 2


def link_read_by_dynamics():
    # a size-1 source that spikes; the reader's update runs before the
    # source's in Brian's order (by name), so it reads the value at the
    # start of the step
    A = NeuronGroup(1, "dx/dt = (2 - x)/(4*ms) : 1", threshold="x > 1", reset="x = 0",
                    name="lk_z_source")
    B = NeuronGroup(10, """dy/dt = (x - y)/(2*ms) + 0.1*i/ms : 1
                           x : 1 (linked)""", threshold="y > 0.8", reset="y = 0",
                    name="lk_a_reader")
    B.x = linked_var(A.x)
    spikes = SpikeMonitor(B)
    trace = StateMonitor(B, "y", record=[0, 9])
    net = Network(A, B, spikes, trace)
    net.run(10 * ms)
    A.x = 0.9
    net.run(10 * ms)
    return {"i": spikes.i[:], "t": spikes.t[:], "y": trace.y[:]}


def test_link_read_by_dynamics_over_two_runs():
    reference, genn = run_both(link_read_by_dynamics)
    assert len(reference["i"]) > 20
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    assert_same_values(reference["y"], genn["y"], "y")


def link_to_group_outside_network():
    G = NeuronGroup(4, "v : 1", name="lk_outside")
    G.v = "i + 0.5"
    R = NeuronGroup(4, """dw/dt = (x - w)/(3*ms) : 1
                          x : 1 (linked)""", name="lk_outside_reader")
    R.x = linked_var(G, "v", index=np.array([3, 2, 1, 0]))
    mon = StateMonitor(R, "w", record=True)
    Network(R, mon).run(5 * ms)
    return {"w": mon.w[:]}


def test_link_to_group_outside_network():
    reference, genn = run_both(link_to_group_outside_network)
    assert_same_values(reference["w"], genn["w"], "w")
    assert reference["w"][0, -1] > reference["w"][3, -1] > 0
