"""Translation of `Synapses` into GeNN weight-update and postsynaptic models."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from brian2 import prefs
from brian2.core.variables import ArrayVariable
from brian2.groups.group import CodeRunner
from brian2.utils.logger import get_logger
from pygenn import (create_postsynaptic_model, create_var_ref,
                    create_weight_update_model, init_postsynaptic,
                    init_weight_update)
from pygenn import ParallelismHint, SynapseMatrixType

from ..model import GeNNVariable, SpikerStatements, SynapsePopulation
from .effects import (Lines, PathwayEffects, check_neuron_reads, events_target, neuron_code,
                      pathway_effects, post_targets, pre_targets, render)
from .expressions import clock_steps, genn_identifier
from .functions import function_data
from .monitors import source_group
from .neurons import _ctype, unsupported

__all__ = ["translate_synapses", "add_synapse_population", "choose_connectivity"]

logger = get_logger(__name__)

_MATRIX_TYPES = {"sparse": SynapseMatrixType.SPARSE, "dense": SynapseMatrixType.DENSE}

#: the postsynaptic model of every synapse group: input reaches the target
#: variable through an additional input variable, applied by the neuron
_PSM = create_postsynaptic_model("brian_input", sim_code="injectCurrent(inSyn);\ninSyn = 0.0;")


def _code(pathway) -> str:
    return str(pathway.codeobj.code).strip() if pathway.codeobj else ""


def _synaptic_variables(synapses) -> dict[str, ArrayVariable]:
    n = len(synapses)
    return {genn_identifier(name): var for name, var in synapses.variables.items()
            if isinstance(var, ArrayVariable) and not name.startswith("_")
            and getattr(var.owner, "name", None) == synapses.name and not var.scalar
            and name not in ("i", "j", "delay", "N_incoming", "N_outgoing")
            and var.size == n}


def _written(code: str, names) -> set[str]:
    """The ``names`` that ``code`` assigns to."""
    return {name for name in names if re.search(rf"\b{name}\s*[-+*/]?=(?!=)", code)}


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
    written = {p.name: _written(code[p.name], names) for p in pathways}
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


def _delay_steps(synapses, pathway, dt: float) -> np.ndarray:
    """The delays of ``pathway`` in GeNN steps of ``dt``.

    A pathway runs on the clock of its source group, which may tick every k
    GeNN steps: Brian rounds delays to steps of that clock.
    """
    delays = np.asarray(pathway.variables["delay"].get_value(), dtype=float)
    source_dt = float(pathway.source.clock.dt_)
    return np.round(delays / source_dt).astype(np.int64) * clock_steps(source_dt, dt)


def choose_connectivity(synapses, n_pre: int, n_post: int, pre: np.ndarray,
                        post: np.ndarray) -> str:
    """The matrix type: the object's ``genn_connectivity``, else the
    preference, else chosen from the group's size and density."""
    choice = getattr(synapses, "genn_connectivity", None) or prefs.devices.genn.connectivity
    n = len(pre)
    full = n == n_pre * n_post and len(np.unique(pre * n_post + post)) == n
    if choice == "auto":
        # dense rows need no index loads; they pay off only when every pair exists
        choice = "dense" if full and n > 0 else "sparse"
    if choice == "dense" and not full:
        raise ValueError(f"Synapses '{synapses.name}': dense connectivity needs every "
                         "pre/post pair connected exactly once.")
    if choice in ("bitmask", "procedural"):
        raise unsupported(synapses, f"{choice} connectivity",
                          "use 'sparse' or 'dense': connections made by Brian on the "
                          "host can only be handed to GeNN 5.4 in these formats.")
    logger.debug(f"{synapses.name}: {choice} connectivity ({n} synapses, "
                 f"{n_pre}x{n_post})")
    return choice


def _check_supported(synapses) -> None:
    """Raise `NotImplementedError` for features of ``synapses`` GeNN lacks."""
    if synapses.state_updater is not None and synapses.state_updater.active \
            and _code(synapses.state_updater):
        raise unsupported(synapses, "clock-driven synaptic equations",
                          "use event-driven equations, or move the dynamics into the "
                          "postsynaptic NeuronGroup.")
    operations = [obj.name for obj in synapses.contained_objects
                  if obj.active and isinstance(obj, CodeRunner) and obj.template == "stateupdate"
                  and obj is not synapses.state_updater]
    if operations:
        raise unsupported(synapses, f"run_regularly operations or (constant over dt) "
                          f"subexpressions ({operations})",
                          "compute the values in the pre- or postsynaptic NeuronGroup.")
    codeobjs = [p.codeobj for p in synapses._pathways if p.codeobj is not None]
    if function_data(codeobjs):
        raise unsupported(synapses, "functions with data (TimedArray) in synaptic code",
                          "compute the value in a variable of the pre- or postsynaptic "
                          "NeuronGroup (e.g. 'stimulus = ta(t) : 1') and read it as "
                          "'stimulus_pre' or 'stimulus_post'.")
    if synapses.summed_updaters:
        raise unsupported(synapses, "summed variables",
                          "accumulate through on_pre statements instead.")
    if any(p.event != "spike" for p in synapses._pathways):
        raise unsupported(synapses, "pathways on custom events",
                          "trigger the pathway on spikes.")
    if any("gennrand" in _code(p) for p in synapses._pathways):
        # GeNN 5.4 has no random number generator in spike-triggered synapse
        # code: its code generation fails on the RNG identifier (CPU:
        # 'gennrand_*' undefined; CUDA: '_rng' undefined)
        raise unsupported(synapses, "random numbers (rand(), randn()) in "
                          "on_pre/on_post statements",
                          "draw them in the pre- or postsynaptic NeuronGroup (e.g. "
                          "'r = rand() : 1 (constant over dt)' there) and read them as "
                          "'r_pre' or 'r_post'.")


@dataclass
class _Layout:
    """What all GeNN groups made from one `Synapses` share."""

    synapses: Any
    source: Any
    target: Any
    connectivity: str
    parallelism: str
    pre: np.ndarray
    post: np.ndarray
    #: position of each Brian synapse in GeNN's arrays
    index: Any


def translate_synapses(synapses, dt: float) -> list[SynapsePopulation]:
    """Describe a `Synapses` object as GeNN synapse groups with its
    connectivity: one per family of pathways (see `_families`), split into
    one per postsynaptic variable that its on_pre statements change."""
    _check_supported(synapses)
    effects = {p.name: pathway_effects(synapses, p, _code(p)) for p in synapses._pathways}
    check_neuron_reads(synapses, effects)
    lines = {name: e.lines for name, e in effects.items()}
    source, target = source_group(synapses.source), source_group(synapses.target)
    pre = np.asarray(synapses.variables["_synaptic_pre"].get_value(), dtype=np.int64)
    post = np.asarray(synapses.variables["_synaptic_post"].get_value(), dtype=np.int64)
    connectivity = choose_connectivity(synapses, len(source), len(target), pre, post)
    parallelism = getattr(synapses, "genn_parallelism", None) or prefs.devices.genn.parallelism
    if parallelism == "auto":
        parallelism = "postsynaptic"
    if parallelism == "presynaptic" and connectivity != "sparse":
        raise ValueError(f"Synapses '{synapses.name}': presynaptic parallelism needs "
                         "sparse connectivity.")
    layout = _Layout(synapses, source, target, connectivity, parallelism, pre, post,
                     _genn_order(connectivity, pre, post, len(source), len(target)))
    populations = []
    for number, family in enumerate(_families(synapses, lines, _synaptic_variables(synapses))):
        name = synapses.name if number == 0 else f"{synapses.name}_{family[0].objname}"
        populations += _family_populations(layout, name, family, effects, dt)
    for population in populations[1:]:
        population.primary = False
    populations[0].spiker_statements = _spiker_statements(layout, effects, dt)
    _mark_mirrors(populations)
    return populations


def _family_populations(layout: _Layout, name: str, family: list,
                        effects: dict[str, PathwayEffects], dt: float) -> list[SynapsePopulation]:
    """The GeNN groups of one family of pathways: one per postsynaptic
    input that its on_pre statements add to (a variable, or the count of
    events for statements the target runs at each event).

    The first group runs all statements; each further one runs them with
    only its own target's ``addToPost`` (and no ``addToPre``). Where the
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
    all_code = render(pre_lines) + "\n" + post_code
    if len(targets) > 1 and "gennrand" in all_code:
        # separate groups would draw separate numbers (and copies diverge)
        raise unsupported(synapses, "random numbers in on_pre statements that change "
                          "several postsynaptic variables",
                          "use one Synapses object per postsynaptic variable.")
    writes = _written(all_code, _synaptic_variables(synapses))
    axonal_delay, delay_steps = _axonal_delay(layout, pre_pathway, pre_lines, dt)
    back_prop_delay = _back_prop_delay(synapses, post_pathway, dt)
    populations = []
    for number, target_var in enumerate(targets or [None]):
        pre_code = render(pre_lines, target_var, pre_inputs=number == 0)
        if delay_steps is not None:
            pre_code = re.sub(r"addToPost\((.*)\);", r"addToPostDelay(\1, delay_steps);",
                              pre_code)
        population = _population(
            layout, name if number == 0 else f"{name}_to_{target_var}",
            pre_code=pre_code,
            post_code=render(post_lines, pre_inputs=number == 0) if number == 0 or writes else "",
            post_target=f"Isyn_{target_var}" if target_var else None,
            axonal_delay=axonal_delay, back_prop_delay=back_prop_delay,
            delay_steps=delay_steps, pathways=tuple(p.objname for p in family))
        if number == 0 and pre_inputs:
            population.pre_target = f"Ipre_{pre_inputs[0]}"
        if pre_pathway is not None and target_var == events_target(pre_pathway):
            population.event_code = neuron_code(
                synapses, effects[pre_pathway.name].event_statements, "post")
        populations.append(population)
    return populations


def _spiker_statements(layout: _Layout, effects: dict[str, PathwayEffects],
                       dt: float) -> list[SpikerStatements]:
    """The statements that spiking neurons run once per synapse of the
    `Synapses` (see `effects`): only without delay, in the spike's step."""
    synapses = layout.synapses
    result = []
    for e in effects.values():
        if not e.spiker_statements:
            continue
        side = e.pathway.prepost
        if np.any(_delay_steps(synapses, e.pathway, dt)):
            raise unsupported(synapses, f"delays of a pathway whose statements change "
                              f"the spiking neuron's variables ({sorted(e.spiker_writes)})",
                              "use no delay, or change them in the neuron model.")
        group, indices = ((layout.source, layout.pre) if side == "pre"
                          else (layout.target, layout.post))
        result.append(SpikerStatements(
            pathway=e.pathway.name, side=side, group=group.name,
            code=neuron_code(synapses, e.spiker_statements, side),
            count_var=f"bsynapses_{e.pathway.name}",
            counts=np.bincount(indices, minlength=len(group)).astype(np.int32)))
    return result


def _axonal_delay(layout: _Layout, pathway, lines: Lines,
                  dt: float) -> tuple[int, np.ndarray | None]:
    """The on_pre pathway's homogeneous delay in steps, or 0 and the steps of
    each synapse for heterogeneous delays (applied to ``addToPost`` only)."""
    if pathway is None:
        return 0, None
    steps = _delay_steps(layout.synapses, pathway, dt)
    if len(steps) == 0 or np.all(steps == steps[0]):
        return (int(steps[0]) if len(steps) else 0), None
    if (_written(render(lines), _synaptic_variables(layout.synapses)) or not post_targets(lines)
            or pre_targets(lines)):
        raise unsupported(layout.synapses, "heterogeneous delays with on_pre statements "
                          "that change synaptic or presynaptic variables",
                          "use one Synapses object per delay value.")
    return 0, steps.astype(np.uint32)


def _back_prop_delay(synapses, pathway, dt: float) -> int:
    if pathway is None:
        return 0
    steps = _delay_steps(synapses, pathway, dt)
    if len(steps) and not np.all(steps == steps[0]):
        raise unsupported(synapses, "heterogeneous delays of the on_post pathway",
                          "use one delay for on_post.")
    return int(steps[0]) if len(steps) else 0


def _population(layout: _Layout, name: str, pre_code: str, post_code: str,
                post_target: str | None, axonal_delay: int, back_prop_delay: int,
                delay_steps: np.ndarray | None, pathways: tuple[str, ...]) -> SynapsePopulation:
    """One GeNN group, with the variables its code uses."""
    synapses = layout.synapses
    used = set(re.findall(r"\b\w+\b", pre_code + "\n" + post_code))
    variables = [GeNNVariable(var_name, _ctype(var), var, read_only=var.read_only,
                              index=layout.index)
                 for var_name, var in _synaptic_variables(synapses).items() if var_name in used]
    if delay_steps is not None:
        variables.append(GeNNVariable("delay_steps", "uint32_t", delay_steps, read_only=True,
                                      index=layout.index))
    references = {}
    for role, group in (("pre", layout.source), ("post", layout.target)):
        for ref in sorted(used):
            var = group.variables.get(ref[:-len(role) - 1]) if ref.endswith(f"_{role}") else None
            # not a subexpression, which the code computes in a local of that name
            if isinstance(var, ArrayVariable):
                references[ref] = (role, genn_identifier(var.name), _ctype(var))
    shared = {genn_identifier(var_name): var for var_name, var in synapses.variables.items()
              if isinstance(var, ArrayVariable) and var.scalar and not var_name.startswith("_")
              and getattr(var.owner, "name", None) == synapses.name
              and genn_identifier(var_name) in used}
    return SynapsePopulation(
        name=name, synapses=synapses, source=layout.source.name, target=layout.target.name,
        connectivity=layout.connectivity, parallelism=layout.parallelism, variables=variables,
        pre_spike_syn_code=pre_code, post_spike_syn_code=post_code,
        neuron_references=references, shared=shared, post_target=post_target,
        axonal_delay_steps=axonal_delay, back_prop_delay_steps=back_prop_delay,
        pre_indices=layout.pre, post_indices=layout.post, pathways=pathways)


def _mark_mirrors(populations: list[SynapsePopulation]) -> None:
    """Make every copy of a Brian variable but the first a mirror. The first
    is the one written, if any is: a variable written in a family is held by
    its first group, and by no other family (see `_families`)."""
    held = set()
    for population in populations:
        for var in population.variables:
            if isinstance(var.brian_var, ArrayVariable):
                var.mirror = var.name in held
                held.add(var.name)


def sparse_order(pre: np.ndarray, post: np.ndarray) -> np.ndarray | None:
    """Brian's synapses sorted by (pre, post), GeNN's row order; ``None``
    when they are in that order already (as ``connect`` usually makes them),
    which saves sorting 10^8 synapses."""
    if len(pre) < 2:
        return None
    # pre and post are non-negative and below 2**31
    key = (pre.astype(np.int64) << 32) | post.astype(np.int64)
    if np.all(key[1:] >= key[:-1]):
        return None
    return np.argsort(key, kind="stable")


def _genn_order(connectivity: str, pre, post, n_pre: int, n_post: int):
    """Position of each Brian synapse in GeNN's arrays."""
    if connectivity == "dense":
        return pre * n_post + post
    if connectivity == "bitmask" or len(pre) == 0:
        return None
    order = sparse_order(pre, post)
    row_lengths = np.bincount(pre, minlength=n_pre)
    max_row = int(row_lengths.max())
    row_start = np.concatenate(([0], np.cumsum(row_lengths)[:-1]))
    sorted_pre = pre if order is None else pre[order]
    position = sorted_pre * max_row + (np.arange(len(pre)) - row_start[sorted_pre])
    if order is None:
        return position
    index = np.empty(len(pre), dtype=np.int64)
    index[order] = position
    return index


def _set_sparse_connections(group, pre: np.ndarray, post: np.ndarray, n_pre: int) -> None:
    """What PyGeNN's ``set_sparse_connections`` does, without its second
    lexsort of all synapses (this device already knows their order)."""
    order = sparse_order(pre, post)
    row_lengths = np.bincount(pre, minlength=n_pre).astype(np.uint32)
    group.synapse_order = order  # None: Brian order is GeNN order
    group.max_connections = int(row_lengths.max()) if len(row_lengths) else 0
    group.ind = post if order is None else post[order]
    group.row_lengths = row_lengths
    group.connections_set = True


#: dynamic weight-update parameter that turns spike propagation off for the
#: first GeNN step of a continued run: the device's finishing step of the
#: previous run already propagated the spikes that step would see
SKIP_SPIKES = "bskip_spikes"


def _skippable(code: str) -> str | None:
    return f"if ({SKIP_SPIKES} == 0) {{\n{code}\n}}" if code else None


def add_synapse_population(simulation, population: SynapsePopulation):
    """Add ``population`` to the PyGeNN model of ``simulation``."""
    refs = population.neuron_references
    model = create_weight_update_model(
        f"{population.name}_weight_update",
        params=list(population.shared) + [SKIP_SPIKES],
        vars=[(v.name, v.ctype) for v in population.variables],
        pre_neuron_var_refs=[(name, ctype) for name, (role, _, ctype) in refs.items()
                             if role == "pre"],
        post_neuron_var_refs=[(name, ctype) for name, (role, _, ctype) in refs.items()
                              if role == "post"],
        pre_spike_syn_code=_skippable(population.pre_spike_syn_code),
        post_spike_syn_code=_skippable(population.post_spike_syn_code))
    source = simulation.populations[population.source]
    target = simulation.populations[population.target]
    params = {name: float(np.asarray(var.get_value()).reshape(-1)[0])
              for name, var in population.shared.items()}
    params[SKIP_SPIKES] = 0.0
    weight_update = init_weight_update(
        model, params, {v.name: 0 for v in population.variables},
        pre_var_refs={name: create_var_ref(source, var) for name, (role, var, _) in refs.items()
                      if role == "pre"},
        post_var_refs={name: create_var_ref(target, var) for name, (role, var, _) in refs.items()
                       if role == "post"})
    group = simulation.model.add_synapse_population(
        population.name, _MATRIX_TYPES[population.connectivity], source, target,
        weight_update, init_postsynaptic(_PSM))
    for name in [*population.shared, SKIP_SPIKES]:
        group.set_wu_param_dynamic(name)
    if population.post_target:
        group.post_target_var = population.post_target
    if population.pre_target:
        group.pre_target_var = population.pre_target
    group.axonal_delay_steps = population.axonal_delay_steps
    group.back_prop_delay_steps = population.back_prop_delay_steps
    delay_var = next((v for v in population.variables if v.name == "delay_steps"), None)
    if delay_var is not None:
        group.max_dendritic_delay_timesteps = int(delay_var.brian_var.max()) + 1
    if population.parallelism == "presynaptic":
        group.parallelism_hint = ParallelismHint.PRESYNAPTIC
    threads = getattr(population.synapses, "genn_threads_per_spike", None)
    if threads:
        group.num_threads_per_spike = int(threads)
    if population.connectivity == "sparse":
        _set_sparse_connections(group, population.pre_indices, population.post_indices,
                                source.num_neurons)
    return group
