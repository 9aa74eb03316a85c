"""Translation of Brian's spike sources: `SpikeGeneratorGroup` (a GeNN
neuron model that replays time bins) and `PoissonGroup` (a neuron whose
threshold is Brian's own ``rand() < rates*dt``)."""

from __future__ import annotations

import numpy as np
from brian2.input.spikegeneratorgroup import SpikeGeneratorGroup

from ..model import GeNNVariable, NeuronPopulation
from .expressions import brian_step, clock_steps, part_conditions
from .templates import render

__all__ = ["translate_spike_generator"]


def translate_spike_generator(group: SpikeGeneratorGroup, simulation_dt: float,
                              record_spikes: bool, substeps: int = 1) -> NeuronPopulation:
    """A GeNN population replaying the spikes of ``group``.

    Each neuron walks through its own sorted time bins (an extra global
    parameter, in steps of the group's clock); with a period, the walk
    restarts at every period. A group whose dt is k GeNN steps emits at
    every k-th step. ``substeps`` is `ModelDescription.substeps`.
    """
    # the group's clock is at the run's first step
    first_step = int(group.clock.variables["timestep"].get_value()[0])
    indices = np.asarray(group.variables["neuron_index"].get_value(), dtype=np.int64)
    bins = np.asarray(group.variables["_timebins"].get_value(), dtype=np.int64)
    period = int(np.asarray(group.variables["_period_bins"].get_value()).reshape(-1)[0])
    order = np.lexsort((bins, indices))
    bins, indices = bins[order], indices[order]
    counts = np.bincount(indices, minlength=len(group))
    first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int32)
    end = (first + counts).astype(np.int32)
    local = first_step % period if period > 0 else first_step
    # the next spike of each neuron at the run's first step
    start = first + np.array([np.searchsorted(bins[f:e], local) for f, e in zip(first, end)],
                             dtype=np.int32)
    sim_code = render("spike_generator", period=period, step=brian_step(substeps),
                      second_part=part_conditions(substeps)[1],
                      every=clock_steps(group.clock.dt_, simulation_dt))
    variables = [GeNNVariable("first", "int32_t", first, read_only=True),
                 GeNNVariable("end", "int32_t", end, read_only=True),
                 GeNNVariable("next", "int32_t", start)]
    population = NeuronPopulation(
        name=group.name, group=group, size=len(group), variables=variables,
        sim_code=sim_code, threshold_code="bspike",
        egps={"bins": "int64_t*"}, record_spikes=record_spikes, spike_source_array=True,
        egp_values={"bins": bins if len(bins) else np.full(1, -1, dtype=np.int64)})
    return population
