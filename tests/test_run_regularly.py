"""`run_regularly` operations of NeuronGroups (and Brian's hidden one for
``(constant over dt)`` subexpressions) against Brian's runtime device,
value for value in float64: operations on the group's clock and on their
own (a multiple of the group's dt), placed in Brian's order among monitors,
state update and threshold, operations of subgroups, and operations that go
on across runs."""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                    Synapses, TimedArray, ms)

from utils import assert_same_values, assert_spikes_equal, assert_traces_close, run_both, run_with

G_TRACED = ["v", "k", "drive", "x", "c", "t_op", "dt_op", "count"]
H_TRACED = ["a", "b", "n"]


def operations_script():
    ta = TimedArray([0.2, 0.5, 0.1, 0.4], dt=0.5 * ms, name="rr_ta")
    G = NeuronGroup(8, """dv/dt = (drive - v)/(0.5*ms) + k/(10*ms) : 1 (unless refractory)
                          drive : 1
                          k : 1
                          c = 0.1*sin(2*pi*t/ms) + 0.05*i : 1 (constant over dt)
                          dx/dt = c/ms : 1
                          count : integer
                          t_op : second
                          dt_op : second""",
                    threshold="v > 1", reset="v = 0; count += 1", refractory=0.5 * ms,
                    method="euler", namespace={"ta": ta}, name="rr_g")
    G.drive = "2 + 0.2*i"
    # own clocks (multiples of the group's dt), in the 'start' slot before
    # (order 0) and after (order 2) the monitor (order 1)
    G.run_regularly("k = ta(t) * (i % 3)", dt=0.3 * ms, name="rr_g_a_timed")
    G.run_regularly("drive = drive * 0.99 + 0.02\nt_op = t\ndt_op = dt", dt=0.2 * ms,
                    order=2, name="rr_g_b_slow")
    # the group's clock: before the state update, and between it and the threshold
    G.run_regularly("x = x + v", when="groups", order=-1, name="rr_g_c_before_update")
    G.run_regularly("v = v * 0.98", when="before_thresholds", name="rr_g_d_before_threshold")
    trace = StateMonitor(G, G_TRACED, record=True, order=1, name="rr_trace")
    spikes = SpikeMonitor(G, name="rr_spikes")

    # no threshold and no synapses: an operation at the end of the step is
    # the same as one right after the state update
    H = NeuronGroup(4, """a : 1
                          b : 1
                          n : integer""", name="rr_h")
    H.run_regularly("a += 1", name="rr_h_start")
    H.run_regularly("b = a * 2 + n", when="end", name="rr_h_end")
    H[1:3].run_regularly("n += 10 + i", dt=0.2 * ms, name="rr_h_sub")
    h_trace = StateMonitor(H, H_TRACED, record=True, name="rr_h_trace")

    net = Network(G, H, trace, spikes, h_trace)
    # the second run starts between two ticks of the 0.3 ms operation
    net.run(1 * ms)
    net.run(0.7 * ms)
    results = {name: getattr(trace, name)[:] for name in G_TRACED}
    results.update({f"h_{name}": getattr(h_trace, name)[:] for name in H_TRACED})
    results.update(spike_i=spikes.i[:], spike_t=spikes.t[:], a_end=H.a[:], b_end=H.b[:],
                   n_end=H.n[:], x_end=G.x[:])
    return results


@pytest.fixture(scope="module")
def reference():
    return run_with("runtime", operations_script)


@pytest.fixture(scope="module")
def genn64():
    return run_with("genn", operations_script)


@pytest.mark.parametrize("name", ["v", "k", "drive", "x", "c", "t_op", "dt_op", "x_end"])
def test_float_values(name, reference, genn64):
    assert_traces_close(reference[name], genn64[name], what=name)


@pytest.mark.parametrize("name", ["count", "h_a", "h_b", "h_n", "a_end", "b_end", "n_end"])
def test_exact_values(name, reference, genn64):
    np.testing.assert_array_equal(genn64[name], reference[name], err_msg=name)


def test_spikes(reference, genn64):
    assert len(reference["spike_i"]) > 10
    assert_spikes_equal(reference["spike_i"], reference["spike_t"],
                        genn64["spike_i"], genn64["spike_t"])


def test_operation_reads_the_group_clock(reference, genn64):
    """An operation on a 0.2 ms clock runs every other step, and its code
    reads the group's t and dt (as in Brian)."""
    t_op = genn64["t_op"][0]
    assert set(np.round(t_op / 0.2e-3, 9)) <= set(range(9))
    np.testing.assert_array_equal(genn64["dt_op"][0][1:], 0.1e-3)
    np.testing.assert_array_equal(t_op, reference["t_op"][0])


def test_subgroup_operation(reference):
    """Only neurons 1 and 2 have n, 9 ticks of 0.2 ms in 1.7 ms."""
    np.testing.assert_array_equal(reference["n_end"], [0, 9 * 10, 9 * 11, 0])


def late_slot_operations():
    """Operations after the threshold (in the thresholds, synapses, resets and
    end slots) of a group that spikes, is reset and receives synaptic input:
    their order against input and reset, and the times they see, as in Brian."""
    source = SpikeGeneratorGroup(2, [0, 1, 0, 1, 0], [0.5, 1.0, 1.6, 2.2, 3.0] * ms,
                                 name="late_src")
    G = NeuronGroup(3, """dv/dt = (1.3 - v)/(3*ms) : 1
                          a : 1
                          b : 1
                          c : 1
                          r0 : 1
                          r1 : 1
                          tl : second""",
                    threshold="v > 1", reset="v = 0.1*a", method="exact", name="late_g")
    S = Synapses(source, G, on_pre="v_post += 0.3", name="late_syn")
    S.connect()
    G.run_regularly("a = v", when="after_thresholds", name="late_a")
    G.run_regularly("b = v", when="before_resets", name="late_b")
    G.run_regularly("c = v + b", when="after_resets", dt=0.2 * ms, name="late_c")
    G.run_regularly("tl = t", when="end", name="late_t")
    # in the reset's slot, before and after it
    G.run_regularly("r0 = v", when="resets", order=-1, name="late_r0")
    G.run_regularly("r1 = v", when="resets", order=1, name="late_r1")
    end = StateMonitor(G, ["v", "a", "b", "c", "r0", "r1", "tl"], record=True, when="end",
                       name="late_end")
    spikes = SpikeMonitor(G, name="late_spikes")
    Network(source, G, S, end, spikes).run(4 * ms)
    return dict(i=spikes.i[:], t=spikes.t[:],
                **{name: getattr(end, name)[:] for name in ("v", "a", "b", "c", "r0", "r1",
                                                            "tl")})


def test_operations_after_the_threshold():
    reference, genn = run_both(late_slot_operations)
    assert len(reference["i"]) > 3
    assert np.any(reference["r0"] != reference["r1"])
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    for name in ("v", "a", "b", "c", "r0", "r1", "tl"):
        assert_traces_close(reference[name], genn[name], what=name)


def reset_slot_operations():
    """Operations in the 'resets' slot, before (order -1) and after (order 1)
    the reset of a group that spikes."""
    G = NeuronGroup(3, """dv/dt = (1.6 - v)/(2*ms) : 1
                          before : 1
                          after : 1""",
                    threshold="v > 1", reset="v = 0.2*before", method="exact", name="rst_g")
    G.v = "0.3*i"
    G.run_regularly("before = v + 0.1*t/ms", when="resets", order=-1, name="rst_before")
    G.run_regularly("after = v", when="resets", order=1, name="rst_after")
    end = StateMonitor(G, ["v", "before", "after"], record=True, when="end", name="rst_end")
    spikes = SpikeMonitor(G, name="rst_spikes")
    Network(G, end, spikes).run(6 * ms)
    return dict(i=spikes.i[:], t=spikes.t[:],
                **{name: getattr(end, name)[:] for name in ("v", "before", "after")})


def test_operations_in_the_reset_slot():
    reference, genn = run_both(reset_slot_operations)
    assert len(reference["i"]) > 3
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    for name in ("v", "before", "after"):
        assert_traces_close(reference[name], genn[name], what=name)
def shared_writes():
    """Operations that write shared variables (GeNN parameters cannot be
    written by device code): on the group and on a subgroup, read by the
    state update of every neuron, by a later operation and by a monitor;
    float, integer and boolean; changed from Python between runs."""
    G = NeuronGroup(6, """dv/dt = (drive - v)/(2*ms) : 1
                          drive : 1 (shared)
                          ticks : integer (shared)
                          odd : boolean (shared)
                          level : 1 (shared)
                          seen : 1""",
                    method="euler", name="sw_g")
    G.drive = 0.5
    G.run_regularly("""drive = drive * 1.1 + 0.01*t/ms
                       ticks += 1
                       odd = ticks % 2 == 1""", dt=0.3 * ms, name="sw_g_drive")
    # a subgroup's operation: its scalar statements reach the shared
    # variable of every neuron, its per-neuron statements its own neurons
    G[2:4].run_regularly("""level = level + 0.25
                            seen = v + level""", when="end", name="sw_g_sub")
    G.run_regularly("seen = seen + drive*(i + 1)", when="after_groups", dt=0.2 * ms,
                    name="sw_g_later")
    trace = StateMonitor(G, ["v", "drive", "ticks", "odd", "level", "seen"], record=[0, 3, 5],
                         name="sw_trace")
    net = Network(G, trace)
    net.run(1.5 * ms)
    results = {"first": dict(drive=G.drive[:], ticks=G.ticks[:], level=G.level[:])}
    G.drive = 0.2
    G.ticks = 10
    net.run(1.1 * ms)
    results.update({name: getattr(trace, name)[:] for name in trace.record_variables})
    results.update(drive_end=G.drive[:], ticks_end=G.ticks[:], odd_end=G.odd[:],
                   level_end=G.level[:], seen_end=G.seen[:])
    return results


def test_operations_write_shared_variables():
    reference, genn = run_both(shared_writes)
    assert reference["ticks_end"] == 10 + 4 and reference["level_end"] == 26 * 0.25
    assert np.ptp(reference["drive"]) > 0.1
    for name, values in reference.items():
        if name == "first":
            for key, value in values.items():
                assert_same_values(value, genn[name][key], what=key)
        else:
            assert_same_values(values, genn[name], what=name)
