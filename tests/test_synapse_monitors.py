"""StateMonitors of Synapses on the GeNN device against Brian's runtime device
(numpy): an STDP network whose weights change on pre- and postsynaptic
spikes, recorded in the 'start' and 'end' slots and in slots before and
after all the Synapses' code, at the group's dt and a
multiple of it, over several runs and recording windows, with shuffled
(sparse) and dense connectivity. In float64, spikes and sample times are
identical and values equal up to rounding (C's and numpy's exp may differ
in the last bit)."""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                    Synapses, ms)

from brian2genn_bridge import configure_synapses
from utils import assert_same_values, assert_spikes_equal, run_both, run_with

#: monitors and the variables they record
MONITORS = {
    "syn_mon_start": ["w", "Apre", "Apost", "lastupdate", "eta", "tag"],
    "syn_mon_end": ["w", "Apre"],
    "syn_mon_end_dt": ["w", "Apost"],
    "syn_mon_start_dt": ["Apre"],
    "syn_mon_none": ["w"],
    "syn_mon_nothing": [],
    # in slots after all the Synapses' code of a step (its values of the end of
    # the step, its target's after the synaptic input) and before all of it
    "syn_mon_after_synapses": ["w", "Apost", "ge_post"],
    "syn_mon_thresholds": ["w", "v_post"],
}


def stdp_monitored(connectivity):
    """SpikeGeneratorGroup -> LIF through STDP synapses created out of
    GeNN's (pre, post) order, with StateMonitors of the synapses; three runs
    (the weights are changed in Python between the first two)."""

    def script():
        tau = 10 * ms
        inp = SpikeGeneratorGroup(3, [0, 1, 2, 0, 1, 2, 0, 2], [1, 2, 3, 5, 7, 7.5, 11, 22] * ms,
                                  name="sm_inp")
        G = NeuronGroup(4, """dv/dt = (ge - v)/tau : 1
                              dge/dt = -ge/(5*ms) : 1""",
                        threshold="v > 0.3", reset="v = 0", refractory=1 * ms,
                        method="exact", name="sm_post")
        S = Synapses(inp, G, """w : 1
                                tag : 1
                                eta : 1 (shared, constant)
                                dApre/dt = -Apre/(10*ms) : 1 (event-driven)
                                dApost/dt = -Apost/(10*ms) : 1 (event-driven)""",
                     on_pre="""ge_post += w
                               Apre += 0.1
                               w = clip(w + eta*Apost, 0, 2)""",
                     on_post="""Apost -= 0.12
                                w = clip(w + eta*Apre, 0, 2)""",
                     delay=1 * ms, name="sm_stdp")
        configure_synapses(S, connectivity=connectivity)
        pairs = np.random.RandomState(5).permutation(12)
        S.connect(i=pairs // 4, j=pairs % 4)
        S.w = "0.5 + 0.1*i + 0.05*j"
        S.tag = "i + 10*j"
        S.eta = 0.8
        monitors = [
            StateMonitor(S, MONITORS["syn_mon_start"], record=True, name="syn_mon_start"),
            StateMonitor(S, MONITORS["syn_mon_end"], record=[7, 0, 3], when="end",
                         name="syn_mon_end"),
            StateMonitor(S, MONITORS["syn_mon_end_dt"], record=[11, 2], when="end",
                         dt=0.3 * ms, name="syn_mon_end_dt"),
            StateMonitor(S, MONITORS["syn_mon_start_dt"], record=[5], dt=0.4 * ms,
                         name="syn_mon_start_dt"),
            StateMonitor(S, MONITORS["syn_mon_none"], record=False, name="syn_mon_none"),
            # only the times
            StateMonitor(S, MONITORS["syn_mon_nothing"], record=True, name="syn_mon_nothing"),
            StateMonitor(S, MONITORS["syn_mon_after_synapses"], record=[0, 5, 11],
                         when="after_synapses", name="syn_mon_after_synapses"),
            StateMonitor(S, MONITORS["syn_mon_thresholds"], record=[3, 4], when="thresholds",
                         dt=0.2 * ms, name="syn_mon_thresholds"),
        ]
        spikes = SpikeMonitor(G, name="sm_post_spikes")
        net = Network(inp, G, S, spikes, *monitors)
        net.run(0 * ms)
        net.run(20 * ms)
        S.w["i == 0"] = 0.2  # changed in Python between runs
        net.run(10.7 * ms)
        net.run(0.1 * ms)
        result = dict(i=spikes.i[:], t=spikes.t[:], w=S.w[:])
        for mon in monitors:
            result[mon.name] = {var: getattr(mon, var)[:] for var in mon.record_variables}
            result[mon.name]["t"] = mon.t[:]
        return result

    return script


@pytest.mark.parametrize("connectivity", ["sparse", "dense"])
def test_synaptic_state_monitors_exact(connectivity):
    # 4 bytes of spike recording per step: windows of 50 steps
    reference, genn = run_both(stdp_monitored(connectivity),
                               preferences={"devices.genn.recording_buffer_bytes": 200})
    assert len(reference["t"]) > 5  # postsynaptic spikes: on_post acts
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    np.testing.assert_allclose(genn["w"], reference["w"], rtol=1e-12)
    start = reference["syn_mon_start"]
    # weights changed on pre and on post spikes during the recording
    assert len(np.unique(start["w"][0])) > 3 and np.any(start["Apost"] < 0)
    for name, variables in MONITORS.items():
        np.testing.assert_array_equal(genn[name]["t"], reference[name]["t"],
                                      err_msg=f"{name}.t")
        for var in variables:
            np.testing.assert_allclose(genn[name][var], reference[name][var], rtol=1e-12,
                                       atol=1e-15, err_msg=f"{name}.{var}")


def synaptic_subexpressions():
    """Subexpressions of a Synapses, recorded (Brian records those of its own
    variables only): nested, with constants, a shared variable, a function,
    ``t`` and a boolean; in two slots and at a multiple of the dt; the parts
    themselves recorded by one monitor and not by the other."""
    tau = 4 * ms
    G = NeuronGroup(3, "dv/dt = (1.3 + 0.1*i - v)/tau : 1", threshold="v > 1",
                    reset="v = 0", method="exact", name="sx_g")
    H = NeuronGroup(2, "dv/dt = -v/(7*ms) : 1", method="exact", name="sx_h")
    S = Synapses(G, H, """w : 1
                          dx/dt = -x/tau : 1 (clock-driven)
                          I = w*x : 1
                          J = clip(I - 0.5*w, 0, 0.7) + exp(-t/(5*ms)) : 1
                          K = J*x + 2*eta : 1
                          big = I > 0.5 : boolean
                          eta : 1 (shared)""",
                 on_pre="v_post += w; x += 1", name="sx_syn")
    S.connect()
    S.w = "0.2 + 0.3*i + 0.1*j"
    S.eta = 0.25
    variables = ["I", "J", "K", "big"]
    start = StateMonitor(S, variables, record=True, name="sx_start")
    end = StateMonitor(S, variables + ["w", "x", "v_post"], record=[5, 0, 3], when="end",
                       dt=0.3 * ms, name="sx_end")
    net = Network(G, H, S, start, end)
    net.run(6 * ms)
    S.w["i == 1"] = 0.9
    net.run(4 * ms)
    return {f"{mon.name}.{var}": getattr(mon, var)[:] for mon in (start, end)
            for var in list(mon.record_variables) + ["t"]}


def test_synaptic_subexpressions():
    reference, genn = run_both(synaptic_subexpressions)
    assert reference["sx_start.big"].any() and not reference["sx_start.big"].all()
    assert len(np.unique(reference["sx_end.K"])) > 10
    for name, values in reference.items():
        assert genn[name].dtype == values.dtype, name
        np.testing.assert_allclose(genn[name], values, rtol=1e-12, atol=1e-15, err_msg=name)


@pytest.mark.parametrize("when", ["start", "end"])
@pytest.mark.parametrize("clock_driven", [False, True])
def test_neuron_variables_of_synapses(when, clock_driven):
    """A StateMonitor of a Synapses recording its neurons' variables
    (``v_pre``, ``v_post``) together with its own or alone, with and
    without clock-driven synapses: the neuron populations record theirs,
    exact."""

    def script():
        G = NeuronGroup(4, """dv/dt = (1.2 + 0.1*i + I_syn - v)/(5*ms) : 1
                              I_syn : 1""", threshold="v > 1", reset="v = 0",
                        method="exact", name="nvs_g")
        H = NeuronGroup(3, "dv/dt = (1.1 - v)/(8*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="exact", name="nvs_h")
        H.v = "0.5 + 0.1*i"
        model = ("dy/dt = -y/(3*ms) : 1 (clock-driven)\n" if clock_driven else "y : 1\n") + \
            "I_syn_post = 0.1*y : 1 (summed)"
        S = Synapses(H, G, model, on_pre="y += 0.5", name="nvs_s")
        S.connect(condition="(i + j) % 3 != 1")
        T = Synapses(G, H, "w : 1", on_pre="v_post += w", name="nvs_t")
        T.connect(j="i % 3")
        T.w = "0.1*i"
        both = StateMonitor(S, ["y", "v_post", "v_pre"], record=True,
                            when=when, name="nvs_both")
        neurons_only = StateMonitor(T, ["v_post", "v_pre"], record=[0, 2, 3], when=when,
                                    name="nvs_neurons")
        net = Network(G, H, S, T, both, neurons_only)
        net.run(3 * ms)
        net.run(2 * ms)
        return ([both.y[:], both.v_post[:], both.v_pre[:], both.t[:]],
                [neurons_only.v_post[:], neurons_only.v_pre[:], neurons_only.t[:]])

    reference, genn = run_both(script)
    for expected_group, values_group in zip(reference, genn):
        for expected, values in zip(expected_group, values_group):
            assert_same_values(expected, values)
