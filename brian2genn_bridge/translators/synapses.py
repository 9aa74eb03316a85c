"""Translation of `Synapses` into GeNN weight-update and postsynaptic models."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from brian2 import prefs
from brian2.core.variables import ArrayVariable
from brian2.utils.logger import get_logger

from ..model import GeNNVariable, SpikerStatements, SynapsePopulation, event_reference
from ..parallel import balanced_groups, bincount, parallel_map, slices
from ..preferences import presynaptic_block_size
from .delays import delay_parts, delays_in_steps, heterogeneous, narrowest_unsigned
from .effects import (Lines, PathwayEffects, check_neuron_reads, events_target, neuron_code,
                      pathway_effects, post_targets, pre_targets, render)
from .expressions import SYNAPSE_COUNTS, genn_ctype, genn_identifier
from .functions import function_data
from ..subgroups import source_group
from ..errors import unsupported
from .random_numbers import new_seed, uses_random, with_stream_key
from .spans import choose_parallelism
from .synapse_dynamics import StepCode, StepSchedule, step_code, step_runners
from .synaptic_code import assigned_names, runner_code, synaptic_variables

__all__ = ["translate_synapses", "choose_connectivity", "postsynaptic_span_races",
           "sparse_order"]

logger = get_logger(__name__)


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


@dataclass
class Needs:
    """What the GeNN code of a `Synapses` needs from its matrix type."""

    #: per-synapse variables the code uses (Brian's names; ``'delay'`` for
    #: heterogeneous delays of on_pre)
    variables: list[str]
    #: those the code changes
    written: list[str]
    #: whether there are on_post statements
    on_post: bool
    #: whether there is code of every step (clock-driven equations, summed
    #: variables, run_regularly operations), GeNN's synapse dynamics
    dynamics: bool = False


def _needs(synapses, lines: dict[str, Lines], step: "StepCode",
           steps: dict[str, np.ndarray]) -> Needs:
    """What the pathways' GeNN code (``lines``), the per-step code
    (``step``) and the pathways' delays (``steps``, by pathway name) need
    from the matrix type."""
    names = synaptic_variables(synapses)
    code = "\n".join([*(render(pathway_lines) for pathway_lines in lines.values()),
                      step.render(step.summed)])
    used = [name for name in names if re.search(rf"\b{name}\b", code)]
    written = sorted(names[name].name for name in assigned_names(code, used))
    variables = [names[name].name for name in used]
    pre_pathway = next((p for p in synapses._pathways if p.prepost == "pre"), None)
    if pre_pathway is not None:
        if heterogeneous(steps[pre_pathway.name]):
            variables.append("delay")
    variables += [count for count in SYNAPSE_COUNTS if re.search(rf"\b{count}\b", code)]
    on_post = any(p.prepost == "post" and runner_code(p) for p in synapses._pathways)
    dynamics = bool(step.early or step.late or step.summed)
    return Needs(sorted(variables), written, on_post, dynamics)


def choose_connectivity(synapses, n_post: int, pre: np.ndarray, post: np.ndarray,
                        row_lengths: np.ndarray, needs: Needs) -> str:
    """GeNN's matrix type for ``synapses``: its ``genn_connectivity``, else
    ``prefs.devices.genn.connectivity``. ``row_lengths`` are the synapses of
    each presynaptic neuron.

    ``'auto'`` chooses from the group's size, density and ``needs``:

    - ``'dense'`` when every pre/post pair is connected exactly once (no
      index to store or load);
    - else ``'bitmask'`` when the code needs no per-synapse variable, no
      on_post statements and no code of every step, no pair is connected
      twice, and one bit per pair
      takes less memory than sparse's 32-bit index per row slot, i.e. the
      longest row holds more than ``n_post / 32`` synapses (about 3 %);
    - else ``'sparse'``.

    ``'procedural'`` is never chosen automatically: GeNN 5.4 runs it on CUDA
    only, and rows made by Brian on the host are read from memory at every
    spike, so it saves no more than sparse's row padding.

    Raises
    ------
    ValueError
        If the matrix type cannot hold the connections or run the code.
    """
    choice = getattr(synapses, "genn_connectivity", None) or prefs["devices.genn.connectivity"]
    n, n_pre = len(pre), len(row_lengths)
    full = n == n_pre * n_post and n > 0 and not _has_multapses(pre, post)
    how = "chosen"
    if choice == "auto":
        how = "automatic"
        longest_row = int(row_lengths.max(initial=0))
        if full:
            choice = "dense"
        elif (not needs.variables and not needs.on_post and not needs.dynamics
              and -(-n_post // 32) < longest_row and not _has_multapses(pre, post)):
            choice = "bitmask"
        else:
            choice = "sparse"
    _check_matrix_type(synapses, choice, full, pre, post, needs)
    logger.debug(f"{synapses.name}: {choice} connectivity ({how}; {n} synapses, "
                 f"{n_pre}x{n_post})")
    return choice


def _pair_keys(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    """One int64 per synapse that orders them by (pre, post).

    pre and post are non-negative and below 2**31; an array of 10^9 int64 is
    8 GB: no more temporaries than needed."""
    key = pre.astype(np.int64) << 32
    key |= post
    return key


def _has_multapses(pre: np.ndarray, post: np.ndarray) -> bool:
    """Whether some pre/post pair is connected more than once."""
    in_order, repeats = _pair_order(pre, post)
    if in_order:
        # (pre, post) order, as connect() usually makes them: no sort needed
        return repeats
    return len(np.unique(_pair_keys(pre, post))) < len(pre)


#: synapses whose (pre, post) keys one thread holds at a time in `_pair_order`
_KEY_CHUNK = 1 << 22


def _pair_order(pre: np.ndarray, post: np.ndarray) -> tuple[bool, bool]:
    """Whether the synapses are in (pre, post) order, and if they are,
    whether some pair follows itself (is connected more than once).

    Chunk by chunk over the host threads, each key compared with the one
    before it, so that no array of all keys (8 GB at 10^9 synapses) is made.
    """
    def check(start: int, stop: int) -> tuple[bool, bool]:
        repeats = False
        for first in range(max(start - 1, 0), stop - 1, _KEY_CHUNK):
            last = min(first + _KEY_CHUNK + 1, stop)
            steps = np.diff(_pair_keys(pre[first:last], post[first:last]))
            if np.any(steps < 0):
                return False, False
            repeats = repeats or bool(np.any(steps == 0))
        return True, repeats

    results = parallel_map(check, slices(len(pre)))
    return all(ordered for ordered, _ in results), any(repeats for _, repeats in results)


def _check_matrix_type(synapses, choice: str, full: bool, pre: np.ndarray,
                       post: np.ndarray, needs: Needs) -> None:
    """Raise `ValueError` if ``choice`` cannot hold ``synapses``."""
    where = f"Synapses '{synapses.name}': {choice} connectivity"
    if choice == "dense" and not full:
        raise ValueError(f"{where} needs every pre/post pair connected exactly once; use "
                         "'sparse'.")
    if choice == "bitmask":
        if _has_multapses(pre, post):
            raise ValueError(f"{where} holds one bit per pre/post pair, and some pairs "
                             "are connected more than once; use 'sparse'.")
        if needs.variables:
            raise ValueError(f"{where} holds no per-synapse variables in GeNN 5.4, and the "
                             f"synaptic code uses {needs.variables}; use 'sparse' or "
                             "'dense', or make them shared ('(shared)') or variables of "
                             "the pre- or postsynaptic group.")
        if needs.on_post:
            # GeNN 5.4's postsynaptic update of bitmask groups ignores the
            # bits: it would run on_post for every pre/post pair
            raise ValueError(f"{where} cannot run on_post statements in GeNN 5.4; use "
                             "'sparse' or 'dense'.")
    if choice in ("bitmask", "procedural") and needs.dynamics:
        raise ValueError(f"{where} runs no code of every step (clock-driven equations, "
                         "summed variables, run_regularly operations) in GeNN 5.4; use "
                         "'sparse' or 'dense'.")
    if choice == "procedural":
        if needs.on_post:
            raise ValueError(f"{where} regenerates synapses only from presynaptic "
                             "spikes: GeNN 5.4 runs no on_post statements (e.g. STDP) "
                             "with it; use 'sparse' or 'dense'.")
        if needs.written:
            raise ValueError(f"{where} keeps per-synapse values read-only (synapses are "
                             "regenerated at every spike), and the synaptic code changes "
                             f"{needs.written}; use 'sparse' or 'dense'.")


def postsynaptic_span_races(connectivity: str, n_post: int, row_lengths: np.ndarray,
                            pre: np.ndarray, post: np.ndarray) -> bool:
    """Whether GeNN 5.4's postsynaptic span would lose synaptic input of a
    group on CUDA.

    With sparse connectivity and a target population no larger than a
    block of the presynaptic kernel, GeNN sums a block's input to each
    target in shared memory with a plain ``+=``, not an atomic addition,
    and the threads do not wait for each other between spikes. Two warps
    (rows longer than 32 synapses) working on different spikes to the same
    target, or two threads of one spike on the same target (a pre/post pair
    connected twice), then overwrite each other's sums. On an H200 this
    dropped about one synapse's input in a thousand (target, step) pairs
    of a 40 x 60 network with rows of up to 39 synapses. (Input delayed
    per synapse goes to GeNN's dendritic delay buffer instead, by atomic
    additions.)
    """
    # GeNN's own choice of block size is at most 1024 threads
    if connectivity != "sparse" or n_post > (presynaptic_block_size() or 1024):
        return False
    return int(row_lengths.max(initial=0)) > 32 or _has_multapses(pre, post)


def _check_supported(synapses) -> None:
    """Raise `NotImplementedError` for features of ``synapses`` GeNN lacks."""
    codeobjs = [p.codeobj for p in synapses._pathways if p.codeobj is not None]
    codeobjs += [runner.codeobj for runner in step_runners(synapses)]
    if function_data(codeobjs):
        raise unsupported(synapses, "functions with data (TimedArray) in synaptic code",
                          "compute the value in a variable of the pre- or postsynaptic "
                          "NeuronGroup (e.g. 'stimulus = ta(t) : 1') and read it as "
                          "'stimulus_pre' or 'stimulus_post'.")


@dataclass
class _Layout:
    """What all GeNN groups made from one `Synapses` share."""

    synapses: Any
    source: Any
    target: Any
    connectivity: str
    parallelism: str
    threads_per_spike: int
    pre: np.ndarray
    post: np.ndarray
    #: `sparse_order` of the synapses (sparse and procedural connectivity)
    row_order: Any
    #: the number of synapses of each neuron of the source population
    row_lengths: np.ndarray
    #: each pathway's delays in steps (see `delays_in_steps`) of these synapses,
    #: by pathway name
    steps: dict[str, np.ndarray]
    #: Brian's indices of the synapses these GeNN groups hold, where a
    #: `Synapses` is split by delay (see `delay_parts`); ``None`` for all
    selection: np.ndarray | None = None

    @cached_property
    def index(self) -> np.ndarray | None:
        """Position of each Brian synapse in GeNN's arrays (see `_genn_order`):
        computed when a GeNN variable first needs it, which a Synapses
        without per-synapse variables (up to 10^9 synapses) never does."""
        return _genn_order(self.connectivity, self.pre, self.post, self.row_lengths,
                           len(self.target), self.row_order)


def translate_synapses(synapses, dt: float,
                       schedule: StepSchedule | None = None) -> list[SynapsePopulation]:
    """Describe a `Synapses` object as GeNN synapse groups with its
    connectivity: one per family of pathways (see `_families`), split into
    one per postsynaptic variable that its on_pre statements change (and
    per summed variable where a group has no channel left for it); all of
    that once per delay value where heterogeneous delays need it (see
    `delay_parts`).

    ``dt`` is GeNN's time step (delays are counted in it); ``schedule``
    places per-step code (needed when `has_step_code`).
    """
    _check_supported(synapses)
    step = step_code(synapses, schedule)
    effects = {p.name: pathway_effects(synapses, p, runner_code(p)) for p in synapses._pathways}
    check_neuron_reads(synapses, effects)
    lines = {name: e.lines for name, e in effects.items()}
    source, target = source_group(synapses.source), source_group(synapses.target)
    # Brian's int32 arrays themselves (read only): a copy of 10^9 costs seconds
    pre = np.asarray(synapses.variables["_synaptic_pre"].get_value())
    post = np.asarray(synapses.variables["_synaptic_post"].get_value())
    families = _families(synapses, lines, synaptic_variables(synapses))
    if len(families) > 1 and (step.early or step.late or step.summed):
        raise unsupported(synapses, "clock-driven equations, summed variables or "
                          "run_regularly operations together with several pathways on "
                          "one side", "use one Synapses object per pathway.")
    # rounded once: up to 1e9 synapses
    steps = {p.name: delays_in_steps(synapses, p, dt) for p in synapses._pathways}
    layouts = [_layout(synapses, source, target, pre, post, steps, selection, lines, step)
               for selection in delay_parts(synapses, effects, families, step, source,
                                             target, steps)]
    populations = []
    for number, layout in enumerate(layouts):
        part_name = synapses.name if number == 0 else f"{synapses.name}_part{number}"
        for family_number, family in enumerate(families):
            name = (part_name if family_number == 0
                    else f"{part_name}_{family[0].objname}")
            populations += _family_populations(layout, name, family, effects, step)
    for population in populations[1:]:
        population.primary = False
    populations[0].spiker_statements = _spiker_statements(synapses, source, target, pre, post,
                                                          effects, steps)
    _mark_mirrors(populations)
    return populations


def _layout(synapses, source, target, pre: np.ndarray, post: np.ndarray,
            steps: dict[str, np.ndarray], selection: np.ndarray | None,
            lines: dict[str, Lines], step: "StepCode") -> _Layout:
    """The matrix type, span and GeNN order of the synapses at Brian's
    indices ``selection`` (all for ``None``); ``steps``: the delays of all
    synapses (`delays_in_steps`), by pathway name."""
    if selection is not None:
        pre, post = pre[selection], post[selection]
        steps = {name: pathway_steps if len(pathway_steps) == 1 else pathway_steps[selection]
                 for name, pathway_steps in steps.items()}
    row_lengths = bincount(pre, len(source))
    connectivity = choose_connectivity(synapses, len(target), pre, post, row_lengths,
                                       _needs(synapses, lines, step, steps))
    # heterogeneous delays sum input in GeNN's dendritic delay buffer, with
    # atomic additions
    races = (postsynaptic_span_races(connectivity, len(target), row_lengths, pre, post)
             and not all(heterogeneous(steps[p.name])
                         for p in synapses._pathways if p.prepost == "pre"))
    parallelism, threads = choose_parallelism(synapses, connectivity, row_lengths, races)
    # sorting (or checking the order of) up to 1e9 synapses: once per part
    row_order = (sparse_order(pre, post) if connectivity in ("sparse", "procedural")
                 else None)
    return _Layout(synapses, source, target, connectivity, parallelism, threads, pre, post,
                   row_order, row_lengths, steps, selection)


def _family_populations(layout: _Layout, name: str, family: list,
                        effects: dict[str, PathwayEffects],
                        step: StepCode) -> list[SynapsePopulation]:
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
    pre_lines = effects[pre_pathway.name].lines if pre_pathway else []
    post_lines = effects[post_pathway.name].lines if post_pathway else []
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
            pre_code = re.sub(r"addToPost\((.*)\);", r"addToPostDelay(\1, delay_steps);",
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
            pre_event=_custom_event(pre_pathway), post_event=_custom_event(post_pathway))
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


def _axonal_delay(layout: _Layout, pathway) -> tuple[int, np.ndarray | None]:
    """The on_pre pathway's homogeneous delay in steps, or 0 and the steps of
    each synapse for heterogeneous delays, which `delay_parts` leaves only
    where GeNN's dendritic delays (of ``addToPost``) give Brian's result."""
    if pathway is None:
        return 0, None
    steps = layout.steps[pathway.name]
    if not heterogeneous(steps):
        return (int(steps[0]) if len(steps) else 0), None
    return 0, steps.astype(np.uint32)


def _back_prop_delay(layout: _Layout, pathway) -> int:
    """The on_post pathway's delay in steps: the same for all synapses of
    ``layout`` (`delay_parts` splits a Synapses by them)."""
    if pathway is None:
        return 0
    steps = layout.steps[pathway.name]
    return int(steps[0]) if len(steps) else 0


def _population(layout: _Layout, name: str, family: str, random_seed: int | None,
                pre_code: str, post_code: str,
                dynamics_code: str, post_target: str | None, pre_target: str | None,
                axonal_delay: int, back_prop_delay: int, delay_steps: np.ndarray | None,
                pathways: tuple[str, ...], pre_event: str | None,
                post_event: str | None) -> SynapsePopulation:
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
        _check_random(layout)
        pre_code, post_code, dynamics_code = (
            with_stream_key(code, family, part, layout.connectivity)
            for code, part in ((pre_code, "pre"), (post_code, "post"),
                               (dynamics_code, "dynamics")))
    else:
        random_seed = None
    used = set(re.findall(r"\b\w+\b", "\n".join([pre_code, post_code, dynamics_code])))
    variables = [GeNNVariable(var_name, genn_ctype(var), var, read_only=var.read_only,
                              index=layout.index, selection=layout.selection)
                 for var_name, var in synaptic_variables(synapses).items() if var_name in used]
    if delay_steps is not None:
        variables.append(GeNNVariable("delay_steps", narrowest_unsigned(delay_steps),
                                      delay_steps, read_only=True, index=layout.index))
    for count in SYNAPSE_COUNTS:
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
        pre_event=pre_event, post_event=post_event, random_seed=random_seed)


def _check_random(layout: _Layout) -> None:
    """Reject random numbers where `random_numbers.synapse_index` cannot tell
    the synapses apart: procedural groups that connect a pair twice."""
    if layout.connectivity == "procedural" and _has_multapses(layout.pre, layout.post):
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


def sparse_order(pre: np.ndarray, post: np.ndarray) -> np.ndarray | None:
    """Brian's synapses sorted by (pre, post), GeNN's row order; ``None``
    when they are in that order already (as ``connect`` usually makes them),
    which saves sorting 10^8 synapses."""
    if _pair_order(pre, post)[0]:
        return None
    return np.argsort(_pair_keys(pre, post), kind="stable")


def _genn_order(connectivity: str, pre, post, row_lengths: np.ndarray, n_post: int,
                order: np.ndarray | None):
    """Position of each Brian synapse in GeNN's arrays (``row_lengths``: the
    synapses of each presynaptic neuron; ``order``: their `sparse_order`)."""
    if connectivity == "dense":
        return pre.astype(np.int64) * n_post + post
    if connectivity == "bitmask" or len(pre) == 0:
        return None  # a bitmask holds no variables
    if connectivity == "procedural":
        # the kernel entry of each synapse: its position in (pre, post) order
        if order is None:
            return None
        index = np.empty(len(pre), dtype=np.int64)
        index[order] = np.arange(len(pre))
        return index
    position = _row_slots(row_lengths)
    if order is None:
        return position
    index = np.empty(len(pre), dtype=np.int64)
    index[order] = position
    return index


def _row_slots(row_lengths: np.ndarray) -> np.ndarray:
    """GeNN's slots that hold synapses, in row order: the first row_length
    of each row of max_row slots (4x faster than the arithmetic per
    synapse), rows in groups over the host threads."""
    max_row = int(row_lengths.max())
    slot = np.arange(max_row)
    groups = balanced_groups(np.asarray(row_lengths, dtype=np.int64))
    if len(groups) == 1:
        return np.flatnonzero(slot < row_lengths[:, None])
    ends = np.cumsum(row_lengths, dtype=np.int64)
    position = np.empty(int(ends[-1]), dtype=np.int64)

    def fill(first: int, last: int) -> None:
        slots = np.flatnonzero(slot < row_lengths[first:last, None])
        # in place: a new array of 10^8 positions costs more than the sum
        slots += first * max_row
        position[int(ends[first - 1]) if first else 0:int(ends[last - 1])] = slots

    parallel_map(fill, groups)
    return position
