"""Helpers that run the same Brian script on Brian's runtime device (numpy
target, the independent reference) and on the GeNN device, and compare the
results.

A *script* is a function without arguments that builds its objects, puts
them in an explicit `Network` (never the magic network), runs it (as often as
it likes) and returns what it wants compared: a (nested) dict, list or tuple
of arrays, quantities and numbers. `run_with` calls it under one device in a
clean Brian state and returns plain numpy copies of everything, so that
nothing refers to Brian's arrays once the next script runs.

Give Brian objects explicit names in scripts: the GeNN model (and so the
cache key of its compiled code) contains them, and automatic names
(``neurongroup_1``, ...) depend on what other tests left alive.
"""

from __future__ import annotations

import gc
import os
import tempfile

import numpy as np

import brian2
import brian2genn_bridge  # noqa: F401  (registers the 'genn' device)
from brian2 import Quantity, defaultclock, ms, prefs, start_scope
import importlib
from brian2.devices.device import all_devices, get_device, set_device

# the module (``brian2.devices.device`` the attribute is the device proxy)
device_module = importlib.import_module("brian2.devices.device")

__all__ = ["GENN_BACKEND", "run_with", "run_both", "genn_device", "set_genn_directory",
           "genn_directory", "assert_spikes_equal", "assert_same_values", "assert_traces_close",
           "spike_trains", "clean_brian_state", "mean_rate_with_se"]

#: The CPU backend, so that float64 runs are deterministic and comparable
#: bit for bit (no fused multiply-adds: the device's CPU compiler flags keep IEEE
#: arithmetic, ``-ffp-contract=off`` and no ``-ffast-math``).
GENN_BACKEND = os.environ.get("BRIAN2GENN_BRIDGE_TEST_BACKEND", "single_threaded_cpu")

genn_device = all_devices["genn"]

_GENN_DIRECTORY: str | None = None

#: Preferences as they are right after import (brian2 only backs up its own
#: preferences, not those registered later such as ``devices.genn``).
_PREFS_AT_IMPORT = dict(prefs.prefs)


def set_genn_directory(path: str) -> None:
    """Directory where the GeNN device builds (and caches) its models."""
    global _GENN_DIRECTORY
    _GENN_DIRECTORY = str(path)


def genn_directory() -> str:
    global _GENN_DIRECTORY
    if _GENN_DIRECTORY is None:
        _GENN_DIRECTORY = tempfile.mkdtemp(prefix="brian2genn_bridge_tests_")
    return _GENN_DIRECTORY


def clean_brian_state() -> None:
    """Back to the state after ``import brian2``: runtime device, default
    preferences (also ``prefs.devices.genn``), dt = 0.1 ms, no leftover
    objects, no device state (arrays, loaded GeNN model)."""
    # forget the devices that scripts set (set_device keeps a stack)
    device_module.previous_devices.clear()
    device_module._do_set_device("runtime")
    for dev in all_devices.values():
        dev.reinit()
    prefs.prefs.update(_PREFS_AT_IMPORT)
    brian2.BrianObject._scope_current_key = 0
    gc.collect()
    defaultclock.dt = 0.1 * ms


def _to_numpy(value):
    """Plain numpy copies of a script's results (SI values for quantities)."""
    if isinstance(value, dict):
        return {key: _to_numpy(val) for key, val in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy(val) for val in value)
    if isinstance(value, (Quantity, np.ndarray)):
        return np.array(np.asarray(value), copy=True)
    if isinstance(value, (np.generic,)):
        return value.item()
    return value


def run_with(device_name: str, script, float_dtype=np.float64, preferences=None,
             directory: str | None = None):
    """Run ``script()`` on ``device_name`` (``'runtime'`` or ``'genn'``) in a
    clean Brian state and return numpy copies of its results.

    ``preferences`` (``{'core.default_float_dtype': ..., ...}``) are set after
    the device's own ones. The GeNN device runs on the CPU backend in
    ``directory`` (default: the session's directory, where models are cached).
    The device stays active until the next `clean_brian_state` so that the
    caller may inspect it (``genn_device.timings``, ...).
    """
    clean_brian_state()
    if device_name == "runtime":
        set_device("runtime")
        prefs.codegen.target = "numpy"
    elif device_name == "genn":
        set_device("genn", directory=directory or genn_directory(), backend=GENN_BACKEND)
    else:
        raise ValueError(device_name)
    prefs.core.default_float_dtype = float_dtype
    for name, value in (preferences or {}).items():
        prefs[name] = value
    start_scope()
    defaultclock.dt = 0.1 * ms
    assert get_device() is all_devices[device_name]
    results = _to_numpy(script())
    if device_name == "genn":
        # the script really ran through GeNN (not, e.g., on the magic network
        # of another device), and the GeNN model was simulated
        assert genn_device.has_been_run and genn_device.timings, \
            "the script did not run on the GeNN device"
    return results


def run_both(script, float_dtype=np.float64, preferences=None, reference_dtype=None):
    """``(runtime results, genn results)`` of ``script``.

    The reference runs in ``reference_dtype`` (default: ``float_dtype``).
    """
    reference = run_with("runtime", script, reference_dtype or float_dtype, preferences)
    genn = run_with("genn", script, float_dtype, preferences)
    return reference, genn


# --------------------------------------------------------------- comparisons
def spike_trains(i, t, n):
    """Spike times (s) of each of ``n`` neurons, from monitor arrays."""
    i, t = np.asarray(i), np.asarray(t)
    return [np.sort(t[i == k]) for k in range(n)]


def assert_spikes_equal(reference_i, reference_t, i, t, dt=1e-4):
    """Spike for spike: the same (neuron, time step) pairs in the same order
    of time steps. Times are compared as time steps (rounded t/dt)."""
    reference_i, i = np.asarray(reference_i), np.asarray(i)
    ref_steps = np.round(np.asarray(reference_t) / dt).astype(np.int64)
    steps = np.round(np.asarray(t) / dt).astype(np.int64)
    assert len(i) == len(reference_i), (
        f"{len(i)} spikes on GeNN, {len(reference_i)} on the runtime device")
    # within a time step Brian orders spikes by index; compare as sorted pairs
    ref_order = np.lexsort((reference_i, ref_steps))
    order = np.lexsort((i, steps))
    np.testing.assert_array_equal(steps[order], ref_steps[ref_order])
    np.testing.assert_array_equal(i[order], reference_i[ref_order])
    # the monitors' own order is time order
    assert np.all(np.diff(steps) >= 0), "spikes are not in time order"


def assert_same_values(reference, values, what="values"):
    """Values equal bit for bit on the CPU backend; on CUDA, whose maths
    library (and fused multiply-adds) differ from the host's in the last
    bits, equal to 1e-12 of the values' scale."""
    if GENN_BACKEND == "cuda":
        assert_traces_close(reference, values, rtol=1e-12, what=what)
    else:
        np.testing.assert_array_equal(values, reference, err_msg=what)


def assert_traces_close(reference, values, rtol=1e-9, what="trace"):
    """Traces equal to ``rtol`` relative to the trace's scale (its largest
    absolute value): a pointwise relative tolerance is meaningless where the
    trace crosses zero."""
    reference, values = np.asarray(reference), np.asarray(values)
    assert reference.shape == values.shape, (
        f"{what}: shape {values.shape} on GeNN, {reference.shape} on the runtime device")
    assert np.all(np.isfinite(values)) == np.all(np.isfinite(reference))
    scale = np.max(np.abs(reference[np.isfinite(reference)]), initial=0.0)
    np.testing.assert_allclose(values, reference, rtol=rtol, atol=rtol * scale,
                               err_msg=what)


def mean_rate_with_se(counts, duration):
    """Mean rate over neurons (Hz) and its standard error, from spike counts
    per neuron (neurons are independent, so the SE is std/sqrt(N))."""
    rates = np.asarray(counts, dtype=float) / duration
    return rates.mean(), rates.std(ddof=1) / np.sqrt(len(rates))


def assert_spike_trains_close(reference_trains, trains, max_shift, max_count_difference=1):
    """Spike trains equal up to small shifts: per neuron, at most
    ``max_count_difference`` spikes more or fewer, and every spike of the
    shorter train within ``max_shift`` (s) of a spike of the longer one.
    For runs whose rounding differs (float32), where a threshold crossing
    can move by a time step."""
    assert len(trains) == len(reference_trains)
    for k, (ref, train) in enumerate(zip(reference_trains, trains)):
        assert abs(len(ref) - len(train)) <= max_count_difference, (
            f"neuron {k}: {len(train)} spikes on GeNN, {len(ref)} on the reference")
        short, long = (ref, train) if len(ref) <= len(train) else (train, ref)
        if len(short) == 0:
            continue
        nearest = np.min(np.abs(short[:, None] - long[None, :]), axis=1)
        assert np.max(nearest) <= max_shift + 1e-12, (
            f"neuron {k}: spike times differ by up to {np.max(nearest)} s")
