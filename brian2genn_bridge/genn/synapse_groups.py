"""GeNN synapse groups of a `~brian2genn_bridge.model.SynapsePopulation`:
their weight-update and postsynaptic models, Brian's connections as GeNN's
rows or bitmask, and the flag that skips spike propagation for the first
step of a continued run."""

from __future__ import annotations

import numpy as np
from pygenn import (ParallelismHint, SynapseMatrixType, VarAccess, VarLocation,
                    create_postsynaptic_model, create_sparse_connect_init_snippet,
                    create_var_init_snippet, create_var_ref, create_weight_update_model,
                    init_postsynaptic, init_sparse_connectivity, init_var, init_weight_update,
                    types)

from ..model import SEED, SynapsePopulation, event_reference
from ..parallel import bincount

__all__ = ["add_synapse_population", "dendritic_slots", "input_key", "load_connectivity",
           "created_connectivity",
           "row_connectivity", "set_rows", "SKIP_SPIKES"]

#: GeNN's matrix type of each connectivity; procedural groups keep their
#: per-synapse values in a kernel with one entry per synapse (see `_ROWS`)
_MATRIX_TYPES = {"sparse": SynapseMatrixType.SPARSE, "dense": SynapseMatrixType.DENSE,
                 "bitmask": SynapseMatrixType.BITMASK,
                 "procedural": SynapseMatrixType.PROCEDURAL_KERNELG}

_PARALLELISM_HINTS = {"postsynaptic": ParallelismHint.POSTSYNAPTIC,
                      "presynaptic": ParallelismHint.PRESYNAPTIC,
                      "word_packed": ParallelismHint.WORD_PACKED_BITMASK}

#: the postsynaptic model of every synapse group: input reaches the target
#: variable through an additional input variable, applied by the neuron
_PSM = create_postsynaptic_model("brian_input", sim_code="injectCurrent(inSyn);\ninSyn = 0.0;")

#: Brian's connections as GeNN rows: the postsynaptic indices of row
#: ``id_pre`` are ``bcolumns[brow_start[id_pre]:brow_start[id_pre + 1]]``
#: (`set_rows` gives them)
_ROW_ARRAYS = [("brow_start", "unsigned int*"), ("bcolumns", "unsigned int*")]

#: sparse connectivity built from Brian's rows by GeNN's initialisation, one
#: thread per row on CUDA: PyGeNN would copy them into GeNN's padded rows on
#: the host one row at a time in Python, then copy those to the GPU
_SPARSE_ROWS = create_sparse_connect_init_snippet(
    "brian_sparse_rows",
    row_build_code="""
    for (unsigned int bsyn = brow_start[id_pre]; bsyn < brow_start[id_pre + 1]; bsyn++) {
        addSynapse(bcolumns[bsyn]);
    }""",
    extra_global_params=_ROW_ARRAYS)

#: the same for procedural connectivity, which runs this at every
#: presynaptic spike: each synapse's kernel entry is its position in
#: ``bcolumns``. With several threads per spike, each adds the synapses of
#: its own postsynaptic range.
_ROWS = create_sparse_connect_init_snippet(
    "brian_rows", params=[("num_synapses", "unsigned int")],
    row_build_code="""
    for (unsigned int bsyn = brow_start[id_pre]; bsyn < brow_start[id_pre + 1]; bsyn++) {
        const unsigned int bcol = bcolumns[bsyn];
        if (bcol >= id_post_begin && bcol < id_post_begin + num_post) {
            addSynapse(bcol, bsyn);
        }
    }""",
    calc_kernel_size_func=lambda params: [int(params["num_synapses"])],
    extra_global_params=_ROW_ARRAYS)


def row_connectivity(connectivity: str, num_synapses: int):
    """GeNN's initialiser of sparse or procedural connectivity that makes
    Brian's connections (see `_SPARSE_ROWS`, `_ROWS`; `set_rows` gives it
    them)."""
    if connectivity == "procedural":
        return init_sparse_connectivity(_ROWS, {"num_synapses": num_synapses})
    return init_sparse_connectivity(_SPARSE_ROWS)


#: the seed of the draws of synapses that GeNN makes (`SynapseCreation`)
_SEED_EGP = [("bseed", "unsigned int*")]

#: the most row slots of synapses that GeNN makes for which the CUDA backend
#: keeps a host copy of the rows (4 bytes a slot, page-locked): enough to read
#: them back into Brian's arrays (`GeNNSimulation.created_synapses`)
_HOST_ROWS_SLOTS = 1 << 27


#: the snippets of synapses that GeNN makes: GeNN holds them by pointer, so
#: they must outlive their models (PyGeNN keeps no reference)
_SNIPPETS: dict[tuple, object] = {}


def _kept(key: tuple, make):
    if key not in _SNIPPETS:
        _SNIPPETS[key] = make()
    return _SNIPPETS[key]


def _seeded(code: str, population: SynapsePopulation) -> str:
    """``code`` with the seed of procedural synapses as a constant: GeNN 5.4
    fails to load a procedural group with extra global parameters in its
    initialisation code (``unordered_map::at``), so such a group is built
    again for each new seed."""
    if population.connectivity != "procedural":
        return code
    return code.replace("bseed[0]", f"{int(population.creation.seed[0])}u")


def _seed_egp(code: str) -> list:
    return _SEED_EGP if "bseed" in code else []


def created_connectivity(population: SynapsePopulation):
    """GeNN's initialiser of the sparse connectivity of synapses it makes
    (``population.creation``)."""
    creation = population.creation
    max_row = int(creation.max_row_length)
    code = _seeded(creation.row_code, population)
    if population.connectivity == "procedural":
        # made again at every spike; with several threads per spike, each
        # thread makes the whole row (the same draws) and adds its own part
        code = code.replace("addSynapse(", "if (bpost >= id_post_begin && bpost < id_post_begin "
                            "+ num_post) addSynapse(")
    values = _param_values(creation.params)
    # the longest row is a parameter too: groups with other lengths share the code
    snippet = _kept(("rows", code, len(values)), lambda: create_sparse_connect_init_snippet(
        f"brian_creation_{len(_SNIPPETS)}", row_build_code=code,
        params=[("bmaxrow", "unsigned int"), *((name, "double") for name in values)],
        calc_max_row_len_func=lambda num_pre, num_post, params: int(params["bmaxrow"]),
        extra_global_params=_seed_egp(code)))
    return init_sparse_connectivity(snippet, {"bmaxrow": max_row, **values})


def _param_values(params) -> dict[str, float]:
    """The values of the parameters ``bc0``, ``bc1``, ... of an initialisation code
    (`translators.synapse_creation._Params`)."""
    return {f"bc{k}": float(value) for k, value in enumerate(
        params if params is not None else ())}


def _initial_values(population: SynapsePopulation) -> dict:
    """GeNN's initialisation of each variable of ``population``: none for
    Brian's values (pushed after loading; GeNN's would write 10^9 zeros
    first), GeNN code for the variables of synapses it makes."""
    result = {}
    for v in population.variables:
        if v.initial is None:
            result[v.name] = None
            continue
        code, values = _seeded(v.initial, population), _param_values(v.initial_params)
        snippet = _kept(("value", code, len(values)), lambda: create_var_init_snippet(
            f"brian_initial_{len(_SNIPPETS)}", var_init_code=code,
            params=[(name, "double") for name in values], extra_global_params=_seed_egp(code)))
        result[v.name] = init_var(snippet, values)
    return result


def _set_seeds(group, population: SynapsePopulation) -> None:
    """Give GeNN the seed of the synapses it makes (``creation.seed``) and
    of their initial values."""
    if population.connectivity == "procedural":
        return  # a constant in the code (`_seeded`)
    seed = np.asarray(population.creation.seed, dtype=np.uint32)
    egps = group.connectivity_extra_global_params
    egps["bseed"].set_init_values(seed)
    # PyGeNN 5.4 loads these by their own names (see `set_rows`)
    group.connectivity_extra_global_params = {f"{name}SparseConnect": egp
                                              for name, egp in egps.items()}
    for variable in population.variables:
        if variable.initial is not None and "bseed" in variable.initial:
            group.vars[variable.name].extra_global_params["bseed"].set_init_values(seed)


def set_rows(group, post: np.ndarray, row_lengths: np.ndarray,
             order: np.ndarray | None) -> None:
    """Give the rows of Brian's connections to ``group``, made with
    `row_connectivity`, before the model is loaded (``row_lengths``: the
    synapses of each source neuron; ``order``: their `sparse_order`)."""
    row_start = np.zeros(len(row_lengths) + 1, dtype=np.uint32)
    np.cumsum(row_lengths, out=row_start[1:])
    columns = post if order is None else post[order]
    egps = group.connectivity_extra_global_params
    egps["brow_start"].set_init_values(row_start)
    # Brian's indices are int32 and not negative: the same bits
    egps["bcolumns"].set_init_values(columns.view(np.uint32) if columns.dtype == np.int32
                                     else columns.astype(np.uint32))
    # PyGeNN 5.4 loads these by their own names, but GeNN's runtime holds
    # them with the suffix 'SparseConnect' (load() fails with IndexError):
    # the dictionary keys are the names PyGeNN looks up
    group.connectivity_extra_global_params = {f"{name}SparseConnect": egp
                                              for name, egp in egps.items()}
    if group.matrix_type == SynapseMatrixType.SPARSE:
        # GeNN's rows are as long as the longest
        group.max_connections = int(row_lengths.max(initial=0))


def _bitmask_words(pre: np.ndarray, post: np.ndarray, n_pre: int, n_post: int) -> np.ndarray:
    """GeNN's bitmask of the connections: rows of ``n_post`` bits padded to
    32-bit words, the first bit of a word its highest."""
    row_words = -(-n_post // 32)
    bits = pre.astype(np.int64) * (32 * row_words) + post
    words = np.zeros(n_pre * row_words, dtype=np.uint32)
    np.bitwise_or.at(words, bits >> 5,
                     np.right_shift(np.uint32(0x80000000), (bits & 31).astype(np.uint32)))
    return words


def load_connectivity(simulation, population: SynapsePopulation) -> None:
    """Write a bitmask group's connections into GeNN's bit array, which
    exists only once the model is loaded."""
    if population.connectivity != "bitmask":
        return
    group = simulation.synapse_groups[population.name]
    words = _bitmask_words(population.pre_indices, population.post_indices,
                           group.src.num_neurons, group.trg.num_neurons)
    array = group._get_array("gp", types.Uint32, words.shape)
    array.view[:] = words
    array.push_to_device()


#: dynamic weight-update parameter that turns spike propagation off for the
#: first GeNN step of a continued run: the device's finishing step of the
#: previous run already propagated the spikes that step would see
SKIP_SPIKES = "bskip_spikes"


def _skippable(code: str) -> str | None:
    return f"if ({SKIP_SPIKES} == 0) {{\n{code}\n}}" if code else None


def _event_code(population: SynapsePopulation) -> dict[str, str | None]:
    """The spike code and the spike-like event code and conditions of the
    weight-update model of ``population``.

    GeNN checks event conditions after the neuron code of each step and
    runs the event code in the next step's synapse update, as for spikes.
    """
    code = {}
    for role, event in (("pre", population.pre_event), ("post", population.post_event)):
        syn_code = _skippable(getattr(population, f"{role}_spike_syn_code"))
        if event is None:
            code[f"{role}_spike_syn_code"] = syn_code
        elif syn_code:
            code[f"{role}_event_syn_code"] = syn_code
            code[f"{role}_event_threshold_condition_code"] = event_reference(event, role)
    if (population.source == population.target and "post_event_syn_code" in code
            and "pre_event_syn_code" not in code):
        # GeNN 5.4 emits the events of a group whose source is its target
        # with the presynaptic condition only (and needs code for it): the
        # same flag, read as presynaptic, and a statement that does nothing
        code["pre_event_threshold_condition_code"] = event_reference(population.post_event,
                                                                     "pre")
        code["pre_event_syn_code"] = ";"
    return code


def input_key(population: SynapsePopulation) -> tuple[str, str]:
    """The neuron group and variable that ``population``'s input goes to.

    GeNN fuses the postsynaptic models of the synapse groups with one key
    (and as many dendritic delay slots, see `dendritic_slots`): one input
    buffer and one delay buffer hold the input of all of them, as in a
    hand-written model. Input in flight is therefore kept by key."""
    return population.target, population.post_target or "Isyn"


def dendritic_slots(populations) -> dict[tuple[str, str], int]:
    """GeNN's dendritic delay slots by `input_key`, for the synapse groups of
    ``populations`` with per-synapse delays: the longest delay of any of
    them, plus one. Their groups all get that many, so that GeNN can fuse
    them (a slot count of its own would keep a group's buffers apart)."""
    slots: dict[tuple[str, str], int] = {}
    for population in populations:
        delays = (population.dendritic_delays.brian_var
                  if population.dendritic_delays is not None else None)
        if delays is not None:
            key = input_key(population)
            slots[key] = max(slots.get(key, 1), int(np.max(delays, initial=0)) + 1)
    return slots


def add_synapse_population(simulation, population: SynapsePopulation,
                           slots: dict[tuple[str, str], int]):
    """Add ``population`` to the PyGeNN model of ``simulation`` (``slots``:
    `dendritic_slots` of the model's synapse groups)."""
    refs = population.neuron_references
    procedural = population.connectivity == "procedural"
    if procedural and simulation.backend == "single_threaded_cpu":
        raise NotImplementedError(
            f"Synapses '{population.synapses.name}': procedural connectivity on GeNN's "
            "single_threaded_cpu backend (GeNN 5.4 has it on CUDA only) is not supported "
            "by the GeNN device. Workaround: use 'sparse' (or 'auto') connectivity on this "
            "backend.")
    model = create_weight_update_model(
        f"{population.name}_weight_update",
        params=list(population.shared) + [SKIP_SPIKES] + (
            [(SEED, "unsigned int")] if population.random_seed is not None else []),
        # procedural groups keep per-synapse values that nothing changes
        vars=[(v.name, v.ctype, VarAccess.READ_ONLY) if procedural else (v.name, v.ctype)
              for v in population.variables],
        pre_neuron_var_refs=[(name, ctype) for name, (role, _, ctype) in refs.items()
                             if role == "pre"],
        post_neuron_var_refs=[(name, ctype) for name, (role, _, ctype) in refs.items()
                              if role == "post"],
        synapse_dynamics_code=population.synapse_dynamics_code or None,
        **_event_code(population))
    source = simulation.populations[population.source]
    target = simulation.populations[population.target]
    params = {name: float(np.asarray(var.get_value()).reshape(-1)[0])
              for name, var in population.shared.items()}
    params[SKIP_SPIKES] = 0.0
    if population.random_seed is not None:
        params[SEED] = population.random_seed
    weight_update = init_weight_update(
        model, params, _initial_values(population),
        pre_var_refs={name: create_var_ref(source, var) for name, (role, var, _) in refs.items()
                      if role == "pre"},
        post_var_refs={name: create_var_ref(target, var) for name, (role, var, _) in refs.items()
                       if role == "post"})
    if population.creation is not None:
        connectivity = created_connectivity(population)
    elif population.connectivity in ("sparse", "procedural"):
        connectivity = row_connectivity(population.connectivity, len(population.pre_indices))
    else:
        connectivity = None
    matrix_type = (SynapseMatrixType.PROCEDURAL
                   if population.creation is not None and procedural
                   else _MATRIX_TYPES[population.connectivity])
    group = simulation.model.add_synapse_population(
        population.name, matrix_type, source, target,
        weight_update, init_postsynaptic(_PSM), connectivity)
    for name in [*population.shared, SKIP_SPIKES] + (
            [SEED] if population.random_seed is not None else []):
        group.set_wu_param_dynamic(name)
    if population.post_target:
        group.post_target_var = population.post_target
    if population.pre_target:
        group.pre_target_var = population.pre_target
    group.axonal_delay_steps = population.axonal_delay_steps
    group.back_prop_delay_steps = population.back_prop_delay_steps
    if population.dendritic_delays is not None:
        group.max_dendritic_delay_timesteps = slots[input_key(population)]
    group.parallelism_hint = _PARALLELISM_HINTS[population.parallelism]
    group.num_threads_per_spike = population.threads_per_spike
    if population.creation is not None:
        _set_seeds(group, population)
        if population.creation.multapses and (population.post_spike_syn_code
                                              or population.post_event):
            # GeNN's columns hold at most one synapse per source by default
            group.max_source_connections = int(population.creation.copies
                                               * source.num_neurons)
        if simulation.backend == "cuda" and (
                source.num_neurons * population.creation.max_row_length > _HOST_ROWS_SLOTS):
            # neither rows nor values can be read back: no host copies (page-
            # locked memory of gigabytes, slow to allocate)
            group.sparse_connectivity_location = VarLocation.DEVICE
            for variable in population.variables:
                group.set_wu_var_location(variable.name, VarLocation.DEVICE)
        return group
    if population.connectivity in ("sparse", "procedural"):
        set_rows(group, population.post_indices, population.row_lengths, population.row_order)
    if population.connectivity == "sparse" and (population.post_spike_syn_code
                                                or population.post_event):
        # GeNN's columns for postsynaptic learning hold as many synapses as
        # the longest column, by default the number of source neurons: a pair
        # connected several times makes a column longer, and GeNN wrote past
        # its arrays (a heap corruption found by the differential fuzzer)
        group.max_source_connections = int(
            bincount(population.post_indices, target.num_neurons).max(initial=0))
    if population.connectivity == "sparse" and simulation.backend == "cuda":
        # GeNN builds the rows on the GPU, and nothing reads them on the host:
        # no page-locked host copy (4 GB at 10^9 synapses, slow to allocate)
        group.sparse_connectivity_location = VarLocation.DEVICE
    return group
