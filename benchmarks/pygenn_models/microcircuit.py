"""The Potjans & Diesmann (2014) cortical microcircuit, written directly in PyGeNN.

The reference for timing the genn device on `benchmarks.microcircuit`: the
model as GeNN's authors wrote it in the example that ships with GeNN 5.4
(``userproject/potjans_microcircuit.py``, GeNN, LGPL), restructured into one
function that times each phase. Parameters, tables and scaling rules are
those of `benchmarks.microcircuit` (the same published values as GeNN's
example), with GeNN's modelling and performance choices kept:

* ``LIF`` neurons (exact integration, ``Ioffset`` = the DC input of a scaled
  network) with a ``PoissonExp`` current source per population for the
  background input;
* ``ExpCurr`` postsynaptic models, fused where GeNN can
  (``fuse_postsynaptic_models``), narrow sparse indices;
* ``StaticPulseDendriticDelay`` synapses with ``NormalClipped`` weights and
  ``NormalClippedDelay`` delays, one maximum dendritic delay for all groups;
* ``SPARSE`` connectivity drawn on the device with
  ``FixedNumberTotalWithReplacement`` (the expected synapse count of each
  pathway, see `benchmarks.microcircuit.synapse_count`);
* spike recording of every population, downloaded once after the loop.

``scale`` is GeNN's ``--neuron-scale`` and ``--connectivity-scale`` at once.
"""

from __future__ import annotations

import os

import numpy as np

from benchmarks import microcircuit as mc
from benchmarks.pygenn_models import (PhaseTimer, genn_backend, genn_precision, kernel_times,
                                      recorded_rates, simulate)

__all__ = ["run"]

DT_MS = 0.1


def _max_delays_ms() -> dict[str, float]:
    """Delays are drawn from normal distributions cut at their 0.9999 quantile."""
    return {kind: mc.MEAN_DELAY[kind] + mc.DELAY_SD[kind] * mc._QUANTILE_9999
            for kind in ("E", "I")}


def _add_populations(model, scale: float) -> dict:
    """One LIF population with its Poisson background per microcircuit population."""
    from pygenn import init_var

    sizes = mc.population_sizes(scale)
    background_hz = float(mc.BACKGROUND_RATE / mc.Hz)
    populations = {}
    for name in mc.POPULATIONS:
        dc_input = 0.001 * 0.5 * (1.0 - np.sqrt(scale)) * mc._full_mean_input_current(name)
        lif_params = {"C": 0.25, "TauM": 10.0, "Vrest": -65.0, "Vreset": -65.0,
                      "Vthresh": -50.0, "Ioffset": dc_input, "TauRefrac": 2.0}
        lif_vars = {"V": init_var("Normal", {"mean": -58.0, "sd": 5.0}), "RefracTime": 0.0}
        pop = model.add_neuron_population(name, sizes[name], "LIF", lif_params, lif_vars)
        pop.spike_recording_enabled = True
        background = {"weight": mc.MEAN_W / np.sqrt(scale), "tauSyn": 0.5,
                      "rate": mc.NUM_EXTERNAL_INPUTS[name] * scale * background_hz}
        model.add_current_source(f"{name}_poisson", "PoissonExp", pop, background,
                                 {"current": 0.0})
        populations[name] = pop
    return populations


def _add_pathways(model, populations: dict, scale: float) -> dict[str, int]:
    """The sparse, delayed pathways between populations; their synapse counts."""
    from pygenn import init_postsynaptic, init_sparse_connectivity, init_var, init_weight_update

    max_delay = _max_delays_ms()
    # one maximum for all groups lets GeNN merge more postsynaptic models
    delay_slots = int(round(max(max_delay.values()) / DT_MS))
    big = float(np.finfo(np.float32).max)
    counts = {}
    for target in mc.POPULATIONS:
        for source in mc.POPULATIONS:
            n_synapses = mc.synapse_count(source, target, scale)
            if n_synapses == 0:
                continue
            kind = source[-1]
            mean = mc._mean_weight(source, target) / np.sqrt(scale)
            relative_sd = (mc.LAYER_23_4_RELW if (source == "4E" and target == "23E")
                           else mc.REL_W)
            bounds = {"min": 0.0, "max": big} if kind == "E" else {"min": -big, "max": 0.0}
            weight = init_var("NormalClipped", {"mean": mean, "sd": abs(mean) * relative_sd,
                                                **bounds})
            delay = init_var("NormalClippedDelay", {"mean": mc.MEAN_DELAY[kind],
                                                    "sd": mc.DELAY_SD[kind], "min": 0.0,
                                                    "max": max_delay[kind]})
            group = model.add_synapse_population(
                f"{source}_{target}", "SPARSE", populations[source], populations[target],
                init_weight_update("StaticPulseDendriticDelay", {}, {"g": weight, "d": delay}),
                init_postsynaptic("ExpCurr", {"tau": 0.5}),
                init_sparse_connectivity("FixedNumberTotalWithReplacement", {"num": n_synapses}))
            group.max_dendritic_delay_timesteps = delay_slots
            counts[f"{source}_{target}"] = n_synapses
    return counts


def run(scale: float, duration: float = 1.0, float_bits: int = 32,
        backend: str = "single_threaded_cpu", build_dir: str = ".",
        kernel_timing: bool = False) -> dict:
    """Build, load and simulate the microcircuit; timings, rates and counts.

    Parameters
    ----------
    scale
        Neurons and in-degrees relative to the full model (0 < scale <= 1).
    duration
        Simulated time in seconds.
    float_bits
        32 (``float``) or 64 (``double``) for the model's precision.
    backend
        ``'cuda'`` or ``'single_threaded_cpu'`` (or the harness's
        ``'pygenn-cuda'``/``'pygenn-cpu'``).
    build_dir
        Where GeNN writes and compiles the model's code.
    kernel_timing
        Turn on GeNN's kernel timers (``timing_enabled``).

    Returns
    -------
    dict
        ``timings`` (seconds: ``model`` creating the PyGeNN model, ``build``
        code generation and compilation, ``load`` allocation and
        initialisation incl. the sparse connectivity, ``simulation`` the
        stepping loop and copying the spike recordings to the host, of which
        ``recording_pull`` is the copy, ``download`` decoding the
        recordings), ``rates`` (Hz) and ``spikes_per_population``, ``spikes``,
        ``neurons``, ``synapses`` and ``synapses_per_group``, and with
        ``kernel_timing`` ``kernel_times`` (seconds per GeNN kernel).
    """
    from pygenn import GeNNModel, VarLocation

    timer = PhaseTimer()
    n_steps = int(round(duration * 1000.0 / DT_MS))
    with timer("model"):
        model = GeNNModel(genn_precision(float_bits), "potjans_microcircuit",
                          backend=genn_backend(backend))
        model.dt = DT_MS
        model.fuse_postsynaptic_models = True
        model.default_narrow_sparse_ind_enabled = True
        model.timing_enabled = kernel_timing
        model.default_var_location = VarLocation.DEVICE
        model.default_sparse_connectivity_location = VarLocation.DEVICE
        populations = _add_populations(model, scale)
        synapse_counts = _add_pathways(model, populations, scale)
    with timer("build"):
        os.makedirs(build_dir, exist_ok=True)
        model.build(path_to_model=build_dir)
    with timer("load"):
        model.load(num_recording_timesteps=n_steps)
    simulate(model, n_steps, timer)
    with timer("download"):
        rates, spikes = recorded_rates(populations, duration)
    result = {"timings": dict(timer), "rates": rates, "spikes_per_population": spikes,
              "spikes": sum(spikes.values()),
              "neurons": sum(pop.num_neurons for pop in populations.values()),
              "synapses": sum(synapse_counts.values()), "synapses_per_group": synapse_counts,
              "steps": n_steps}
    if kernel_timing:
        result["kernel_times"] = kernel_times(model)
    model.unload()
    return result
