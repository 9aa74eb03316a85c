"""Walk a Brian `Network` and describe it as a GeNN model."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from brian2 import prefs
from brian2.core.clocks import Clock
from brian2.groups.group import CodeRunner
from brian2.groups.neurongroup import NeuronGroup
from brian2.groups.subgroup import Subgroup
from brian2.monitors import EventMonitor, PopulationRateMonitor, StateMonitor

from brian2.input.poissongroup import PoissonGroup
from brian2.input.poissoninput import PoissonInput
from brian2.input.spikegeneratorgroup import SpikeGeneratorGroup
from brian2.synapses.synapses import Synapses

from ..model import ModelDescription
from .expressions import AFTER_THRESHOLDS
from .monitors import (source_group, source_range, spike_recording, state_recording,
                       synaptic_recording)
from .neurons import translate_neuron_group, unsupported
from .spikesources import translate_spike_generator
from .synapses import StepSchedule, has_step_code, summed_assignments, translate_synapses

__all__ = ["describe_network", "simulation_clock"]


def _contained(objects) -> set[int]:
    """Objects that others contain: translated with their container. Not
    Synapses, which Brian adds to their source's objects when they have a
    run_regularly operation."""
    ids = set()
    for obj in objects:
        for contained in getattr(obj, "contained_objects", ()):
            if isinstance(contained, Synapses):
                continue
            ids.add(id(contained))
            ids |= _contained([contained])
    return ids


def _is_operation(obj) -> bool:
    """Whether ``obj`` is a group's run_regularly operation (or Brian's
    hidden one for ``(constant over dt)`` subexpressions)."""
    return (isinstance(obj, CodeRunner) and obj.template == "stateupdate"
            and obj is not getattr(obj.group, "state_updater", None))


def simulation_clock(objects) -> Clock:
    """The one clock of all groups; monitors and run_regularly operations
    may tick at multiples of it (checked where they are translated)."""
    group_clocks = {obj.clock for obj in objects
                    if not isinstance(obj, (StateMonitor, EventMonitor, PopulationRateMonitor))
                    and not _is_operation(obj)}
    if len(group_clocks) > 1:
        dts = ", ".join(f"{c.name} (dt={c.dt})" for c in group_clocks)
        raise NotImplementedError(
            f"Network with several clocks for its groups ({dts}): several group clocks "
            "are not supported by the GeNN device. Workaround: use one dt for all "
            "groups and synapses (monitors and run_regularly operations may use "
            "multiples of it).")
    if group_clocks:
        return group_clocks.pop()
    return min((obj.clock for obj in objects), key=lambda c: c.dt_)


def _step_schedule(objects, positions: dict[int, int]) -> StepSchedule:
    """Where in Brian's order synaptic per-step code can run (see
    `StepSchedule`)."""
    updates = {obj.name: positions[id(obj.state_updater)] for obj in objects
               if isinstance(obj, NeuronGroup) and id(obj.state_updater) in positions}
    pathways = [positions[id(p)] for obj in objects if isinstance(obj, Synapses)
                for p in obj._pathways if id(p) in positions]
    return StepSchedule(positions=positions, updates=updates,
                        first_pathway=min(pathways, default=len(objects)))


def describe_network(objects) -> ModelDescription:
    """Describe the active ``objects`` of a prepared network as a GeNN model.

    Raises
    ------
    NotImplementedError
        For every Brian object or feature without a GeNN translation.
    """
    clock = simulation_clock(objects)
    dt = float(clock.dt_)
    precision = "double" if np.dtype(prefs.core.default_float_dtype) == np.float64 else "float"
    description = ModelDescription(precision=precision, dt=dt)
    contained = _contained(objects)
    groups, generators, synapses = [], [], []
    state_recordings = defaultdict(list)
    spike_recordings = defaultdict(list)
    spike_sources = set()
    #: custom events that EventMonitors record, by group name
    recorded_events = defaultdict(set)
    poisson_inputs = defaultdict(list)
    # ``objects`` are in Brian's order (schedule slot, order, name)
    positions = {id(obj): index for index, obj in enumerate(objects)}
    #: groups that monitors record from, by name
    monitored = {}
    for obj in objects:
        if id(obj) in contained or isinstance(obj, Subgroup):
            continue
        if isinstance(obj, (NeuronGroup, PoissonGroup)):
            groups.append(obj)
        elif isinstance(obj, SpikeGeneratorGroup):
            generators.append(obj)
        elif isinstance(obj, Synapses):
            synapses.append(obj)
        elif isinstance(obj, PoissonInput):
            if obj.when not in AFTER_THRESHOLDS or obj.when in ("resets", "after_resets",
                                                                "before_end", "end"):
                raise unsupported(obj, f"a PoissonInput in the '{obj.when}' slot",
                                  "use the default slot (when='synapses').")
            poisson_inputs[source_group(obj.group).name].append(
                (obj, source_range(obj.group)))
        elif isinstance(obj, StateMonitor):
            group = source_group(obj.source)
            if isinstance(group, Synapses):
                description.synaptic_recordings.append(synaptic_recording(obj, dt))
                continue
            if not isinstance(group, NeuronGroup):
                raise unsupported(obj, f"recording from {type(group).__name__} "
                                  f"'{group.name}'", "record from NeuronGroups or "
                                  "Synapses.")
            state_recordings[group.name].append(state_recording(obj, dt))
            monitored[group.name] = group
        elif isinstance(obj, (EventMonitor, PopulationRateMonitor)):
            group = source_group(obj.source)
            event = getattr(obj, "event", "spike")
            if event == "spike":
                spike_sources.add(group.name)
            else:
                recorded_events[group.name].add(event)
            monitored[group.name] = group
            description.spike_monitors.setdefault(group.name, []).append(obj)
            if isinstance(obj, EventMonitor):
                recording = spike_recording(obj, len(group), positions)
                if recording is not None:
                    spike_recordings[group.name].append(recording)
        else:
            raise unsupported(obj, "this kind of object",
                              "remove it from the network, or run it with Brian's "
                              "runtime device.")
    # Brian's monitors record an inactive group's unchanging values (and no
    # spikes): the group becomes a population whose operations are all left
    # out (see `translate_neuron_group`), where it would else be dropped
    # with its recordings
    names = {group.name for group in groups}
    groups += [group for name, group in monitored.items()
               if name not in names and isinstance(group, (NeuronGroup, PoissonGroup))]
    # ``objects`` are in Brian's order (schedule slot, order, name)
    positions = {id(obj): index for index, obj in enumerate(objects)}
    synapses = [obj for obj in synapses if len(obj)]  # no synapse, no effect
    if any(has_step_code(obj) for obj in synapses):
        description.substeps = 2
    schedule = _step_schedule(objects, positions)
    inputs = defaultdict(list)
    references = defaultdict(set)
    summed = defaultdict(list)
    for obj in synapses:
        for group_name, items in summed_assignments(obj).items():
            summed[group_name] += items
        for population in translate_synapses(obj, description.genn_dt, schedule):
            description.synapses.append(population)
            if population.post_target and population.post_target.startswith("Isyn_"):
                target_var = population.post_target[len("Isyn_"):]
                if (target_var, population.post_target) not in inputs[population.target]:
                    inputs[population.target].append((target_var, population.post_target))
            for role, name, _ in population.neuron_references.values():
                references[population.source if role == "pre" else population.target].add(name)
            for name in (population.pre_target, population.post_target):
                if name and name.startswith("Isum_"):
                    # the summed variable, set by the neuron code
                    group = population.source if name == population.pre_target else \
                        population.target
                    references[group].add(name[len("Isum_"):])
    description.connectivity_key = tuple((s.name, len(s.pre_indices)) for s in description.synapses)
    first_step = int(clock.variables["timestep"].get_value()[0])
    for group in generators:
        description.neurons.append(translate_spike_generator(
            group, first_step, record_spikes=group.name in spike_sources,
            substeps=description.substeps))
    for group in groups:
        description.neurons.append(translate_neuron_group(
            group, extra_names=references[group.name], positions=positions,
            state_recordings=state_recordings.pop(group.name, []),
            spike_recordings=spike_recordings.pop(group.name, []),
            inputs=inputs[group.name], poisson_inputs=poisson_inputs.pop(group.name, []),
            summed=summed.pop(group.name, []), record_spikes=group.name in spike_sources,
            recorded_events=recorded_events.pop(group.name, set()),
            substeps=description.substeps))
    known = {p.name for p in description.neurons}
    for population in description.synapses:
        for name in (population.source, population.target):
            if name not in known:
                raise NotImplementedError(
                    f"Synapses '{population.name}': its source or target '{name}' is not "
                    "part of the network. Workaround: add it to the network.")
    return description
