"""The ``'genn'`` device: runs Brian networks through PyGeNN.

The device is Brian's runtime device for everything that happens in Python
(creating groups and synapses, setting and reading variables) and replaces
`Network.run`: the network is translated into a GeNN model, which is built
(only when it changed), given Brian's current values, stepped, and read
back into Brian's arrays and monitors.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np
from brian2 import prefs
from brian2.codegen.runtime.numpy_rt import NumpyCodeObject
from brian2.core.base import BrianObjectException
from brian2.core.functions import Function
from brian2.core.namespace import get_local_namespace
from brian2.core.network import TextReport
from brian2.devices.device import RuntimeDevice, all_devices
from brian2.units import second
from brian2.utils.logger import get_logger

from .codeobject import GENN_TEMPLATES, GeNNCodeObject
from .runtime import GeNNSimulation, Phase
from .translators import monitors as monitor_io
from .translators.network import describe_network, simulation_clock

__all__ = ["GeNNDevice", "genn_device"]

logger = get_logger(__name__)


def default_backend() -> str:
    """CUDA when PyGeNN has it and a GPU is usable, else the CPU backend."""
    try:
        from pygenn import cuda_backend  # noqa: F401  (absent in CPU-only builds)
        import ctypes

        cuda = ctypes.CDLL("libcuda.so.1")
        count = ctypes.c_int(0)
        if cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 \
                and count.value > 0:
            return "cuda"
    except (ImportError, OSError):
        pass
    return "single_threaded_cpu"


class GeNNDevice(RuntimeDevice):
    """Brian device that simulates networks with GeNN."""

    def __init__(self):
        super().__init__()
        self.build_options: dict = {}
        self.directory: str | None = None
        self.backend: str | None = None
        self.has_been_run = False
        #: wall-clock seconds of the phases of the last `run` call
        self.timings: dict[str, float] = {}
        self._preparing = False
        #: GeNN's time step (s) in the run being prepared
        self.simulation_dt: float | None = None
        self._simulation: GeNNSimulation | None = None
        self._bindings: dict = {}
        self._stale: set = set()
        self._touched: set = set()
        #: spikes of a SpikeMonitor recording after the thresholds whose
        #: values the next chunk of the run records, by monitor name
        self._held_spikes: dict = {}

    # ------------------------------------------------------------ set-up
    def activate(self, build_on_run=True, directory=None, backend=None, **kwds):
        # directory and backend stay in build_options: Brian's reset_device()
        # re-activates a device with exactly those after reinit()
        super().activate(build_on_run=build_on_run, directory=directory,
                         backend=backend, **kwds)
        self.directory = directory
        self.backend = backend

    def reinit(self):
        build_on_run = getattr(self, "build_on_run", True)
        build_options = self.build_options
        self.__init__()
        super().reinit()
        self.build_on_run, self.build_options = build_on_run, build_options
        self.directory = build_options.get("directory")
        self.backend = build_options.get("backend")

    def build(self, **kwds):
        """Runs happen eagerly, so there is nothing left to do here; accepted
        for scripts and test harnesses written for standalone devices."""
        self.build_options.update(kwds)

    def delete(self, data=True, code=True, directory=True, force=False):
        self._simulation = None

    def _backend(self) -> str:
        backend = self.backend or prefs.devices.genn.backend
        if backend == "auto":
            backend = default_backend()
            logger.info(f"GeNN backend: {backend}", once=True)
            if backend != "cuda":
                logger.warn("No usable CUDA GPU: running on GeNN's single_threaded_cpu "
                            "backend.", name_suffix="cpu_backend", once=True)
        return backend

    def _code_directory(self) -> str:
        if self.directory is None:
            self.directory = os.path.join(tempfile.gettempdir(), "brian2genn_models")
        return os.path.abspath(self.directory)

    # ------------------------------------------------------- code objects
    def code_object_class(self, codeobj_class=None, fallback_pref="codegen.target"):
        if self._preparing:
            return GeNNCodeObject
        if codeobj_class is None or codeobj_class is GeNNCodeObject:
            # host-side operations (variable setting, synapse creation)
            return NumpyCodeObject
        return super().code_object_class(codeobj_class, fallback_pref)

    def code_object(self, owner, name, abstract_code, variables, template_name,
                    variable_indices, codeobj_class=None, template_kwds=None,
                    override_conditional_write=None, compiler_kwds=None):
        if template_name not in GENN_TEMPLATES or codeobj_class is not GeNNCodeObject:
            for var in variables.values():
                if isinstance(var, Function):
                    try:
                        var.implementations[NumpyCodeObject]
                    except KeyError:
                        var.implementations.add_numpy_implementation(var.pyfunc)
            return super().code_object(owner, name, abstract_code, variables,
                                       template_name, variable_indices,
                                       NumpyCodeObject, template_kwds,
                                       override_conditional_write, compiler_kwds)
        codeobj = super().code_object(owner, name, abstract_code, variables, template_name,
                                      variable_indices, GeNNCodeObject, template_kwds,
                                      override_conditional_write, compiler_kwds)
        # what is needed to run the operation on the host instead, should
        # Brian call it outside a run (StateMonitor.record_single_timestep);
        # not the owner, which the code object holds as a weak proxy
        codeobj.host_arguments = dict(
            name=f"{name.rstrip('*')}_host*", abstract_code=abstract_code,
            variables=variables, template_name=template_name,
            variable_indices=variable_indices, codeobj_class=NumpyCodeObject,
            template_kwds=template_kwds,
            override_conditional_write=override_conditional_write,
            compiler_kwds=compiler_kwds)
        return codeobj

    # ----------------------------------------------------------- values
    def get_value(self, var, access_data=True):
        if var in self._stale:
            self._pull(var)
        # the caller may write through the returned array
        self._touched.add(var)
        return super().get_value(var, access_data)

    def set_value(self, var, value):
        self._written(var)
        super().set_value(var, value)

    def fill_with_array(self, var, arr):
        # Network.restore and ArrayVariable.set_value write this way
        self._written(var)
        super().fill_with_array(var, arr)

    def init_with_zeros(self, var, dtype):
        self._written(var)
        super().init_with_zeros(var, dtype)

    def init_with_arange(self, var, start, dtype):
        self._written(var)
        super().init_with_arange(var, start, dtype)

    def _written(self, var) -> None:
        """Python replaced ``var``'s values: GeNN's copy is outdated, not Brian's."""
        self._stale.discard(var)
        self._touched.add(var)

    def _host_value(self, var) -> np.ndarray:
        """Brian's own array of ``var`` (no pull from GeNN, no push marked)."""
        return RuntimeDevice.get_value(self, var)

    def _pull(self, var) -> None:
        self._stale.discard(var)
        genn_group, genn_var = self._bindings[var]
        values = self._simulation.pull_variable(genn_group, genn_var)
        self._host_value(var)[:] = values

    # -------------------------------------------------------------- run
    def network_run(self, net, duration, report=None, report_period=10 * second,
                    namespace=None, profile=None, level=0, **kwds):
        t_call = time.perf_counter()
        if duration < 0:
            raise ValueError(f"Function 'run' expected a non-negative duration but got "
                             f"'{duration}'")
        if namespace is None:
            namespace = get_local_namespace(level=level + 2)
        # values GeNN still holds must reach Brian before Brian's own code runs
        for var in list(self._stale):
            self._pull(var)

        all_objects = net.sorted_objects
        net._clocks = {obj.clock for obj in all_objects}
        t_start, t_end = net.t, net.t + duration
        for clock in net._clocks:
            clock.set_interval(t_start, t_end)
        active = [obj for obj in all_objects if obj.active]
        # GeNN's time step, which the generated code of groups on other
        # clocks refers to (`expressions.clock_time`)
        self.simulation_dt = float(simulation_clock(active).dt_) if active else None
        self._preparing = True
        try:
            net.before_run(namespace)
        except BrianObjectException as error:
            if isinstance(error.__cause__, NotImplementedError):
                raise _unwrapped_not_implemented(error, all_objects) from error
            raise
        finally:
            self._preparing = False
        objects = [obj for obj in all_objects if obj.active]
        if not objects:
            return
        clock = simulation_clock(objects)
        description = describe_network(objects)
        if profile is None:
            profile = self.build_options.get("profile", False)
        # GeNN's kernel timers, for profile=True (a different model to build)
        description.kernel_timing = bool(profile)
        t_prepared = time.perf_counter()

        first_step = int(clock.variables["timestep"].get_value()[0])
        n_steps = int(clock._i_end) - first_step
        simulation, loaded = self._simulation_for(description, n_steps)
        t_built = time.perf_counter()
        self._push_values(simulation, description, full=loaded)
        t_pushed = time.perf_counter()

        simulation.timestep = first_step
        kernels_before = simulation.kernel_times()
        self._simulate(simulation, description, first_step, n_steps, report,
                       float(report_period), t_start, duration)
        t_simulated = time.perf_counter()
        self._stale = {var for var, (_, genn_var) in self._bindings.items()
                       if not genn_var.read_only}
        self._touched = set()

        for c in net._clocks:
            c.variables["timestep"].set_value(c._i_end)
            c.variables["t"].set_value(c._i_end * c.dt_)
        net.t_ = float(t_end)
        self._last_run_time = t_simulated - t_pushed
        self._last_run_completed_fraction = 1.0
        net.after_run()
        self.has_been_run = True
        t_done = time.perf_counter()
        self.timings = {
            "python_setup": t_prepared - t_call,
            "build": simulation.timings["build"] if loaded else 0.0,
            "load": simulation.timings["load"] if loaded else 0.0,
            "synapses_init": t_pushed - t_built,
            "simulation": t_simulated - t_pushed,
            "copy_back": t_done - t_simulated,
            "run": t_done - t_call,
        }
        kernels = simulation.kernel_times()
        self.timings.update({f"kernel_{name}": seconds - kernels_before.get(name, 0.0)
                             for name, seconds in kernels.items()})
        # GeNN simulates all neuron populations in one kernel (and all synapse
        # populations in another), so there are no times per Brian object:
        # the profile is the device's phases and GeNN's kernel times. Brian's
        # own get_profiling_info raises ValueError for None, as for a run
        # without profile=True.
        net._profiling_info = ([(f"genn_{phase}", seconds * second)
                                for phase, seconds in self.timings.items() if phase != "run"]
                               if profile else None)

    def _simulation_for(self, description, n_steps: int) -> tuple[GeNNSimulation, bool]:
        """The loaded simulation of ``description``, built only if it changed,
        and whether it was (re)loaded now."""
        if (self._simulation is not None and self._simulation.key == description.key()
                and prefs.devices.genn.keep_model_between_runs):
            self._simulation.description = description
            return self._simulation, False
        previous = self._simulation
        if previous is not None and previous.finished and _has_delays(previous.description):
            logger.warn("The network changed since the last run, so its GeNN model is "
                        "rebuilt: spikes still in flight in delayed synaptic pathways "
                        "are dropped (Brian would deliver them).", name_suffix="rebuild_delays")
        budget = prefs.devices.genn.recording_buffer_bytes
        per_step = _recording_bytes_per_step(description)
        steps = max(1, min(max(n_steps, 1), budget // max(per_step, 1)))
        self._simulation = GeNNSimulation(description, self._code_directory(),
                                          self._backend(), steps)
        self._touched = set()
        self._stale = set()
        self._bindings = {}
        return self._simulation, True

    def _push_values(self, simulation: GeNNSimulation, description, full: bool) -> None:
        """Copy Brian's values into GeNN: everything after a (re)load, else
        only what Python may have changed since the last run."""
        groups = ([(simulation.populations[p.name], p) for p in description.neurons]
                  + [(simulation.synapse_groups[p.name], p) for p in description.synapses])
        for group, population in groups:
            for genn_var in population.variables:
                self._push_variable(simulation, group, genn_var, full)
            for name, var in population.shared.items():
                simulation.set_shared(group, name, self._host_value(var)[0])
        for population in description.neurons:
            for name, values in population.egp_values.items():
                simulation.push_egp(population.name, name, values)
            if population.spike_source_array and not full:
                # a spike generator's walk restarts from the current time step
                group = simulation.populations[population.name]
                for genn_var in population.variables:
                    simulation.push_variable(group, genn_var, genn_var.brian_var)

    def _push_variable(self, simulation, group, genn_var, full: bool) -> None:
        source = genn_var.brian_var
        if isinstance(source, np.ndarray):
            if full:
                simulation.push_variable(group, genn_var, source)
            return
        # a queued variable in every delay slot: a continued run's rewound
        # queue reads the slot before the current one
        if full or source in self._touched or simulation.is_queued(group, genn_var):
            simulation.push_variable(group, genn_var, self._host_value(source))
        if not genn_var.mirror:
            # the GeNN group whose copy Brian's values are read back from
            self._bindings[source] = (group, genn_var)

    def _simulate(self, simulation, description, first_step, n_steps, report,
                  report_period, t_start, duration) -> None:
        """Step the model through Brian's steps ``[first_step, first_step +
        n_steps)`` plus the finishing step that completes the last of them,
        in chunks that fit the recording buffers, moving each chunk's
        recordings into the monitors.

        StateMonitors of Synapses are sampled on the host (GeNN's synapse
        code cannot run at Brian's 'start' or 'end' slot), so a network with
        such monitors is stepped one GeNN step at a time, pulling the
        recorded synaptic variables after each: only these networks pay that
        per-step cost.
        """
        if n_steps == 0:
            return
        report_callback = _report_callback(report)
        started = time.perf_counter()
        next_report = started + report_period
        if report_callback:
            report_callback(0 * second, 0.0, t_start, duration)
        run = (first_step, first_step + n_steps)
        finishing = run[1]
        sampler = (_SynapticSampler(simulation, description, run, self._host_value)
                   if description.synaptic_recordings else None)
        step = window_start = first_step
        while window_start <= finishing:
            window_end = min(window_start + simulation.recording_steps, finishing + 1)
            self._start_recordings(simulation, description, window_start, run)
            if step == first_step:
                self._start_step(simulation)
                if sampler:
                    sampler.after_step(step)
                step += 1
            while step < min(window_end, finishing):
                block = min(min(window_end, finishing) - step, 200)
                _advance(simulation, sampler, step, block)
                step += block
                if report_callback and time.perf_counter() > next_report:
                    elapsed = time.perf_counter() - started
                    report_callback(elapsed * second, (step - first_step) / n_steps,
                                    t_start, duration)
                    next_report = time.perf_counter() + report_period
            if window_end > finishing:
                simulation.set_phase(Phase.COMPLETE)
                _advance(simulation, sampler, finishing, 1)
                simulation.set_phase(Phase.FULL)
                simulation.finished = True
            self._collect(simulation, description, window_start, window_end, run)
            if sampler:
                sampler.collect(window_start, window_end)
            window_start = window_end
        if report_callback:
            report_callback((time.perf_counter() - started) * second, 1.0, t_start, duration)


    @staticmethod
    def _start_step(simulation) -> None:
        """A run's first step: Brian's step before it is complete (done by the
        previous run's finishing step, or never existed)."""
        if simulation.finished:
            # the finishing step did this step's spike propagation
            simulation.rewind_queues()
            simulation.set_skip_spikes(True)
        simulation.set_phase(Phase.START)
        simulation.step(1)
        simulation.set_phase(Phase.FULL)
        if simulation.finished:
            simulation.set_skip_spikes(False)

    @staticmethod
    def _start_recordings(simulation, description, window_start: int, run) -> None:
        """Point the recording buffers at the window starting at GeNN step
        ``window_start``."""
        for population in description.neurons:
            for rec in population.state_recordings:
                first, _ = _recorded_samples(rec, window_start, window_start, run)
                simulation.set_recording_start(population.name,
                                               f"rec_first_{rec.monitor_name}", first)
            for rec in population.spike_recordings:
                # GeNN step m records the spikes of Brian's step m - lag
                simulation.set_recording_start(population.name,
                                               f"rec_first_{rec.monitor_name}",
                                               window_start - rec.lag)

    def _collect(self, simulation, description, window_start: int, window_end: int,
                 run) -> None:
        """Move the recordings of GeNN steps ``[window_start, window_end)``
        into the monitors."""
        from brian2.monitors import PopulationRateMonitor, SpikeMonitor

        dt = description.dt
        if window_start == run[0]:
            self._held_spikes = {}
        # the finishing step emits no spikes and belongs to no Brian step
        step, n = window_start, min(window_end, run[1]) - window_start
        for population in description.neurons:
            if population.record_spikes and (n > 0 or population.spike_recordings):
                steps, ids = simulation.recorded_spikes(population.name, step, n)
                spikes = {}
                for rec in population.spike_recordings:
                    spikes[rec.monitor_name] = self._recorded_spike_values(
                        simulation, population.name, rec, steps, ids, window_start,
                        window_end)
                for monitor in _spike_monitors(population.group, description):
                    if isinstance(monitor, PopulationRateMonitor) and n > 0:
                        start, stop = monitor_io.source_range(monitor.source)
                        keep = (ids >= start) & (ids < stop)
                        counts = np.bincount(steps[keep] - step, minlength=n)
                        monitor_io.append_rates(monitor, step, counts, dt)
                    elif isinstance(monitor, SpikeMonitor):
                        monitor_steps, monitor_ids, values = spikes.get(monitor.name,
                                                                        (steps, ids, {}))
                        monitor_io.append_spikes(monitor, monitor_steps, monitor_ids, dt,
                                                 values)
            for rec in population.state_recordings:
                first, stop = _recorded_samples(rec, window_start, window_end, run)
                count = max(stop - first, 0)
                data = {name: simulation.pull_egp(population.name,
                                                  f"rec_{rec.monitor_name}_{name}")
                        [:count * rec.n_indices].reshape(count, rec.n_indices)
                        for name in rec.variables}
                monitor_io.append_states(rec.monitor, first, count, data)


    def _recorded_spike_values(self, simulation, population: str, rec, steps, ids,
                               window_start: int, window_end: int) -> tuple:
        """``(steps, ids, values)`` of the spikes whose values ``rec`` took
        while GeNN steps ``[window_start, window_end)`` ran: those of Brian's
        steps ``[window_start - rec.lag, window_end - rec.lag)``.

        A recording after the thresholds takes the values of Brian's step m
        in GeNN step m + 1, so the spikes of a window's last Brian step are
        held back until the next window, which records their values.
        """
        if rec.lag:
            held_steps, held_ids = self._held_spikes.get(rec.monitor_name,
                                                         (steps[:0], ids[:0]))
            last = steps >= window_end - rec.lag
            self._held_spikes[rec.monitor_name] = steps[last], ids[last]
            steps = np.concatenate((held_steps, steps[~last]))
            ids = np.concatenate((held_ids, ids[~last]))
        slots = (steps - (window_start - rec.lag)) * rec.n_neurons + ids
        values = {name: simulation.pull_egp(population, f"rec_{rec.monitor_name}_{name}")[slots]
                  for name in rec.variables}
        return steps, ids, values


def _unwrapped_not_implemented(error: BrianObjectException, objects) -> NotImplementedError:
    """Brian wraps errors of code generation (e.g. a function GeNN has no
    implementation of) in a `BrianObjectException`; a `NotImplementedError`
    among them is re-raised as such, naming the group it belongs to."""
    cause = error.__cause__
    name = error._brian_objname
    owner = next((obj for obj in objects if obj.name == name), None)
    group = getattr(owner, "group", None) or getattr(owner, "source", None)
    group = group if group is not None else owner
    # __class__, not type(): the group may be a weak proxy
    where = (f"{group.__class__.__name__} '{group.name}' ('{name}')" if group is not None
             else f"'{name}'")
    message = f"{where}: {cause}"
    if "Workaround" not in message:
        # Brian's own error, e.g. for a function with numpy/C++ code only
        message += (" (not supported by the GeNN device). Workaround: use Brian's default "
                    "functions, or add a GeNN implementation with "
                    "f.implementations.add_implementation('genn', "
                    "code={'genn_inline': '...{0}...'}).")
    return NotImplementedError(message)


def _advance(simulation, sampler: _SynapticSampler | None, step: int, n: int) -> None:
    """Run GeNN steps ``[step, step + n)``; one at a time with a ``sampler``,
    which samples after each."""
    if sampler is None:
        simulation.step(n)
        return
    for genn_step in range(step, step + n):
        simulation.step(1)
        sampler.after_step(genn_step)


class _SynapticSampler:
    """Host-side recording of the StateMonitors of Synapses during one run.

    After GeNN step m, GeNN's synaptic variables are those of Brian's
    'start' of step m and 'end' of step m - 1 (see `SynapticRecording`).
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

    def __init__(self, simulation, description, run: tuple[int, int], host_value):
        self.simulation = simulation
        self.run = run
        self.recordings = description.synaptic_recordings
        in_genn = {id(v.brian_var): (simulation.synapse_groups[p.name], v)
                   for p in description.synapses for v in p.variables}
        #: per monitor and variable: ``(GeNN group, GeNNVariable)`` to pull,
        #: or the constant sample
        self.sources = {rec.monitor_name: {
            name: _sample_source(rec, var, in_genn, host_value)
            for name, var in rec.variables.items()} for rec in self.recordings}
        self.samples = {rec.monitor_name: {name: [] for name in rec.variables}
                        for rec in self.recordings}

    def after_step(self, genn_step: int) -> None:
        """Sample the recordings due after GeNN step ``genn_step``, pulling
        each GeNN variable once for all monitors that record it."""
        requests: dict[tuple[int, str], list] = {}
        for rec in self.recordings:
            brian_step = genn_step - rec.lag
            if not self.run[0] <= brian_step < self.run[1] or brian_step % rec.every:
                continue
            for name, source in self.sources[rec.monitor_name].items():
                if isinstance(source, np.ndarray):
                    self.samples[rec.monitor_name][name].append(source)
                else:
                    requests.setdefault((id(source[0]), source[1].name), []).append(
                        (rec, name, source))
        for wanted in requests.values():
            group, genn_var = wanted[0][2]
            indices = np.concatenate([rec.indices for rec, _, _ in wanted])
            values = self.simulation.pull_variable(group, genn_var, indices)
            start = 0
            for rec, name, _ in wanted:
                self.samples[rec.monitor_name][name].append(
                    values[start:start + rec.n_indices])
                start += rec.n_indices

    def collect(self, window_start: int, window_end: int) -> None:
        """Append the samples taken after GeNN steps ``[window_start,
        window_end)`` to the monitors."""
        for rec in self.recordings:
            first, stop = _recorded_samples(rec, window_start, window_end, self.run)
            data = {}
            for name, samples in self.samples[rec.monitor_name].items():
                assert len(samples) == stop - first, (rec.monitor_name, len(samples))
                data[name] = np.array(samples).reshape(len(samples), rec.n_indices)
                samples.clear()
            monitor_io.append_states(rec.monitor, first, stop - first, data)


def _sample_source(rec, var, in_genn: dict, host_value) -> tuple | np.ndarray:
    """Where the samples of ``var`` come from: ``(GeNN group, GeNNVariable)``
    when GeNN holds it, else the constant sample read from Brian's array
    (also for a recording of no index, which has nothing to pull)."""
    if rec.n_indices and id(var) in in_genn:
        return in_genn[id(var)]
    values = np.asarray(host_value(var)).reshape(-1)
    if var.scalar:
        return np.full(rec.n_indices, values[0])
    return values[rec.indices].copy()


def _recorded_samples(rec, window_start: int, window_end: int, run) -> tuple[int, int]:
    """``[first, stop)`` sample numbers that ``rec`` records while GeNN steps
    ``[window_start, window_end)`` run, within Brian's steps ``run``.

    GeNN step m records Brian's step m - ``rec.lag``; the finishing step
    records only 'end' samples.
    """
    low = max(window_start - rec.lag, run[0])
    high = min(window_end - rec.lag, run[1])
    first = -(-low // rec.every)
    return first, max(first, -(-high // rec.every))


def _has_delays(description) -> bool:
    """Whether spikes can be in flight between two steps of the model."""
    return any(p.axonal_delay_steps or p.back_prop_delay_steps
               or any(v.name == "delay_steps" for v in p.variables)
               for p in description.synapses)


def _spike_monitors(group, description):
    return description.spike_monitors.get(group.name, [])


def _recording_bytes_per_step(description) -> int:
    total = 0
    for population in description.neurons:
        if population.record_spikes:
            total += 4 * ((population.size + 31) // 32)
        for rec in population.state_recordings:
            total += 8 * rec.n_indices * len(rec.variables) // rec.every + 1
        for rec in population.spike_recordings:
            total += 8 * rec.n_neurons * len(rec.variables)
    return total


def _report_callback(report):
    if report is None:
        return None
    if report in ("text", "stdout"):
        import sys
        return TextReport(sys.stdout)
    if report == "stderr":
        import sys
        return TextReport(sys.stderr)
    if callable(report):
        return report
    raise ValueError(f'Do not know how to handle report argument "{report}".')


genn_device = GeNNDevice()
all_devices["genn"] = genn_device
