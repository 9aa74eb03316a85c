"""Decoding GeNN's spike and event recordings: the positions of the set
bits of a window of the recording buffer (rows of 32-bit words, one row
per GeNN step, one bit per neuron)."""

from __future__ import annotations

import sys

import numpy as np

from ..parallel import concatenate, parallel_map, slices

__all__ = ["set_bits", "set_bit_keys", "nonzero_positions"]


def set_bits(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and bit number (``32 * column + bit``) of every set bit of
    ``words`` (rows of 32-bit words), in row, then bit number order.

    Spike recordings are sparse: finding the few non-zero words in the
    buffer is the cost, so on a little-endian host (where a 32-bit word is
    the low half of the 64-bit word it starts, and bit numbers carry over)
    the buffer is scanned as 64-bit words, half as many.
    """
    flat = words.reshape(-1)
    keys = []
    if sys.byteorder == "little":
        even = flat.size - flat.size % 2
        keys += set_bit_keys(flat[:even].view(np.uint64), 0)
        flat, offset = flat[even:], even * 32
    else:
        offset = 0
    keys += set_bit_keys(flat, offset)
    if not keys:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # each round is sorted already: merging the rounds is cheap (timsort)
    key = keys[0] if len(keys) == 1 else np.sort(np.concatenate(keys), kind="stable")
    word = key >> 5
    row, column = np.divmod(word, words.shape[1])
    return row, column * 32 + (key & 31)


def set_bit_keys(words: np.ndarray, offset: int) -> list[np.ndarray]:
    """Bit numbers (``offset`` + word width * position + bit) of the set
    bits of unsigned ``words``, one sorted array per round.

    Most non-zero words of a spike recording hold one set bit: the set bits
    are peeled off the lowest first, one round per bit that a word holds,
    rather than testing every bit of every non-zero word.
    """
    width = 8 * words.itemsize
    position = nonzero_positions(words)
    values = words[position]
    one = words.dtype.type(1)
    keys = []
    while len(values):
        lowest = values & (~values + one)
        # exact: a power of two is exactly m * 2**e with m = 0.5
        bit = np.frexp(lowest.astype(np.float64))[1] - 1
        keys.append(offset + position * width + bit)
        values = values ^ lowest
        left = values != 0
        values, position = values[left], position[left]
    return keys


def nonzero_positions(words: np.ndarray) -> np.ndarray:
    """Positions of the non-zero ``words``, in order.

    A comparison, then the positions of a boolean array: both vectorised,
    unlike the positions of non-zero integers; a large buffer (a window of
    a million neurons is 64 MB) slice by slice over the host threads.
    """
    def scan(first: int, stop: int) -> np.ndarray:
        return first + np.flatnonzero(words[first:stop] != 0)

    return concatenate(parallel_map(scan, slices(words.size)), np.int64)
