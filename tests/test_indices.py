"""Brian's integer indices in generated code, against Brian's runtime
device (exactly, in float64): neuron indices are int32, GeNN's ``id``,
``id_pre`` and ``id_post`` unsigned, so arithmetic that goes below zero
(``i - 5``, ``i - j``) must give Brian's results, in neuron code, in
subgroups, in on_pre statements and in per-step synaptic code; and
``t_in_timesteps`` counts the steps of the code's own clock."""

import numpy as np
from brian2 import Network, NeuronGroup, StateMonitor, Synapses, ms

from utils import run_both

NEURON_CODE = """a = (i - 5) // 3
b = (i - 5) % 3
k = (i - 5)**2 + abs(i - 7)
m = (i - 5) / 2 + (i - 5) / 2.0
n = int((i - 5.5) / 2)"""


def neuron_indices():
    G = NeuronGroup(11, "a : integer\nb : integer\nk : integer\nm : 1\nn : integer",
                    name="idx_neurons")
    G.run_regularly(NEURON_CODE, name="idx_neurons_op")
    # in a subgroup, i counts from the subgroup's start
    H = NeuronGroup(8, "a : integer\nb : integer\nk : integer\nm : 1\nn : integer",
                    name="idx_sub")
    H[3:].run_regularly(NEURON_CODE, name="idx_sub_op")
    Network(G, H).run(0.2 * ms)
    return {f"{group.name}.{var}": getattr(group, var)[:]
            for group in (G, H) for var in "abkmn"}


def synaptic_indices():
    G = NeuronGroup(6, "", threshold="True", name="idx_source")
    H = NeuronGroup(4, "x : 1\ns : 1", name="idx_target")
    S = Synapses(G, H, """d : integer
                          c : 1
                          s_post = (i - j) * 0.5 : 1 (summed)""",
                 on_pre="x_post += i - j\nd = (i - 2*j) // 2", name="idx_syn")
    S.connect()
    S.run_regularly("c = (j - i) / 4", name="idx_syn_op")
    Network(G, H, S).run(0.3 * ms)
    return {"x": H.x[:], "s": H.s[:], "d": S.d[:], "c": S.c[:]}


def _assert_same(reference, genn):
    assert reference.keys() == genn.keys()
    for key in reference:
        np.testing.assert_array_equal(genn[key], reference[key], err_msg=key)


def test_neuron_indices():
    reference, genn = run_both(neuron_indices)
    assert np.any(reference["idx_neurons.a"] < 0)
    _assert_same(reference, genn)


def test_synaptic_indices():
    reference, genn = run_both(synaptic_indices)
    assert np.any(reference["x"] < 0) and np.any(reference["d"] < 0)
    _assert_same(reference, genn)


def time_steps():
    G = NeuronGroup(2, "a : integer\nb : integer", name="ts_fast")
    G.run_regularly("a = t_in_timesteps", when="start", name="ts_fast_start")
    G.run_regularly("b = t_in_timesteps - 3", when="end", name="ts_fast_end")
    # a clock of twice the network's dt
    H = NeuronGroup(2, "c : integer\nn : integer", threshold="True", dt=0.2 * ms,
                    name="ts_slow")
    H.run_regularly("c = t_in_timesteps", name="ts_slow_op")
    S = Synapses(H, G, on_pre="n_pre += t_in_timesteps - 2", name="ts_syn")
    S.connect(j="i")
    record = StateMonitor(G, ["a", "b"], record=True, name="ts_mon")
    Network(G, H, S, record).run(1.1 * ms)
    return {"a": record.a[:], "b": record.b[:], "c": H.c[:], "n": H.n[:]}


def test_time_steps():
    reference, genn = run_both(time_steps)
    assert np.any(reference["b"] < 0) and np.all(reference["n"] != 0)
    _assert_same(reference, genn)
