"""Translation of a `NeuronGroup` into a GeNN neuron population."""

from __future__ import annotations

import re

import numpy as np
from brian2 import second
from brian2.core.variables import ArrayVariable

from ..errors import unsupported
from ..model import EventCheck, GeNNVariable, NeuronPopulation, SpikeRecording
from .expressions import (AFTER_THRESHOLDS, brian_step, clock_steps, clock_time, genn_ctype,
                          genn_data_type, genn_identifier, in_previous_step, part_conditions)
from .functions import function_data
from .integration import gsl_state_update, is_gsl
from .random_numbers import neuron_stream_key, new_seed, uses_random
from .operations import (RegularOperation, regular_operations, schedule_operations,
                         written_shared_variables)
from .templates import render

__all__ = ["translate_neuron_group", "neuron_variables"]


def _code(runner) -> str:
    """The GeNN code of one of a group's operations; none for an inactive one
    (Brian skips it; all are inactive in a group with ``active=False``)."""
    if runner is None or not runner.active or not runner.codeobj:
        return ""
    return str(runner.codeobj.code).strip()


def neuron_variables(group) -> dict[str, ArrayVariable]:
    """The group's own per-neuron Brian arrays, by GeNN name."""
    result = {}
    for name, var in group.variables.items():
        if (isinstance(var, ArrayVariable) and not name.startswith("_")
                and getattr(var.owner, "name", None) == group.name
                and not var.scalar and name != "i" and var.size == len(group)):
            result[genn_identifier(name)] = var
    return result


def check_neuron_group(group) -> None:
    """Raise `NotImplementedError` for features of ``group`` GeNN lacks."""
    for event in _custom_events(group):
        resetter = group.resetter.get(event)
        if resetter is not None and resetter.when not in AFTER_THRESHOLDS:
            raise unsupported(group, f"running the code of the custom event '{event}' in "
                              f"the '{resetter.when}' slot",
                              "run it in a slot after 'thresholds' (the default "
                              "'after_resets').")


def _custom_events(group) -> list[str]:
    """The custom events of ``group`` (all its events but spikes)."""
    return [event for event in getattr(group, "events", {}) if event != "spike"]


def _event_items(group, recorded_events, recordings) -> tuple[list[str], list]:
    """The custom events of ``group`` that are checked in Brian's step up to
    its thresholds (see `EventCheck.late`), and the ``(Brian object, item)``
    pairs of the sim code of all (see `schedule_operations`): conditions,
    the code they trigger, and the recordings of EventMonitors. An event
    whose condition is inactive does not happen."""
    events, items = [], []
    for event in _custom_events(group):
        thresholder = group.thresholder[event]
        late = thresholder.when in AFTER_THRESHOLDS
        if not late:
            events.append(event)
        code = _code(thresholder)
        if not code:
            continue
        items.append((thresholder, EventCheck(
            event=event, code=in_previous_step(code) if late else code, when=thresholder.when,
            record=event in recorded_events, n_neurons=len(group), late=late)))
        resetter = group.resetter.get(event)
        code = _code(resetter)
        if code:
            # like the spike reset, of Brian's previous step (its template
            # already writes Brian's t as GeNN's t - dt)
            items.append((resetter, RegularOperation(
                name=resetter.name, when=resetter.when, code=code,
                conditions=[f"bevented_{event}"])))
    items += [(rec.monitor, rec) for rec in recordings if rec.event in events]
    return events, items


def _code_objects(group, operations, state_recordings, spike_recordings) -> list:
    """The code objects whose code ends up in the group's GeNN model."""
    runners = [getattr(group, "state_updater", None),
               *getattr(group, "thresholder", {}).values(),
               *getattr(group, "resetter", {}).values(), *operations]
    runners += [rec.monitor for rec in list(state_recordings) + list(spike_recordings)]
    return [runner.codeobj for runner in runners
            if runner is not None and runner.codeobj is not None]


def translate_neuron_group(group, extra_names: set[str], positions: dict[int, int],
                           state_recordings=(), spike_recordings=(),
                           inputs=(), poisson_inputs=(), summed=(), event_inputs=(),
                           spiker_statements=(), record_spikes: bool = False,
                           recorded_events=(), simulation_dt: float | None = None,
                           substeps: int = 1, links=()) -> NeuronPopulation:
    """Build the GeNN population of ``group``.

    Parameters
    ----------
    group
        The `NeuronGroup` or `PoissonGroup`, after `Network.before_run` made its code objects.
    extra_names
        GeNN names of variables that other populations (synapses) read.
    positions
        ``id(obj) -> index`` of the network's objects in Brian's order: the
        order of run_regularly operations and monitors in the sim code.
    state_recordings, spike_recordings
        `StateRecording`/`SpikeRecording` of monitors on this group
        (SpikeMonitors and EventMonitors).
    inputs
        ``(target variable, additional input variable)`` pairs: synaptic
        input that Brian added in the previous step's 'synapses' slot.
    event_inputs
        ``(additional input variable, code)`` pairs: statements of synaptic
        pathways to run once per event counted in the input variable.
    spiker_statements
        `SpikerStatements` of synaptic pathways for this group's spikes.
    poisson_inputs
        ``(PoissonInput, (start, stop))`` of the inputs that target ``group``
        or its neurons ``[start, stop)``.
    summed
        `RegularOperation` items that set the group's summed variables (see
        `translators.synapse_dynamics.summed_assignments`).
    record_spikes
        Whether a monitor needs GeNN's spike recording.
    recorded_events
        The custom events that EventMonitors record.
    simulation_dt
        Brian's dt of the simulation clock (default: the group's dt). A group
        whose dt is k of them updates (and spikes) every k-th step; synaptic
        input reaches it in every step, as in Brian.
    substeps
        GeNN steps per Brian step (`ModelDescription.substeps`).
    links
        `links.Link` values of other groups that the group's code reads.
    """
    check_neuron_group(group)
    # the recordings are made for this translation: their buffers are named
    # by their place in the population
    for number, rec in enumerate([*state_recordings, *spike_recordings]):
        rec.tag = f"brec{number}"
    if substeps > 1 and any(group.thresholder[event].when in AFTER_THRESHOLDS
                            for event in _custom_events(group)):
        # the event would reach synapses in the GeNN step that runs Brian's
        # next step up to its thresholds, which takes no synaptic input
        raise unsupported(group, "custom events checked after the 'thresholds' slot in a "
                          "network with clock-driven synapses, summed variables or "
                          "synaptic run_regularly operations",
                          "check the event in the 'thresholds' slot "
                          "(set_event_schedule(event, 'thresholds')).")
    thresholder = group.thresholder.get("spike")
    threshold = _code(thresholder)
    refractory = getattr(group, "_refractory", False) is not False and thresholder is not None
    reset = _code(getattr(group, "resetter", {}).get("spike")) if threshold else ""
    operations = regular_operations(group)
    events, event_items = _event_items(group, set(recorded_events),
                                       [rec for rec in spike_recordings if rec.event != "spike"])
    # SpikeMonitors in slots after the thresholds record in the next GeNN step
    later_spike_recordings = [rec for rec in spike_recordings if rec.lag]
    simulation_dt = simulation_dt or float(group.clock.dt_)
    every = clock_steps(group.clock.dt_, simulation_dt)
    if every is None:
        # an inactive group that monitors still record, on a clock of its own
        raise unsupported(group, f"a dt ({group.clock.dt}) that is not an integer multiple "
                          f"of the network's time step ({simulation_dt * second})",
                          "give the group a multiple of the smallest dt of the active "
                          "groups, or remove its monitors while it is inactive.")
    blocks = schedule_operations(group, operations, positions,
                                 list(state_recordings) + later_spike_recordings,
                                 simulation_dt=simulation_dt,
                                 substeps=substeps, summed=list(summed),
                                 event_items=event_items)
    state_updater = getattr(group, "state_updater", None)
    state_update = _code(state_updater)
    gsl_variables, failure_flags = [], {}
    if state_update and is_gsl(state_updater):
        state_update, gsl_variables, flag = gsl_state_update(
            group, state_updater, state_update,
            clock_time(group.clock.dt_, simulation_dt)[0], float(group.clock.dt_))
        failure_flags[flag] = state_updater.gsl_integration.failure_message
    remember_spikes = bool(reset or later_spike_recordings
                           or any(s.side == "post" for s in spiker_statements))
    first_part, second_part = part_conditions(substeps)
    sim_code = render(
        "neuron_sim", events=events, remember_spikes=remember_spikes,
        inputs=[(genn_identifier(target), input_var) for target, input_var in inputs],
        event_inputs=list(event_inputs), spiker_statements=list(spiker_statements),
        spike_recordings=[rec for rec in spike_recordings
                          if rec.event == "spike" and not rec.lag],
        poisson_inputs=[(p.name, in_previous_step(_code(p)), start, stop)
                        for p, (start, stop) in poisson_inputs],
        blocks=blocks, first_part=first_part, second_part=second_part,
        step=brian_step(substeps),
        recording=lambda rec: _render_recording(rec, substeps),
        values_at=lambda rec, flag: render("spike_recording", rec=rec, code=rec.code,
                                           step=brian_step(substeps), flag=flag),
        tick=f"(int64_t)round(t / dt) % {every} == 0" if every > 1 else "",
        spike_time=clock_time(group.clock.dt_, simulation_dt)[0],
        state_update=state_update,
        threshold=threshold, refractory=refractory, reset=reset)

    sim_code = neuron_stream_key(sim_code, group.name)
    used = set(re.findall(r"\b\w+\b", sim_code)) | set(extra_names)
    variables = [GeNNVariable(name, genn_ctype(var), var, read_only=var.read_only)
                 for name, var in neuron_variables(group).items() if name in used]
    for statements in spiker_statements:
        variables.append(GeNNVariable(statements.count_var, "int32_t", statements.counts,
                                      read_only=True))
    variables += gsl_variables
    if remember_spikes:
        # the reset of Brian's step m runs in GeNN's step m + 1, after the
        # synaptic input that Brian applies before resetting (and so do the
        # SpikeMonitors of its later slots)
        variables.append(GeNNVariable("bspiked", "bool", np.zeros(len(group), dtype=bool)))
    for event in _custom_events(group):
        # a custom event, until the next step completes Brian's step (or
        # until its next check, for one checked late)
        variables.append(GeNNVariable(f"bevented_{event}", "bool",
                                      np.zeros(len(group), dtype=bool)))
    shared = {genn_identifier(name): var for name, var in group.variables.items()
              if isinstance(var, ArrayVariable) and var.scalar and not name.startswith("_")
              and getattr(var.owner, "name", None) == group.name
              and genn_identifier(name) in used}
    # shared variables that operations write: GeNN parameters are read-only
    for name in sorted(map(genn_identifier, written_shared_variables(group, operations))):
        if name in shared:
            var = shared.pop(name)
            variables.append(GeNNVariable(name, genn_ctype(var), var, shared=True))
    population = NeuronPopulation(
        name=group.name, group=group, size=len(group), variables=variables,
        sim_code=sim_code, threshold_code="bspike" if threshold else "", shared=shared,
        additional_inputs=[(input_var, "scalar") for _, input_var in inputs]
        + [(name, "scalar") for name in dict.fromkeys(
            name for item in summed for name in re.findall(r"\bIsum_\w+", item.code))]
        + [(input_var, "scalar") for input_var, _ in event_inputs]
        + [(link.name, "scalar") for link in links],
        state_recordings=list(state_recordings), spike_recordings=list(spike_recordings),
        record_spikes=record_spikes, failure_flags=failure_flags,
        recorded_events=[event for event in _custom_events(group) if event in recorded_events],
        random_seed=new_seed() if uses_random(sim_code) else None)
    for rec in state_recordings:
        index = np.full(len(group), -1, dtype=np.int32)
        index[rec.indices] = np.arange(rec.n_indices, dtype=np.int32)
        population.variables.append(GeNNVariable(rec.index_variable, "int32_t", index,
                                                 read_only=True))
    for rec in [*state_recordings, *spike_recordings]:
        population.egps[rec.first_sample] = "int64_t*"
        for name in rec.variables:
            population.egps[rec.buffer(name)] = genn_ctype(rec.recorded_variable(name)) + "*"
    for event in population.recorded_events:
        population.egps[f"brec_first_event_{event}"] = "int64_t*"
        population.egps[f"brec_event_{event}"] = "uint8_t*"
    # the PoissonInputs' code runs in the group's code too (their rates may
    # call a TimedArray)
    runners = [*operations, *(p for p, _ in poisson_inputs)]
    for name, values in function_data(_code_objects(group, runners, state_recordings,
                                                    spike_recordings)).items():
        # the model's float type, as for variables (a TimedArray's values are float64)
        ctype = "scalar" if values.dtype.kind == "f" else genn_data_type(values.dtype)
        population.egps[name] = ctype + "*"
        population.egp_values[name] = values
    return population


def _render_recording(recording, substeps: int) -> str:
    """Code that stores a StateMonitor's sample, or a SpikeMonitor's values
    after the thresholds; an 'end' sample (and every spike recording in a
    block) is taken in the part of GeNN's steps that completes Brian's step."""
    if isinstance(recording, SpikeRecording):
        return render("spike_recording", rec=recording, code=in_previous_step(recording.code),
                      flag="bspiked",
                      step=brian_step(substeps, previous=True))
    if recording.lag:
        return render("recording", rec=recording, step=brian_step(substeps, previous=True),
                      code=in_previous_step(recording.code))
    return render("recording", rec=recording, step=brian_step(substeps),
                  code=recording.code)

