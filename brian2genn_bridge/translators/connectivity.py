"""The connectivity of a `Synapses` in GeNN: what its code needs from the
matrix type (`Needs`), GeNN's matrix type (`choose_connectivity`, checked),
whether GeNN's postsynaptic span would lose input (`postsynaptic_span_races`),
and where the synapses lie in GeNN's rows (`sparse_order`, `Layout.index`):
the `Layout` that all GeNN groups of one `Synapses` share
(`choose_layout`, with the span of `spans`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from brian2.utils.logger import get_logger

from ..errors import HostSynapsesNeeded
from ..model import SynapseCreation
from ..parallel import balanced_groups, bincount, parallel_map, slices
from ..options import RunOptions
from .delays import heterogeneous
from .effects import Lines, render
from .expressions import SYNAPSE_COUNTS
from .spans import choose_parallelism
from .synapse_dynamics import StepCode
from .assignments import assigned_names
from .synaptic_code import runner_code, synaptic_variables

__all__ = ["Needs", "choose_connectivity", "has_multapses", "postsynaptic_span_races",
           "Layout", "choose_layout", "created_layout", "sparse_order"]

logger = get_logger(__name__)


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
                        row_lengths: np.ndarray, needs: Needs,
                        options: RunOptions | None = None) -> str:
    """GeNN's matrix type for ``synapses``: its setting (`configure_synapses`),
    else the run's ``options.connectivity`` (the preferences' where not
    given). ``row_lengths`` are the synapses of each presynaptic neuron.

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
    if options is None:
        options = RunOptions.from_preferences()
    choice = options.connectivity_for(synapses)
    n, n_pre = len(pre), len(row_lengths)
    full = n == n_pre * n_post and n > 0 and not has_multapses(pre, post)
    how = "chosen"
    if choice == "auto":
        how = "automatic"
        longest_row = int(row_lengths.max(initial=0))
        if full:
            choice = "dense"
        elif (not needs.variables and not needs.on_post and not needs.dynamics
              and -(-n_post // 32) < longest_row and not has_multapses(pre, post)):
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


def has_multapses(pre: np.ndarray, post: np.ndarray) -> bool:
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
        if has_multapses(pre, post):
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
                            pre: np.ndarray, post: np.ndarray,
                            options: RunOptions | None = None) -> bool:
    """Whether GeNN 5.4's postsynaptic span would lose synaptic input of a
    group on CUDA with the block sizes of ``options`` (the run's, else the
    preferences').

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
    if options is None:
        options = RunOptions.from_preferences()
    if connectivity != "sparse" or n_post > (options.presynaptic_block_size or 1024):
        return False
    return int(row_lengths.max(initial=0)) > 32 or has_multapses(pre, post)


@dataclass
class Layout:
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


def choose_layout(synapses, source, target, pre: np.ndarray, post: np.ndarray,
                  steps: dict[str, np.ndarray], selection: np.ndarray | None,
                  lines: dict[str, Lines], step: "StepCode", options: RunOptions) -> Layout:
    """The matrix type, span and GeNN order of the synapses at Brian's
    indices ``selection`` (all for ``None``) in a run with ``options``;
    ``steps``: the delays of all synapses (`delays_in_steps`), by pathway
    name."""
    if selection is not None:
        pre, post = pre[selection], post[selection]
        steps = {name: pathway_steps if len(pathway_steps) == 1 else pathway_steps[selection]
                 for name, pathway_steps in steps.items()}
    row_lengths = bincount(pre, len(source))
    connectivity = choose_connectivity(synapses, len(target), pre, post, row_lengths,
                                       _needs(synapses, lines, step, steps), options)
    # heterogeneous delays sum input in GeNN's dendritic delay buffer, with
    # atomic additions
    races = (postsynaptic_span_races(connectivity, len(target), row_lengths, pre, post,
                                     options)
             and not all(heterogeneous(steps[p.name])
                         for p in synapses._pathways if p.prepost == "pre"))
    parallelism, threads = choose_parallelism(synapses, connectivity, row_lengths, races,
                                              options)
    # sorting (or checking the order of) up to 1e9 synapses: once per part
    row_order = (sparse_order(pre, post) if connectivity in ("sparse", "procedural")
                 else None)
    return Layout(synapses, source, target, connectivity, parallelism, threads, pre, post,
                  row_order, row_lengths, steps, selection)


def created_layout(synapses, source, target, steps: dict[str, np.ndarray],
                   lines: dict[str, Lines], step: "StepCode", options: RunOptions,
                   creation: SynapseCreation) -> Layout:
    """The `Layout` of synapses that GeNN makes when the model is loaded
    (``creation``): sparse rows of ``creation.max_row_length`` slots (the
    span is chosen for rows that long), no indices on the host; or, where
    asked for, procedural connectivity, which GeNN makes again from the
    same draws at every spike, and no memory per synapse at all.

    Raises
    ------
    HostSynapsesNeeded
        Where dense or bitmask connectivity is asked for, or the code needs
        the synapses' counts.
    ValueError
        Where procedural connectivity cannot run the code.
    """
    choice = options.connectivity_for(synapses)
    if choice not in ("auto", "sparse", "procedural"):
        raise HostSynapsesNeeded(synapses, f"{choice} connectivity")
    needs = _needs(synapses, lines, step, steps)
    if any(count in needs.variables for count in SYNAPSE_COUNTS):
        raise HostSynapsesNeeded(synapses, "its code reads the numbers of synapses")
    connectivity = "procedural" if choice == "procedural" else "sparse"
    if choice == "auto" and _only_procedural_fits(synapses, len(source), creation, needs,
                                                  options):
        connectivity = "procedural"
    if connectivity == "procedural":
        _check_matrix_type(synapses, connectivity, False, None, None, needs)
    row_lengths = np.full(len(source), creation.max_row_length, dtype=np.int64)
    heterogeneous_pre = all(heterogeneous(steps[p.name])
                            for p in synapses._pathways if p.prepost == "pre")
    races = (connectivity == "sparse"
             and len(target) <= (options.presynaptic_block_size or 1024)
             and (creation.max_row_length > 32 or creation.multapses)
             and not heterogeneous_pre)
    parallelism, threads = choose_parallelism(synapses, connectivity, row_lengths, races,
                                              options)
    logger.debug(f"{synapses.name}: {connectivity} connectivity made by GeNN (rows of up "
                 f"to {creation.max_row_length} synapses, {len(source)}x{len(target)})")
    return Layout(synapses, source, target, connectivity, parallelism, threads, None, None,
                  None, row_lengths, steps)


#: the part of the GPU's free memory that sparse rows of synapses GeNN makes may
#: take before ``'auto'`` makes them procedurally (the rest: neurons, buffers,
#: other groups)
_SPARSE_MEMORY_SHARE = 0.5


def _only_procedural_fits(synapses, n_pre: int, creation: SynapseCreation, needs: Needs,
                          options: RunOptions) -> bool:
    """Whether ``'auto'`` connectivity of synapses GeNN makes should be
    procedural: sparse rows (an index and the code's per-synapse values per
    slot) would take more than `_SPARSE_MEMORY_SHARE` of the GPU's free
    memory (``options.gpu_memory``, known on CUDA only), and procedural
    connectivity can run the code (no on_post, nothing that changes a
    per-synapse value, no code of every step). Logged."""
    if options.gpu_memory is None or needs.on_post or needs.written or needs.dynamics:
        return False
    slot_bytes = 4 + len(needs.variables) * options.float_dtype.itemsize
    sparse_bytes = n_pre * creation.max_row_length * slot_bytes
    if sparse_bytes <= _SPARSE_MEMORY_SHARE * options.gpu_memory:
        return False
    logger.info(f"Synapses '{synapses.name}': procedural connectivity (automatic): its "
                f"sparse rows would take {sparse_bytes / 2 ** 30:.1f} GiB of the GPU's "
                f"{options.gpu_memory / 2 ** 30:.1f} GiB free; GeNN makes each row again at "
                "every spike instead.", name_suffix="procedural", once=True)
    return True


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
    if pre is None:
        return None  # synapses GeNN makes, whose order becomes Brian's
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
