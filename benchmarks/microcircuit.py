"""The cortical microcircuit of Potjans & Diesmann (2014), written as a plain Brian 2 script.

Parameters are the published ones, as GeNN 5.4's own PyGeNN version
(``userproject/potjans_microcircuit.py``) uses them: 8 populations of LIF
neurons with exponentially decaying currents (layers 2/3, 4, 5, 6; E and I),
77,169 neurons and about 3e8 synapses at full scale, normally distributed
weights and per-synapse delays, Poisson background input, dt = 0.1 ms.

It is written the way a Brian user writes it (``connect(p=...)``, string
initialisers, `PoissonInput`, `SpikeMonitor`), in one of two shapes:

``shape='groups'``
    one `NeuronGroup` per population, one `SpikeMonitor` per population;
``shape='subgroups'``
    one `NeuronGroup` for all neurons, populations as subgroups ``P[a:b]``
    (the idiom of Brian's CUBA and COBAHH examples), one `SpikeMonitor`.

``scale`` scales the number of neurons and the in-degrees together (GeNN's
``--neuron-scale`` and ``--connectivity-scale`` with the same value), so every
connection probability is the full-scale one; weights grow by
``1/sqrt(scale)`` and a DC input replaces the missing mean input, as in the
reference. ``connect(p=...)`` uses the probability that gives the reference's
expected number of synapses (its ``FixedNumberTotalWithReplacement`` count).
"""

from __future__ import annotations

import numpy as np
from brian2 import (Network, NeuronGroup, PoissonInput, SpikeMonitor, Synapses, defaultclock,
                    Hz, ms, mV, nA, nF)

from benchmarks.models import _Timer

__all__ = ["build_microcircuit", "POPULATIONS", "population_sizes", "synapse_count",
           "connection_probability"]

LAYERS = ("23", "4", "5", "6")
POPULATIONS = tuple(layer + kind for layer in LAYERS for kind in ("E", "I"))
DT = 0.1 * ms

NUM_NEURONS = {"23E": 20683, "23I": 5834, "4E": 21915, "4I": 5479,
               "5E": 4850, "5I": 1065, "6E": 14395, "6I": 2948}
# probability of at least one connection; first key the target, second the source
CONNECTION_PROBABILITIES = {
    "23E": {"23E": 0.1009, "23I": 0.1689, "4E": 0.0437, "4I": 0.0818, "5E": 0.0323, "5I": 0.0, "6E": 0.0076, "6I": 0.0},
    "23I": {"23E": 0.1346, "23I": 0.1371, "4E": 0.0316, "4I": 0.0515, "5E": 0.0755, "5I": 0.0, "6E": 0.0042, "6I": 0.0},
    "4E": {"23E": 0.0077, "23I": 0.0059, "4E": 0.0497, "4I": 0.135, "5E": 0.0067, "5I": 0.0003, "6E": 0.0453, "6I": 0.0},
    "4I": {"23E": 0.0691, "23I": 0.0029, "4E": 0.0794, "4I": 0.1597, "5E": 0.0033, "5I": 0.0, "6E": 0.1057, "6I": 0.0},
    "5E": {"23E": 0.1004, "23I": 0.0622, "4E": 0.0505, "4I": 0.0057, "5E": 0.0831, "5I": 0.3726, "6E": 0.0204, "6I": 0.0},
    "5I": {"23E": 0.0548, "23I": 0.0269, "4E": 0.0257, "4I": 0.0022, "5E": 0.06, "5I": 0.3158, "6E": 0.0086, "6I": 0.0},
    "6E": {"23E": 0.0156, "23I": 0.0066, "4E": 0.0211, "4I": 0.0166, "5E": 0.0572, "5I": 0.0197, "6E": 0.0396, "6I": 0.2252},
    "6I": {"23E": 0.0364, "23I": 0.001, "4E": 0.0034, "4I": 0.0005, "5E": 0.0277, "5I": 0.008, "6E": 0.0658, "6I": 0.1443}}
NUM_EXTERNAL_INPUTS = {"23E": 1600, "23I": 1500, "4E": 2100, "4I": 1900,
                       "5E": 2000, "5I": 1900, "6E": 2900, "6I": 2100}
# full-scale mean rates (Hz), for the DC input that replaces missing synapses
MEAN_FIRING_RATES = {"23E": 0.971, "23I": 2.868, "4E": 4.746, "4I": 5.396,
                     "5E": 8.142, "5I": 9.078, "6E": 0.991, "6I": 7.523}
BACKGROUND_RATE = 8.0 * Hz
G = -4.0                      # relative inhibitory weight
MEAN_W = 87.8e-3              # nA
LAYER_23_4_W = 2.0 * MEAN_W   # L4E -> L2/3E
REL_W = 0.1
LAYER_23_4_RELW = 0.05
MEAN_DELAY = {"E": 1.5, "I": 0.75}    # ms
DELAY_SD = {"E": 0.75, "I": 0.375}    # ms
# the reference clips delays at the 0.9999 quantile of the normal distribution
_QUANTILE_9999 = 3.719016485455709

NEURON_EQUATIONS = """
dV/dt = (V_rest - V)/tau_m + (I + I_dc)/C_m : volt (unless refractory)
dI/dt = -I/tau_syn : amp
I_dc : amp
"""


def population_sizes(scale: float) -> dict[str, int]:
    """Neurons per population at ``scale``."""
    return {pop: int(round(scale * n)) for pop, n in NUM_NEURONS.items()}


def _full_in_degree(source: str, target: str) -> float:
    """The reference's full-scale mean number of inputs per target neuron."""
    n_src, n_trg = NUM_NEURONS[source], NUM_NEURONS[target]
    p = CONNECTION_PROBABILITIES[target][source]
    return int(round(np.log(1.0 - p) / np.log(float(n_trg * n_src - 1) / float(n_trg * n_src)))) / n_trg


def synapse_count(source: str, target: str, scale: float) -> int:
    """The reference's number of synapses from ``source`` to ``target``."""
    return int(round(_full_in_degree(source, target) * scale * population_sizes(scale)[target]))


def connection_probability(source: str, target: str, scale: float) -> float:
    """The ``connect(p=...)`` probability with `synapse_count` expected synapses."""
    sizes = population_sizes(scale)
    return synapse_count(source, target, scale) / (sizes[source] * sizes[target])


def _mean_weight(source: str, target: str) -> float:
    """Mean weight in nA at full scale."""
    if source.endswith("E"):
        return LAYER_23_4_W if (source == "4E" and target == "23E") else MEAN_W
    return G * MEAN_W


def _full_mean_input_current(target: str) -> float:
    current = sum(_mean_weight(src, target) * _full_in_degree(src, target) * MEAN_FIRING_RATES[src]
                  for src in POPULATIONS)
    return current + MEAN_W * NUM_EXTERNAL_INPUTS[target] * float(BACKGROUND_RATE / Hz)


def build_microcircuit(scale: float = 1.0, shape: str = "groups", monitor: bool = True,
                       network_seed: int | None = None) -> dict:
    """Build the microcircuit; returns the dict of `benchmarks.models` builders.

    Parameters
    ----------
    scale
        Neurons and in-degrees relative to the full model (0 < scale <= 1).
    shape
        ``'groups'`` (one NeuronGroup per population) or ``'subgroups'`` (one
        NeuronGroup, populations as slices).
    monitor
        Record all spikes (one SpikeMonitor per population, or one in all).
    network_seed
        Unused (kept for the harness's signature): the devices draw the network.
    """
    if shape not in ("groups", "subgroups"):
        raise ValueError(f"unknown microcircuit shape {shape!r} (use 'groups' or 'subgroups')")
    if network_seed is not None:
        raise ValueError("the microcircuit draws its network on the device; network_seed is not supported")
    timer = _Timer()
    defaultclock.dt = DT
    sizes = population_sizes(scale)
    w_scale = 1.0 / np.sqrt(scale)
    namespace = dict(V_rest=-65 * mV, V_reset=-65 * mV, V_th=-50 * mV, tau_m=10 * ms,
                     C_m=0.25 * nF, tau_syn=0.5 * ms, tau_ref=2 * ms)
    groups, synapses, monitors, rate_groups = {}, {}, {}, {}
    with timer("objects"):
        if shape == "subgroups":
            whole = NeuronGroup(sum(sizes.values()), NEURON_EQUATIONS, threshold="V > V_th",
                                reset="V = V_reset", refractory="tau_ref", method="exact",
                                namespace=namespace, name="neurons")
            start = 0
            for pop in POPULATIONS:
                groups[pop] = whole[start:start + sizes[pop]]
                if monitor:
                    rate_groups[pop] = ("spikes", start, start + sizes[pop], sizes[pop])
                start += sizes[pop]
            neuron_groups = [whole]
            if monitor:
                monitors["spikes"] = SpikeMonitor(whole, name="spikes")
        else:
            for pop in POPULATIONS:
                groups[pop] = NeuronGroup(sizes[pop], NEURON_EQUATIONS, threshold="V > V_th",
                                          reset="V = V_reset", refractory="tau_ref",
                                          method="exact", namespace=namespace, name=f"pop{pop}")
                if monitor:
                    monitors[f"spikes{pop}"] = SpikeMonitor(groups[pop], name=f"spikes{pop}")
                    rate_groups[pop] = (f"spikes{pop}", 0, sizes[pop], sizes[pop])
            neuron_groups = list(groups.values())
        inputs = []
        for pop in POPULATIONS:
            inputs.append(PoissonInput(groups[pop], "I", N=int(round(NUM_EXTERNAL_INPUTS[pop] * scale)),
                                       rate=BACKGROUND_RATE, weight=MEAN_W * w_scale * nA))
        for target in POPULATIONS:
            for source in POPULATIONS:
                if synapse_count(source, target, scale) == 0:
                    continue
                synapses[f"{source}_{target}"] = Synapses(
                    groups[source], groups[target], "w : amp (constant)", on_pre="I_post += w",
                    namespace=namespace, name=f"syn{source}_{target}")
    with timer("connect"):
        for name, syn in synapses.items():
            source, target = name.split("_")
            syn.connect(p=connection_probability(source, target, scale))
    with timer("init_synapses"):
        for name, syn in synapses.items():
            source, target = name.split("_")
            kind = source[-1]
            mean = _mean_weight(source, target) * w_scale
            spread = abs(mean) * (LAYER_23_4_RELW if (source == "4E" and target == "23E") else REL_W)
            bounds = "0*nA, w_max" if kind == "E" else "-w_max, 0*nA"
            syn.namespace.update(w_mean=mean * nA, w_sd=spread * nA, w_max=1e9 * nA,
                                 d_mean=MEAN_DELAY[kind] * ms, d_sd=DELAY_SD[kind] * ms,
                                 d_max=(MEAN_DELAY[kind] + DELAY_SD[kind] * _QUANTILE_9999) * ms)
            syn.w = f"clip(w_mean + w_sd*randn(), {bounds})"
            syn.delay = "clip(d_mean + d_sd*randn(), 0*ms, d_max)"
    with timer("init_neurons"):
        for pop in POPULATIONS:
            # DC input for the missing mean input of a down-scaled network (0 at full scale)
            groups[pop].I_dc = 0.001 * 0.5 * (1.0 - np.sqrt(scale)) * _full_mean_input_current(pop) * nA
            groups[pop].V = "-58*mV + 5*mV*randn()"
    with timer("objects"):
        net = Network(*neuron_groups, *inputs, *synapses.values(), *monitors.values())
    return dict(
        network=net, groups=groups, synapses=synapses, monitors=monitors,
        rate_groups=rate_groups, neuron_groups=neuron_groups, timings=dict(timer),
        info=dict(model="microcircuit", scale=scale, shape=shape, sizes=sizes,
                  expected_synapses=sum(synapse_count(s, t, scale)
                                        for s in POPULATIONS for t in POPULATIONS)),
    )
