"""Translation of a NeuronGroup's `run_regularly` operations (and of Brian's
hidden one for ``(constant over dt)`` subexpressions) into blocks of its GeNN
neuron sim code.

An operation runs in the sim code when the time step is a multiple of its dt
in GeNN steps (of the network's smallest dt), which is when Brian's clock of
the operation ticks (from t = 0); like in Brian, its code reads the group's
``t`` and ``dt``. Its place in the sim code follows Brian's order of the network's
objects (``when``, ``order``, name) relative to the group's state updater,
threshold and monitors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from brian2.groups.group import CodeRunner
from brian2.groups.subgroup import Subgroup
from brian2.synapses.synapses import Synapses

from ..errors import unsupported
from .assignments import written_variables
from ..model import SpikeRecording, StateRecording
from .expressions import brian_step, clock_steps, in_previous_step
from .random_numbers import with_shared_stream
from .templates import PER_NEURON_MARKER

__all__ = ["RegularOperation", "OperationBlocks", "regular_operations",
           "schedule_operations", "operation_item", "written_shared_variables"]

#: Brian's slots whose code runs in the GeNN step after its Brian step
#: (``expressions.AFTER_THRESHOLDS``), by the block they go to
_SECOND_PART_BLOCKS = {"before_synapses": "before_synapses", "synapses": "before_resets",
                       "after_synapses": "before_resets", "before_resets": "before_resets",
                       # before or after the reset, by Brian's order (`_second_part_block`)
                       "resets": "before_resets",
                       "after_resets": "after_resets", "before_end": "after_resets",
                       "end": "after_resets"}


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
    #: Brian's object whose place in the schedule the operation takes
    runner: object = None


@dataclass
class OperationBlocks:
    """Operations and recordings of a group (StateMonitors, and SpikeMonitors
    in slots after the thresholds), by their block in the neuron sim template
    (``genn_neuron_sim.cpp``), each in Brian's order."""

    #: completing Brian's step m - 1: before the synaptic input
    before_synapses: list = field(default_factory=list)
    #: after the synaptic input, before the reset
    before_resets: list = field(default_factory=list)
    #: after the reset ('end' recordings among them)
    after_resets: list = field(default_factory=list)
    #: Brian's step m: before the state update ('start' recordings among them)
    before_update: list = field(default_factory=list)
    #: after the state update, before the threshold
    after_update: list = field(default_factory=list)
    #: after the threshold
    after_threshold: list = field(default_factory=list)


def regular_operations(group) -> list[CodeRunner]:
    """The active operations of ``group`` (and of its subgroups) other than
    its own state update, threshold and reset."""
    # thresholds and the code of events (resets) are translated with the group
    own = (getattr(group, "state_updater", None),
           *getattr(group, "thresholder", {}).values(),
           *getattr(group, "resetter", {}).values())
    operations = []
    for obj in group.contained_objects:
        if obj in own or not obj.active or isinstance(obj, Synapses):
            # Brian adds Synapses with run_regularly operations to their
            # source's objects too; they are translated on their own
            continue
        if isinstance(obj, Subgroup):
            # Brian adds a subgroup with operations to its group's objects
            operations += regular_operations(obj)
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
                        recordings: list[StateRecording | SpikeRecording],
                        simulation_dt: float, substeps: int = 1, summed=(),
                        event_items=()) -> OperationBlocks:
    """Place ``operations``, ``recordings``, ``summed`` and ``event_items``
    of ``group`` in the blocks of its sim code.

    Parameters
    ----------
    group
        The `NeuronGroup`.
    operations
        Its operations (`regular_operations`), after `Network.before_run`.
    positions
        ``id(obj) -> index`` of the network's objects in Brian's order.
    recordings
        The recordings of StateMonitors on the group, and those of
        SpikeMonitors in a slot after the thresholds.
    simulation_dt
        Brian's dt of the simulation clock.
    substeps
        GeNN steps per Brian step (`ModelDescription.substeps`).
    summed
        `RegularOperation` items that set summed variables, at the place of
        their Brian updater (in the 'groups' slot).
    event_items
        ``(Brian object, item)`` pairs of the group's custom events: the
        conditions (`EventCheck`, at their thresholder), the code they
        trigger (`RegularOperation`, at their resetter) and the recordings
        of EventMonitors (`SpikeRecording`, at their monitor).
    """
    update_at = positions.get(id(getattr(group, "state_updater", None)), -1)
    thresholder = group.thresholder.get("spike")
    threshold_at = positions.get(id(thresholder), len(positions))
    reset_at = positions.get(id(getattr(group, "resetter", {}).get("spike")), -1)

    def block_of(obj) -> str:
        """The block of the Brian object ``obj`` (its slot and position)."""
        position = positions[id(obj)]
        if obj.when in _SECOND_PART_BLOCKS:
            return _second_part_block(obj.when, position, reset_at)
        if position < update_at:
            return "before_update"
        if position < threshold_at:
            return "after_update"
        return "after_threshold"

    placed = []
    for runner in operations:
        operation = operation_item(group, runner, simulation_dt, substeps,
                                   completes_previous_step=runner.when in _SECOND_PART_BLOCKS)
        if operation is not None:
            placed.append((block_of(runner), positions[id(runner)], operation))
    for obj, item in event_items:
        placed.append((block_of(obj), positions[id(obj)], item))
    for rec in recordings:
        position = positions[id(rec.monitor)]
        if isinstance(rec, SpikeRecording):
            block = _second_part_block(rec.when, position, reset_at)
        else:
            # at its place in Brian's order (e.g. 'thresholds': before the reset)
            block = block_of(rec.monitor)
        placed.append((block, position, rec))
    for item in summed:
        # after the update, Brian's sum is computed in the synapse code that
        # completes the step, and set before the rest of it
        position = positions[id(item.runner)]
        placed.append(("before_update" if position < update_at else "before_synapses",
                       position, item))
    blocks = OperationBlocks()
    for block, _, item in sorted(placed, key=lambda entry: entry[1]):
        getattr(blocks, block).append(item)
    return blocks


def written_shared_variables(group, operations) -> set[str]:
    """Names of the shared variables of ``group`` that ``operations`` write.

    GeNN device code cannot write parameters, so each of them becomes a
    per-neuron GeNN variable: every neuron runs the operation's scalar
    statements on its own copy, which keeps the copies equal.
    """
    return {name for runner in operations
            for name in written_variables(runner.abstract_code)
            if name in group.variables and group.variables[name].scalar}


def _second_part_block(when: str, position: int, reset_at: int) -> str:
    """The block of an item in Brian's slot ``when`` after 'thresholds', at
    ``position`` in Brian's order (the reset is at ``reset_at``)."""
    if when == "resets" and position > reset_at:
        return "after_resets"
    return _SECOND_PART_BLOCKS[when]


def operation_item(group, runner, simulation_dt: float, substeps: int,
                   completes_previous_step: bool) -> RegularOperation | None:
    """The `RegularOperation` of ``runner``, or ``None`` if it has no code.

    With ``completes_previous_step``, the code runs in the GeNN step after
    its Brian step (see `OperationBlocks`).
    """
    if runner.codeobj is None:
        return None
    shared_code, _, code = str(runner.codeobj.code).strip().rpartition(PER_NEURON_MARKER)
    if written_shared_variables(group, [runner]):
        # every neuron's copy of the shared variables gets the same numbers
        shared_code = with_shared_stream(shared_code, runner.name)
    every = clock_steps(runner.clock.dt_, simulation_dt)
    if every is None:
        raise unsupported(group, f"the run_regularly operation '{runner.name}' with dt="
                          f"{runner.clock.dt}, not a multiple of the network's smallest dt",
                          "use a dt that is an integer multiple of the group's dt.")
    step = brian_step(substeps, previous=completes_previous_step)
    conditions = [f"{step} % {every} == 0"] if every > 1 else []
    if isinstance(runner.group, Subgroup):
        # the code of a subgroup's operation indexes the group's arrays by
        # id; its scalar statements run in every neuron, which all hold a
        # copy of the shared variables they may write
        code = (f"if (id >= {runner.group.start} && id < {runner.group.stop}) {{\n"
                f"{_indented(code)}\n}}")
    code = f"{shared_code.strip()}\n{code.strip()}".strip()
    return RegularOperation(name=runner.name, when=runner.when, conditions=conditions,
                            code=in_previous_step(code) if completes_previous_step else code)


def _indented(code: str) -> str:
    return "\n".join("    " + line if line.strip() else line for line in code.strip().splitlines())
