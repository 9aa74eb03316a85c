"""Spike-timing-dependent plasticity after Song, Miller & Abbott (2000), scaled up.

A plain Brian 2 script of the paper's set-up as Brian's example
``frompapers/Song_Miller_Abbott_2000`` writes it: conductance-based LIF
neurons (Euler integration) driven by 1000 Poisson inputs at 15 Hz through
excitatory synapses with additive pair-based STDP (``Apre``/``Apost``
event-driven traces, weights clipped to ``[0, gmax]``, depression 5 %
stronger than potentiation). The example has one postsynaptic neuron; for a
GPU-sized benchmark ``n_post`` neurons each receive all ``n_inputs`` inputs
(``connect()``: all-to-all, ``n_inputs * n_post`` plastic synapses), each with
its own random initial weights ``rand()*gmax``. The membrane potential starts at
``vr`` (the example leaves it at 0 mV, above threshold).
"""

from __future__ import annotations

import numpy as np
from brian2 import Hz, Network, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses, defaultclock, ms, mV

from benchmarks.models import _Timer

__all__ = ["build_stdp", "PARAMETERS", "N_INPUTS", "INPUT_RATE", "DT"]

DT = 0.1 * ms
N_INPUTS = 1000
INPUT_RATE = 15 * Hz
_GMAX = 0.01
PARAMETERS = dict(taum=10 * ms, taupre=20 * ms, taupost=20 * ms, Ee=0 * mV, vt=-54 * mV,
                  vr=-60 * mV, El=-74 * mV, taue=5 * ms, gmax=_GMAX,
                  dApre=0.01 * _GMAX, dApost=-0.01 * 1.05 * _GMAX)

NEURON_EQUATIONS = """
dv/dt = (ge * (Ee - v) + El - v) / taum : volt
dge/dt = -ge / taue : 1
"""
SYNAPSE_EQUATIONS = """
w : 1
dApre/dt = -Apre / taupre : 1 (event-driven)
dApost/dt = -Apost / taupost : 1 (event-driven)
"""
ON_PRE = """
ge += w
Apre += dApre
w = clip(w + Apost, 0, gmax)
"""
ON_POST = """
Apost += dApost
w = clip(w + Apre, 0, gmax)
"""


def build_stdp(n_post: int = 1000, n_inputs: int = N_INPUTS, monitor: bool = True,
               network_seed: int | None = None) -> dict:
    """Build the network; returns the dict of `benchmarks.models` builders.

    Parameters
    ----------
    n_post
        Number of postsynaptic neurons (the benchmark's size).
    n_inputs
        Number of Poisson inputs, each connected to every postsynaptic neuron.
    monitor
        Record the spikes of the inputs (``input_spikes``) and of the
        neurons (``spikes``); rates ``input`` and ``post``.
    network_seed
        Draw the initial weights with ``numpy.random.RandomState(network_seed)``
        in Python (the connectivity is all-to-all, nothing else is random
        before the run) instead of ``rand()`` on the device.

    The dict also has ``observables``: a function returning the mean final
    weight relative to ``gmax`` (``w_mean_over_gmax``), read after the run.
    """
    timer = _Timer()
    defaultclock.dt = DT
    namespace = dict(PARAMETERS)
    with timer("objects"):
        inputs = PoissonGroup(n_inputs, rates=INPUT_RATE, name="inputs")
        neurons = NeuronGroup(n_post, NEURON_EQUATIONS, threshold="v > vt", reset="v = vr",
                              method="euler", namespace=namespace, name="neurons")
        synapses = Synapses(inputs, neurons, SYNAPSE_EQUATIONS, on_pre=ON_PRE, on_post=ON_POST,
                            namespace=namespace, name="stdp")
        monitors = {}
        if monitor:
            monitors["input_spikes"] = SpikeMonitor(inputs, name="input_spikes")
            monitors["spikes"] = SpikeMonitor(neurons, name="spikes")
    with timer("connect"):
        synapses.connect()
    with timer("init_synapses"):
        if network_seed is None:
            synapses.w = "rand() * gmax"
        else:
            rng = np.random.RandomState(network_seed)
            synapses.w = rng.uniform(0.0, _GMAX, size=n_inputs * n_post)
    with timer("init_neurons"):
        neurons.v = "vr"
    with timer("objects"):
        net = Network(inputs, neurons, synapses, *monitors.values())
    rate_groups = {}
    if monitor:
        rate_groups = {"input": ("input_spikes", 0, n_inputs, n_inputs),
                       "post": ("spikes", 0, n_post, n_post)}

    def observables() -> dict:
        return {"w_mean_over_gmax": float(np.mean(synapses.w[:]) / _GMAX)}

    return dict(
        network=net, groups={"inputs": inputs, "neurons": neurons},
        synapses={"stdp": synapses}, monitors=monitors, rate_groups=rate_groups,
        neuron_groups=[inputs, neurons], timings=dict(timer), observables=observables,
        info=dict(model="stdp", n_post=n_post, n_inputs=n_inputs,
                  input_rate_hz=float(INPUT_RATE / Hz), network_seed=network_seed),
    )
