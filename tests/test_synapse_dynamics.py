"""Synapses with code of their own every step (clock-driven equations, summed
variables, run_regularly operations, ``(constant over dt)`` subexpressions)
against Brian's runtime device. Brian runs this code between neuron code of
a step, so the GeNN model takes two GeNN steps per Brian step; results agree
value for value (float64) and spike for spike."""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                    Synapses, ms)

from brian2genn_bridge import configure_synapses
from utils import (assert_spikes_equal, assert_traces_close, genn_device, run_both,
                   run_with)


def _compare(reference, genn, keys, min_spikes=3):
    assert len(reference["t"]) >= min_spikes  # the network is active
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    for key in keys:
        assert_traces_close(reference[key], genn[key], rtol=1e-10, what=key)


def test_clock_driven_and_summed_over_runs():
    """A clock-driven synaptic trace driven by the postsynaptic voltage and
    by spikes (with a delay) feeds a summed current; three runs, a weight
    changed between them, a StateMonitor on the synapses."""

    def script():
        G = NeuronGroup(4, """dv/dt = (1.15 - v + I)/(10*ms) : 1
                              I : 1""", threshold="v > 1", reset="v = 0",
                        method="euler", name="cd_grp")
        G.v = "0.2*i"
        S = Synapses(G, G, """w : 1
                              ds/dt = -s/(5*ms) + 0.1*v_post/ms : 1 (clock-driven)
                              I_post = w*s : 1 (summed)""",
                     on_pre="s += 1", delay=0.3 * ms, method="euler", name="cd_syn")
        S.connect(condition="i != j")
        S.w = "0.02 + 0.01*i - 0.005*j"
        spikes = SpikeMonitor(G, name="cd_spikes")
        trace = StateMonitor(G, ["v", "I"], record=True, name="cd_trace")
        strace = StateMonitor(S, "s", record=[0, 5, 7], name="cd_strace")
        net = Network(G, S, spikes, trace, strace)
        net.run(8 * ms)
        S.w["i == 1"] = 0.05
        net.run(7 * ms)
        net.run(5 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=trace.v[:], I=trace.I[:], s=S.s[:],
                    strace=strace.s[:], strace_t=strace.t[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("v", "I", "s", "strace", "strace_t"))
    assert genn_device.model_description.substeps == 2


def test_gap_junctions_with_reset():
    """A summed gap-junction current reads pre- and postsynaptic voltages
    right after their reset, as in Brian's schedule."""

    def script():
        G = NeuronGroup(5, """dv/dt = (v0 - v + Igap)/(10*ms) : 1
                              v0 : 1
                              Igap : 1""", threshold="v > 1", reset="v = 0",
                        refractory=1 * ms, method="exact", name="gap_grp")
        G.v0 = "1.5 + 0.2*i"
        S = Synapses(G, G, """w : 1
                              Igap_post = w*(v_pre - v_post) : 1 (summed)""",
                     name="gap_syn")
        S.connect(condition="abs(i - j) == 1")
        S.w = 0.3
        spikes = SpikeMonitor(G, name="gap_spikes")
        trace = StateMonitor(G, ["v", "Igap"], record=True, name="gap_trace")
        net = Network(G, S, spikes, trace)
        net.run(30 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=trace.v[:], Igap=trace.Igap[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("v", "Igap"), min_spikes=10)


def test_summed_pre_post_and_subgroups():
    """Summed variables of the pre- and of the postsynaptic side in one
    Synapses, and two Synapses summing into two subgroups of one variable
    (the rest of it keeps its value)."""

    def script():
        inp = SpikeGeneratorGroup(2, [0, 1, 0], [1, 2, 4] * ms, name="sp_inp")
        G = NeuronGroup(6, """x : 1
                              y : 1""", name="sp_grp")
        G.x = -1
        S = Synapses(inp, G[:3], """dw/dt = -w/(3*ms) : 1 (clock-driven)
                                    x_post = w : 1 (summed)""",
                     on_pre="w += 1 + i", method="exact", name="sp_syn1")
        S.connect()
        S2 = Synapses(G, G[3:6], """c : 1
                                   x_post = c*y_pre : 1 (summed)
                                   y_pre = c : 1 (summed)""", name="sp_syn2")
        S2.connect(condition="i < 3")
        S2.c = "i + 0.5*j"
        trace = StateMonitor(G, ["x", "y"], record=True, name="sp_trace")
        net = Network(inp, G, S, S2, trace)
        net.run(3 * ms)
        G.x[5] = 7  # overwritten at the next step by the sum
        net.run(3 * ms)
        return dict(i=np.array([]), t=np.array([]) * ms, x=trace.x[:], y=trace.y[:],
                    w=S.w[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("x", "y", "w"), min_spikes=0)
    assert np.any(reference["x"][:3] > 0) and np.any(reference["y"] != 0)


@pytest.mark.parametrize("on_pre", ["x_post += w", "x_post += w\ny_pre += 1",
                                    "x_post += w\nu_post += 2*w"])
def test_summed_variables_with_on_pre_targets(on_pre):
    """Summed variables of both sides in a Synapses whose on_pre statements
    add to one or two postsynaptic variables and to a presynaptic one: each
    summed variable needs a GeNN group with a free channel of its side."""

    def script():
        inp = SpikeGeneratorGroup(3, [0, 1, 2, 0], [1, 2, 3, 5] * ms, name="so_inp")
        G = NeuronGroup(3, """dv/dt = -v/(5*ms) : 1
                              y : 1
                              z : 1""", threshold="v > 1", reset="v = 0", method="exact",
                        name="so_src")
        feed = Synapses(inp, G, on_pre="v_post += 2", name="so_feed")
        feed.connect(j="i")
        H = NeuronGroup(4, "x : 1\nu : 1\ns : 1", name="so_tgt")
        S = Synapses(G, H, """w : 1
                              s_post = w*(i - j) : 1 (summed)
                              z_pre = 0.1*w*j : 1 (summed)""", on_pre=on_pre, name="so_syn")
        S.connect()
        S.w = "0.5 + i + 0.1*j"
        spikes = SpikeMonitor(G, name="so_spikes")
        trace = StateMonitor(H, ["x", "u", "s"], record=True, name="so_trace")
        pre_trace = StateMonitor(G, ["y", "z"], record=True, name="so_pre_trace")
        Network(inp, G, H, feed, S, spikes, trace, pre_trace).run(7 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], x=trace.x[:], u=trace.u[:], s=trace.s[:],
                    y=pre_trace.y[:], z=pre_trace.z[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("x", "u", "s", "y", "z"))
    assert np.any(reference["s"] != 0) and np.any(reference["z"] != 0)


def test_synaptic_operations():
    """run_regularly of a Synapses (every 2 steps, 'start' slot) and a
    ``(constant over dt)`` synaptic subexpression that draws noise on the
    host side of Brian: here a deterministic function of the time."""

    def script():
        inp = SpikeGeneratorGroup(3, [0, 1, 2, 1], [1, 2, 3, 6] * ms, name="op_inp")
        G = NeuronGroup(2, "dv/dt = -v/(5*ms) : 1", threshold="v > 1.5", reset="v = 0",
                        method="exact", name="op_grp")
        S = Synapses(inp, G, """w : 1
                                g = 1 + sin(t/ms) : 1 (constant over dt)""",
                     on_pre="v_post += w*g", name="op_syn")
        S.connect()
        S.w = "0.3 + 0.1*i"
        S.run_regularly("w = w*1.02 + 0.001*j", dt=0.2 * ms)
        spikes = SpikeMonitor(G, name="op_spikes")
        trace = StateMonitor(G, "v", record=True, name="op_trace")
        net = Network(inp, G, S, spikes, trace)
        net.run(10 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=trace.v[:], w=S.w[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("v", "w"), min_spikes=1)


def test_synaptic_update_before_neurons():
    """A Synapses whose name sorts before its neuron group's: Brian updates
    the synapses first, with the voltage from before the group's update."""

    def script():
        G = NeuronGroup(3, "dv/dt = (1.2 - v)/(4*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact", name="z_group")
        G.v = "0.3*i"
        S = Synapses(G, G, "du/dt = (v_pre - u)/(2*ms) : 1 (clock-driven)",
                     method="euler", name="a_synapses")
        S.connect()
        spikes = SpikeMonitor(G, name="bf_spikes")
        net = Network(G, S, spikes)
        net.run(12 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], u=S.u[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("u",))



def test_summed_variable_without_synaptic_variables():
    """A summed variable of no per-synapse variable on a dense-enough
    connectivity: the automatic format is sparse (GeNN runs no synapse
    dynamics on bitmasks), and asking for a bitmask is a clear error."""

    def script(connectivity):
        def run_it():
            G = NeuronGroup(4, """dv/dt = (1.1 - v)/(5*ms) : 1
                                  n : 1""", threshold="v > 1", reset="v = 0",
                            method="exact", name="nw_g")
            G.v = "0.2*i"
            S = Synapses(G, G, "n_post = v_pre : 1 (summed)", name="nw_s")
            S.connect(condition="i != j")
            configure_synapses(S, connectivity=connectivity)
            trace = StateMonitor(G, "n", record=True, name="nw_trace")
            net = Network(G, S, trace)
            net.run(3 * ms)
            return dict(i=np.array([]), t=np.array([]) * ms, n=trace.n[:])
        return run_it

    reference, genn = run_both(script("auto"))
    _compare(reference, genn, ("n",), min_spikes=0)
    assert genn_device.model_description.synapses[0].connectivity == "sparse"
    with pytest.raises(ValueError, match="nw_s.*bitmask.*every step"):
        run_with("genn", script("bitmask"))


def _operations_script(synapse_order: int, group_order: int, synapse_when: str = "start"):
    """A synaptic run_regularly that reads neuron variables which a
    run_regularly of the neuron group (same slot, order ``group_order``) and
    the group's state update change, with a StateMonitor of the synapses in
    the 'start' slot (order 0) and a weight change between two runs."""

    def script():
        G = NeuronGroup(3, "dv/dt = (1.5 - v)/(4*ms) : 1\nu : 1", threshold="v > 1",
                        reset="v = 0.1*i", method="exact", name="ord_group")
        G.v = [0, 0.3, 0.6]
        S = Synapses(G, G, "w : 1\ndx/dt = -x/(3*ms) : 1 (clock-driven)", method="exact",
                     name="ord_synapses")
        S.connect(condition="i != j")
        S.w = "i*3 + j"
        S.x = "j"
        S.run_regularly("w = w*0.9 + v_pre + u_post + x", dt=0.2 * ms, when=synapse_when,
                        order=synapse_order, name="ord_syn_op")
        G.run_regularly("u += 0.1*i + v", dt=0.3 * ms, order=group_order, name="ord_group_op")
        spikes = SpikeMonitor(G, name="ord_spikes")
        trace = StateMonitor(S, "w", record=True, name="ord_trace")
        net = Network(G, S, spikes, trace)
        net.run(3 * ms)
        S.w = "w + 0.5"
        net.run(3.3 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], w=trace.w[:], u=G.u[:])

    return script


@pytest.mark.parametrize("synapse_order, group_order, synapse_when", [
    # the synaptic operation first, then the StateMonitor that records its
    # result (the sample was from before the operation)
    (-1, 0, "start"),
    # after the neuron group's operation and state update: it reads their
    # results (it read values from before the group's operation)
    (1, 0, "thresholds"),
    (0, -1, "thresholds"),
])
def test_synaptic_operations_ordered_with_neuron_code(synapse_order, group_order,
                                                      synapse_when):
    """Synaptic per-step code runs where Brian's order puts it relative to
    the neuron code that changes what it reads."""
    reference, genn = run_both(_operations_script(synapse_order, group_order, synapse_when))
    _compare(reference, genn, ("w", "u"))


def test_synaptic_operation_between_neuron_code_is_not_implemented():
    """A synaptic operation after a neuron operation and before the neuron
    group's state update, reading what both change: GeNN runs synaptic code
    either before all of a step's neuron code up to the thresholds, or after
    it; a clear error before anything is built."""
    with pytest.raises(NotImplementedError, match="ord_syn_op.*reads \\['u', 'v'\\]"):
        run_with("genn", _operations_script(1, 0))
