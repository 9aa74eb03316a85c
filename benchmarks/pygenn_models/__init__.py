"""Hand-written PyGeNN versions of the benchmark models, for timing the genn
device against GeNN used directly (back-ends ``pygenn-cuda``/``pygenn-cpu`` of
the harness).

Each module has a ``run(...)`` function that builds, loads and simulates its
model and returns a dict: the phases timed the way the harness splits the
genn device's time (``timings``: ``model``, ``build``, ``load``,
``simulation``, ``download``), spike counts and mean rates per population,
neuron and synapse counts, and GeNN's kernel timers when asked for.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

__all__ = ["PhaseTimer", "genn_backend", "genn_precision", "kernel_times", "recorded_rates",
           "simulate"]

#: the harness's back-end names -> GeNN backend names
_BACKENDS = {"pygenn-cuda": "cuda", "pygenn-cpu": "single_threaded_cpu",
             "cuda": "cuda", "single_threaded_cpu": "single_threaded_cpu"}


class PhaseTimer(dict):
    """Wall-clock seconds per phase name (``with timer('build'): ...``)."""

    @contextmanager
    def __call__(self, phase: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self[phase] = self.get(phase, 0.0) + time.perf_counter() - start


def genn_backend(name: str) -> str:
    """GeNN's backend name for ``name`` (``pygenn-cuda``, ``cuda``, ...)."""
    try:
        return _BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown PyGeNN backend {name!r} (use one of {sorted(_BACKENDS)})") \
            from None


def genn_precision(float_bits: int) -> str:
    """GeNN's precision name for 32 or 64 bits."""
    if float_bits not in (32, 64):
        raise ValueError(f"float precision must be 32 or 64, not {float_bits!r}")
    return "float" if float_bits == 32 else "double"


def kernel_times(model) -> dict[str, float]:
    """GeNN's cumulative kernel timers (seconds) of a loaded model built with
    ``timing_enabled``."""
    return {name: float(getattr(model, f"{name}_time"))
            for name in ("neuron_update", "presynaptic_update", "postsynaptic_update",
                         "synapse_dynamics", "init", "init_sparse")}


def recorded_rates(populations: dict, duration_s: float) -> tuple[dict[str, float], dict[str, int]]:
    """Mean rate (Hz) and spike count of each population from its spike
    recording (after ``pull_recording_buffers_from_device``)."""
    rates, counts = {}, {}
    for name, pop in populations.items():
        spike_times, _ = pop.spike_recording_data[0]
        counts[name] = int(len(spike_times))
        rates[name] = counts[name] / (pop.num_neurons * duration_s)
    return rates, counts


def simulate(model, n_steps: int, timer: PhaseTimer) -> None:
    """Run ``n_steps`` steps and copy the spike recordings to the host.

    Timed as the genn device's ``simulation`` phase, which copies the
    recordings too (and needs the copy to wait for GeNN's CUDA backend, which
    queues the kernels of each step): ``simulation`` is the whole, and
    ``recording_pull`` the copy at its end.
    """
    start = time.perf_counter()
    for _ in range(n_steps):
        model.step_time()
    pulled = time.perf_counter()
    model.pull_recording_buffers_from_device()
    end = time.perf_counter()
    timer["simulation"] = end - start
    timer["recording_pull"] = end - pulled
