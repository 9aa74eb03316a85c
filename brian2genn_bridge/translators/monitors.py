"""Translation of Brian monitors into the recordings of the model description
(how the recorded data gets back into the monitors: `brian2genn_bridge.recordings`)."""

from __future__ import annotations

import numpy as np
from brian2.core.clocks import Clock
from brian2.core.functions import Function
from brian2.core.variables import ArrayVariable, Constant, Subexpression
from brian2.groups.group import CodeRunner
from brian2.monitors import EventMonitor, StateMonitor
from brian2.synapses.synapses import SummedVariableUpdater
from brian2.utils.stringtools import get_identifiers, word_substitute

from ..model import SpikeRecording, StateRecording, SynapticRecording
from ..subgroups import source_group, source_range
from .expressions import AFTER_THRESHOLDS, genn_ctype, genn_identifier
from ..errors import unsupported

__all__ = ["state_recording", "synaptic_recording", "spike_recording"]


def _recorded_code(monitor) -> str:
    return str(monitor.codeobj.code).strip()


def _every(monitor: StateMonitor, group_dt: float) -> int:
    """Steps of the group clock between two samples of ``monitor``."""
    every = float(monitor.clock.dt_) / group_dt
    if abs(every - round(every)) > 1e-6 or round(every) < 1:
        raise unsupported(monitor, f"a dt ({monitor.clock.dt}) that is not a multiple "
                          "of its source's dt", "choose a multiple of the source's dt.")
    return int(round(every))


def state_recording(monitor: StateMonitor, group_dt: float) -> StateRecording:
    """The recording of ``monitor`` inside its source's GeNN sim code."""
    every = _every(monitor, group_dt)
    start, _ = source_range(monitor.source)
    indices = np.asarray(monitor.record, dtype=np.int64) + start
    if len(np.unique(indices)) != len(indices):
        raise unsupported(monitor, "recording the same index twice",
                          "record each index once and index the result in Python.")
    return StateRecording(monitor=monitor, monitor_name=monitor.name,
                          variables=list(monitor.record_variables),
                          code=_recorded_code(monitor), indices=indices,
                          every=every, when=monitor.when)


def _expanded_subexpression(variables, name: str) -> str:
    """The expression of the subexpression ``name`` with the subexpressions
    it refers to substituted, as Brian's code generation does."""
    expression = variables[name].expr
    while True:
        nested = {part: f"({variables[part].expr})" for part in get_identifiers(expression)
                  if isinstance(variables.get(part), Subexpression)}
        if not nested:
            return expression
        expression = word_substitute(expression, nested)


def _sampled_slot(monitor: StateMonitor, positions: dict[int, int]) -> str:
    """``'start'`` or ``'end'``: where in Brian's step the variables of the
    monitored `Synapses` hold what ``monitor`` records in its slot.

    They are sampled on the host between GeNN's steps (`SynapticRecording`),
    and change only in the Synapses' own code (its pathways, its state
    update, its operations): a monitor after all of that code in Brian's
    order records the values of the step's end, one before all of it those
    of its start.
    """
    if monitor.when in ("start", "end"):
        return monitor.when
    synapses = monitor.source
    position = positions[id(monitor)]
    runners = [positions[id(obj)] for obj in synapses.contained_objects
               if isinstance(obj, CodeRunner) and not isinstance(obj, SummedVariableUpdater)
               and id(obj) in positions]
    if all(at > position for at in runners):
        return "start"
    if all(at < position for at in runners):
        return "end"
    raise unsupported(monitor, f"recording a Synapses in the '{monitor.when}' slot, between "
                      "code of the Synapses that runs in one step",
                      "record in the 'start' (default) or 'end' slot.")


def synaptic_recording(monitor: StateMonitor, group_dt: float,
                       positions: dict[int, int]) -> tuple[SynapticRecording, list[tuple]]:
    """The recording of a `StateMonitor` of a `Synapses`: its own variables
    (per-synapse and shared: constant during a run, as GeNN holds them as
    parameters) sampled on the host between GeNN's steps, and those of its
    presynaptic and postsynaptic neurons (``v_post``, a summed variable)
    recorded by the neuron populations in the monitor's slot, as ``(neuron
    group, StateRecording)`` pairs (see `StateRecording.neuron_sources`).

    ``positions`` are the indices of the network's objects in Brian's order.
    """
    synapses = monitor.source
    when = _sampled_slot(monitor, positions)
    every = _every(monitor, group_dt)
    record = np.asarray(monitor.record, dtype=np.int64)
    own, by_role = {}, {"pre": {}, "post": {}}
    derived = {}

    def record_part(name: str) -> None:
        var = synapses.variables[name]
        index = synapses.variables.indices[name]
        role = {"_presynaptic_idx": "pre", "_postsynaptic_idx": "post"}.get(index)
        if (isinstance(var, ArrayVariable) and getattr(var.owner, "name", None) == synapses.name
                and (var.scalar or var.size == len(synapses))):
            own[name] = var
        elif isinstance(var, ArrayVariable) and role is not None and not var.scalar:
            by_role[role][name] = var
        else:
            raise unsupported(monitor, f"recording '{name}' of Synapses '{synapses.name}' "
                              "(a shared neuron variable, or a variable of a group other than "
                              "its pre- and postsynaptic ones)",
                              "record it with a StateMonitor of its own group.")

    for name in monitor.record_variables:
        if isinstance(synapses.variables[name], Subexpression):
            # computed on the host from the recorded values of its parts
            derived[name] = _expanded_subexpression(synapses.variables, name)
            for part in get_identifiers(derived[name]):
                var = synapses.variables.get(part)
                if var is None:
                    # constants and functions as the monitor's code has them
                    var = monitor.codeobj.variables.get(part)
                    if not isinstance(var, (Constant, Function)):
                        raise unsupported(monitor, f"recording the subexpression '{name}' "
                                          f"of Synapses '{synapses.name}', which reads "
                                          f"'{part}'", "record the variables it depends on "
                                          "and compute it in Python.")
                # the clock's t and dt are known on the host
                elif isinstance(var, ArrayVariable) and not isinstance(var.owner, Clock):
                    record_part(part)
        else:
            record_part(name)
    recording = SynapticRecording(monitor=monitor, monitor_name=monitor.name, variables=own,
                                  indices=record, every=every, when=when, derived=derived,
                                  neuron_variables=[name for role in by_role.values()
                                                    for name in role])
    neurons = []
    for role, variables in by_role.items():
        if not variables:
            continue
        group = source_group(synapses.source if role == "pre" else synapses.target)
        cells = np.asarray(synapses.variables[f"_synaptic_{role}"].get_value())[record]
        indices, positions = np.unique(cells, return_inverse=True)
        lines = [f"const {genn_ctype(var)} b_to_record_{name} = {genn_identifier(var.name)};"
                 for name, var in variables.items()]
        neurons.append((group, StateRecording(
            monitor=monitor, monitor_name=f"{monitor.name}_{role}",
            variables=list(variables), code="\n".join(lines), indices=indices.astype(np.int64),
            every=every, when=monitor.when, neuron_sources=dict(variables),
            synapse_positions=positions.reshape(-1))))
    return recording, neurons


def spike_recording(monitor: EventMonitor, n_neurons: int,
                    positions: dict[int, int]) -> SpikeRecording | None:
    """The recording of the extra variables of a `SpikeMonitor` (or of an
    `EventMonitor`) at each spike (event): at the threshold, or in a slot
    after it (values after the reset, e.g.), or right after the event's
    condition; ``None`` without variables.

    ``positions`` are the indices of the network's objects in Brian's order.
    """
    if monitor.event == "spike":
        if monitor.when != "thresholds" and monitor.when not in AFTER_THRESHOLDS:
            # in the slots before the thresholds Brian records the previous
            # step's spikes with the current time
            raise unsupported(monitor, f"recording in the '{monitor.when}' slot",
                              "use the 'thresholds' slot (default) or one after it.")
    else:
        thresholder = source_group(monitor.source).thresholder[monitor.event]
        if thresholder.when in AFTER_THRESHOLDS:
            raise unsupported(monitor, f"recording the event '{monitor.event}', checked in "
                              f"the '{thresholder.when}' slot",
                              "check the event in a slot up to 'after_thresholds' (the "
                              "default).")
        if (monitor.when != thresholder.when
                or positions[id(monitor)] < positions.get(id(thresholder), -1)):
            # the event's values are recorded where its condition is checked
            raise unsupported(monitor, f"recording the event '{monitor.event}' in the "
                              f"'{monitor.when}' slot, elsewhere than right after its "
                              f"condition ('{thresholder.when}' slot)",
                              "use the default slot and order (when=None, order=None).")
    variables = sorted(set(monitor.record_variables) - {"i", "t"})
    if not variables:
        return None
    lines = [line for line in _recorded_code(monitor).splitlines()
             if not any(f"b_to_record_{v} " in line for v in ("i", "t"))]
    return SpikeRecording(monitor=monitor, monitor_name=monitor.name, variables=variables,
                          code="\n".join(lines), n_neurons=n_neurons, event=monitor.event,
                          when=monitor.when)
