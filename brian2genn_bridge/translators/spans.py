"""The span of GeNN's spike propagation for each synapse group.

GeNN 5.4 propagates the spikes of a sparse synapse group either with the
postsynaptic span (one thread per position in a row, each going through
every spike of the step) or with the presynaptic one (a few threads per
presynaptic neuron, each going through part of its row). Which is faster
depends on the spikes per step, which only the run will tell; and as all
synapse groups share one kernel, on the other groups too. `choose_parallelism`
settles what the object, the preferences and GeNN's rules decide;
`assign_spans` chooses for the groups left free, all at once.
"""

from __future__ import annotations

import numpy as np
from brian2.utils.logger import get_logger

from ..options import RunOptions

__all__ = ["assign_spans", "choose_parallelism"]

logger = get_logger(__name__)

#: the spans GeNN 5.4 has for each matrix type (procedural: one thread, or
#: ``threads_per_spike`` threads, per presynaptic spike)
_SPANS = {"sparse": ("postsynaptic", "presynaptic"), "dense": ("postsynaptic",),
          "bitmask": ("postsynaptic", "word_packed"), "procedural": ("presynaptic",)}

def choose_parallelism(synapses, connectivity: str, row_lengths: np.ndarray,
                       postsynaptic_races: bool = False,
                       options: RunOptions | None = None) -> tuple[str, int]:
    """GeNN's span of the presynaptic update for ``synapses`` and its threads
    per spike: the object's settings (`configure_synapses`), else the run's
    ``options.parallelism`` (and 1 thread); ``options`` are the preferences'
    where not given. ``row_lengths`` are the synapses of each presynaptic
    neuron.

    The postsynaptic span runs one thread per position in a row, each
    looping over the step's spikes; the presynaptic one runs ``threads``
    threads per spike, each looping over part of its row. ``'auto'`` is the
    presynaptic span for procedural connectivity, which has no other, and
    for sparse connectivity with ``threads_per_spike`` > 1 set or where the
    postsynaptic span races (see `postsynaptic_span_races`; the presynaptic
    one's atomic additions lose nothing); the postsynaptic one for dense
    and bitmask connectivity. Sparse groups free to take either are
    returned as ``('auto', threads)``, ``threads`` the presynaptic span's
    (about 16 synapses of a row per thread, 64 at most): `assign_spans`
    chooses for all of them together, as all share one kernel.
    ``'word_packed'`` (a thread per 32 bits of a row) is for bitmasks only.

    Raises
    ------
    ValueError
        If GeNN has no such span for the matrix type, it does not use
        ``threads_per_spike``, or the postsynaptic span is chosen where it
        races.
    """
    if options is None:
        options = RunOptions.from_preferences()
    choice = options.parallelism_for(synapses)
    threads = options.threads_per_spike_for(synapses)
    how = "chosen"
    if choice == "auto":
        how = "automatic"
        max_row = int(row_lengths.max(initial=0))
        if connectivity == "sparse" and threads is None:
            threads = int(np.clip(2 ** round(np.log2(max(max_row / 16, 1))), 1, 64))
            if not postsynaptic_races:
                return "auto", threads
        presynaptic = connectivity == "procedural" or (connectivity == "sparse" and (
            (threads or 1) > 1 or postsynaptic_races))
        choice = "presynaptic" if presynaptic else "postsynaptic"
    threads = int(threads or 1)
    if choice not in _SPANS[connectivity]:
        raise ValueError(f"Synapses '{synapses.name}': {choice} parallelism is not "
                         f"available with {connectivity} connectivity in GeNN 5.4 (it has "
                         f"{' or '.join(_SPANS[connectivity])}).")
    if choice == "postsynaptic" and postsynaptic_races:
        raise ValueError(f"Synapses '{synapses.name}': postsynaptic parallelism would lose "
                         "synaptic input on CUDA: GeNN 5.4 sums it for small target "
                         "groups in shared memory without atomic additions, which is wrong "
                         "for rows longer than 32 synapses or pairs connected twice; use "
                         "'presynaptic' or 'auto'.")
    if threads > 1 and choice != "presynaptic":
        raise ValueError(f"Synapses '{synapses.name}': threads_per_spike="
                         f"{threads} needs presynaptic parallelism (with sparse "
                         f"or procedural connectivity), not {choice}.")
    logger.debug(f"{synapses.name}: {choice} parallelism ({how}), "
                 f"{threads} thread(s) per spike")
    return choice, threads



# The cost of GeNN 5.4's presynaptic update kernel on an H100, fitted to
# measured kernel times (COBAHH 1e5, 80,000 + 20,000 sources with rows of
# 1,000 at 13 Hz: 24 us a step presynaptic with 64 threads a spike, 59 us
# postsynaptic; the cortical microcircuit, 64 groups from 77,169 sources at
# 1-9 Hz: 172 us presynaptic against GeNN's own model's 12 us postsynaptic):
#: seconds per thread of a presynaptic span's grid, which GeNN sizes for
#: every presynaptic neuron, spiking or not
_GRID_THREAD_COST = 4e-12
#: seconds per spike of the step, which every thread of a postsynaptic span
#: goes through one after another
_SPIKE_COST = 0.5e-6
#: seconds per synapse of the part of a row that one presynaptic thread adds
_ROW_SYNAPSE_COST = 0.2e-6


def assign_spans(populations, options: RunOptions | None = None) -> None:
    """Choose the span of every synapse group that `choose_parallelism` left
    free (``parallelism == 'auto'``), in place (``options``: the run's, else
    the preferences').

    The kernel runs all groups at once, so its time is estimated as the
    grids of the presynaptic groups (summed: mostly threads of neurons that
    did not spike) plus the longest chain of work of one thread: a
    postsynaptic group's spikes per step, or a presynaptic thread's part of
    a row. Spikes per step are the sources times
    ``options.expected_firing_rate`` times their dt. The groups
    with the most spikes per step are made presynaptic first, as many as
    make the estimate smallest.
    """
    free = [p for p in populations if p.parallelism == "auto"]
    if not free:
        return
    if options is None:
        options = RunOptions.from_preferences()
    rate = options.expected_firing_rate
    costs = []
    for population in free:
        n_pre, threads = len(population.row_lengths), population.threads_per_spike
        longest = int(population.row_lengths.max(initial=0))
        spikes = n_pre * rate * float(population.synapses.source.clock.dt_)
        costs.append((spikes * _SPIKE_COST, n_pre * threads * _GRID_THREAD_COST,
                      -(-longest // threads) * _ROW_SYNAPSE_COST, population))
    costs.sort(key=lambda c: -c[0])

    def estimate(k: int) -> float:
        chains = [c[2] for c in costs[:k]] + [c[0] for c in costs[k:]]
        return sum(c[1] for c in costs[:k]) + max(chains)

    best = min(range(len(costs) + 1), key=estimate)
    for k, (_, _, _, population) in enumerate(costs):
        if k < best:
            population.parallelism = "presynaptic"
        else:
            population.parallelism, population.threads_per_spike = "postsynaptic", 1
        logger.debug(f"{population.name}: {population.parallelism} parallelism (automatic, "
                     f"{population.threads_per_spike} thread(s) per spike)")
