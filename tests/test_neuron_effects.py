"""Synaptic statements that change neuron variables other than by adding to
the target (``x_post += ...``), against Brian's runtime device: additions to
the source (``v_pre += w``, from on_pre and on_post, GeNN's ``addToPre``),
statements on the spiking neuron that are the same for each of its synapses
(``A_pre += 1`` on_pre, ``A_post += 1`` on_post: run by the neuron once per
synapse), and on_pre statements on the target that are the same for each
event (``x_post = y_post``: run once per event), with Brian's order of
pathways (every on_pre before every on_post); and the cases GeNN cannot
reproduce, which raise `NotImplementedError`."""

import numpy as np
import pytest
from brian2 import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms, seed

from utils import assert_same_values, assert_spikes_equal, assert_traces_close, run_both, run_with


def neuron_effects(delay):
    seed(7)  # the same connectivity on both devices
    # subgroups of one group as source and target, spiking at the same steps
    neurons = NeuronGroup(8, """dv/dt = rate : 1
                                rate : Hz (constant)
                                dA/dt = -A/(1*ms) : 1
                                ge : 1
                                x : 1
                                n : integer""",
                          threshold="v > 1", reset="v = 0", method="euler",
                          name="eff_neurons")
    neurons.rate = "(800 + 100*(i % 3))*Hz"
    neurons.v = "abs(4 - i)*0.1 + 0.5"
    source, target = neurons[:4], neurons[4:]
    stdp = Synapses(source, target, """w_dep : 1
                                       w_fac : 1""",
                    on_pre="""ge_post += w_dep - w_fac
                              A_pre += 1
                              n_pre = n_pre*2 + 1
                              w_dep = clip(w_dep + A_post, 0, 10)""",
                    on_post="""A_post += 1
                               w_fac = clip(w_fac + A_pre + n_pre, 0, 100)""",
                    name="eff_stdp")
    stdp.connect(p=0.75)
    # additions to the source (its on_post adds too), statements at each
    # event on the target (which read its values)
    driver = NeuronGroup(5, """dv/dt = (1.5 - v)/(0.4*ms) : 1
                               fed : 1""",
                         threshold="v > 1", reset="v = -0.1*fed", method="exact",
                         name="eff_driver")
    driver.v = "0.2*i"
    feedback = Synapses(driver, neurons, "w : 1",
                        on_pre="""fed_pre += w
                                  x_post = x_post*0.5 + v_post + 1""",
                        on_post="fed_pre += 0.5*w", delay=delay, name="eff_feedback")
    feedback.connect(p=0.6)
    feedback.w = "0.25*(i + j)"
    state = StateMonitor(neurons, ["A", "ge", "x", "n", "v"], record=True, name="eff_state")
    driver_state = StateMonitor(driver, ["fed", "v"], record=True, name="eff_driver_state")
    spikes = SpikeMonitor(neurons, name="eff_spikes")
    net = Network(neurons, driver, stdp, feedback, state, driver_state, spikes)
    net.run(1.3 * ms)
    neurons.A[2] = 5  # changed between runs
    net.run(1.4 * ms)
    return dict(i=spikes.i[:], t=spikes.t[:], w_dep=stdp.w_dep[:], w_fac=stdp.w_fac[:],
                fed=driver_state.fed[:], driver_v=driver_state.v[:],
                **{name: getattr(state, name)[:] for name in ("A", "ge", "x", "n", "v")})


@pytest.mark.parametrize("delay", [0 * ms, 0.3 * ms])
def test_statements_on_neuron_variables(delay):
    reference, genn = run_both(lambda: neuron_effects(delay))
    assert len(reference["i"]) >= 20
    assert np.all(np.diff(reference["A"], axis=1).max(axis=1) >= 1)
    assert reference["n"].max() > 10 and reference["fed"].max() > 1
    assert np.ptp(reference["x"]) > 1
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    # counts and values of statements run one by one in Brian's order
    for name in ("n", "A", "x", "w_dep", "w_fac"):
        assert_same_values(reference[name], genn[name], what=name)
    # additions: GeNN sums a neuron's inputs before adding them (the last bit
    # of a sum of several may differ)
    for name in ("ge", "fed", "v", "driver_v"):
        assert_traces_close(reference[name], genn[name], what=name)


EQS = """dv/dt = 1/ms : 1
         A : 1
         x : 1"""


def _network(on_pre, on_post=None, delay=0 * ms):
    G = NeuronGroup(3, EQS, threshold="v > 1", reset="v = 0", name="eff_err_g")
    S = Synapses(G, G, "w : 1", on_pre=on_pre, on_post=on_post, delay=delay,
                 name="eff_err_s")
    S.connect()
    Network(G, S).run(1 * ms)


CASES = {
    # the pathway reads what it changes on the spiking neuron
    "reads_spiker": (dict(on_pre="A_pre += 1\nw = A_pre"), "'A'"),
    # the other side of the same neurons (source and target overlap)
    "reads_spiker_other_side": (dict(on_pre="A_pre += 1\nw = A_post"), "'A'"),
    # a target write that depends on the synapse
    "target_depends_on_synapse": (dict(on_pre="x_post = w"), "x_post ="),
    # a write on the spiking neuron that depends on the synapse, not by '+='
    "spiker_depends_on_synapse": (dict(on_pre="A_pre = w"), "A_pre ="),
    # on_post: its own neuron, depending on the synapse
    "post_depends_on_synapse": (dict(on_pre="w += 1", on_post="A_post = w"), "A_post ="),
    # statements on the spiking neuron with a delay
    "spiker_with_delay": (dict(on_pre="A_pre += 1", delay=0.2 * ms), "delay"),
    # on_post reads what on_pre adds to the source (Brian: after it)
    "post_reads_pre_input": (dict(on_pre="x_pre += w", on_post="w = x_pre"), "'x'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_unsupported_statements_raise(case, tmp_path):
    kwds, word = CASES[case]
    run_with("runtime", lambda: _network(**kwds))  # valid Brian
    with pytest.raises(NotImplementedError) as error:
        run_with("genn", lambda: _network(**kwds), directory=str(tmp_path))
    assert "eff_err_s" in str(error.value) and word in str(error.value), str(error.value)


def two_synapses_order():
    G = NeuronGroup(3, EQS, threshold="v > 1", reset="v = 0", name="eff_order_g")
    adding = Synapses(G, G, on_pre="A_post += 1", name="eff_order_a")
    adding.connect()
    reading = Synapses(G, G, on_pre="x_post = A_post", name="eff_order_b")
    reading.connect()
    Network(G, adding, reading).run(1 * ms)


def test_statements_that_see_other_synapses_input_raise(tmp_path):
    """Brian runs eff_order_a before eff_order_b: at each event, x sees A
    with some of the input of the step; the neurons add it all at once."""
    with pytest.raises(NotImplementedError, match="eff_order_g.*'A'"):
        run_with("genn", two_synapses_order, directory=str(tmp_path))
