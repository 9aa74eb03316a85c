"""Translation of `Synapses` into GeNN weight-update and postsynaptic models."""

from __future__ import annotations

import re

import numpy as np
from brian2 import prefs
from brian2.core.variables import ArrayVariable
from brian2.groups.group import CodeRunner
from brian2.utils.logger import get_logger
from pygenn import (create_postsynaptic_model, create_var_ref,
                    create_weight_update_model, init_postsynaptic,
                    init_weight_update)
from pygenn import ParallelismHint, SynapseMatrixType

from ..model import GeNNVariable, SynapsePopulation
from .expressions import genn_identifier
from .functions import function_data
from .monitors import source_group
from .neurons import _ctype, unsupported

__all__ = ["translate_synapses", "add_synapse_population", "choose_connectivity"]

logger = get_logger(__name__)

#: ``x_post += expr;`` (optionally ``-=``) in translated on_pre code
_POST_UPDATE = re.compile(r"^(\s*)(\w+)_post\s*([+-])=\s*(.+);\s*$")

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


def _post_target(synapses, code: str) -> tuple[str, str | None]:
    """Rewrite ``x_post += expr`` as GeNN's ``addToPost(expr)``.

    Returns the code and the target variable (``None`` without one).
    """
    targets = set()
    lines = []
    for line in code.splitlines():
        match = _POST_UPDATE.match(line)
        if match:
            indent, name, sign, expr = match.groups()
            targets.add(name)
            expr = expr if sign == "+" else f"-({expr})"
            lines.append(f"{indent}addToPost({expr});")
        else:
            lines.append(line)
    rewritten = "\n".join(lines)
    if len(targets) > 1:
        raise unsupported(synapses, f"on_pre statements that change several "
                          f"postsynaptic variables ({sorted(targets)})",
                          "use one Synapses object per target variable.")
    leftover = re.findall(r"\b(\w+)_post\s*(?:[-+*/]?=)(?!=)", rewritten)
    if leftover:
        raise unsupported(synapses, f"writing the postsynaptic variable "
                          f"'{leftover[0]}' other than by '+=' or '-='",
                          "write the effect as 'x_post += expression'.")
    return rewritten, (targets.pop() if targets else None)


def _delay_steps(synapses, pathway, dt: float) -> np.ndarray:
    delays = np.asarray(pathway.variables["delay"].get_value(), dtype=float)
    return np.round(delays / dt).astype(np.int64)


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


def translate_synapses(synapses, dt: float) -> SynapsePopulation:
    """Describe a `Synapses` object as one GeNN synapse population."""
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
    pathways = {p.prepost: [] for p in synapses._pathways}
    for pathway in synapses._pathways:
        pathways[pathway.prepost].append(pathway)
    if any(len(p) > 1 for p in pathways.values()):
        raise unsupported(synapses, "several pathways on one side",
                          "use one Synapses object per pathway.")
    if any(p.event != "spike" for p in synapses._pathways):
        raise unsupported(synapses, "pathways on custom events",
                          "trigger the pathway on spikes.")
    pre_pathway = pathways.get("pre", [None])[0]
    post_pathway = pathways.get("post", [None])[0]
    pre_code, post_target = _post_target(synapses, _code(pre_pathway)) if pre_pathway else ("", None)
    post_code = _code(post_pathway) if post_pathway else ""
    if post_code and re.search(r"\b\w+_post\s*[-+*/]?=(?!=)", post_code):
        raise unsupported(synapses, "on_post statements that change postsynaptic "
                          "variables", "change them from on_pre, or in the neuron model.")
    for code in (pre_code, post_code):
        if re.search(r"\b\w+_pre\s*[-+*/]?=(?!=)", code):
            raise unsupported(synapses, "statements that change presynaptic variables",
                              "keep presynaptic state in the presynaptic NeuronGroup.")

    source, target = source_group(synapses.source), source_group(synapses.target)
    pre = np.asarray(synapses.variables["_synaptic_pre"].get_value(), dtype=np.int64)
    post = np.asarray(synapses.variables["_synaptic_post"].get_value(), dtype=np.int64)
    used = set(re.findall(r"\b\w+\b", pre_code + "\n" + post_code))
    syn_vars = {name: var for name, var in _synaptic_variables(synapses).items()
                if name in used}
    axonal_delay, back_prop_delay = 0, 0
    extra_vars = []
    if pre_pathway is not None:
        steps = _delay_steps(synapses, pre_pathway, dt)
        if len(steps) and np.all(steps == steps[0]):
            axonal_delay = int(steps[0])
        elif len(steps):
            writes_synapse = any(re.search(rf"\b{name}\s*[-+*/]?=(?!=)", pre_code)
                                 for name in syn_vars)
            if writes_synapse or post_target is None:
                raise unsupported(synapses, "heterogeneous delays with on_pre statements "
                                  "that change synaptic variables",
                                  "use one Synapses object per delay value.")
            pre_code = pre_code.replace("addToPost(", "addToPostDelay(")
            pre_code = re.sub(r"addToPostDelay\((.*)\);", r"addToPostDelay(\1, delay_steps);",
                              pre_code)
            extra_vars.append(GeNNVariable("delay_steps", "uint32_t",
                                           steps.astype(np.uint32), read_only=True))
    if post_pathway is not None:
        steps = _delay_steps(synapses, post_pathway, dt)
        if len(steps) and not np.all(steps == steps[0]):
            raise unsupported(synapses, "heterogeneous delays of the on_post pathway",
                              "use one delay for on_post.")
        back_prop_delay = int(steps[0]) if len(steps) else 0

    connectivity = choose_connectivity(synapses, len(source), len(target), pre, post)
    parallelism = getattr(synapses, "genn_parallelism", None) or prefs.devices.genn.parallelism
    if parallelism == "auto":
        parallelism = "postsynaptic"
    if parallelism == "presynaptic" and connectivity != "sparse":
        raise ValueError(f"Synapses '{synapses.name}': presynaptic parallelism needs "
                         "sparse connectivity.")
    index = _genn_order(connectivity, pre, post, len(source), len(target))
    variables = [GeNNVariable(name, _ctype(var), var, read_only=var.read_only, index=index)
                 for name, var in syn_vars.items()]
    for var in extra_vars:
        var.index = index
        variables.append(var)
    references = {}
    for role, group in (("pre", source), ("post", target)):
        for name in sorted(used):
            if name.endswith(f"_{role}") and name[:-len(role) - 1] in group.variables:
                var = group.variables[name[:-len(role) - 1]]
                references[name] = (role, genn_identifier(var.name), _ctype(var))
    shared = {genn_identifier(name): var for name, var in synapses.variables.items()
              if isinstance(var, ArrayVariable) and var.scalar and not name.startswith("_")
              and getattr(var.owner, "name", None) == synapses.name
              and genn_identifier(name) in used}
    return SynapsePopulation(
        name=synapses.name, synapses=synapses, source=source.name, target=target.name,
        connectivity=connectivity, parallelism=parallelism, variables=variables,
        pre_spike_syn_code=pre_code, post_spike_syn_code=post_code,
        neuron_references=references, shared=shared,
        post_target=f"Isyn_{post_target}" if post_target else None,
        axonal_delay_steps=axonal_delay, back_prop_delay_steps=back_prop_delay,
        pre_indices=pre, post_indices=post)


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
    if simulation.backend == "single_threaded_cpu" and "gennrand" in (
            population.pre_spike_syn_code + population.post_spike_syn_code):
        # GeNN 5.4's CPU backend gives only neuron code a random number
        # generator (backends/single_threaded_cpu/backend.cc), so GeNN's code
        # generation would fail on 'gennrand_*' with an undefined identifier
        raise unsupported(population.synapses, "random numbers (rand(), randn()) in "
                          "on_pre/on_post statements on GeNN's single_threaded_cpu backend",
                          "run on GeNN's CUDA backend (set_device('genn', "
                          "backend='cuda')).")
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
