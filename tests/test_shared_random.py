"""Random numbers drawn into shared variables by ``run_regularly`` (Brian's
Kremer et al. 2011 example draws a stimulus direction so): GeNN runs the
shared statements in every neuron, on its copy of the shared variables, from
a stream of the operation and the time step only, so that every copy gets
the same number (`translators.random_numbers.with_shared_stream`).

Against Brian's runtime device statistically (its numbers are numpy's), and
exactly for what must not depend on the generator: one number per period
for all neurons, the neurons' own draws as before, ``seed()`` repeating."""

import numpy as np
import pytest
from brian2 import NeuronGroup, Network, StateMonitor, ms, seed

from utils import run_with

PERIODS = 400


def shared_draws(seed_value: int = 5):
    seed(seed_value)
    G = NeuronGroup(6, """direction : 1 (shared)
                          offset : 1 (shared)
                          d : 1
                          o : 1
                          noise : 1""", name="shr_g")
    # two operations with shared draws, one on a subgroup
    G.run_regularly("""direction = rand()
                       noise = rand()""", dt=0.2 * ms, name="shr_direction")
    G[2:5].run_regularly("""offset = randn()
                            d = direction
                            o = offset""", dt=0.2 * ms, name="shr_offset")
    monitor = StateMonitor(G, ["d", "o", "noise"], record=True, dt=0.2 * ms, name="shr_mon")
    Network(G, monitor).run(PERIODS * 0.2 * ms)
    return {"d": monitor.d[:], "o": monitor.o[:], "noise": monitor.noise[:]}


@pytest.fixture(scope="module")
def draws():
    return {device: run_with(device, shared_draws) for device in ("runtime", "genn")}


@pytest.mark.parametrize("device", ["runtime", "genn"])
def test_one_number_per_period_for_all_neurons(draws, device):
    for name in ("d", "o"):
        values = draws[device][name]
        # the subgroup's neurons hold the same value; the others none
        assert np.all(values[2:5] == values[2]) and np.all(values[[0, 1, 5]] == 0)
        # a new number every period (the first sample: before the first draw)
        assert len(np.unique(values[2, 1:])) == PERIODS - 1
    direction, offset = draws[device]["d"][2, 1:], draws[device]["o"][2, 1:]
    assert 0 <= direction.min() and direction.max() < 1
    assert abs(direction.mean() - 0.5) < 5 * np.sqrt(1 / 12 / len(direction))
    assert abs(offset.mean()) < 5 / np.sqrt(len(offset))
    assert 0.85 < offset.std() < 1.15


@pytest.mark.parametrize("device", ["runtime", "genn"])
def test_neurons_draw_their_own_numbers(draws, device):
    noise = draws[device]["noise"][:, 1:]
    # each neuron its own number in every period
    assert all(len(np.unique(noise[:, k])) == noise.shape[0] for k in range(noise.shape[1]))
    assert abs(noise.mean() - 0.5) < 5 * np.sqrt(1 / 12 / noise.size)


def test_seed_repeats_the_shared_draws():
    first, again = (run_with("genn", shared_draws) for _ in range(2))
    other = run_with("genn", lambda: shared_draws(6))
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
    assert not np.array_equal(first["d"], other["d"])
