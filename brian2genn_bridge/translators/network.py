"""Walk a Brian `Network` and describe it as a GeNN model."""

from __future__ import annotations

from collections import defaultdict

from brian2.core.clocks import Clock
from brian2.groups.group import CodeRunner
from brian2.groups.neurongroup import NeuronGroup
from brian2.groups.subgroup import Subgroup
from brian2.input.poissongroup import PoissonGroup
from brian2.input.poissoninput import PoissonInput
from brian2.input.spikegeneratorgroup import SpikeGeneratorGroup
from brian2.monitors import EventMonitor, PopulationRateMonitor, StateMonitor
from brian2.spatialneuron.spatialneuron import SpatialNeuron
from brian2.synapses.synapses import Synapses

from ..model import ModelDescription
from ..options import RunOptions
from .delays import changed_by_group, delayed_neuron_reads
from .effects import check_input_order
from .links import check_link_order, find_links, link_population
from .expressions import AFTER_THRESHOLDS, clock_steps, genn_identifier
from ..subgroups import source_group, source_range
from .monitors import spike_recording, state_recording, synaptic_recording
from ..errors import HostSynapsesNeeded, unsupported
from .neurons import translate_neuron_group
from .assignments import written_variables
from .spans import assign_spans
from .spikesources import translate_spike_generator
from .synapse_dynamics import StepSchedule, early_writes, has_step_code, summed_assignments
from .synapses import translate_synapses

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


def _group_clocks(objects) -> set[Clock]:
    """The clocks of the groups (not of monitors and run_regularly operations)."""
    return {obj.clock for obj in objects
            if not isinstance(obj, (StateMonitor, EventMonitor, PopulationRateMonitor))
            and not _is_operation(obj)}


def simulation_clock(objects) -> Clock:
    """The clock of GeNN's time step: the groups' clock with the smallest dt.

    The other groups' clocks must tick at integer multiples of it: a group
    is updated every k GeNN steps, and code spells its ``t`` and ``dt`` as
    Brian's (`expressions.clock_time`). Monitors and run_regularly
    operations may tick at multiples of it too (checked where they are
    translated).
    """
    group_clocks = _group_clocks(objects)
    clock = min(group_clocks or {obj.clock for obj in objects}, key=lambda c: c.dt_)
    others = sorted((c for c in group_clocks if clock_steps(c.dt_, clock.dt_) is None),
                    key=lambda c: c.name)
    if others:
        dts = ", ".join(f"{c.name} (dt={c.dt})" for c in others)
        raise NotImplementedError(
            f"Network with group clocks whose dt is not an integer multiple of the "
            f"smallest ({clock.name}, dt={clock.dt}): {dts}: such clocks are not "
            "supported by the GeNN device. Workaround: use integer multiples of the "
            "smallest dt.")
    return clock


def _step_schedule(objects, positions: dict[int, int]) -> StepSchedule:
    """Where in Brian's order synaptic per-step code can run (see
    `StepSchedule`)."""
    updates = {obj.name: positions[id(obj.state_updater)] for obj in objects
               if isinstance(obj, NeuronGroup) and id(obj.state_updater) in positions}
    pathways = [positions[id(p)] for obj in objects if isinstance(obj, Synapses)
                for p in obj._pathways if id(p) in positions]
    neuron_writes = defaultdict(list)
    for obj in objects:
        if not isinstance(obj, CodeRunner) or getattr(obj, "group", None) is None:
            continue
        group = source_group(obj.group)
        if isinstance(group, NeuronGroup) and obj.abstract_code:
            written = written_variables(obj.abstract_code)
            if getattr(obj, "event", None) == "spike" and obj.template == "threshold":
                # Brian's threshold template sets these for spiking neurons
                written |= {"not_refractory", "lastspike"}
            neuron_writes[group.name].append(
                (positions[id(obj)], obj.when not in AFTER_THRESHOLDS, written))
    return StepSchedule(positions=positions, updates=updates,
                        first_pathway=min(pathways, default=len(objects)),
                        neuron_writes=dict(neuron_writes))


def _place_synaptic_sample(recording, schedule: StepSchedule) -> None:
    """Take the 'start' samples of a synaptic StateMonitor after the early
    per-step operations (see `StepSchedule`) where those come first in
    Brian's order and change what it records."""
    monitor = recording.monitor
    synapses = source_group(monitor.source)
    if recording.when != "start":
        return
    position = schedule.positions[id(monitor)]
    before = [at < position for at, written in early_writes(synapses, schedule)
              if written & set(recording.variables)]
    if any(before) and not all(before):
        raise unsupported(monitor, "recording variables between synaptic operations of "
                          "one step that change them",
                          "record before or after all of them (StateMonitor(..., "
                          "order=-10 or order=10)).")
    recording.after_early = any(before)


def describe_network(objects, options: RunOptions,
                     pending: dict | None = None) -> ModelDescription:
    """Describe the active ``objects`` of a prepared network as a GeNN model,
    in a run with ``options`` (float type, kernel timing, matrix types and
    spans of Synapses, delay groups); ``pending``: the Synapses whose
    synapses GeNN makes, by name (see `translate_synapses`).

    Raises
    ------
    NotImplementedError
        For every Brian object or feature without a GeNN translation.
    HostSynapsesNeeded
        Where ``pending`` synapses are needed in Brian's arrays.
    """
    pending = pending or {}
    for obj in objects:
        if isinstance(obj, SpatialNeuron):
            # its cable equation couples the compartments through a solver
            # for the whole morphology, which a GeNN neuron model (one
            # neuron's code, no access to the others') cannot hold
            raise unsupported(obj, "multi-compartment models (SpatialNeuron)",
                              "run the network with Brian's runtime or cpp_standalone "
                              "device, or model the compartments as NeuronGroups coupled "
                              "by Synapses.")
    clock = simulation_clock(objects)
    dt = float(clock.dt_)
    description = ModelDescription(precision=options.precision, dt=dt,
                                   kernel_timing=options.kernel_timing)
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
            if clock_steps(obj.clock.dt_, dt) != 1:
                raise unsupported(obj, f"a PoissonInput with a dt ({obj.clock.dt}) larger "
                                  "than the network's smallest",
                                  "give its target group the smallest dt.")
            poisson_inputs[source_group(obj.group).name].append(
                (obj, source_range(obj.group)))
        elif isinstance(obj, StateMonitor):
            group = source_group(obj.source)
            if isinstance(group, Synapses):
                if group.name in pending:
                    raise HostSynapsesNeeded(group, f"StateMonitor '{obj.name}' records them")
                recording, neuron_parts = synaptic_recording(obj, dt, positions)
                description.synaptic_recordings.append(recording)
                for neurons, part in neuron_parts:
                    state_recordings[neurons.name].append(part)
                    monitored[neurons.name] = neurons
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
    links = find_links(objects)
    for group_links in links.values():
        for link in group_links:
            monitored.setdefault(link.source.name, link.source)
    # Brian's monitors record an inactive group's unchanging values (and no
    # spikes), and links read them: the group becomes a population whose
    # operations are all left out (see `translate_neuron_group`), where it
    # would else be dropped with its recordings
    names = {group.name for group in groups}
    inactive = [group for name, group in monitored.items()
                if name not in names and isinstance(group, (NeuronGroup, PoissonGroup))]
    groups += inactive
    # no synapse, no effect
    synapses = [obj for obj in synapses if obj.name in pending or len(obj)]
    if (any(has_step_code(obj) for obj in synapses)
            or check_link_order(objects, links, positions) > 1):
        description.substeps = 2
        slower = sorted(c.name for c in _group_clocks(objects) if c.dt_ != clock.dt_)
        if slower:
            raise NotImplementedError(
                f"Network with clock-driven synapses, summed variables, synaptic "
                f"run_regularly operations or linked variables read before a change "
                f"later in the step, and groups on slower clocks ({slower}) is not "
                "supported by the GeNN device. Workaround: use one dt for all groups.")
    schedule = _step_schedule(objects, positions)
    for recording in description.synaptic_recordings:
        _place_synaptic_sample(recording, schedule)
    inputs = defaultdict(list)
    event_inputs = defaultdict(list)
    spiker_statements = defaultdict(list)
    references = defaultdict(set)
    summed = defaultdict(list)
    for obj in synapses:
        for group_name, items in summed_assignments(obj).items():
            summed[group_name] += items
        for population in translate_synapses(obj, description.genn_dt, options, schedule,
                                             pending.get(obj.name)):
            description.synapses.append(population)
            if population.event_code:
                event_inputs[population.target].append((population.post_target,
                                                        population.event_code))
            elif population.post_target and population.post_target.startswith("Isyn_"):
                target_var = population.post_target[len("Isyn_"):]
                if (target_var, population.post_target) not in inputs[population.target]:
                    inputs[population.target].append((target_var, population.post_target))
            if population.pre_target and population.pre_target.startswith("Ipre_"):
                target_var = population.pre_target[len("Ipre_"):]
                if (target_var, population.pre_target) not in inputs[population.source]:
                    inputs[population.source].append((target_var, population.pre_target))
            for statements in population.spiker_statements:
                spiker_statements[statements.group].append(statements)
            for role, name, _ in population.neuron_references.values():
                references[population.source if role == "pre" else population.target].add(name)
            for name in (population.pre_target, population.post_target):
                if name and name.startswith("Isum_"):
                    # the summed variable, set by the neuron code
                    group = population.source if name == population.pre_target else \
                        population.target
                    references[group].add(name[len("Isum_"):])
    assign_spans(description.synapses, options)
    for group_links in links.values():
        for link in group_links:
            population = link_population(link, options.float_dtype)
            description.synapses.append(population)
            references[population.source].add(genn_identifier(link.variable.name))
    for group in generators:
        description.neurons.append(translate_spike_generator(
            group, dt, record_spikes=group.name in spike_sources,
            substeps=description.substeps))
    _check_unchanged_delayed_reads(description.synapses, groups + generators, inputs,
                                   event_inputs, spiker_statements, summed)
    for group in groups:
        check_input_order(group, inputs[group.name], event_inputs[group.name],
                          spiker_statements.get(group.name, []))
        description.neurons.append(translate_neuron_group(
            group, extra_names=references[group.name], positions=positions,
            state_recordings=state_recordings.pop(group.name, []),
            spike_recordings=spike_recordings.pop(group.name, []),
            inputs=inputs[group.name], poisson_inputs=poisson_inputs.pop(group.name, []),
            summed=summed.pop(group.name, []), event_inputs=event_inputs[group.name],
            spiker_statements=spiker_statements.pop(group.name, []),
            record_spikes=group.name in spike_sources,
            recorded_events=recorded_events.pop(group.name, set()), simulation_dt=dt,
            substeps=description.substeps, links=links.get(group.name, ())))
    for statements in (s for group_statements in spiker_statements.values()
                       for s in group_statements):
        raise NotImplementedError(
            f"Synapses pathway '{statements.pathway}': statements that change variables of "
            f"'{statements.group}' (not a NeuronGroup) are not supported by the GeNN "
            "device. Workaround: change variables of NeuronGroups only.")
    known = {p.name for p in description.neurons}
    for population in description.synapses:
        for name, group in ((population.source, getattr(population.synapses, "source", None)),
                            (population.target, getattr(population.synapses, "target", None))):
            if isinstance(group, Synapses):
                raise unsupported(population.synapses, f"a Synapses ('{group.name}') as "
                                  "source or target (Synapses acting on Synapses)",
                                  "model the modulated quantity as a variable of a "
                                  "NeuronGroup, or run the network with Brian's runtime "
                                  "or cpp_standalone device.")
            if name not in known:
                raise NotImplementedError(
                    f"Synapses '{population.name}': its source or target '{name}' is not "
                    "part of the network, or inactive (active=False). Workaround: add it "
                    "to the network and keep it active, or make the Synapses inactive too.")
        _check_inactive_targets(population, {group.name for group in inactive})
    return description


def _check_inactive_targets(population, inactive: set[str]) -> None:
    """Raise `NotImplementedError` where the synaptic code of ``population``
    changes variables of an inactive group (``active=False``).

    Brian still runs the Synapses' statements and summed variables on such a
    group, whose own operations stop; the device applies synaptic input and
    summed variables in the target's neuron code, which an inactive group
    does not run (found by the differential fuzzer: a summed variable stayed
    at 0)."""
    for group, target in ((population.target, population.post_target),
                          (population.source, population.pre_target)):
        if group in inactive and target:
            raise unsupported(population.synapses, f"changes to variables of the inactive "
                              f"group '{group}' (active=False), which Brian still makes",
                              "keep the group active (e.g. make its equations do nothing "
                              "instead), or make the Synapses inactive too.")


def _check_unchanged_delayed_reads(populations, groups, inputs, event_inputs,
                                   spiker_statements, summed) -> None:
    """Reject delayed reads of neuron variables (see
    `delays.delayed_neuron_reads`) that change during the run: through
    their group's own code or through synaptic input."""
    by_name = {group.name: group for group in groups}
    for population in populations:
        for group, name in delayed_neuron_reads(population):
            codes = ([code for _, code in event_inputs[group]]
                     + [statements.code for statements in spiker_statements.get(group, [])]
                     + [operation.code for operation in summed.get(group, [])])
            changed = (name in {target for target, _ in inputs[group]}
                       or any(name in written_variables(code) for code in codes)
                       or group in by_name and name in changed_by_group(by_name[group]))
            if changed:
                raise unsupported(population.synapses, f"reading '{group}.{name}', which "
                                  "changes during the run, in synaptic code with a delay "
                                  "(GeNN reads the value of the step when the spike was "
                                  "emitted, Brian the value when the code runs)",
                                  "use no delay for this Synapses, or read only variables "
                                  "that do not change during the run (e.g. parameters "
                                  "marked constant); code of every step (summed variables, "
                                  "clock-driven equations) can go into a second Synapses "
                                  "with the same connections and no delay.")
