"""The per-step code of a `Synapses` (clock-driven equations, run_regularly
operations, summed variables): where in Brian's schedule it runs
(`StepSchedule`: early, before the neuron code of Brian's step, or late,
after the thresholds), GeNN's synapse dynamics code made of it
(`StepCode`), and the neuron code that takes the summed variables
(`summed_assignments`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from brian2.core.variables import ArrayVariable, Subexpression
from brian2.groups.group import CodeRunner
from brian2.utils.stringtools import get_identifiers

from ..errors import unsupported
from ..subgroups import source_group, source_range
from .expressions import genn_identifier, in_previous_step, part_conditions
from .assignments import written_variables
from .operations import RegularOperation
from .synaptic_code import runner_code

__all__ = ["StepSchedule", "StepCode", "step_runners", "has_step_code", "step_code",
           "early_writes", "summed_assignments"]


#: Brian's slots after spike propagation, where synaptic code has no place
_AFTER_SYNAPSES = ("after_synapses", "before_resets", "resets", "after_resets", "before_end",
                   "end")
#: names of neuron variables that Brian's thresholds change
_THRESHOLD_WRITES = re.compile(r"\b(?:lastspike|not_refractory)_(?:pre|post)\b")


def step_runners(synapses) -> list[CodeRunner]:
    """The operations of ``synapses`` that run every step (or every few),
    with code: the clock-driven state update, run_regularly operations, the
    ``(constant over dt)`` subexpression update and summed variables."""
    return [obj for obj in synapses.contained_objects
            if isinstance(obj, CodeRunner) and obj.active and obj.codeobj is not None
            and obj.template in ("stateupdate", "summed_variable") and runner_code(obj)]


def has_step_code(synapses) -> bool:
    """Whether ``synapses`` has code of its own every step, which needs two
    GeNN steps per Brian step (`ModelDescription.substeps`)."""
    return bool(step_runners(synapses))


@dataclass
class StepSchedule:
    """Where synaptic per-step code can run, from the network's order
    (positions in Brian's schedule): GeNN's synapse dynamics run before the
    neuron code of each GeNN step, i.e. before the neurons' code of Brian's
    step ('early', in the even step), or after the part of it up to the
    thresholds and before the rest (resets, 'end' slot), and before all
    spike propagation ('late', in the odd step)."""

    positions: dict[int, int]
    #: position of the state update of each neuron group, by name
    updates: dict[str, int]
    #: position of the first synaptic pathway
    first_pathway: int
    #: the code of each neuron group that writes variables: ``(position,
    #: whether it runs in the first part of a step (up to the thresholds),
    #: the names it writes)``, by group name
    neuron_writes: dict[str, list[tuple[int, bool, set[str]]]] = field(default_factory=dict)

    def is_late(self, synapses, runner, after_late: bool = False) -> bool:
        """Whether ``runner`` of ``synapses`` runs late: it must read what
        the code of the groups it connects writes in Brian's order.
        ``after_late``: an earlier operation of ``synapses`` runs late (so
        must this one). Raises `NotImplementedError` if it can run neither
        early nor late."""
        position = self.positions[id(runner)]
        writers = self._writers(synapses, runner)
        # both before all spike propagation of the step
        in_time = position < self.first_pathway and runner.when not in _AFTER_SYNAPSES
        early = in_time and not after_late and not any(at < position for at, _, _ in writers)
        late = in_time and not any((at > position) == first for at, first, _ in writers)
        if runner.template == "summed_variable":
            # the target group's code takes the sum before its state update
            # or after it, by Brian's order (operations.schedule_operations)
            updates = [self.updates[group.name] for group in
                       (source_group(synapses.source), source_group(synapses.target))
                       if group.name in self.updates]
            early = early and all(position < update for update in updates)
            late = late and all(update < position for update in updates)
        if early:
            return False
        if late:
            return True
        changed = sorted({name for _, _, names in writers for name in names})
        raise unsupported(synapses, f"the operation '{runner.name}' in the "
                          f"'{runner.when}' slot (order {runner.order}), which reads "
                          f"{changed} between the neuron groups' code that changes them, "
                          "or after spike propagation",
                          "run it in the 'start' slot with an order before the neuron "
                          "groups' (run_regularly(..., when='start', order=-1)), or in "
                          "the 'thresholds' slot after them (order=1).")

    def _writers(self, synapses, runner) -> list[tuple[int, bool, set[str]]]:
        """The neuron code that writes what ``runner`` reads: ``(position,
        first part, names)``."""
        names = get_identifiers(runner.abstract_code)
        read = set()
        for role, group in (("pre", synapses.source), ("post", synapses.target)):
            owner = source_group(group)
            local = {name[:-len(role) - 1] for name in names if name.endswith(f"_{role}")}
            if role == "post":
                # a neuron variable without suffix in synaptic code is the target's
                local |= {name for name in names if name not in synapses.variables
                          or synapses.variables[name].owner is owner}
            read |= _neuron_reads(owner, local)
        result = []
        for group_name, writes in self.neuron_writes.items():
            for at, first, written in writes:
                changed = {name for owner, name in read if owner == group_name} & written
                if changed:
                    result.append((at, first, changed))
        return result


def _neuron_reads(group, names: set[str]) -> set[tuple[str, str]]:
    """``(group name, variable name)`` of what reading ``names`` of a neuron
    ``group`` reads: through its subexpressions, and linked variables into
    the group that holds them."""
    result, pending, seen = set(), list(names), set()
    while pending:
        name = pending.pop()
        var = group.variables.get(name)
        if name in seen or var is None:
            continue
        seen.add(name)
        if isinstance(var, Subexpression):
            pending += get_identifiers(var.expr)
        elif isinstance(var, ArrayVariable) and var.owner is not None:
            result.add((source_group(var.owner).name, var.name))
    return result


@dataclass
class StepCode:
    """The synapse dynamics code of a `Synapses`: ``early`` and ``late``
    blocks in Brian's order, and the summed variables as ``(side, variable,
    block, late)``, which go to one GeNN group each and stand among the
    blocks at their place in Brian's order (a summed variable is updated
    before the target's state update, and so before the clock-driven update
    of the synapses, of the same slot)."""

    early: list[str | tuple] = field(default_factory=list)
    late: list[str | tuple] = field(default_factory=list)
    summed: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def render(self, summed: list[tuple] = ()) -> str:
        """GeNN ``synapse_dynamics_code``, with the given summed variables
        (entries of ``self.summed``) only."""

        def blocks(part: list) -> list[str]:
            return [item if isinstance(item, str) else item[2] for item in part
                    if isinstance(item, str) or item in summed]

        # late code runs with the neuron code that completes Brian's step,
        # early code with the part up to the thresholds
        late_condition, early_condition = part_conditions(2)
        return "\n".join(f"if ({condition}) {{\n" + "\n".join(part) + "\n}"
                         for condition, part in ((early_condition, blocks(self.early)),
                                                 (late_condition, blocks(self.late)))
                         if part)


def step_code(synapses, schedule: StepSchedule | None) -> StepCode:
    """Place the per-step operations of ``synapses`` (see `StepSchedule`)."""
    from .operations import operation_item, written_shared_variables

    code = StepCode()
    for runner, late in _placements(synapses, schedule):
        if late and _THRESHOLD_WRITES.search(runner_code(runner)):
            raise unsupported(synapses, f"reading lastspike or not_refractory of a neuron "
                              f"in '{runner.name}', which runs after the thresholds here",
                              "compute the value in the neuron group.")
        if runner.template == "summed_variable":
            side = "pre" if runner.target_varname.endswith("_pre") else "post"
            name = genn_identifier(runner.target_var.name)
            add = "addToPre" if side == "pre" else "addToPost"
            block = f"{{\n{runner_code(runner)}\n{add}(b_synaptic_var);\n}}"
            if late:
                _check_late_sum(synapses, runner, name)
                block = in_previous_step(block)
            entry = (side, name, block, late)
            code.summed.append(entry)
            (code.late if late else code.early).append(entry)
            continue
        shared = written_shared_variables(synapses, [runner])
        if shared:
            raise unsupported(synapses, f"writing shared variables {sorted(shared)} in "
                              f"'{runner.name}'", "make them per-synapse variables.")
        item = operation_item(synapses, runner, float(synapses.clock.dt_),
                              substeps=2, completes_previous_step=late)
        block = item.code if not item.conditions else \
            f"if ({' && '.join(item.conditions)}) {{\n{item.code}\n}}"
        (code.late if late else code.early).append(
            block if item.conditions else f"{{\n{block}\n}}")
    return code


def _placements(synapses, schedule: StepSchedule | None) -> list[tuple[CodeRunner, bool]]:
    """The per-step operations of ``synapses`` in Brian's order, each with
    whether it runs late (see `StepSchedule`)."""
    result, late = [], False
    for runner in sorted(step_runners(synapses), key=lambda r: schedule.positions[id(r)]):
        # a runner after a late one is late too
        late = schedule.is_late(synapses, runner, after_late=late)
        result.append((runner, late))
    return result


def early_writes(synapses, schedule: StepSchedule) -> list[tuple[int, set[str]]]:
    """``(position, written names)`` of the per-step operations of
    ``synapses`` that run early, before the neuron code of Brian's step (a
    host-side sample of the step's 'start' comes before them)."""
    return [(schedule.positions[id(runner)], written_variables(runner.abstract_code))
            for runner, late in _placements(synapses, schedule) if not late]


def _check_late_sum(synapses, runner, name: str) -> None:
    """A summed variable computed after its group's state update is set in
    the next GeNN step, after the group's threshold: which must not read it."""
    group = source_group(runner.target)
    thresholder = getattr(group, "thresholder", {}).get("spike")
    if thresholder is not None and re.search(rf"\b{name}\b", thresholder.abstract_code):
        raise unsupported(synapses, f"the summed variable '{name}' of '{group.name}', "
                          "updated after the group's state update and read by its threshold",
                          "give the Synapses an order before the group's (e.g. order=-1).")


def summed_assignments(synapses) -> dict[str, list[RegularOperation]]:
    """By name of the target group, the neuron code that sets the summed
    variables of ``synapses`` from GeNN's input variable ``Isum_<name>``, at
    the place of Brian's updater (before the target's state update)."""
    result: dict[str, list[RegularOperation]] = {}
    for runner in step_runners(synapses):
        if runner.template != "summed_variable":
            continue
        name = genn_identifier(runner.target_var.name)
        start, stop = source_range(runner.target)
        group = source_group(runner.target)
        conditions = [f"id >= {start} && id < {stop}"] if (start, stop) != (0, len(group)) \
            else []
        result.setdefault(group.name, []).append(RegularOperation(
            name=runner.name, when=runner.when, code=f"{name} = Isum_{name};",
            conditions=conditions, runner=runner))
    return result
