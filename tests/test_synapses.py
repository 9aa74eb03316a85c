"""Synapses and spike sources on the GeNN device against Brian's runtime
device (numpy): deterministic networks agree spike for spike and in their
final synaptic weights, for every matrix type and parallelism."""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, PoissonGroup, SpikeGeneratorGroup,
                    SpikeMonitor, StateMonitor, Synapses, Hz, ms, second)

from brian2genn_bridge import configure_synapses
from utils import (assert_same_values, assert_spikes_equal, assert_traces_close, genn_device,
                   run_both, run_with)


def stdp_network(connectivity="auto", parallelism="auto", delay=1 * ms, shuffled=False):
    """SpikeGeneratorGroup -> LIF through STDP synapses, run twice; with
    ``shuffled``, the synapses are created out of GeNN's (pre, post) order."""

    def script():
        tau = 10 * ms
        inp = SpikeGeneratorGroup(3, [0, 1, 2, 0, 1, 2, 0], [1, 2, 3, 5, 7, 7.5, 11] * ms,
                                  name="inp")
        G = NeuronGroup(4, """dv/dt = (ge - v)/tau : 1
                              dge/dt = -ge/(5*ms) : 1""",
                        threshold="v > 0.3", reset="v = 0", refractory=1 * ms,
                        method="exact", name="post")
        S = Synapses(inp, G, """w : 1
                                dApre/dt = -Apre/(10*ms) : 1 (event-driven)
                                dApost/dt = -Apost/(10*ms) : 1 (event-driven)""",
                     on_pre="""ge_post += w
                               Apre += 0.1
                               w = clip(w + Apost, 0, 2)""",
                     on_post="""Apost -= 0.12
                                w = clip(w + Apre, 0, 2)""",
                     delay=delay, name="stdp")
        configure_synapses(S, connectivity=connectivity, parallelism=parallelism)
        if shuffled:
            pairs = np.random.RandomState(5).permutation(12)
            S.connect(i=pairs // 4, j=pairs % 4)
        else:
            S.connect()
        S.w = "0.5 + 0.1*i + 0.05*j"
        spikes = SpikeMonitor(G, name="post_spikes")
        net = Network(inp, G, S, spikes)
        net.run(20 * ms)
        first = dict(i=spikes.i[:].copy(), t=spikes.t[:].copy(), w=S.w[:].copy())
        S.w["i == 0"] = 0.2  # changed in Python between runs
        net.run(10 * ms)
        return dict(first=first, i=spikes.i[:], t=spikes.t[:], w=S.w[:], v=G.v[:],
                    n=len(S), pre=S.i[:], post=S.j[:])

    return script


@pytest.mark.parametrize("connectivity,parallelism,shuffled", [
    ("sparse", "postsynaptic", False), ("sparse", "presynaptic", False),
    ("dense", "postsynaptic", False), ("sparse", "postsynaptic", True),
    ("sparse", "presynaptic", True)])
def test_stdp_exact(connectivity, parallelism, shuffled):
    reference, genn = run_both(stdp_network(connectivity, parallelism, shuffled=shuffled))
    assert len(reference["t"]) > 10  # the network is active
    for key in ("first",):
        assert_spikes_equal(reference[key]["i"], reference[key]["t"], genn[key]["i"],
                            genn[key]["t"])
        np.testing.assert_allclose(genn[key]["w"], reference[key]["w"], rtol=1e-12)
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    np.testing.assert_allclose(genn["w"], reference["w"], rtol=1e-12)
    assert not np.allclose(reference["w"], reference["first"]["w"])  # STDP acted
    assert_traces_close(reference["v"], genn["v"], rtol=1e-9)
    for key in ("n", "pre", "post"):
        np.testing.assert_array_equal(genn[key], reference[key])


def test_heterogeneous_delays_exact():
    def script():
        inp = SpikeGeneratorGroup(5, np.arange(5), np.arange(5) * 2 * ms + 1 * ms, name="src",
                                  period=15 * ms)
        G = NeuronGroup(6, "dv/dt = -v/(20*ms) : 1", threshold="v > 0.9", reset="v = 0",
                        method="exact", name="tgt")
        S = Synapses(inp, G, "w : 1", on_pre="v_post += w", name="het")
        S.connect(p=0.8)
        S.w = "0.3 + 0.1*(i % 3)"
        S.delay = "(i + j) * 0.7*ms"
        spikes = SpikeMonitor(G, name="tgt_spikes")
        net = Network(inp, G, S, spikes)
        net.run(60 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:])

    from brian2 import seed
    seed(3)  # connect(p=...) runs on the host with numpy on both devices
    reference = run_with("runtime", _seeded(script, 3))
    genn = run_with("genn", _seeded(script, 3))
    assert len(reference["t"]) > 5
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    assert_traces_close(reference["v"], genn["v"], rtol=1e-9)


def test_heterogeneous_delays_with_unchanging_reads():
    """on_pre code with heterogeneous delays may read values that cannot
    change while a spike is on its way: constants, parameters of either
    group that no code changes, synaptic variables that no code changes."""
    def script():
        inp = NeuronGroup(4, "du/dt = rate : 1\nrate : Hz (constant)\nscale : 1",
                          threshold="u > 1", reset="u = 0", method="euler", name="hdr_src")
        inp.scale = "0.2 * (i + 1)"
        inp.rate = "(1 + 0.3*i) / (3*ms)"
        G = NeuronGroup(4, "dv/dt = -v/(20*ms) : 1\ngain : 1 (constant)", threshold="v > 2",
                        reset="v = 0", method="exact", name="hdr_tgt")
        G.gain = "1 + 0.5*i"
        S = Synapses(inp, G, "w : 1", on_pre="v_post += w * gain_post * scale_pre",
                     name="hdr_syn")
        S.connect()
        S.w = "0.5 + 0.1 * j"
        S.delay = "(i + 2*j) * 0.4*ms"
        spikes = SpikeMonitor(G, name="hdr_spikes")
        net = Network(inp, G, S, spikes)
        net.run(40 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:])

    reference, genn = run_both(script)
    assert len(reference["t"]) > 5
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    assert_traces_close(reference["v"], genn["v"], rtol=1e-9)


def heterogeneous_delays_split():
    """STDP with a delay per synapse on both pathways, and on_pre code that
    reads t and a changing postsynaptic variable: GeNN runs such a Synapses
    as one group per pair of delays (axonal and back-propagation)."""
    from brian2 import seed
    seed(5)
    G = NeuronGroup(20, "dv/dt = (1.2 + 0.02*i - v)/(10*ms) : 1", threshold="v > 1",
                    reset="v = 0", refractory=2 * ms, name="hds_g")
    H = NeuronGroup(10, "dv/dt = -v/(10*ms) : 1\nlast : 1", threshold="v > 0.5",
                    reset="v = 0", name="hds_h")
    S = Synapses(G, H, """w : 1
                          dApre/dt = -Apre/(20*ms) : 1 (event-driven)
                          dApost/dt = -Apost/(20*ms) : 1 (event-driven)""",
                 on_pre="""v_post += w
                           Apre += 0.01
                           w = clip(w + Apost, 0, 0.5)""",
                 on_post="""Apost -= 0.012
                            w = clip(w + Apre, 0, 0.5)""", name="hds_stdp")
    S.connect(p=0.6)
    S.w = "0.1 + 0.3*rand()"
    S.pre.delay = "(i % 4) * 0.5*ms + (j % 3)*0.1*ms"
    S.post.delay = "(j % 2) * 1*ms"
    # reads the time and the target's v when the spike arrives
    R = Synapses(G, H, on_pre="last_post += t/ms + 0.01 * v_post", name="hds_reads")
    R.connect(p=0.3)
    R.delay = "j * 0.7*ms"
    spikes = SpikeMonitor(H, name="hds_spikes")
    trace = StateMonitor(S, "w", record=[0, 5, 17], name="hds_trace")
    net = Network(G, H, S, R, spikes, trace)
    net.run(30 * ms)
    first_w = S.w[:].copy()
    S.w = S.w[:] * 0.9
    net.run(20 * ms)
    return dict(i=spikes.i[:], t=spikes.t[:], first_w=first_w, w=S.w[:], trace=trace.w[:],
                last=H.last[:])


def test_heterogeneous_delays_split_by_value():
    reference, genn = run_both(heterogeneous_delays_split)
    assert len(reference["t"]) > 50
    assert not np.allclose(reference["first_w"], 0.1 + 0.3 * 0.5)  # STDP acted
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    for name in ("first_w", "w", "trace", "last"):
        assert_traces_close(reference[name], genn[name], rtol=1e-9, what=name)
    # one GeNN group per pair of delays of the STDP Synapses, per delay of the other
    names = [p.name for p in genn_device.model_description.synapses]
    assert sum(name.startswith("hds_stdp") for name in names) == 12 * 2
    assert sum(name.startswith("hds_reads") for name in names) == 10


def test_spiker_statements_with_delays_of_on_post():
    """A Synapses split by its on_post delays keeps on_pre statements on the
    spiking neuron (once per synapse of all the parts)."""
    def script():
        G = NeuronGroup(4, "dv/dt = (1.5 + 0.1*i - v)/(5*ms) : 1\nA : 1", threshold="v > 1",
                        reset="v = 0", name="sps_g")
        H = NeuronGroup(4, "dv/dt = (1.3 + 0.1*i - v)/(5*ms) : 1", threshold="v > 1",
                        reset="v = 0", name="sps_h")
        S = Synapses(G, H, "w : 1", on_pre="A_pre += 1", on_post="w += 1", name="sps_s")
        S.connect()
        S.post.delay = "j * 0.5*ms"
        Network(G, H, S).run(10 * ms)
        return dict(A=G.A[:], w=S.w[:])

    reference, genn = run_both(script)
    assert reference["A"].min() > 0
    np.testing.assert_array_equal(genn["A"], reference["A"])
    np.testing.assert_array_equal(genn["w"], reference["w"])


def _seeded(script, value):
    def seeded():
        from brian2 import seed
        seed(value)
        return script()
    return seeded


def test_two_targets_in_one_group():
    """Two Synapses objects adding to two variables of one group."""

    def script():
        inp = SpikeGeneratorGroup(2, [0, 1, 0, 1], [1, 2, 6, 9] * ms, name="src2")
        G = NeuronGroup(3, """dv/dt = (ge - gi - v)/(10*ms) : 1
                              dge/dt = -ge/(3*ms) : 1
                              dgi/dt = -gi/(8*ms) : 1""", method="exact", name="tgt2")
        Se = Synapses(inp, G, on_pre="ge += 0.5", name="exc")
        Si = Synapses(inp, G, on_pre="gi_post += 0.2", name="inh")
        Se.connect(j="i")
        Si.connect()
        net = Network(inp, G, Se, Si)
        net.run(15 * ms)
        return dict(v=G.v[:], ge=G.ge[:], gi=G.gi[:])

    reference, genn = run_both(script)
    for key in ("v", "ge", "gi"):
        assert_traces_close(reference[key], genn[key], rtol=1e-9, what=key)
    assert np.all(reference["gi"] > 0)


def test_poisson_group_rate():
    """PoissonGroup draws on the GPU: the mean rate within 5 standard errors."""

    def script():
        P = PoissonGroup(2000, rates="20*Hz + i*0.01*Hz", name="poisson")
        spikes = SpikeMonitor(P, name="poisson_spikes")
        net = Network(P, spikes)
        net.run(0.5 * second)
        return dict(count=spikes.count[:])

    genn = run_with("genn", script)
    expected = np.mean(20 + np.arange(2000) * 0.01)  # Hz
    rate = genn["count"].sum() / 2000 / 0.5
    se = np.sqrt(expected * 2000 * 0.5) / 2000 / 0.5
    assert abs(rate - expected) < 5 * se, (rate, expected, se)


def queued_variables(touch: bool):
    """A population whose spikes are delayed (q_fb) and whose variable A
    synaptic code reads: GeNN holds A once per delay slot. Between the runs,
    A is read and written (``touch``) or left alone; the first run ends
    with a spike, whose reset (A += 0.5) the device's finishing step does."""
    neurons = NeuronGroup(6, """dv/dt = rate : 1
                                rate : Hz (constant)
                                dA/dt = (2 - A)/(1*ms) : 1
                                ge : 1""", threshold="v > 1", reset="v = 0; A += 0.5",
                          method="euler", name="q_neurons")
    neurons.rate = "(700 + 150*i)*Hz"
    stdp = Synapses(neurons[:3], neurons[3:], "w : 1", on_pre="w += A_post",
                    on_post="w += A_pre", name="q_stdp")
    stdp.connect()
    feedback = Synapses(neurons[3:], neurons[:3], on_pre="ge_post += 1", delay=0.3 * ms,
                        name="q_fb")
    feedback.connect()
    trace = StateMonitor(neurons, ["A", "ge"], record=True, name="q_trace")
    net = Network(neurons, stdp, feedback, trace)
    net.run(1.05 * ms)
    first = neurons.A[:].copy() if touch else np.zeros(6)
    if touch:
        neurons.A = "-i"
    net.run(1.2 * ms)
    return dict(first=first, A=trace.A[:], ge=trace.ge[:], end=neurons.A[:], w=stdp.w[:])


@pytest.mark.parametrize("touch", [True, False])
def test_queued_neuron_variables(touch):
    reference, genn = run_both(lambda: queued_variables(touch))
    assert reference["ge"].max() > 0 and np.ptp(reference["w"]) > 0
    for name, values in reference.items():
        assert_same_values(values, genn[name], what=name)


def synapse_counts():
    """``N_incoming`` and ``N_outgoing`` read in on_pre statements, in a
    synaptic operation and in a summed variable (whose Synapses would get a
    bitmask without them), also into a subgroup."""
    G = NeuronGroup(5, "", threshold="True", name="cnt_src")
    H = NeuronGroup(6, "x : 1\ny : 1", name="cnt_tgt")
    S = Synapses(G, H[1:5], "w : 1", on_pre="x_post += 1.0/N_incoming + N_outgoing",
                 name="cnt_syn")
    S.connect(condition="i <= j + 1")
    S.run_regularly("w = N_incoming * 10 + N_outgoing", name="cnt_syn_op")
    S2 = Synapses(G, H, "y_post = 1.0*N_incoming - 0.5*N_outgoing : 1 (summed)",
                  name="cnt_summed")
    S2.connect(condition="(i + j) % 2 == 0")
    Network(G, H, S, S2).run(0.3 * ms)
    return {"x": H.x[:], "y": H.y[:], "w": S.w[:]}


def test_synapse_counts_in_code():
    reference, genn = run_both(synapse_counts)
    assert np.all(reference["w"] > 0) and np.any(reference["y"] != 0)
    for key in reference:
        np.testing.assert_allclose(genn[key], reference[key], rtol=1e-12, err_msg=key)


def delay_read():
    """A homogeneous delay read in on_pre statements, changed between runs."""
    inp = SpikeGeneratorGroup(2, [0, 1, 0], [1, 2, 6] * ms, name="dr_inp")
    H = NeuronGroup(2, "x : 1", name="dr_tgt")
    S = Synapses(inp, H, on_pre="x_post += delay/ms + i", delay=0.5 * ms, name="dr_syn")
    S.connect()
    net = Network(inp, H, S)
    net.run(4 * ms)
    S.delay = 1.5 * ms
    net.run(4 * ms)
    return {"x": H.x[:]}


def test_homogeneous_delay_read_in_code():
    reference, genn = run_both(delay_read)
    assert np.all(reference["x"] > 0)
    np.testing.assert_allclose(genn["x"], reference["x"], rtol=1e-12)
