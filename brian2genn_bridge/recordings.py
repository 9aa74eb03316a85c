"""Recordings: how what GeNN records gets back into Brian's monitors.

The translators say what is recorded (`model.StateRecording`,
`model.SpikeRecording`, `model.SynapticRecording`, the spike monitors of a
description); this module sizes the buffers (`recording_steps`), points them
at each window of GeNN steps, moves each window's data into the monitors'
own arrays (`Recorder`), samples the StateMonitors of Synapses on the host
(`SynapticSampler`) and puts their samples together with those that the
neuron populations record (`SampleAssembler`).
"""

from __future__ import annotations

import time

import numpy as np
from brian2.core.functions import Function
from brian2.monitors import EventMonitor, PopulationRateMonitor, SpikeMonitor, StateMonitor
from brian2.parsing.rendering import NumpyNodeRenderer
from brian2.utils.stringtools import get_identifiers

from .subgroups import source_range
from .translators.expressions import clock_steps

__all__ = ["Recorder", "SynapticSampler", "SampleAssembler", "records_spikes_only",
           "recording_steps", "append_spikes", "append_rates", "append_states"]


class Recorder:
    """Moves the recordings of each window of a run into the monitors.

    It keeps, between windows, the spikes whose values the next window
    records (`SpikeRecording.lag`) and the samples of StateMonitors of
    Synapses not yet complete (``assembler``), and counts the seconds spent.
    """

    def __init__(self):
        #: spikes of a SpikeMonitor recording after the thresholds whose
        #: values the next window records, by monitor name
        self.held_spikes: dict = {}
        #: the samples of StateMonitors of Synapses of the part being simulated
        self.assembler: SampleAssembler | None = None
        #: seconds spent moving recordings into the monitors in this run
        self.seconds = 0.0

    @staticmethod
    def start_window(simulation, description, window_start: int, run) -> None:
        """Point the recording buffers at the window starting at GeNN step
        ``window_start``."""
        for population in description.neurons:
            for rec in population.state_recordings:
                first, _ = recorded_samples(rec, window_start, window_start, run,
                                             description.substeps)
                simulation.set_recording_start(population.name, rec.first_sample, first)
            for rec in population.spike_recordings:
                # GeNN step m records the spikes of Brian's step m - lag
                simulation.set_recording_start(population.name, rec.first_sample,
                                               first_recorded(rec, window_start,
                                                               description.substeps))
            for event in population.recorded_events:
                simulation.set_recording_start(population.name, f"brec_first_event_{event}",
                                               window_start // description.substeps)

    def collect(self, simulation, description, window_start: int, window_end: int,
                run) -> None:
        """`_collect`, adding its time to ``self.seconds``."""
        started = time.perf_counter()
        self._collect(simulation, description, window_start, window_end, run)
        self.seconds += time.perf_counter() - started

    def _collect(self, simulation, description, window_start: int, window_end: int,
                 run) -> None:
        """Move the recordings of GeNN steps ``[window_start, window_end)``
        into the monitors."""
        substeps = description.substeps
        if window_start == run[0] * substeps:
            self.held_spikes = {}
        # Brian's steps [step, step + n) of the window; the finishing step
        # emits no spikes and belongs to no Brian step
        step = window_start // substeps
        n = max(min(window_end // substeps, run[1]) - step, 0)
        for population in description.neurons:
            if population.record_spikes and (n > 0 or population.spike_recordings):
                steps, ids = simulation.recorded_spikes(population.name, window_start,
                                                        n * substeps)
                steps //= substeps
                self._append_events(simulation, population, description, "spike", step, n,
                                    steps, ids, window_start, window_end)
            for event in population.recorded_events:
                if n > 0:
                    steps, ids = simulation.recorded_events(population.name, event, step, n)
                    self._append_events(simulation, population, description, event, step, n,
                                        steps, ids, window_start, window_end)
            for rec in population.state_recordings:
                first, stop = recorded_samples(rec, window_start, window_end, run,
                                                substeps)
                count = max(stop - first, 0)
                data = {name: simulation.pull_egp(population.name, rec.buffer(name))
                        [:count * rec.n_indices].reshape(count, rec.n_indices)
                        for name in rec.variables}
                if rec.neuron_sources is None:
                    append_states(rec.monitor, first, count, data)
                else:
                    # neuron variables of a StateMonitor of a Synapses
                    self.assembler.add(rec.monitor, first, {
                        name: values[:, rec.synapse_positions] for name, values in data.items()})


    def _append_events(self, simulation, population, description, event: str, step: int,
                       n: int, steps: np.ndarray, ids: np.ndarray, window_start: int,
                       window_end: int) -> None:
        """Append the spikes or custom events (``event``) of ``population``
        recorded in Brian's steps ``[step, step + n)``, ``(steps, ids)`` in
        time order, with the variables recorded at them while GeNN steps
        ``[window_start, window_end)`` ran, to the monitors of that event.

        A recording after the thresholds takes the values of Brian's step m
        in the GeNN step that completes it: with one GeNN step per Brian
        step, the spikes of a window's last step are held back until the
        next window, which records their values.
        """
        spikes = {}
        for rec in population.spike_recordings:
            if rec.event != event:
                continue
            first = first_recorded(rec, window_start, description.substeps)
            rec_steps, rec_ids = steps, ids
            if rec.lag:
                stop = first_recorded(rec, window_end, description.substeps)
                held_steps, held_ids = self.held_spikes.get(rec.monitor_name,
                                                             (steps[:0], ids[:0]))
                later = steps >= stop
                self.held_spikes[rec.monitor_name] = steps[later], ids[later]
                rec_steps = np.concatenate((held_steps, steps[~later]))
                rec_ids = np.concatenate((held_ids, ids[~later]))
            slots = (rec_steps - first) * rec.n_neurons + rec_ids
            spikes[rec.monitor_name] = (rec_steps, rec_ids, {
                name: simulation.pull_egp(population.name, rec.buffer(name))[slots]
                for name in rec.variables})
        for monitor in _spike_monitors(population.group, description):
            if isinstance(monitor, PopulationRateMonitor) and event == "spike" and n > 0:
                start, stop = source_range(monitor.source)
                keep = (ids >= start) & (ids < stop)
                counts = np.bincount(steps[keep] - step, minlength=n)
                append_rates(monitor, step, counts, description.dt)
            elif (isinstance(monitor, (SpikeMonitor, EventMonitor))
                  and monitor.event == event):
                monitor_steps, monitor_ids, values = spikes.get(monitor.name, (steps, ids, {}))
                append_spikes(monitor, monitor_steps, monitor_ids, description.dt,
                                         values)


def records_spikes_only(description) -> bool:
    """Whether GeNN's spike recordings are all that ``description`` records
    (no values at spikes or times, no custom events)."""
    return not any(p.state_recordings or p.spike_recordings or p.recorded_events
                   for p in description.neurons)


class SynapticSampler:
    """Host-side recording of the StateMonitors of Synapses during one run.

    GeNN changes synaptic variables only in the synapse code at the start of
    a GeNN step. With one GeNN step per Brian step, after GeNN step m they
    hold Brian's values at the 'start' of step m, which are also those at
    the 'end' of step m - 1; with two, after odd GeNN step 2m + 1 those of
    the 'end' of step m and the 'start' of m + 1 (see `SynapticRecording`).
    Variables that GeNN does not hold (not used by the synaptic code, shared
    ones, or of a Synapses left out of the model) do not change during the
    run and are read once from Brian's arrays.

    Parameters
    ----------
    simulation
        The loaded model.
    description
        Its description, with the recordings.
    run
        Brian's steps ``[first, stop)`` of the run.
    host_value
        Brian's array of a Brian variable.
    """

    def __init__(self, simulation, description, run: tuple[int, int], host_value,
                 assembler: "SampleAssembler"):
        self.simulation = simulation
        self.run = run
        self.substeps = description.substeps
        # all but those of neuron variables only, which the neuron populations record
        self.recordings = [rec for rec in description.synaptic_recordings
                           if rec.variables or not rec.neuron_variables]
        self.assembler = assembler
        in_genn = {}
        for p in description.synapses:
            for v in p.variables:
                if not v.mirror:
                    in_genn.setdefault(id(v.brian_var), []).append(
                        (simulation.synapse_groups[p.name], v))
        #: per monitor and variable: the ``(GeNN group, GeNNVariable)`` parts
        #: to pull, or the constant sample
        self.sources = {rec.monitor_name: {
            name: _sample_source(rec, var, in_genn, host_value)
            for name, var in rec.variables.items()} for rec in self.recordings}
        self.samples = {rec.monitor_name: {name: [] for name in rec.variables}
                        for rec in self.recordings}
        #: sample number of each monitor's first sample not yet collected,
        #: and the number of those samples
        self.first: dict[str, int] = {}
        self.count: dict[str, int] = {}

    def _brian_step(self, genn_step: int, rec) -> int | None:
        """Brian's step whose sample of recording ``rec`` is due after GeNN
        step ``genn_step``, if any."""
        if rec.after_early:
            # after the even GeNN step that runs the early synaptic code
            return None if genn_step % self.substeps else genn_step // self.substeps
        if (genn_step + self.substeps - 1) % self.substeps:
            return None
        return (genn_step + self.substeps - 1) // self.substeps - rec.lag

    def after_step(self, genn_step: int) -> None:
        """Sample the recordings due after GeNN step ``genn_step``, pulling
        each GeNN variable once for all monitors that record it."""
        requests: dict[tuple[int, str], list] = {}
        for rec in self.recordings:
            brian_step = self._brian_step(genn_step, rec)
            if brian_step is None or not self.run[0] <= brian_step < self.run[1] \
                    or brian_step % rec.every:
                continue
            self.first.setdefault(rec.monitor_name, brian_step // rec.every)
            self.count[rec.monitor_name] = self.count.get(rec.monitor_name, 0) + 1
            for name, source in self.sources[rec.monitor_name].items():
                if isinstance(source, np.ndarray):
                    self.samples[rec.monitor_name][name].append(source)
                else:
                    requests.setdefault(id(source), []).append((rec, name, source))
        for wanted in requests.values():
            indices = np.concatenate([rec.indices for rec, _, _ in wanted])
            values = self.simulation.pull_parts(wanted[0][2], indices)
            start = 0
            for rec, name, _ in wanted:
                self.samples[rec.monitor_name][name].append(
                    values[start:start + rec.n_indices])
                start += rec.n_indices

    def collect(self) -> None:
        """Hand the samples taken so far to the assembler."""
        for rec in self.recordings:
            if rec.monitor_name not in self.first:
                continue
            first = self.first.pop(rec.monitor_name)
            count = self.count.pop(rec.monitor_name)
            data = {}
            for name, samples in self.samples[rec.monitor_name].items():
                data[name] = np.array(samples).reshape(len(samples), rec.n_indices)
                samples.clear()
            if data:
                self.assembler.add(rec.monitor, first, data)
            else:  # the times only (and subexpressions of constants)
                append_states(rec.monitor, first, count, derive(rec, first, count, data))


class SampleAssembler:
    """Puts together the samples of StateMonitors of Synapses, whose own
    variables the host samples (`SynapticSampler`) while the neuron
    populations record those of their neurons (`StateRecording.neuron_sources`),
    and appends each sample to its monitor once all its variables are there."""

    def __init__(self, recordings):
        self.expected = {rec.monitor_name: set(rec.variables) | set(rec.neuron_variables)
                         for rec in recordings}
        self.recordings = {rec.monitor_name: rec for rec in recordings}
        #: per monitor: the next sample to append, and the rows by variable and sample
        self.next: dict[str, int | None] = {name: None for name in self.expected}
        self.rows: dict[str, dict[str, dict[int, np.ndarray]]] = {
            name: {} for name in self.expected}

    def add(self, monitor, first: int, data: dict[str, np.ndarray]) -> None:
        """Samples ``first, first + 1, ...`` of ``monitor``'s variables ``data``
        (samples x recorded synapses)."""
        for name, values in data.items():
            rows = self.rows[monitor.name].setdefault(name, {})
            for k, row in enumerate(values):
                rows[first + k] = row
        if self.next[monitor.name] is None and len(data):
            self.next[monitor.name] = first

    def flush(self) -> None:
        """Append the samples complete in every variable, in order."""
        for name, expected in self.expected.items():
            rows, first = self.rows[name], self.next[name]
            if first is None or set(rows) != expected:
                continue
            stop = first
            while all(stop in rows[var] for var in expected):
                stop += 1
            if stop == first:
                continue
            data = {var: np.array([rows[var].pop(k) for k in range(first, stop)])
                    for var in expected}
            rec = self.recordings[name]
            append_states(rec.monitor, first, stop - first, derive(rec, first, stop - first, data))
            self.next[name] = stop


def derive(rec, first: int, n_samples: int, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The samples ``first, ...`` of the variables that the `StateMonitor` of
    recording ``rec`` (a `SynapticRecording`) records, from ``data`` (samples x
    recorded synapses, by name): its subexpressions computed from their
    parts as Brian's numpy target computes them; parts it does not record
    left out."""
    monitor = rec.monitor
    recorded = {name: values for name, values in data.items()
                if name in monitor.record_variables}
    if not rec.derived:
        return recorded
    synapses = monitor.source
    clock_dt = float(monitor.clock.dt_)
    times = ((first + np.arange(n_samples)) * clock_dt)[:, None]
    namespace = {"logical_not": np.logical_not, "t": times, "dt": float(synapses.clock.dt_),
                 "t_in_timesteps": np.round(times / float(synapses.clock.dt_)).astype(np.int64)}
    for name, expression in rec.derived.items():
        for part in get_identifiers(expression):
            if part in data:
                namespace[part] = data[part]
            elif part not in namespace:
                namespace[part] = _host_value(part, synapses, monitor)
        code = NumpyNodeRenderer().render_expr(expression)
        values = eval(code, {"__builtins__": {}}, namespace)  # noqa: S307 (Brian's own expression)
        recorded[name] = np.broadcast_to(values, (n_samples, rec.n_indices))
    return recorded


def _host_value(name: str, synapses, monitor):
    """A constant (or a function's numpy implementation) of a recorded
    subexpression, as the monitor's code object resolved it (checked by
    `translators.monitors.synaptic_recording`)."""
    var = synapses.variables.get(name)
    if var is None:
        var = monitor.codeobj.variables[name]
    if isinstance(var, Function):
        return var.implementations["numpy"].get_code(synapses)
    return var.get_value()


def _sample_source(rec, var, in_genn: dict, host_value) -> tuple | np.ndarray:
    """Where the samples of ``var`` come from: its ``(GeNN group,
    GeNNVariable)`` parts when GeNN holds it, else the constant sample read from Brian's array
    (also for a recording of no index, which has nothing to pull)."""
    if rec.n_indices and id(var) in in_genn:
        return in_genn[id(var)]
    values = np.asarray(host_value(var)).reshape(-1)
    if var.scalar:
        return np.full(rec.n_indices, values[0])
    return values[rec.indices].copy()


def first_recorded(rec, window_start: int, substeps: int) -> int:
    """Brian's first step whose spike values ``rec`` records in the window
    starting at GeNN step ``window_start`` (GeNN step ``substeps * m +
    rec.lag`` records those of Brian's step m)."""
    return -(-(window_start - rec.lag) // substeps)


def recorded_samples(rec, window_start: int, window_end: int, run,
                      substeps: int) -> tuple[int, int]:
    """``[first, stop)`` sample numbers that ``rec`` records while GeNN steps
    ``[window_start, window_end)`` run, within Brian's steps ``run``.

    GeNN step ``substeps * m + rec.lag`` records Brian's step m (the
    finishing step, or the odd steps, record only 'end' samples).
    """
    low = max(-(-(window_start - rec.lag) // substeps), run[0])
    high = min(-(-(window_end - rec.lag) // substeps), run[1])
    first = -(-low // rec.every)
    return first, max(first, -(-high // rec.every))


#: GeNN steps the recording buffers hold at least (memory permitting)
_MIN_RECORDING_STEPS = 10_000


def _spike_monitors(group, description):
    return description.spike_monitors.get(group.name, [])


def recording_bytes_per_step(description) -> int:
    total = 0
    for population in description.neurons:
        if population.record_spikes:
            total += 4 * ((population.size + 31) // 32)
        for rec in population.state_recordings:
            total += 8 * rec.n_indices * len(rec.variables) // rec.every + 1
        for rec in population.spike_recordings:
            total += 8 * rec.n_neurons * len(rec.variables)
        total += population.size * len(population.recorded_events)
    return total

def recording_steps(description, n_steps: int, budget: int) -> int:
    """GeNN steps of the windows of a model's recording buffers, for a first
    run of ``n_steps`` Brian steps and a ``budget`` of bytes.

    The buffers stay with the model for later runs: a short first run (a
    warm-up) must not leave them short, and each window costs a pull of the
    buffers.
    """
    per_step = recording_bytes_per_step(description)
    substeps = description.substeps
    steps = max(1, min(max(n_steps * substeps, _MIN_RECORDING_STEPS), budget // max(per_step, 1)))
    # windows of whole Brian steps
    return max(substeps, steps - steps % substeps)


def append_spikes(monitor, steps: np.ndarray, ids: np.ndarray, dt: float,
                  values: dict[str, np.ndarray]) -> None:
    """Append spikes or events (absolute neuron ``ids`` at time steps
    ``steps`` of ``dt``, in time order) to a `SpikeMonitor` or `EventMonitor`."""
    start, stop = source_range(monitor.source)
    keep = (ids >= start) & (ids < stop)
    steps, ids = steps[keep], ids[keep] - start
    old = int(monitor.variables["N"].get_value()[0])
    new = old + len(ids)
    monitor.variables["count"].get_value()[:] += np.bincount(ids, minlength=stop - start)
    # without ``record``, Brian stores the variables but not i and t
    monitor.resize(new)
    monitor.variables["N"].set_value(new)
    variables = monitor.variables
    if monitor.record:
        variables["i"].get_value()[old:new] = ids
        # the time of the source's clock (which may tick every k steps of
        # ``dt``), as Brian computes it
        clock_dt = float(monitor.clock.dt_)
        variables["t"].get_value()[old:new] = steps // clock_steps(clock_dt, dt) * clock_dt
    for name, data in values.items():
        variables[name].get_value()[old:new] = data[keep]


def append_rates(monitor: PopulationRateMonitor, first_step: int, counts: np.ndarray,
                 dt: float) -> None:
    """Append one rate sample per step of the monitor's clock, from spike
    counts per GeNN step (of ``dt``) from ``first_step`` on.

    The monitor's clock (its source's) may tick every k GeNN steps; its
    source spikes only then.
    """
    start, stop = source_range(monitor.source)
    clock_dt = float(monitor.clock.dt_)
    every = clock_steps(clock_dt, dt)
    ticks = np.arange(-(-first_step // every), -(-(first_step + len(counts)) // every))
    counts = counts[ticks * every - first_step]
    old = len(monitor.variables["t"].get_value())
    new = old + len(counts)
    monitor.resize(new)
    monitor.variables["N"].set_value(new)
    monitor.variables["t"].get_value()[old:new] = ticks * clock_dt
    # in Brian's order of operations (its template), for the same last bit
    monitor.variables["rate"].get_value()[old:new] = 1.0 * counts / clock_dt / (stop - start)


def append_states(monitor: StateMonitor, first_sample: int, n_samples: int,
                  data: dict[str, np.ndarray]) -> None:
    """Append ``n_samples`` samples, ``data[var]`` (samples x indices), to a
    `StateMonitor` (which records their times even without variables)."""
    old = int(np.asarray(monitor.variables["N"].get_value()).reshape(-1)[0])
    new = old + n_samples
    monitor.resize(new)
    dt = float(monitor.clock.dt_)
    monitor.variables["t"].get_value()[old:new] = (first_sample + np.arange(n_samples)) * dt
    for name, values in data.items():
        monitor.variables[name].get_value()[old:new, :] = values
