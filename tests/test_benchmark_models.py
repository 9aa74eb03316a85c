"""The benchmark models (benchmarks/models.py) on the GeNN device against
Brian's runtime device: Mbody (STDP, lateral inhibition, spike generator
input) spike for spike in float64; COBAHH (Hodgkin-Huxley, conductance
synapses) in its firing rates (its chaotic dynamics amplify the last-bit
differences of C's and numpy's maths functions)."""

import os
import sys

import numpy as np
import pytest
from brian2 import ms, seed

from utils import assert_spikes_equal, run_both

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from benchmarks import models  # noqa: E402


def mbody():
    seed(21)  # connect(p=...) runs on the host with numpy on both devices
    model = models.build_mbody(0.2, duration=300 * ms)
    model["network"].run(300 * ms)
    return {name: dict(i=monitor.i[:], t=monitor.t[:])
            for name, monitor in model["monitors"].items()}


def cobahh():
    seed(22)
    model = models.build_cobahh(1000, variant="coupled")
    model["network"].run(300 * ms)
    return models.mean_rates(model)


def built_network(build, size, network_seed):
    """The synapses' and neurons' state variables (``i`` and ``j`` included)
    of a model built with ``network_seed`` on the runtime device (not run)."""
    model = build(size, network_seed=network_seed)
    assert model["info"]["network_seed"] == network_seed
    states = {group.name: group.get_states(units=False) for group in model["neuron_groups"]}
    for name, synapses in model["synapses"].items():
        # with a Subgroup as source, i is a subexpression (not in get_states)
        states[name] = dict(synapses.get_states(units=False), i=synapses.i[:], j=synapses.j[:])
    return states


def assert_bernoulli_count(n_synapses, n_pre, n_post, p, what):
    """A synapse count within 5 standard deviations of Bernoulli(p) per pair."""
    n_pairs = n_pre * n_post
    assert abs(n_synapses - p * n_pairs) < 5 * np.sqrt(n_pairs * p * (1 - p)), what


@pytest.mark.parametrize("build, size", [(models.build_cobahh, 1250),
                                         (models.build_mbody, 0.2)])
def test_network_seed_gives_the_same_network(build, size):
    network = built_network(build, size, network_seed=3)
    again = built_network(build, size, network_seed=3)
    other = built_network(build, size, network_seed=4)
    assert network.keys() == again.keys()
    for name, states in network.items():
        assert states.keys() == again[name].keys(), name
        for var, values in states.items():
            np.testing.assert_array_equal(again[name][var], values, err_msg=f"{name}.{var}")
    # random connectivity (all-to-all pathways aside) depends on the seed
    random_pathways = [name for name in ("exc_synapses", "inh_synapses", "PN_iKC")
                       if name in network]
    assert random_pathways
    for name in random_pathways:
        assert not np.array_equal(other[name]["i"], network[name]["i"]), name


def test_network_seed_cobahh_statistics():
    # paper variant, p = 1000/1250 = 0.8: 1000 excitatory, 250 inhibitory neurons
    network = built_network(models.build_cobahh, 1250, network_seed=5)
    for name, n_pre, weight in (("exc_synapses", 1000, "we"), ("inh_synapses", 250, "wi")):
        i, j = network[name]["i"], network[name]["j"]
        assert_bernoulli_count(len(i), n_pre, 1250, 0.8, name)
        # row-major, no pair twice
        assert np.all(np.diff(i.astype(np.int64) * 1250 + j) > 0), name
        assert i.max() == n_pre - 1 and j.max() == 1249, name
        w = network[name][weight]
        assert 0 <= w.min() and w.max() < 1e-18, name  # rand()*1e-9*nS
        assert abs(w.mean() - 0.5e-18) < 5 * 1e-18 / np.sqrt(12 * len(w)), name
    v = network["neurons"]["v"]  # El + (randn()*5 - 5)*mV
    assert abs(v.mean() + 65e-3) < 5 * 5e-3 / np.sqrt(len(v))
    assert 4.5e-3 < v.std() < 5.5e-3


def test_network_seed_mbody_statistics():
    # scale 0.2: 100 PNs, 500 iKCs, 100 eKCs
    network = built_network(models.build_mbody, 0.2, network_seed=5)
    assert_bernoulli_count(len(network["PN_iKC"]["i"]), 100, 500, 0.15, "PN_iKC")
    weight = network["PN_iKC"]["weight"]  # 10*nS + 1.25*nS*randn()
    assert abs(weight.mean() - 10e-9) < 5 * 1.25e-9 / np.sqrt(len(weight))
    w = network["iKC_eKC"]["w"]
    assert len(w) == 500 * 100
    # rand()*w_max/10 (w_max = 3.75 nS), then a random 20 % (2.5*nS + 0.5*nS*randn())
    active = w > 0.375e-9
    assert abs(active.mean() - 0.2) < 5 * np.sqrt(0.2 * 0.8 / len(w))
    assert abs(w[active].mean() - 2.5e-9) < 5 * 0.5e-9 / np.sqrt(active.sum())


def test_mbody_spike_for_spike():
    reference, genn = run_both(mbody)
    assert set(reference) == set(genn)
    for name in reference:
        assert len(reference[name]["i"]) > 10, name
        assert_spikes_equal(reference[name]["i"], reference[name]["t"],
                            genn[name]["i"], genn[name]["t"])


def test_cobahh_rates():
    reference, genn = run_both(cobahh)
    for name, rate in reference.items():
        assert rate > 1
        assert genn[name] == pytest.approx(rate, rel=0.05), name
