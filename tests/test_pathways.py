"""Synapses whose pathways change several postsynaptic variables, and
Synapses with several pathways on one side, against Brian's runtime device:
the GeNN device splits them into several GeNN synapse groups with the same
connectivity, and the results agree spike for spike and in the final
synaptic variables."""

import numpy as np
import pytest
from brian2 import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses, ms

from brian2genn_bridge import configure_synapses
from utils import assert_spikes_equal, assert_traces_close, genn_device, run_both, run_with

#: a LIF neuron with an excitatory and an inhibitory conductance-like input
#: and an input counter ``x``
TARGET = """dv/dt = (ge - gi - v)/(10*ms) : 1
            dge/dt = -ge/(3*ms) : 1
            dgi/dt = -gi/(8*ms) : 1
            x : 1"""


def _source(name):
    return SpikeGeneratorGroup(3, [0, 1, 2, 0, 1, 2, 0, 1], [1, 2, 3, 5, 7, 7.5, 11, 14] * ms,
                               name=name)


def _target(name):
    return NeuronGroup(4, TARGET, threshold="v > 0.3", reset="v = 0", refractory=1 * ms,
                       method="exact", name=name)


def _genn_groups():
    """``name -> (primary, post_target)`` of the GeNN synapse groups of the
    last GeNN run."""
    return {p.name: (p.primary, p.post_target)
            for p in genn_device.model_description.synapses}


def _compare(reference, genn, keys):
    assert len(reference["t"]) > 3  # the network is active
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    for key in keys:
        assert_traces_close(reference[key], genn[key], rtol=1e-12, what=key)


@pytest.mark.parametrize("connectivity", ["sparse", "dense"])
def test_one_pathway_two_targets(connectivity):
    """on_pre changes two postsynaptic variables; the weight is changed in
    Python between runs (it reaches both GeNN groups)."""

    def script():
        inp, G = _source("mt_src"), _target("mt_tgt")
        S = Synapses(inp, G, "w : 1", on_pre="ge_post += w\ngi_post += 0.5*w - 0.1",
                     delay=1 * ms, name="mt_syn")
        configure_synapses(S, connectivity=connectivity)
        S.connect()
        S.w = "1 + 0.2*i - 0.1*j"
        spikes = SpikeMonitor(G, name="mt_spikes")
        net = Network(inp, G, S, spikes)
        net.run(10 * ms)
        S.w["i == 1"] = 2.5
        net.run(10 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:], ge=G.ge[:], gi=G.gi[:],
                    w=S.w[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("v", "ge", "gi", "w"))
    assert _genn_groups() == {"mt_syn": (True, "Isyn_ge"),
                              "mt_syn_to_gi": (False, "Isyn_gi")}


def test_stdp_two_targets():
    """STDP whose on_pre changes two postsynaptic variables: each GeNN group
    updates its own copy of the synaptic variables."""

    def script():
        inp, G = _source("stdp2_src"), _target("stdp2_tgt")
        S = Synapses(inp, G, """w : 1
                                dApre/dt = -Apre/(10*ms) : 1 (event-driven)
                                dApost/dt = -Apost/(10*ms) : 1 (event-driven)""",
                     on_pre="""ge_post += w
                               x_post += 1 + Apre
                               Apre += 0.1
                               w = clip(w + Apost, 0, 2)""",
                     on_post="""Apost -= 0.12
                                w = clip(w + Apre, 0, 2)""",
                     delay=1 * ms, name="stdp2")
        S.connect()
        S.w = "0.5 + 0.1*i + 0.05*j"
        spikes = SpikeMonitor(G, name="stdp2_spikes")
        net = Network(inp, G, S, spikes)
        net.run(12 * ms)
        S.w["j == 0"] = 0.9
        net.run(12 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:], x=G.x[:], w=S.w[:],
                    Apre=S.Apre[:], Apost=S.Apost[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("v", "x", "w", "Apre", "Apost"))
    assert np.all(reference["x"] > 0)
    assert set(_genn_groups()) == {"stdp2", "stdp2_to_x"}


def test_two_pre_pathways_with_delays():
    """Two on_pre pathways with their own delays and targets, one of them
    changing two postsynaptic variables."""

    def script():
        inp, G = _source("pw_src"), _target("pw_tgt")
        S = Synapses(inp, G, "w : 1",
                     on_pre={"fast": "ge_post += w", "slow": "gi_post += 0.1*w\nx_post += 1"},
                     delay={"fast": 1 * ms, "slow": 2.5 * ms}, name="pw_syn")
        S.connect(j="i")
        S.connect(i=0, j=3)
        S.w = "2 + 0.5*j"
        spikes = SpikeMonitor(G, name="pw_spikes")
        net = Network(inp, G, S, spikes)
        net.run(20 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:], ge=G.ge[:], gi=G.gi[:], x=G.x[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("v", "ge", "gi", "x"))
    assert _genn_groups() == {"pw_syn": (True, "Isyn_ge"),
                              "pw_syn_slow": (False, "Isyn_gi"),
                              "pw_syn_slow_to_x": (False, "Isyn_x")}


def test_two_targets_heterogeneous_delays():
    """Per-synapse delays of a pathway that changes two postsynaptic variables."""

    def script():
        inp, G = _source("hd_src"), _target("hd_tgt")
        S = Synapses(inp, G, "w : 1", on_pre="ge_post += w\nx_post += w", name="hd_syn")
        S.connect()
        S.w = "0.6 + 0.2*i"
        S.delay = "(1 + i + 2*j) * 0.3*ms"
        spikes = SpikeMonitor(G, name="hd_spikes")
        net = Network(inp, G, S, spikes)
        net.run(20 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:], ge=G.ge[:], x=G.x[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("v", "ge", "x"))


def test_pre_and_post_pathways_split():
    """A family of pathways sharing a weight that on_post changes, and a
    second on_pre pathway reading only a constant synaptic variable.
    (Event-driven variables would join every pathway in one family: Brian
    updates them in each pathway.)"""

    def script():
        inp, G = _source("fam_src"), _target("fam_tgt")
        S = Synapses(inp, G, """w : 1
                                c : 1 (constant)""",
                     on_pre={"pre": "ge_post += w", "count": "x_post += c"},
                     on_post="w = clip(w + 0.2 - 0.1*c, 0, 2)",
                     delay={"pre": 1 * ms, "count": 3 * ms}, name="fam_syn")
        S.connect()
        S.w = "0.5 + 0.1*i + 0.05*j"
        S.c = "i + 1"
        spikes = SpikeMonitor(G, name="fam_spikes")
        net = Network(inp, G, S, spikes)
        net.run(25 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:], x=G.x[:], w=S.w[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("v", "x", "w"))
    assert not np.allclose(reference["w"], 0.5 + 0.1 * np.repeat(np.arange(3), 4)
                           + 0.05 * np.tile(np.arange(4), 3))  # on_post acted
    assert _genn_groups() == {"fam_syn": (True, "Isyn_ge"),
                              "fam_syn_count": (False, "Isyn_x")}


def test_two_targets_conditional_write():
    """A target variable that is not changed while refractory: Brian writes
    its update as a conditional statement, which the other group must keep
    well-formed."""

    def script():
        inp = _source("cw_src")
        G = NeuronGroup(4, """dv/dt = -v/(10*ms) : 1 (unless refractory)
                              x : 1""", threshold="v > 0.5", reset="v = 0",
                        refractory=2 * ms, method="exact", name="cw_tgt")
        S = Synapses(inp, G, "w : 1", on_pre="v += w\nx_post += w", name="cw_syn")
        S.connect()
        S.w = "0.3 + 0.1*i"
        spikes = SpikeMonitor(G, name="cw_spikes")
        net = Network(inp, G, S, spikes)
        net.run(20 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:], x=G.x[:])

    reference, genn = run_both(script)
    _compare(reference, genn, ("v", "x"))


def _unsupported(on_pre, on_post=None, model="w : 1"):
    def script():
        inp, G = _source("err_src"), _target("err_tgt")
        S = Synapses(inp, G, model, on_pre=on_pre, on_post=on_post, name="err_syn")
        S.connect()
        Network(inp, G, S).run(1 * ms)
    return script


@pytest.mark.parametrize("on_pre,on_post,model,match", [
    # Brian's later statements (and synapses) see the changed value
    ("ge_post += w\nw += ge_post", None, "w : 1", "reading the postsynaptic variable 'ge'"),
    ("ge_post += w", "w += ge_post", "w : 1", "reading the postsynaptic variable 'ge'"),
    # both pathways change the event-driven trace and its last update time
    ({"a": "ge_post += w\nApre += 0.1", "b": "x_post += Apre"}, None,
     "w : 1\ndApre/dt = -Apre/(10*ms) : 1 (event-driven)", "several on_pre pathways"),
])
def test_unsupported(on_pre, on_post, model, match):
    with pytest.raises(NotImplementedError, match=match):
        run_with("genn", _unsupported(on_pre, on_post, model))
