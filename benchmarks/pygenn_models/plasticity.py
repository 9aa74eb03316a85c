"""The STDP network of `benchmarks.plasticity`, written directly in PyGeNN.

The same equations, parameters and update order as the Brian script:

* inputs: GeNN's ``Poisson`` neurons at 15 Hz (exponential inter-spike
  intervals; the ``PoissonNew`` of GeNN 4);
* neurons: a custom model with Euler steps of ``dv/dt = (ge*(Ee - v) + El - v)/taum``,
  threshold ``v > vt``, reset ``v = vr``; the conductance ``ge`` is the
  postsynaptic model's ``inSyn`` (``injectCurrent(inSyn*(Ee - V))``, then an
  Euler decay step with ``taue``), so an input spike of step n acts from
  step n + 1 as in Brian;
* synapses: ``DENSE`` (all-to-all) with a custom weight update model:
  pre- and postsynaptic traces kept per neuron (``Apre``/``Apost`` as they
  were just after the neuron's last spike, and that spike's time), decayed
  exactly to the current time when read, clipped additive updates. As in
  Brian, where ``on_pre`` runs before ``on_post`` in a step, the update of a
  presynaptic spike does not see a postsynaptic spike of the same step,
  while the update of a postsynaptic spike sees a presynaptic one.
"""

from __future__ import annotations

import os

import numpy as np

from benchmarks import plasticity as song
from benchmarks.pygenn_models import (PhaseTimer, genn_backend, genn_precision, kernel_times,
                                      recorded_rates, simulate)

__all__ = ["run"]

DT_MS = 0.1
#: spike time (ms) of a neuron that has not spiked yet
_NEVER = -1.0e9


def _ms(quantity) -> float:
    return float(quantity / song.ms)


def _mv(quantity) -> float:
    return float(quantity / song.mV)


def _models():
    """The custom neuron, postsynaptic and weight update models."""
    from pygenn import (VarAccessMode, create_neuron_model, create_postsynaptic_model,
                        create_weight_update_model)

    neuron = create_neuron_model(
        "song_lif", params=["taum", "El", "vt", "vr"], vars=[("V", "scalar")],
        sim_code="V += dt * (Isyn + El - V) / taum;",
        threshold_condition_code="V > vt", reset_code="V = vr;")
    conductance = create_postsynaptic_model(
        "song_conductance", params=["taue", "Ee"],
        neuron_var_refs=[("V", "scalar", VarAccessMode.READ_ONLY)],
        sim_code="""
        injectCurrent(inSyn * (Ee - V));
        inSyn -= dt * inSyn / taue;
        """)
    stdp = create_weight_update_model(
        "song_stdp", params=["taupre", "taupost", "dApre", "dApost", "gmax"],
        vars=[("w", "scalar")],
        pre_vars=[("Apre", "scalar"), ("tpre", "scalar")],
        post_vars=[("Apost", "scalar"), ("tpost", "scalar")],
        pre_spike_code="Apre = Apre * exp(-(t - tpre) / taupre) + dApre; tpre = t;",
        post_spike_code="Apost = Apost * exp(-(t - tpost) / taupost) + dApost; tpost = t;",
        pre_spike_syn_code="""
        addToPost(w);
        const scalar apost = (tpost == t) ? Apost - dApost
                                          : Apost * exp(-(t - tpost) / taupost);
        w = fmin(fmax(w + apost, 0.0), gmax);
        """,
        post_spike_syn_code="""
        const scalar apre = Apre * exp(-(t - tpre) / taupre);
        w = fmin(fmax(w + apre, 0.0), gmax);
        """)
    return neuron, conductance, stdp


def run(n_post: int, duration: float = 1.0, float_bits: int = 32,
        backend: str = "single_threaded_cpu", build_dir: str = ".",
        kernel_timing: bool = False, n_inputs: int = song.N_INPUTS) -> dict:
    """Build, load and simulate the network; timings, rates and counts.

    Parameters and the returned dict as `benchmarks.pygenn_models.microcircuit.run`
    (``n_post`` is the size), with the populations ``input`` and ``post`` and
    ``observables`` (``w_mean_over_gmax``, the mean final weight over ``gmax``,
    read after the timed phases).
    """
    from pygenn import (GeNNModel, create_var_ref, init_postsynaptic, init_var,
                        init_weight_update)

    p = song.PARAMETERS
    timer = PhaseTimer()
    n_steps = int(round(duration * 1000.0 / DT_MS))
    with timer("model"):
        model = GeNNModel(genn_precision(float_bits), "song_stdp", backend=genn_backend(backend))
        model.dt = DT_MS
        model.timing_enabled = kernel_timing
        neuron, conductance, stdp = _models()
        inputs = model.add_neuron_population(
            "input", n_inputs, "Poisson", {"rate": float(song.INPUT_RATE / song.Hz)},
            {"timeStepToSpike": 0.0})
        post = model.add_neuron_population(
            "post", n_post, neuron, {"taum": _ms(p["taum"]), "El": _mv(p["El"]),
                                     "vt": _mv(p["vt"]), "vr": _mv(p["vr"])},
            {"V": _mv(p["vr"])})
        populations = {"input": inputs, "post": post}
        for pop in populations.values():
            pop.spike_recording_enabled = True
        synapses = model.add_synapse_population(
            "stdp", "DENSE", inputs, post,
            init_weight_update(stdp, {"taupre": _ms(p["taupre"]), "taupost": _ms(p["taupost"]),
                                      "dApre": p["dApre"], "dApost": p["dApost"],
                                      "gmax": p["gmax"]},
                               {"w": init_var("Uniform", {"min": 0.0, "max": p["gmax"]})},
                               {"Apre": 0.0, "tpre": _NEVER}, {"Apost": 0.0, "tpost": _NEVER}),
            init_postsynaptic(conductance, {"taue": _ms(p["taue"]), "Ee": _mv(p["Ee"])},
                              var_refs={"V": create_var_ref(post, "V")}))
    with timer("build"):
        os.makedirs(build_dir, exist_ok=True)
        model.build(path_to_model=build_dir)
    with timer("load"):
        model.load(num_recording_timesteps=n_steps)
    simulate(model, n_steps, timer)
    with timer("download"):
        rates, spikes = recorded_rates(populations, duration)
    result = {"timings": dict(timer), "rates": rates, "spikes_per_population": spikes,
              "spikes": sum(spikes.values()), "neurons": n_inputs + n_post,
              "synapses": n_inputs * n_post, "synapses_per_group": {"stdp": n_inputs * n_post},
              "steps": n_steps}
    if kernel_timing:
        result["kernel_times"] = kernel_times(model)
    synapses.vars["w"].pull_from_device()
    result["observables"] = {
        "w_mean_over_gmax": float(np.mean(synapses.vars["w"].values) / p["gmax"])}
    model.unload()
    return result
