"""Translation of a NeuronGroup's `run_regularly` operations (and of Brian's
hidden one for ``(constant over dt)`` subexpressions) into blocks of its GeNN
neuron sim code.

An operation runs in the sim code when the time step is a multiple of its dt
in steps of the group's dt, which is when Brian's clock of the operation
ticks (from t = 0); like in Brian, its code reads the group's ``t`` and
``dt``. Its place in the sim code follows Brian's order of the network's
objects (``when``, ``order``, name) relative to the group's state updater,
threshold and monitors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from brian2.groups.group import CodeRunner
from brian2.groups.subgroup import Subgroup

from ..model import StateRecording

__all__ = ["RegularOperation", "OperationBlocks", "regular_operations",
           "schedule_operations"]

#: Slots of Brian's default schedule up to the thresholds: an operation there
#: runs before the synaptic propagation and the resets of its time step.
_EARLY_SLOTS = frozenset(f"{prefix}{slot}" for slot in ("start", "groups", "thresholds")
                         for prefix in ("before_", "", "after_"))

#: ``name = ...``, ``name += ...`` (not ``==``): the variables a statement writes
_WRITTEN = re.compile(r"^\s*(\w+)\s*(?:\+|-|\*|/|//|%|\*\*)?=(?!=)", re.MULTILINE)


@dataclass
class RegularOperation:
    """One operation, rendered by the neuron sim template."""

    name: str
    when: str
    code: str
    #: GeNN conditions (all must hold) for running in a time step and neuron:
    #: the time step is a multiple of the operation's dt, the neuron is in its subgroup
    conditions: list[str]
    #: marks operations among the items of a block (for the template)
    is_operation: bool = True


@dataclass
class OperationBlocks:
    """The operations of a group, by their block in the neuron sim template."""

    #: `StateRecording` and `RegularOperation` items before the state update, in Brian's order
    before_update: list
    #: operations after the state update, before the threshold
    after_update: list[RegularOperation]


def regular_operations(group, unsupported) -> list[CodeRunner]:
    """The active operations of ``group`` (and of its subgroups) other than
    its own state update, threshold and reset.

    ``unsupported`` builds the `NotImplementedError` for a feature.
    """
    own = (getattr(group, "state_updater", None),
           getattr(group, "thresholder", {}).get("spike"),
           getattr(group, "resetter", {}).get("spike"))
    operations = []
    for obj in group.contained_objects:
        if obj in own or not obj.active:
            continue
        if isinstance(obj, Subgroup):
            # Brian adds a subgroup with operations to its group's objects
            operations += regular_operations(obj, unsupported)
        elif isinstance(obj, CodeRunner) and obj.template == "stateupdate":
            operations.append(obj)
        else:
            # e.g. Synapses, which Brian adds to their source's objects when
            # they have a run_regularly operation
            raise unsupported(obj, f"run_regularly operations (or the object "
                              f"'{obj.name}' contained in '{group.name}')",
                              "declare run_regularly operations on NeuronGroups or "
                              "their subgroups.")
    return operations


def schedule_operations(group, operations, positions: dict[int, int],
                        state_recordings: list[StateRecording], coupled: bool,
                        unsupported) -> OperationBlocks:
    """Place ``operations`` of ``group`` in the blocks of its sim code.

    Parameters
    ----------
    group
        The `NeuronGroup`.
    operations
        Its operations (`regular_operations`), after `Network.before_run`.
    positions
        ``id(obj) -> index`` of the network's objects in Brian's order.
    state_recordings
        The recordings (at 'start') of monitors on the group.
    coupled
        Whether synapses read or add to the group's variables: an operation
        after the thresholds would then run at another time relative to the
        synaptic propagation than in Brian.
    unsupported
        Builds the `NotImplementedError` for a feature.
    """
    state_updater = getattr(group, "state_updater", None)
    thresholder = group.thresholder.get("spike")
    update_at = positions.get(id(state_updater), -1)
    before, after = [], []
    for runner in operations:
        operation = _operation(group, runner, unsupported)
        if operation is None:
            continue
        position = positions[id(runner)]
        if position < update_at:
            before.append((position, operation))
        elif thresholder is None and (runner.when in _EARLY_SLOTS or not coupled):
            after.append(operation)
        elif thresholder is not None and position < positions[id(thresholder)]:
            after.append(operation)
        else:
            raise unsupported(group, f"the run_regularly operation '{runner.name}' in "
                              f"the '{runner.when}' slot, after the threshold or synaptic "
                              "propagation", "run it in an earlier slot (e.g. "
                              "when='start'), or fold it into the equations or the reset.")
    before += [(positions[id(rec.monitor)], rec) for rec in state_recordings]
    before.sort(key=lambda item: item[0])
    return OperationBlocks(before_update=[item for _, item in before], after_update=after)


def _operation(group, runner, unsupported) -> RegularOperation | None:
    """The `RegularOperation` of ``runner``, or ``None`` if it has no code."""
    if runner.codeobj is None:
        return None
    shared = sorted(name for name in set(_WRITTEN.findall(runner.abstract_code))
                    if name in group.variables and group.variables[name].scalar)
    if shared:
        raise unsupported(group, f"writing shared variables {shared} in the run_regularly "
                          f"operation '{runner.name}'",
                          "make the variables per-neuron, or set them from Python between runs.")
    group_dt = group.clock.dt_
    ratio = runner.clock.dt_ / group_dt
    every = int(round(ratio))
    if every < 1 or abs(ratio - every) > 1e-6 * ratio:
        raise unsupported(group, f"the run_regularly operation '{runner.name}' with dt="
                          f"{runner.clock.dt}, not a multiple of the group's dt",
                          "use a dt that is an integer multiple of the group's dt.")
    conditions = [f"(int64_t)round(t / dt) % {every} == 0"] if every > 1 else []
    if isinstance(runner.group, Subgroup):
        # the code of a subgroup's operation indexes the group's arrays by id
        conditions.append(f"id >= {runner.group.start} && id < {runner.group.stop}")
    return RegularOperation(name=runner.name, when=runner.when,
                            code=str(runner.codeobj.code).strip(), conditions=conditions)
