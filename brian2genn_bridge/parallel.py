"""Host-side array work split over threads.

Creating and arranging a billion synapses on the host is numpy work on long
arrays: ufuncs, running sums, copies. numpy releases the GIL for most of
it, so threads over slices of the arrays use the cores that one Python
thread leaves idle (the GPU machine's host has 16).
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Sequence, TypeVar

import numpy as np
from brian2.core.preferences import prefs

__all__ = ["host_threads", "parallel_map", "background", "slices", "balanced_groups",
           "bincount", "scatter", "gather", "concatenate"]

T = TypeVar("T")

#: below this many elements a slice is not worth a thread of its own
MIN_SLICE = 1 << 16

#: indices that `bincount` converts at a time
_COUNT_CHUNK = 1 << 22

_pools: dict[int, ThreadPoolExecutor] = {}
_background: ThreadPoolExecutor | None = None


def host_threads() -> int:
    """Threads for host-side array work: ``prefs.devices.genn.host_threads``,
    or the cores this process may use where it is 0."""
    # read here, not passed in a run's `RunOptions`: the pool also serves
    # Synapses.connect, outside any run, and is used deep inside array
    # helpers; results do not depend on it
    threads = prefs["devices.genn.host_threads"]
    if threads > 0:
        return threads
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _pool(threads: int) -> ThreadPoolExecutor:
    if threads not in _pools:
        _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="brian2genn_host")
    return _pools[threads]


def parallel_map(function: Callable[..., T], items: Sequence) -> list[T]:
    """``[function(*item) for item in items]``, over the host threads (each
    item a tuple of arguments)."""
    threads = host_threads()
    if threads <= 1 or len(items) <= 1:
        return [function(*item) for item in items]
    return list(_pool(threads).map(lambda item: function(*item), items))


def background(function: Callable[..., T], *args) -> Future:
    """``function(*args)`` on a thread of its own (a pool apart from
    `parallel_map`'s, so that the two never wait for each other)."""
    global _background
    if _background is None:
        _background = ThreadPoolExecutor(1, thread_name_prefix="brian2genn_background")
    return _background.submit(function, *args)


def slices(length: int, item_size: int = 1) -> list[tuple[int, int]]:
    """``(start, stop)`` of nearly equal slices of ``range(length)``, one per
    host thread, none of fewer than `MIN_SLICE` elements (items of
    ``item_size`` elements) unless there is one only."""
    parts = max(1, min(host_threads(), length * item_size // MIN_SLICE))
    bounds = np.linspace(0, length, parts + 1).astype(np.int64)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]


def concatenate(arrays: Sequence[np.ndarray], dtype) -> np.ndarray:
    """``np.concatenate(arrays)`` with the copying spread over the host
    threads."""
    lengths = np.array([len(array) for array in arrays], dtype=np.int64)
    ends = np.cumsum(lengths)
    result = np.empty(int(ends[-1]) if len(ends) else 0, dtype=dtype)
    groups = balanced_groups(lengths)

    def copy(first: int, last: int) -> None:
        for k in range(first, last):
            result[ends[k] - lengths[k]:ends[k]] = arrays[k]

    parallel_map(copy, groups)
    return result


def bincount(indices: np.ndarray, length: int) -> np.ndarray:
    """``np.bincount(indices, minlength=length)`` (``indices`` below
    ``length``), slice by slice over the host threads, each slice in chunks:
    numpy counts in its own index type, and a copy of 10^9 int32 indices as
    int64 costs more than the counting."""
    def count(start: int, stop: int) -> np.ndarray:
        counts = np.zeros(length, dtype=np.int64)
        for first in range(start, stop, _COUNT_CHUNK):
            counts += np.bincount(indices[first:min(first + _COUNT_CHUNK, stop)],
                                  minlength=length)
        return counts

    parts = parallel_map(count, slices(len(indices)))
    return np.sum(parts, axis=0) if len(parts) > 1 else parts[0]


def scatter(target: np.ndarray, index: np.ndarray, values: np.ndarray) -> None:
    """``target[index] = values`` (no index twice), slice by slice over the
    host threads."""
    values = np.broadcast_to(values, np.shape(index))

    def assign(start: int, stop: int) -> None:
        target[index[start:stop]] = values[start:stop]

    parallel_map(assign, slices(len(index)))


def gather(source: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``source[index]``, slice by slice over the host threads."""
    result = np.empty(len(index), dtype=source.dtype)

    def take(start: int, stop: int) -> None:
        np.take(source, index[start:stop], out=result[start:stop])

    parallel_map(take, slices(len(index)))
    return result


def balanced_groups(lengths: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive groups ``(first, last)`` of items with about equal total
    length, one per host thread."""
    total = int(lengths.sum())
    if len(lengths) == 0:
        return []
    parts = min(host_threads(), max(1, total // MIN_SLICE), len(lengths))
    # item k goes to the group its start falls in
    starts = np.cumsum(lengths) - lengths
    cuts = np.searchsorted(starts, np.linspace(0, total, parts + 1)[1:-1], side="left")
    bounds = np.unique(np.concatenate([[0], cuts, [len(lengths)]]))
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
