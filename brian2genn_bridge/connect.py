"""Synapse creation on the host for all outer indices at once.

Brian's runtime device creates the synapses of ``connect(p=...)`` (and of
``connect()``) in a Python loop over the presynaptic (or postsynaptic)
neurons, each drawing its own random numbers: at a million neurons that
loop takes longer than building and running the GeNN model. When the
drawing does not depend on the outer index (no condition, constant range and
probability), the functions here make all pairs with numpy operations over
blocks of outer indices, drawing the very same numbers in the same order
from numpy's generator: for a given ``seed()``, the synapses are those that
Brian's runtime device creates, and the generator is left in the same state.

numpy's generator is sequential: one thread draws the next block of numbers
while the current one becomes synapses slice by slice over the host threads
(`parallel`), which also store and count them (`store_synapses`).

``templates/host/synapses_create_generator.py_`` calls them, and falls back
on Brian's own loop for everything else.
"""

from __future__ import annotations

from concurrent.futures import Future

import numpy as np

from .parallel import (background, balanced_groups, bincount, concatenate, host_threads,
                       parallel_map, slices)

__all__ = ["vectorisable", "sampled_pairs", "ranged_pairs", "store_synapses"]

#: random numbers drawn per block of outer indices and host thread (bounds
#: the memory used; 2**18 to 2**22 were equally fast, smaller blocks slower)
_BLOCK_DRAWS = 1 << 20

#: rows whose ends are checked at a time: after a row that needs further
#: rounds, those after it start elsewhere and are checked again
_WALK_ROWS = 256


def vectorisable(vector_code: dict, iterator_func: str, iterator_kwds: dict,
                 result_index_condition: bool, if_expression: str, outer_index_array: str,
                 result_index: str, result_index_array: str, inner_variable: str) -> bool:
    """Whether the generator syntax of a ``connect`` call draws the same way
    for every outer index: a ``range`` or ``sample`` (with a probability, not
    a size) whose arguments are constants or loop invariants, no condition,
    the inner variable itself as the result index, one synapse per pair."""
    if iterator_func == "sample" and iterator_kwds.get("sample_size") == "fixed":
        return False
    if iterator_func not in ("range", "sample") or result_index_condition:
        return False
    if if_expression != "True" or list(vector_code["create_cond"]) != ["_cond = True"]:
        return False
    if list(vector_code["generator_expr"]) != [f"{outer_index_array} = _raw{outer_index_array}",
                                               f"_{result_index} = {inner_variable}"]:
        return False
    if list(vector_code["update"]) != [f"{result_index_array} = _raw{result_index_array}",
                                       "_n = 1"]:
        return False
    for line in vector_code["setup_iterator"]:
        target, _, value = line.partition(" = ")
        if not target.startswith("_iter_"):
            return False
        names = [word for word in value.replace("(", " ").replace(")", " ").split()
                 if word[0].isalpha() or word[0] == "_"]
        # constants, sizes and loop invariants (computed once, before the loop)
        if any(name.startswith("_") and not name.startswith("_lio_") for name in names):
            return False
    return True


def _checked(outer: np.ndarray, result: np.ndarray, values: range, result_index: str,
             size: int, skip_if_invalid: bool) -> tuple[np.ndarray, np.ndarray]:
    """Drop (``skip_if_invalid``) or refuse result indices outside
    ``[0, size)``, with Brian's message; ``values`` holds all that
    ``result`` may hold."""
    if len(values) == 0 or (min(values) >= 0 and max(values) < size):
        return outer, result
    invalid = (result < 0) | (result >= size)
    if not invalid.any():
        return outer, result
    if skip_if_invalid:
        return outer[~invalid], result[~invalid]
    bad = result[invalid]
    value = bad.min() if bad.min() < 0 else bad.max()
    raise IndexError(f"index _{result_index}={value} outside allowed range from 0 to "
                     f"{size - 1}")


def ranged_pairs(n_outer: int, low: int, high: int, step: int, result_index: str,
                 result_size: int, skip_if_invalid: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(outer, result)`` indices of ``range(low, high, step)`` for every
    outer index, in Brian's order."""
    values = np.arange(low, high, step, dtype=np.int32)
    outer = np.repeat(np.arange(n_outer, dtype=np.int32), len(values))
    return _checked(outer, np.tile(values, n_outer), range(low, high, step), result_index,
                    result_size, skip_if_invalid)


def sampled_pairs(n_outer: int, low: int, high: int, step: int, p: float,
                  result_index: str, result_size: int,
                  skip_if_invalid: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(outer, result)`` indices of ``sample(low, high, step, p=p)`` for
    every outer index, in Brian's order and with Brian's random numbers.

    Brian's runtime device draws, for each outer index, ``n`` uniform
    numbers compared with ``p`` when ``n <= 1000`` or ``p > 0.25``, and
    else geometric jumps between the chosen values, in rounds of
    ``ceil(remaining * p * 1.05) + 10`` numbers until they pass the end.
    """
    n = len(range(low, high, step))
    if p == 0 or n <= 0:
        empty = np.zeros(0, dtype=np.int32)
        return empty, empty
    if p == 1:
        return ranged_pairs(n_outer, low, high, step, result_index, result_size,
                            skip_if_invalid)
    if n <= 1000 or p > 0.25:
        outer, positions = _compared_pairs(n_outer, n, p)
    else:
        outer, positions = _jumped_pairs(n_outer, n, p)
    if step != 1 or low != 0:
        positions = positions * step + low
    return _checked(outer, positions, range(low, high, step), result_index, result_size,
                    skip_if_invalid)


def _compared_pairs(n_outer: int, n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions where ``rand(n) < p``, for each outer index in turn."""
    rows = max(1, _BLOCK_DRAWS // n)
    pieces = []

    def compare(uniform: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
        chosen = uniform.reshape(-1, n) < p
        return (np.repeat(np.arange(first, first + len(chosen), dtype=np.int32),
                          chosen.sum(axis=1)),
                (np.flatnonzero(chosen) % n).astype(np.int32))

    with _Stream() as stream:
        for start in range(0, n_outer, rows):
            block = min(rows, n_outer - start)
            stream.ensure(block * n)
            # the next block's numbers are drawn while this block's are compared
            stream.prefetch(min(rows, n_outer - start - block) * n)
            uniform = stream.take(block * n)
            pieces.extend(parallel_map(compare, [
                (uniform[first * n:last * n], start + first)
                for first, last in slices(block, item_size=n)]))
    return _joined(pieces)


class _Stream:
    """numpy's uniform numbers, drawn ahead in blocks but never beyond what
    Brian's loop would draw, so that the generator ends where it does. The
    next block can be drawn on a background thread while the numbers ahead
    are used (numpy releases the GIL while it draws), into an array with
    room in front for the numbers still ahead then (``reserve``), so that
    joining them is no copy of the block."""

    def __init__(self, reserve: int = 0):
        self.buffer = np.zeros(0)
        self.position = 0
        self.reserve = reserve
        self.pending: Future | None = None

    def __enter__(self) -> "_Stream":
        return self

    def __exit__(self, *exc_info) -> None:
        # an error left a draw running: let it end before anything else draws
        if self.pending is not None:
            self.pending.exception()

    def available(self) -> int:
        return len(self.buffer) - self.position

    def _append(self, values: np.ndarray, room: int = 0) -> None:
        """Append ``values[room:]``; ``room`` numbers in front are free."""
        ahead = self.available()
        if ahead <= room:
            values[room - ahead:room] = self.buffer[self.position:]
            self.buffer, self.position = values, room - ahead
        else:
            self.buffer = np.concatenate([self.buffer[self.position:], values[room:]])
            self.position = 0

    def ensure(self, count: int) -> None:
        """Have at least ``count`` numbers ahead (Brian will draw them)."""
        if self.available() < count and self.pending is not None:
            self._append(self.pending.result(), self.reserve)
            self.pending = None
        if self.available() < count:
            self._append(np.random.rand(count - self.available()))

    def prefetch(self, count: int) -> None:
        """Start drawing the ``count`` numbers after those ahead (Brian will
        draw them too); nothing else may draw until `ensure` has taken them."""
        if self.pending is None and count > 0:
            self.pending = background(_draw, count, self.reserve)

    def take(self, count: int) -> np.ndarray:
        self.ensure(count)
        values = self.buffer[self.position:self.position + count]
        self.position += count
        return values


def _draw(count: int, room: int) -> np.ndarray:
    """``count`` uniform numbers after ``room`` free places."""
    if not room:
        return np.random.rand(count)
    values = np.empty(room + count)
    values[room:] = np.random.rand(count)
    return values


def _jumps(uniform: np.ndarray, pconst: float) -> np.ndarray:
    # Brian's geometric jumps, in its type: ceil(log(u) * pconst) as int32
    values = np.log(uniform)
    values *= pconst
    np.ceil(values, out=values)
    return values.astype(np.int32)


def _running_jumps(uniform: np.ndarray, pconst: float) -> np.ndarray:
    """``[0, j0, j0 + j1, ...]``: the running sums of the jumps of
    ``uniform``, slice by slice over the host threads, then each slice
    shifted by the sums before it."""
    totals = np.empty(len(uniform) + 1, dtype=np.int64)
    totals[0] = 0
    parts = slices(len(uniform))

    def running(start: int, stop: int) -> None:
        np.cumsum(_jumps(uniform[start:stop], pconst), dtype=np.int64,
                  out=totals[start + 1:stop + 1])

    def shift(start: int, stop: int, before: int) -> None:
        totals[start + 1:stop + 1] += before

    parallel_map(running, parts)
    befores = np.cumsum([0] + [int(totals[stop]) for _, stop in parts[:-1]])
    parallel_map(shift, [(start, stop, int(before))
                         for (start, stop), before in zip(parts[1:], befores[1:])])
    return totals


def _jumped_pairs(n_outer: int, n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions chosen by geometric jumps, for each outer index in turn.

    Each outer index's first round has the same size ``m``, and Brian's
    positions are partial sums of the jumps: from one running sum of the
    jumps of a window of numbers, rows of outer indices are consecutive
    slices. A row whose first round ends before ``n`` takes further rounds
    from the numbers after it, which moves the rows after it; that costs
    one more slice, not a new window. Where the rows of each window start
    is found first; their positions are then computed over the host threads.
    """
    pconst = 1.0 / np.log(1 - p)
    m = int(np.ceil(n * p * 1.05)) + 10
    # a block of numbers per host thread: each of the window's slices is
    # worth a thread's start
    rows_per_window = max(1, _BLOCK_DRAWS * host_threads() // m)
    pieces = []
    done = 0
    # after a window, fewer than m numbers are usually left
    with _Stream(reserve=m) as stream:
        while done < n_outer:
            # every outer index left draws at least its first round
            stream.ensure(min(rows_per_window, n_outer - done) * m)
            window = stream.buffer[stream.position:]
            # so does every one that starts after this window: draw their numbers
            # while this window's are used
            stream.prefetch(min(rows_per_window, n_outer - done - -(-len(window) // m)) * m)
            totals = _running_jumps(window, pconst)
            # (offset, first outer index, rows) of rows m numbers apart, and the
            # other rows' results, in Brian's order
            parts: list[tuple[int, int, int] | tuple[np.ndarray, np.ndarray]] = []
            offset = 0
            while done < n_outer:
                rows = min((len(window) - offset) // m, n_outer - done, _WALK_ROWS)
                if rows == 0:
                    break
                starts = offset + m * np.arange(rows)
                # a row is finished when its first round passes the end
                finished = totals[starts + m] - totals[starts] >= n
                complete = rows if finished.all() else int(np.argmin(finished))
                if complete:
                    parts.append((offset, done, complete))
                offset += complete * m
                done += complete
                if complete == rows:
                    continue
                chosen, used = _unfinished_row(totals, offset, len(window), n, p, m)
                if chosen is None:
                    # its rounds pass the window's end: draw them as Brian does
                    stream.position += offset
                    offset = 0
                    chosen = _one_jumped_row(stream, n, p, pconst, m)
                    parts.append((np.full(len(chosen), done, dtype=np.int32),
                                  chosen.astype(np.int32)))
                    done += 1
                    break
                parts.append((np.full(len(chosen), done, dtype=np.int32), chosen.astype(np.int32)))
                offset += used
                done += 1
            stream.position += offset
            pieces.extend(_regular_rows(totals, parts, n, m))
    return _joined(pieces)


def _regular_rows(totals: np.ndarray, parts: list, n: int,
                  m: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``parts`` with each ``(offset, first outer index, rows)`` replaced by
    those rows' ``(outer, positions)``, over the host threads."""
    sizes = np.array([part[2] * m if len(part) == 3 else len(part[1]) for part in parts],
                     dtype=np.int64)

    def compute(first: int, last: int) -> list[tuple[np.ndarray, np.ndarray]]:
        results = []
        for part in parts[first:last]:
            if len(part) == 2:
                results.append(part)
                continue
            offset, row, rows = part
            samples = (totals[offset + 1:offset + rows * m + 1].reshape(rows, m)
                       - totals[offset:offset + rows * m:m, None] - 1)
            inside = samples < n
            results.append((np.repeat(np.arange(row, row + rows, dtype=np.int32),
                                      inside.sum(axis=1)),
                            samples[inside].astype(np.int32)))
        return results

    return [result for group in parallel_map(compute, balanced_groups(sizes))
            for result in group]


def _joined(pieces: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The ``(outer, result)`` pieces joined, in order."""
    return (concatenate([outer for outer, _ in pieces], np.int32),
            concatenate([result for _, result in pieces], np.int32))


def _unfinished_row(totals: np.ndarray, offset: int, end: int, n: int, p: float,
                    m: int) -> tuple[np.ndarray | None, int]:
    """The positions of the row starting at ``offset`` of the window, round
    by round, and the numbers it used; ``None`` if it needs numbers beyond
    ``end``."""
    start, position, size = 0, offset, m
    rounds = []
    while True:
        if position + size > end:
            return None, 0
        samples = start - 1 + totals[position + 1:position + size + 1] - totals[position]
        rounds.append(samples)
        position += size
        start = samples[-1] + 1
        if start >= n:
            break
        size = int(np.ceil((n - start) * p * 1.05)) + 10
    samples = np.concatenate(rounds)
    return samples[samples < n], position - offset


def _one_jumped_row(stream: _Stream, n: int, p: float, pconst: float,
                    m: int) -> np.ndarray:
    """One outer index's positions, round by round, as Brian's loop."""
    start = 0
    rounds = []
    while True:
        jumps = _jumps(stream.take(m), pconst)
        jumps[0] += start - 1
        samples = np.cumsum(jumps)
        rounds.append(samples)
        start = samples[-1] + 1
        if start >= n:
            break
        m = int(np.ceil((n - start) * p * 1.05)) + 10
    samples = np.concatenate(rounds)
    return samples[samples < n]


def store_synapses(owner, synaptic_pre, synaptic_post, pre: np.ndarray, post: np.ndarray,
                   pre_offset: int, post_offset: int, outer: str) -> None:
    """Append the synapses ``(pre[k], post[k])`` (indices in the source and
    target, before their offsets in the groups they are part of) to the
    `Synapses` ``owner``, as Brian's template does, with the copying and
    counting over the host threads.

    ``synaptic_pre`` and ``synaptic_post`` are the owner's dynamic arrays;
    ``outer`` (``'pre'`` or ``'post'``) names the outer index, in whose
    order the synapses were made (`sampled_pairs`, `ranged_pairs`).
    """
    old = len(synaptic_pre)
    new = old + len(pre)
    for dynamic_array, indices, offset in ((synaptic_pre, pre, pre_offset),
                                           (synaptic_post, post, post_offset)):
        dynamic_array.resize(new)
        target = dynamic_array.data[old:]

        def fill(start: int, stop: int, target=target, indices=indices, offset=offset) -> None:
            np.add(indices[start:stop], offset, out=target[start:stop], casting="unsafe")

        parallel_map(fill, slices(len(indices)))
    owner._resize(new)
    if owner.multisynaptic_index is not None:
        # Brian's own count also numbers the synapses of each pair
        owner._update_synapse_numbers(old)
        return
    variables = owner.variables
    for name, size, indices, offset, side in (
            ("N_outgoing", "N_pre", pre, pre_offset, "pre"),
            ("N_incoming", "N_post", post, post_offset, "post")):
        length = variables[size].item() + offset
        variables[name].resize(length)
        counts = variables[name].get_value()
        # a subgroup's neurons are counted at their indices in the whole group
        counts[offset:] += (_sorted_counts(indices, length - offset) if side == outer
                            else bincount(indices, length - offset))


def _sorted_counts(indices: np.ndarray, length: int) -> np.ndarray:
    """``np.bincount(indices, minlength=length)`` of sorted ``indices``:
    where each value's run starts (a binary search per value, not a pass
    over 10^9 indices)."""
    return np.diff(np.searchsorted(indices, np.arange(length + 1, dtype=indices.dtype)))

