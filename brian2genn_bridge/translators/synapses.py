"""Translation of a `Synapses` into GeNN synapse groups (`translate_synapses`):
its pathways in families that share synaptic variables, one GeNN group per
postsynaptic variable its on_pre statements change and per summed variable
without a free channel, all once per part of a split by delays; each group
with the variables its code uses; and the statements that spiking neurons
run for it. The choices it builds on live beside it: the matrix type and
rows in `connectivity`, delays in `delays`, the per-step code in
`synapse_dynamics`, the span in `spans`."""

from __future__ import annotations

import re

import numpy as np
from brian2.core.variables import ArrayVariable

from ..model import (DENDRITIC_DELAYS, GeNNVariable, SpikerStatements, SynapsePopulation,
                     event_reference)
from ..options import RunOptions
from .connectivity import Layout, choose_layout, created_layout, has_multapses
from .delays import (delay_parts, delays_in_steps, dendritic, heterogeneous,
                     narrowest_unsigned)
from .effects import (Lines, PathwayEffects, check_neuron_reads, events_target, neuron_code,
                      pathway_effects, post_targets, pre_targets, render)
from .expressions import SYNAPSE_COUNTS, clock_steps, genn_ctype, genn_identifier
from .functions import function_data
from ..subgroups import source_group
from ..errors import HostSynapsesNeeded, unsupported
from .random_numbers import new_seed, uses_random, with_stream_key
from .synapse_creation import VALUE_LINE, constant_initial
from .synapse_dynamics import StepCode, StepSchedule, step_code, step_runners
from .assignments import assigned_names
from .synaptic_code import runner_code, synaptic_variables

__all__ = ["translate_synapses"]


def _families(synapses, lines: dict[str, Lines], names) -> list[list]:
    """The pathways of ``synapses`` that GeNN must run in one synapse group:
    those that read or write a synaptic variable another of them writes,
    since each GeNN group has its own copy of the synaptic variables.

    One group holds at most one pathway per side (one presynaptic and one
    postsynaptic spike code); otherwise pathways get groups of their own.
    """
    pathways = list(synapses._pathways)
    if all(sum(p.prepost == side for p in pathways) <= 1 for side in ("pre", "post")):
        return [pathways]
    code = {p.name: render(lines[p.name]) for p in pathways}
    written = {p.name: assigned_names(code[p.name], names) for p in pathways}
    used = {p.name: set(re.findall(r"\b\w+\b", code[p.name])) & set(names) for p in pathways}

    def shares(p, q) -> bool:
        return bool(written[p.name] & used[q.name] or written[q.name] & used[p.name])

    families: list[list] = []
    for pathway in pathways:
        joined = [f for f in families if any(shares(pathway, q) for q in f)]
        families = [f for f in families if f not in joined]
        families.append(sorted([pathway, *(q for f in joined for q in f)], key=pathways.index))
    for family in families:
        for side in ("pre", "post"):
            names_on_side = [p.objname for p in family if p.prepost == side]
            if len(names_on_side) > 1:
                raise unsupported(synapses, f"several on_{side} pathways "
                                  f"({names_on_side}) that share synaptic variables one "
                                  "of them changes (e.g. event-driven variables)",
                                  "use one Synapses object per pathway.")
    return sorted(families, key=lambda f: pathways.index(f[0]))


def _check_supported(synapses) -> None:
    """Raise `NotImplementedError` for features of ``synapses`` GeNN lacks."""
    codeobjs = [p.codeobj for p in synapses._pathways if p.codeobj is not None]
    codeobjs += [runner.codeobj for runner in step_runners(synapses)]
    if function_data(codeobjs):
        raise unsupported(synapses, "functions with data (TimedArray) in synaptic code",
                          "compute the value in a variable of the pre- or postsynaptic "
                          "NeuronGroup (e.g. 'stimulus = ta(t) : 1') and read it as "
                          "'stimulus_pre' or 'stimulus_post'.")


def translate_synapses(synapses, dt: float, options: RunOptions,
                       schedule: StepSchedule | None = None,
                       pending=None) -> list[SynapsePopulation]:
    """Describe a `Synapses` object as GeNN synapse groups with its
    connectivity: one per family of pathways (see `_families`), split into
    one per postsynaptic variable that its on_pre statements change (and
    per summed variable where a group has no channel left for it); all of
    that once per delay value where heterogeneous delays need it (see
    `delay_parts`).

    ``dt`` is GeNN's time step (delays are counted in it); ``options`` the
    run's (matrix types, spans, delay groups); ``schedule`` places per-step
    code (needed when `has_step_code`); ``pending``: for synapses that GeNN
    makes, their `SynapseCreation` (``pending.creation``) and variables'
    initialisation (``pending.initial``).

    Raises
    ------
    HostSynapsesNeeded
        Where ``pending`` synapses are needed in Brian's arrays.
    """
    _check_supported(synapses)
    step = step_code(synapses, schedule)
    effects = {p.name: pathway_effects(synapses, p, runner_code(p)) for p in synapses._pathways}
    check_neuron_reads(synapses, effects)
    lines = {name: e.lines for name, e in effects.items()}
    source, target = source_group(synapses.source), source_group(synapses.target)
    if pending is not None:
        pre = post = None
    else:
        # Brian's int32 arrays themselves (read only): a copy of 10^9 costs seconds
        pre = np.asarray(synapses.variables["_synaptic_pre"].get_value())
        post = np.asarray(synapses.variables["_synaptic_post"].get_value())
    families = _families(synapses, lines, synaptic_variables(synapses))
    if len(families) > 1 and (step.early or step.late or step.summed):
        raise unsupported(synapses, "clock-driven equations, summed variables or "
                          "run_regularly operations together with several pathways on "
                          "one side", "use one Synapses object per pathway.")
    # rounded once: up to 1e9 synapses
    steps, steps_code = {}, {}
    for p in synapses._pathways:
        values, code = _pending_delay(synapses, p, pending)
        steps[p.name] = delays_in_steps(synapses, p, dt, values)
        if code is not None and heterogeneous(steps[p.name]):
            if p.prepost != "pre" or not dendritic(synapses, p, effects, step, source, target):
                raise HostSynapsesNeeded(synapses, "per-synapse delays of a pathway whose "
                                         "code needs each spike's arrival")
            steps_code[p.name] = (_steps_code(code, p, dt, steps[p.name]),
                                  pending.initial_params.get(p.variables["delay"]))
    if pending is not None:
        layouts = [created_layout(synapses, source, target, steps, lines, step, options,
                                  pending.creation)]
    else:
        layouts = [choose_layout(synapses, source, target, pre, post, steps, selection, lines,
                                 step, options)
                   for selection in delay_parts(synapses, effects, families, step, source,
                                                target, steps, options)]
    populations = []
    for number, layout in enumerate(layouts):
        part_name = synapses.name if number == 0 else f"{synapses.name}_part{number}"
        for family_number, family in enumerate(families):
            name = (part_name if family_number == 0
                    else f"{part_name}_{family[0].objname}")
            populations += _family_populations(layout, name, family, effects, step, pending,
                                               steps_code)
    for population in populations[1:]:
        population.primary = False
    populations[0].spiker_statements = _spiker_statements(synapses, source, target, pre, post,
                                                          effects, steps)
    _mark_mirrors(populations)
    return populations


def _family_populations(layout: Layout, name: str, family: list,
                        effects: dict[str, PathwayEffects],
                        step: StepCode, pending=None,
                        steps_code: dict[str, tuple] | None = None) -> list[SynapsePopulation]:
    """The GeNN groups of one family of pathways: one per postsynaptic
    input that its on_pre statements add to (a variable, or the count of
    events for statements the target runs at each event), and further ones
    for summed variables that find no free ``addToPost``/``addToPre``
    channel.

    The first group runs all statements; each further one runs them with
    only its own target's ``addToPost`` (and no ``addToPre``) and summed
    variable. Where the
    statements change synaptic variables, every group does so on its own
    copies: the same deterministic code on the same spikes keeps the copies
    equal.
    """
    synapses = layout.synapses
    pre_pathway = next((p for p in family if p.prepost == "pre"), None)
    post_pathway = next((p for p in family if p.prepost == "post"), None)
    pre_lines = effects[pre_pathway.name].lines if pre_pathway is not None else []
    post_lines = effects[post_pathway.name].lines if post_pathway is not None else []
    post_code = render(post_lines)
    targets = post_targets(pre_lines)
    pre_inputs = pre_targets(pre_lines + post_lines)
    if len(pre_inputs) > 1:
        raise unsupported(synapses, f"statements that add to several presynaptic "
                          f"variables ({pre_inputs})",
                          "use one Synapses object per presynaptic variable.")
    all_code = "\n".join([render(pre_lines), post_code, step.render(step.summed)])
    channels = _summed_channels(len(targets or [None]), bool(targets), bool(pre_inputs),
                                step.summed)
    writes = assigned_names(all_code, synaptic_variables(synapses))
    # one seed: the groups of a family draw the same numbers
    random_seed = new_seed() if uses_random(all_code) else None
    axonal_delay, delay_steps = _axonal_delay(layout, pre_pathway)
    back_prop_delay = _back_prop_delay(layout, post_pathway)
    populations = []
    # the summed variables' groups are numbered after the targets' ones
    for number in range(max([len(targets or [None]), *(k + 1 for k in channels)])):
        target_var = targets[number] if number < len(targets) else None
        pre_code = render(pre_lines, target_var or "", pre_inputs=number == 0)
        if delay_steps is not None and target_var is not None:
            pre_code = re.sub(r"addToPost\((.*)\);", rf"addToPostDelay(\1, {DENDRITIC_DELAYS});",
                              pre_code)
        summed = channels.get(number, {})
        population = _population(
            layout, name if number == 0 else f"{name}_to_{target_var or _summed_name(summed)}",
            family=name, random_seed=random_seed,
            pre_code=pre_code if number == 0 or target_var or writes else "",
            post_code=(_without_unused_constants(render(post_lines, pre_inputs=number == 0))
                       if number == 0 or writes else ""),
            dynamics_code=step.render(list(summed.values())),
            post_target=(f"Isyn_{target_var}" if target_var else
                         f"Isum_{summed['post'][1]}" if "post" in summed else None),
            pre_target=(f"Ipre_{pre_inputs[0]}" if number == 0 and pre_inputs else
                        f"Isum_{summed['pre'][1]}" if "pre" in summed else None),
            axonal_delay=axonal_delay, back_prop_delay=back_prop_delay,
            delay_steps=delay_steps if target_var else None,
            pathways=tuple(p.objname for p in family),
            pre_event=_custom_event(pre_pathway), post_event=_custom_event(post_pathway),
            pending=pending,
            delay_initial=((steps_code or {}).get(pre_pathway.name)
                           if pre_pathway is not None else None))
        if pre_pathway is not None and target_var == events_target(pre_pathway):
            population.event_code = neuron_code(
                synapses, effects[pre_pathway.name].event_statements, "post")
        populations.append(population)
    return populations


#: a constant's declaration in GeNN code (Brian's loop invariants, ``_lio_1``)
_CONSTANT = re.compile(r"^\s*const\s+\w+\s+(\w+)\s*=[^;]*;\s*$")


def _without_unused_constants(code: str) -> str:
    """``code`` without the declarations of constants that nothing reads,
    which statements moved elsewhere (to the spiking neuron, `effects`)
    leave behind: GeNN 5.4's CUDA backend fails to compile a postsynaptic
    learning kernel whose code only declares (``shSpk`` undefined)."""
    lines = code.splitlines()
    while True:
        unused = [k for k, line in enumerate(lines) if (match := _CONSTANT.match(line))
                  and not any(re.search(rf"\b{match.group(1)}\b", other)
                              for j, other in enumerate(lines) if j != k)]
        if not unused:
            return "\n".join(lines)
        lines = [line for k, line in enumerate(lines) if k not in unused]


def _custom_event(pathway) -> str | None:
    """The custom event that triggers ``pathway`` (``None`` for spikes)."""
    if pathway is None or pathway.event == "spike":
        return None
    return pathway.event


def _summed_name(summed: dict) -> str:
    """Name part of a GeNN group made for summed variables."""
    return "sum_" + "_".join(entry[1] for entry in summed.values())


def _summed_channels(n_groups: int, post_used: bool, pre_used: bool,
                     summed: list[tuple]) -> dict[int, dict]:
    """Which GeNN group (by number) takes each summed variable: a group has
    one ``addToPre`` and one ``addToPost`` channel; on_pre statements use
    the ``addToPost`` channel of every group that changes a postsynaptic
    variable (``post_used``), and statements that add to a presynaptic
    variable the ``addToPre`` channel of the first (``pre_used``). Returns
    ``number -> {side: entry of StepCode.summed}``."""
    free = {"pre": list(range(1 if pre_used else 0, n_groups)),
            "post": [] if post_used else [0]}
    channels: dict[int, dict] = {}
    for entry in summed:
        side = entry[0]
        if not free[side]:
            # a new group, whose other channel is free too
            number = max([n_groups - 1, *channels]) + 1
            free["pre" if side == "post" else "post"].append(number)
        else:
            number = free[side].pop(0)
        channels.setdefault(number, {})[side] = entry
    return channels


def _spiker_statements(synapses, source, target, pre: np.ndarray, post: np.ndarray,
                       effects: dict[str, PathwayEffects],
                       steps: dict[str, np.ndarray]) -> list[SpikerStatements]:
    """The statements that spiking neurons run once per synapse of the
    `Synapses` (see `effects`; ``pre``/``post``: the indices of all its
    synapses, ``steps`` their delays): only without delay, in the spike's
    step."""
    result = []
    for e in effects.values():
        if not e.spiker_statements:
            continue
        if pre is None:
            raise HostSynapsesNeeded(synapses, "statements that change the spiking neuron's "
                                     "variables once per synapse")
        side = e.pathway.prepost
        if np.any(steps[e.pathway.name]):
            raise unsupported(synapses, f"delays of a pathway whose statements change "
                              f"the spiking neuron's variables ({sorted(e.spiker_writes)})",
                              "use no delay, or change them in the neuron model.")
        group, indices = (source, pre) if side == "pre" else (target, post)
        result.append(SpikerStatements(
            pathway=e.pathway.name, side=side, group=group.name,
            code=neuron_code(synapses, e.spiker_statements, side),
            count_var=f"bsynapses_{e.pathway.name}",
            counts=np.bincount(indices, minlength=len(group)).astype(np.int32)))
    return result


def _pending_delay(synapses, pathway, pending) -> tuple[np.ndarray | None, str | None]:
    """The delays (seconds) of ``pathway`` of synapses that GeNN makes
    (``pending``), where they are a per-synapse variable: its constant
    initial value, or for delays from an expression, 0 and their upper bound
    (heterogeneous delays with that many steps) and their initialisation
    code; ``(None, None)`` for a delay of the pathway, or synapses in
    Brian's arrays."""
    if pending is None:
        return None, None
    var = pathway.variables["delay"]
    if getattr(var, "scalar", True):
        return None, None
    code = pending.initial.get(var, "")
    value = constant_initial(code)
    if value is not None:
        return np.array([value]), None
    if var not in pending.delay_bounds:
        raise HostSynapsesNeeded(synapses, "delays that differ between synapses, without "
                                 "an upper bound")
    return np.array([0.0, pending.delay_bounds[var]]), code


def _steps_code(code: str, pathway, dt: float, steps: np.ndarray) -> str:
    """GeNN's initialisation of the delays in steps of ``dt`` (as
    `delays_in_steps` rounds) from that of the delays in seconds
    (``code``, see `synapse_creation.initial_value_code`)."""
    source_dt = float(pathway.source.clock.dt_)
    lines = code.strip().splitlines()
    value = VALUE_LINE.fullmatch(lines[-1].strip())
    ctype = narrowest_unsigned(steps)
    lines[-1] = (f"value = ({ctype})(floor(({value.group(2)}) / {source_dt!r} + 0.5) * "
                 f"{clock_steps(source_dt, dt)});")
    return "\n".join(lines)


def _axonal_delay(layout: Layout, pathway) -> tuple[int, np.ndarray | None]:
    """The on_pre pathway's homogeneous delay in steps, or 0 and the steps of
    each synapse for heterogeneous delays, which `delay_parts` leaves only
    where GeNN's dendritic delays (of ``addToPost``) give Brian's result."""
    if pathway is None:
        return 0, None
    steps = layout.steps[pathway.name]
    if not heterogeneous(steps):
        return (int(steps[0]) if len(steps) else 0), None
    return 0, steps.astype(np.uint32)


def _back_prop_delay(layout: Layout, pathway) -> int:
    """The on_post pathway's delay in steps: the same for all synapses of
    ``layout`` (`delay_parts` splits a Synapses by them)."""
    if pathway is None:
        return 0
    steps = layout.steps[pathway.name]
    return int(steps[0]) if len(steps) else 0


def _population(layout: Layout, name: str, family: str, random_seed: int | None,
                pre_code: str, post_code: str,
                dynamics_code: str, post_target: str | None, pre_target: str | None,
                axonal_delay: int, back_prop_delay: int, delay_steps: np.ndarray | None,
                pathways: tuple[str, ...], pre_event: str | None,
                post_event: str | None, pending=None,
                delay_initial: tuple | None = None) -> SynapsePopulation:
    """One GeNN group, with the variables its code uses.

    Code triggered by a custom event runs on GeNN's spike-like events, whose
    condition reads the event's flag that the neuron code sets (see
    ``templates/genn_neuron_sim.cpp``), under the reference name of
    `event_reference`. Random numbers come from the counter-based generator
    of `random_numbers`, in streams of the ``family`` (the name of its
    first group) with ``random_seed``.
    """
    synapses = layout.synapses
    if uses_random("\n".join([pre_code, post_code, dynamics_code])):
        _check_random(layout, pending)
        pre_code, post_code, dynamics_code = (
            with_stream_key(code, family, part, layout.connectivity)
            for code, part in ((pre_code, "pre"), (post_code, "post"),
                               (dynamics_code, "dynamics")))
    else:
        random_seed = None
    used = set(re.findall(r"\b\w+\b", "\n".join([pre_code, post_code, dynamics_code])))
    variables = [GeNNVariable(var_name, genn_ctype(var), var, read_only=var.read_only,
                              index=layout.index, selection=layout.selection,
                              initial=pending.initial[var] if pending else None,
                              initial_params=pending.initial_params.get(var) if pending else None)
                 for var_name, var in synaptic_variables(synapses).items() if var_name in used]
    if delay_steps is not None:
        initial, initial_params = delay_initial or (None, None)
        variables.append(GeNNVariable(DENDRITIC_DELAYS, narrowest_unsigned(delay_steps),
                                      delay_steps, read_only=True, index=layout.index,
                                      initial=initial, initial_params=initial_params))
    for count in SYNAPSE_COUNTS:
        if count in used and pending is not None:
            raise HostSynapsesNeeded(synapses, f"its code reads '{count}'")
        if count in used:
            # Brian's count of each target (source) neuron, per synapse
            per_neuron = np.asarray(synapses.variables[count].get_value())
            neuron = synapses.variables[synapses.variables.indices[count]].get_value()
            variables.append(GeNNVariable(count, "int32_t",
                                          per_neuron[np.asarray(neuron)].astype(np.int32),
                                          read_only=True, index=layout.index,
                                          selection=layout.selection))
    references = {}
    for role, group in (("pre", layout.source), ("post", layout.target)):
        for ref in sorted(used):
            var = group.variables.get(ref[:-len(role) - 1]) if ref.endswith(f"_{role}") else None
            # not a subexpression, which the code computes in a local of that name
            if isinstance(var, ArrayVariable):
                references[ref] = (role, genn_identifier(var.name), genn_ctype(var))
    pre_event = pre_event if pre_code else None
    post_event = post_event if post_code else None
    for role, event in (("pre", pre_event), ("post", post_event)):
        if event is not None:
            references[event_reference(event, role)] = (role, f"bevented_{event}", "bool")
    if post_event is not None and layout.source is layout.target:
        _check_recurrent_post_event(synapses, pre_event, post_event)
        references[event_reference(post_event, "pre")] = ("pre", f"bevented_{post_event}",
                                                          "bool")
    shared = {genn_identifier(var_name): var for var_name, var in synapses.variables.items()
              if isinstance(var, ArrayVariable) and var.scalar and not var_name.startswith("_")
              and getattr(var.owner, "name", None) == synapses.name
              and genn_identifier(var_name) in used}
    return SynapsePopulation(
        name=name, synapses=synapses, source=layout.source.name, target=layout.target.name,
        connectivity=layout.connectivity, parallelism=layout.parallelism,
        threads_per_spike=layout.threads_per_spike, variables=variables,
        pre_spike_syn_code=pre_code, post_spike_syn_code=post_code,
        synapse_dynamics_code=dynamics_code, neuron_references=references, shared=shared,
        post_target=post_target, pre_target=pre_target,
        axonal_delay_steps=axonal_delay, back_prop_delay_steps=back_prop_delay,
        pre_indices=layout.pre, post_indices=layout.post, row_order=layout.row_order,
        row_lengths=layout.row_lengths, pathways=pathways,
        pre_event=pre_event, post_event=post_event, random_seed=random_seed,
        creation=pending.creation if pending is not None else None)


def _check_random(layout: Layout, pending=None) -> None:
    """Reject random numbers where `random_numbers.synapse_index` cannot tell
    the synapses apart: procedural groups that connect a pair twice."""
    if layout.connectivity != "procedural":
        return
    if (pending.creation.multapses if pending is not None
            else has_multapses(layout.pre, layout.post)):
        raise unsupported(layout.synapses, "random numbers in the synaptic code of a group "
                          "with procedural connectivity that connects a pre/post pair "
                          "more than once", "use 'sparse' connectivity.")


def _check_recurrent_post_event(synapses, pre_event: str | None, post_event: str) -> None:
    """Reject what GeNN 5.4 cannot do with postsynaptic code on a custom
    event in a group whose source is its target: it evaluates the
    spike-like events of such a group with its presynaptic condition only
    (see `_event_code`)."""
    if pre_event is not None and pre_event != post_event:
        raise unsupported(synapses, f"on_pre and on_post pathways on different custom "
                          f"events ('{pre_event}', '{post_event}') of one NeuronGroup that "
                          "share synaptic variables", "use one Synapses object per pathway.")


def _mark_mirrors(populations: list[SynapsePopulation]) -> None:
    """Make every copy of a Brian variable but the first (of each part, see
    `delay_parts`) a mirror. The first is the one written, if any is: a
    variable written in a family is held by its first group, and by no
    other family (see `_families`)."""
    held = set()
    for population in populations:
        for var in population.variables:
            if isinstance(var.brian_var, ArrayVariable):
                key = (var.name, id(var.selection))
                var.mirror = key in held
                held.add(key)


