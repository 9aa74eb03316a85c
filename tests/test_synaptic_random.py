"""Random numbers in synaptic code (rand(), randn(), poisson() in on_pre
statements and in synaptic operations of every step), which GeNN draws from
the counter-based generator of `translators/random_numbers.py`.

Brian's runtime device is the reference for the distributions (its numbers
are numpy's, so the comparison is statistical); that the GeNN groups made
from one Synapses object draw the same numbers is checked exactly."""

import numpy as np
import pytest
from brian2 import NeuronGroup, Network, StateMonitor, Synapses, ms, seed

from brian2genn_bridge import configure_synapses
from utils import run_with

N_PRE, N_POST = 40, 60
#: Brian steps of the run; the sources spike at every one
STEPS = 100
POISSON_MEAN = 2.5


def synaptic_draws():
    """Every synapse draws at every step; ``x``, ``zz`` and ``k`` of the
    targets sum the draws (three postsynaptic targets: three GeNN groups)."""
    seed(11)
    G = NeuronGroup(N_PRE, "", threshold="True", name="sr_source")
    H = NeuronGroup(N_POST, "x : 1\nzz : 1\nk : integer", name="sr_target")
    S = Synapses(G, H, "u : 1\nz : 1\nr : 1",
                 on_pre="u = rand(); z = randn(); x_post += u; zz_post += z*z; "
                        "k_post += poisson(2.5)", name="sr_syn")
    S.connect(p=0.5)
    # drawn in the synapse group's code of every step
    S.run_regularly("r = rand()", name="sr_syn_regular")
    synaptic = StateMonitor(S, ["u", "z", "r"], record=True, name="sr_syn_mon")
    target = StateMonitor(H, ["x", "zz"], record=True, name="sr_target_mon")
    Network(G, H, S, synaptic, target).run(STEPS * 0.1 * ms)
    return {"u": synaptic.u[:], "z": synaptic.z[:], "r": synaptic.r[:],
            "x": target.x[:], "zz": target.zz[:], "k": H.k[:], "j": S.j[:]}


@pytest.fixture(scope="module")
def draws():
    return {device: run_with(device, synaptic_draws) for device in ("runtime", "genn")}


def _uniform_chi2(samples, bins=20) -> tuple[float, int]:
    observed, _ = np.histogram(samples, bins=bins, range=(0, 1))
    expected = samples.size / bins
    return float(np.sum((observed - expected) ** 2 / expected)), bins - 1


def _below_chi2_bound(chi2: float, df: int) -> bool:
    # the chi-square statistic below its mean + 5 standard deviations
    return chi2 < df + 5 * np.sqrt(2 * df)


@pytest.mark.parametrize("device", ["runtime", "genn"])
def test_distributions(draws, device):
    results = draws[device]
    # the monitor records at the start of a step what the previous one drew
    u, z, r = (results[name][:, 1:] for name in ("u", "z", "r"))
    n = u.size
    assert np.all((u >= 0) & (u < 1)) and np.all((r >= 0) & (r < 1))
    for samples in (u, r):
        assert abs(samples.mean() - 0.5) < 5 * np.sqrt(1 / 12 / n)
        assert _below_chi2_bound(*_uniform_chi2(samples.ravel()))
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.var() - 1) < 5 * np.sqrt(2 / n)
    # the normal distribution through its uniform transform, Phi(z)
    from math import erf
    phi = 0.5 * (1 + np.vectorize(erf)(z.ravel() / np.sqrt(2)))
    assert _below_chi2_bound(*_uniform_chi2(phi))
    # Poisson draws of every synaptic event, summed per target
    events = np.bincount(results["j"], minlength=N_POST) * STEPS
    total = results["k"].sum()
    assert abs(total - POISSON_MEAN * events.sum()) < 5 * np.sqrt(POISSON_MEAN * events.sum())


@pytest.mark.parametrize("device", ["runtime", "genn"])
def test_independence(draws, device):
    u = draws[device]["u"][:, 1:]
    # between synapses in the same steps, and between steps of a synapse
    correlations = np.corrcoef(u)[~np.eye(len(u), dtype=bool)]
    standard_error = 1 / np.sqrt(u.shape[1])
    assert abs(correlations.mean()) < 5 * standard_error / np.sqrt(len(u))
    assert abs(correlations.std() - standard_error) < 0.1 * standard_error
    lagged = [np.corrcoef(row[:-1], row[1:])[0, 1] for row in u]
    assert abs(np.mean(lagged)) < 5 * standard_error / np.sqrt(len(u))
    # and between the statements of one event
    z = draws[device]["z"][:, 1:]
    assert abs(np.corrcoef(u.ravel(), z.ravel())[0, 1]) < 5 / np.sqrt(u.size)


def test_groups_of_one_synapses_draw_the_same_numbers(draws):
    # each postsynaptic target has its own GeNN group, which draws u and z
    # again: the sums that reach the targets are those of the recorded
    # values (the first group's), to rounding
    results = draws["genn"]
    for summed, drawn in (("x", results["u"]), ("zz", results["z"] ** 2)):
        increments = np.diff(results[summed], axis=1)
        expected = np.array([np.bincount(results["j"], weights=column, minlength=N_POST)
                             for column in drawn[:, 1:].T]).T
        np.testing.assert_allclose(increments, expected, rtol=1e-12, atol=1e-12)


def seeded_draws(value):
    def script():
        G = NeuronGroup(5, "", threshold="True", name="sr_seed_source")
        S = Synapses(G, G, "u : 1", on_pre="u = rand()", name="sr_seed_syn")
        S.connect()
        seed(value)
        Network(G, S).run(0.3 * ms)
        return S.u[:]
    return script


def test_seed_repeats_the_draws():
    first, again, other = (run_with("genn", seeded_draws(value)) for value in (3, 3, 4))
    np.testing.assert_array_equal(first, again)
    assert len(set(first)) == len(first)
    assert not np.any(first == other)


def connectivity_draws(connectivity):
    def script():
        G = NeuronGroup(30, "", threshold="True", name=f"sr_{connectivity}_source")
        H = NeuronGroup(30, "x : 1", name=f"sr_{connectivity}_target")
        S = Synapses(G, H, on_pre="x_post += rand()", name=f"sr_{connectivity}_syn")
        S.connect() if connectivity == "dense" else S.connect(p=0.5)
        configure_synapses(S, connectivity=connectivity)
        Network(G, H, S).run(STEPS * 0.1 * ms)
        return {"x": H.x[:], "events": np.bincount(S.j[:], minlength=30) * STEPS}
    return script


@pytest.mark.parametrize("connectivity", ["sparse", "dense", "bitmask"])
def test_draws_in_every_connectivity(connectivity):
    # no per-synapse variable to record: each target's sum of its events'
    # uniform numbers is close to half their count (independent draws)
    results = run_with("genn", connectivity_draws(connectivity))
    x, events = results["x"], results["events"]
    assert np.all(np.abs(x - events / 2) < 5 * np.sqrt(events / 12))
    assert abs(x.sum() - events.sum() / 2) < 5 * np.sqrt(events.sum() / 12)
