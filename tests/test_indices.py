"""Brian's neuron indices in generated code are int32, GeNN's ``id``,
``id_pre`` and ``id_post`` unsigned: arithmetic that goes below zero
(``i - 5``, ``i - j``) gives Brian's results, in neuron code, in subgroups,
in on_pre statements and in per-step synaptic code (against Brian's runtime
device, exactly in float64)."""

import numpy as np
from brian2 import Network, NeuronGroup, Synapses, ms

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
