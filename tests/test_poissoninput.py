"""PoissonInput on the GeNN device against Brian's runtime device."""

import numpy as np
from brian2 import (Network, NeuronGroup, PoissonInput, SpikeMonitor, StateMonitor,
                    TimedArray, Hz, ms, seed)

from utils import assert_spikes_equal, assert_traces_close, run_both


def certain_input():
    """rate*dt = 1 (every source fires every step) and rate 0: deterministic.
    One input targets a subgroup; the input lands before the reset."""
    G = NeuronGroup(6, """dv/dt = -v/(5*ms) : 1
                          x : 1""", threshold="v > 3", reset="v = 0", method="exact",
                    name="pi_certain")
    always = PoissonInput(G, "v", 3, 10000 * Hz, weight=0.25)
    never = PoissonInput(G[2:5], "x", 10, 0 * Hz, weight=1.0)
    sub = PoissonInput(G[2:5], "x", 2, 10000 * Hz, weight="0.5*i")
    trace = StateMonitor(G, ["v", "x"], record=True, name="pi_certain_trace")
    spikes = SpikeMonitor(G, name="pi_certain_spikes")
    Network(G, always, never, sub, trace, spikes).run(3 * ms)
    return dict(v=trace.v[:], x=trace.x[:], i=spikes.i[:], t=spikes.t[:])


def test_certain_poisson_input_exact():
    reference, genn = run_both(certain_input)
    assert len(reference["i"]) > 0
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    assert_traces_close(reference["v"], genn["v"], what="v")
    assert_traces_close(reference["x"], genn["x"], what="x")


def input_weighted_by_a_timed_array():
    """A weight that calls a TimedArray (Brian's Brunel & Wang 2001 example
    switches its stimuli so): its values reach the group's GeNN code."""
    stimulus = TimedArray(np.array([0.0, 1.0, 0.5, 0.0, 2.0]), dt=0.4 * ms)
    G = NeuronGroup(6, "dv/dt = -v/(5*ms) : 1", method="exact", name="pi_timed")
    sub = PoissonInput(G[1:4], "v", 2, 10000 * Hz, weight="stimulus(t) * (i + 1)")
    trace = StateMonitor(G, "v", record=True, name="pi_timed_trace")
    Network(G, sub, trace).run(2 * ms)
    return dict(v=trace.v[:])


def test_poisson_input_weighted_by_a_timed_array():
    reference, genn = run_both(input_weighted_by_a_timed_array)
    assert reference["v"][2].max() > 1
    assert_traces_close(reference["v"], genn["v"], what="v")


def random_input():
    seed(3)
    G = NeuronGroup(2000, "x : 1")
    # N*p = 2 (exact binomial draw) and N*p = 50 (Brian's normal approximation)
    small = PoissonInput(G[:1000], "x", 20, 1000 * Hz, weight=1.0)
    large = PoissonInput(G[1000:], "x", 500, 1000 * Hz, weight=1.0)
    Network(G, small, large).run(20 * ms)
    return dict(x=G.x[:])


def test_random_poisson_input_statistics():
    reference, genn = run_both(random_input)
    for part, mean in ((slice(0, 1000), 2 * 200), (slice(1000, 2000), 50 * 200)):
        for result in (reference, genn):
            x = result["x"][part]
            # sum of 200 draws of mean N*p and variance N*p*(1-p)
            n_p = mean / 200
            sd = np.sqrt(200 * n_p * 0.9)
            assert abs(x.mean() - mean) < 5 * sd / np.sqrt(1000)
            assert 0.8 * sd < x.std() < 1.2 * sd
