"""The ``'genn'`` device: runs Brian networks through PyGeNN.

The device is Brian's runtime device for everything that happens in Python
(creating groups and synapses, setting and reading variables) and replaces
`Network.run`: the network is translated into a GeNN model, which is built
(only when it changed), given Brian's current values, stepped, and read
back into Brian's arrays and monitors.
"""

from __future__ import annotations

import dataclasses
import os
import time

from brian2.codegen.runtime.numpy_rt import NumpyCodeObject
from brian2.core.base import BrianObjectException
from brian2.core.functions import Function
from brian2.core.namespace import get_local_namespace
from brian2.core.network import TextReport
from brian2.devices.device import RuntimeDevice, all_devices, get_device
from brian2.stateupdaters.GSL import GSLContainer
from brian2.units import second
from brian2.utils.logger import get_logger

from .codeobject import GENN_TEMPLATES, GeNNCodeObject, HostCodeObject
from .device_settings import check_backend, check_keywords, default_backend, default_directory
from .genn.memory import gpu_free_memory
from .genn.building import model_key
from .integration_cache import shared_integration
from .genn.queues import queues_lost
from .genn.simulation import GeNNSimulation
from .network_operations import OperationSchedule, network_operations
from .spikequeue import TrackedSpikeQueue
from .recordings import Recorder, recording_steps
from .options import RunOptions
from .run_loop import RunLoop, set_clocks
from .translators.integration import prepare_gsl_state_update
from .translators.network import describe_network, simulation_clock
from .values import ValueExchange, check_failure_flags
from .errors import HostSynapsesNeeded, unsupported
from .synapse_creation import SynapseCreator

__all__ = ["GeNNDevice", "genn_device"]

logger = get_logger(__name__)


class GeNNDevice(RunLoop, SynapseCreator, ValueExchange, RuntimeDevice):
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
        #: moves the recordings of each run into the monitors
        self._recorder = Recorder()
        #: the values of shared variables given to GeNN (as parameters) at
        #: the last run
        self._pushed_shared: dict = {}
        #: after `Network.restore`: GeNN's queues must be emptied (the model
        #: loaded again), or the restored state's queue position, which the
        #: device cannot put back (see `restore_queues`)
        self._empty_queues = False
        self._lost_queue_position: tuple | None = None
        #: synapses that GeNN makes (see `synapse_creation`), by the key
        #: of their Synapses, and the token of each of their variables
        self._pending: dict = {}
        self._pending_variables: dict = {}
        #: ``(bytes,)`` free on the GPU when first looked at (`_gpu_memory`)
        self._gpu_memory_seen: tuple | None = None

    # --------------------------------------------------------- inspection
    @property
    def loaded_model(self) -> GeNNSimulation | None:
        """The GeNN model that the last run ran (built and loaded), or
        ``None``: its `~brian2genn_bridge.model.ModelDescription` is
        ``loaded_model.description``, its PyGeNN populations and synapse
        groups ``populations`` and ``synapse_groups``."""
        return self._simulation

    @property
    def model_description(self):
        """The description of the GeNN model the last run ran, or ``None``."""
        return None if self._simulation is None else self._simulation.description

    @property
    def synapse_choices(self) -> dict[str, tuple[str, str, int]]:
        """The GeNN groups of the last run's Synapses, with the choices made
        for each: ``name -> (connectivity, parallelism, threads per spike)``."""
        description = self.model_description
        return {} if description is None else {
            p.name: (p.connectivity, p.parallelism, p.threads_per_spike)
            for p in description.synapses}

    # ------------------------------------------------------------ set-up
    def activate(self, build_on_run=True, directory=None, backend=None, **kwds):
        check_keywords(kwds, "set_device('genn')")
        check_backend(backend)
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
        check_keywords(kwds, "device.build")
        self.build_options.update(kwds)

    def delete(self, data=True, code=True, directory=True, force=False):
        self._drop_model()

    @staticmethod
    def _backend(backend: str) -> str:
        """The GeNN backend that runs where ``backend`` is asked for (by
        ``set_device`` or the preference): ``'auto'`` resolved."""
        # the preference may say 'cuda' where CUDA is missing
        check_backend(backend)
        if backend == "auto":
            backend = default_backend()
            logger.info(f"GeNN backend: {backend}", once=True)
            if backend != "cuda":
                logger.warn("No usable CUDA GPU: running on GeNN's single_threaded_cpu "
                            "backend.", name_suffix="cpu_backend", once=True)
        return backend

    def _code_directory(self) -> str:
        if self.directory is None:
            self.directory = default_directory()
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
            def on_host():
                return self._host_code_object(owner, name, abstract_code, variables,
                                              template_name, variable_indices, template_kwds,
                                              override_conditional_write, compiler_kwds)
            recorded = None
            if template_name == "synapses_create_generator":
                recorded = self._record_connect(owner, template_kwds, abstract_code,
                                                variables, on_host)
            elif template_name == "group_variable_set_conditional":
                recorded = self._record_values(owner, abstract_code, variables, on_host)
            return recorded if recorded is not None else on_host()
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

    def _host_code_object(self, owner, name, abstract_code, variables, template_name,
                          variable_indices, template_kwds, override_conditional_write,
                          compiler_kwds):
        """The numpy code object of an operation run on the host."""
        for var in variables.values():
            if isinstance(var, Function):
                try:
                    var.implementations[NumpyCodeObject]
                except KeyError:
                    var.implementations.add_numpy_implementation(var.pyfunc)
        host_class = (HostCodeObject if template_name == "synapses_create_generator"
                      else NumpyCodeObject)
        return super().code_object(owner, name, abstract_code, variables,
                                   template_name, variable_indices,
                                   host_class, template_kwds,
                                   override_conditional_write, compiler_kwds)


    # ------------------------------------------------------- spike queues
    def spike_queue(self, source_start, source_end):
        return TrackedSpikeQueue(super().spike_queue(source_start, source_end), self)

    def queue_position(self) -> tuple | None:
        """Where GeNN's spike queues are (the loaded model and its time
        step), or ``None`` where no spike can be in flight: no model loaded,
        or one without delays."""
        simulation = self._simulation
        if simulation is None or not _has_delays(simulation.description):
            return None
        return (id(simulation), int(simulation.timestep))

    def restore_queues(self, position: tuple | None) -> None:
        """`Network.restore` of a state whose GeNN queues were at ``position``."""
        if position == self.queue_position():
            return  # nothing ran since the store
        if position is None:
            self._empty_queues = True
        else:
            self._lost_queue_position = position

    # -------------------------------------------------------------- run
    def network_run(self, net, duration, report=None, report_period=10 * second,
                    namespace=None, profile=None, level=0, **kwds):
        t_call = time.perf_counter()
        if duration < 0:
            raise ValueError(f"Function 'run' expected a non-negative duration but got "
                             f"'{duration}'")
        if profile is None:
            profile = self.build_options.get("profile", False)
        if profile:
            raise NotImplementedError(
                "Network.run(profile=True): a time per Brian code object is not available "
                "with the GeNN device, which runs the code of all neuron groups in one "
                "kernel (and of all synapse groups in a few more). Workaround: run "
                "without profile=True, with prefs.devices.genn.kernel_timing = True, "
                "and read device.timings: the seconds of each phase of the run and of "
                "each GeNN kernel (kernel_neuron_update, kernel_presynaptic_update, ...).")
        if namespace is None:
            namespace = get_local_namespace(level=level + 2)
        if self._lost_queue_position is not None:
            self._lost_queue_position = None
            raise NotImplementedError(
                "Network.restore: the restored state was stored after a run of a GeNN model "
                "with delays, when spikes may have been in flight in GeNN's queues, which "
                "the GeNN device cannot store or put back. Workaround: store() before the "
                "first run (or restore right after the store), or use no delays.")
        # values GeNN still holds must reach Brian before Brian's own code runs
        for var in list(self._stale):
            self._pull(var)
        self._check_delayed_effects()
        if self._empty_queues:
            # restored to a state with nothing in flight: a fresh load of the
            # model (GeNN does not compile it again) has empty queues
            self._empty_queues = False
            self._drop_model()

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
            with shared_integration():
                net.before_run(namespace)
        except BrianObjectException as error:
            if isinstance(error.__cause__, NotImplementedError):
                raise _unwrapped_not_implemented(error, all_objects) from error
            raise
        finally:
            self._preparing = False
        objects = [obj for obj in all_objects if obj.active]
        if not objects:
            if all_objects:
                # Brian's loop runs the steps with nothing to do: time goes on
                for c in net._clocks:
                    c.variables["timestep"].set_value(c._i_end)
                    c.variables["t"].set_value(c._i_end * c.dt_)
                net.t_ = float(t_end)
                net.after_run()
            return
        clock = simulation_clock(objects)
        operations = OperationSchedule(objects, float(clock.dt_))
        model_objects = [obj for obj in objects if obj not in network_operations(objects)]
        if not model_objects:
            raise NotImplementedError(
                "A network of network operations only is not supported by the GeNN device "
                "(there is no GeNN model to run). Workaround: run it with Brian's runtime "
                "device.")
        # the preferences of this run, read once; the backend is resolved
        # after the translation, whose errors come first
        options = RunOptions.from_preferences(self.backend)
        if self._pending:
            # synapses GeNN makes: 'auto' chooses procedural ones where sparse
            # rows would not fit in the GPU's memory
            options = dataclasses.replace(options, gpu_memory=self._gpu_memory(options))
        description = self._describe(model_objects, options)
        options = options.with_backend(self._backend(options.backend))
        if self._pending_loaded(description, options):
            # a new model: GeNN's synapses of the old one (and their values
            # now) come to Brian's arrays first, and go into it from there
            description = self._describe(model_objects, options)
        t_prepared = time.perf_counter()

        first_step = int(clock.variables["timestep"].get_value()[0])
        n_steps = int(clock._i_end) - first_step
        in_flight = self._in_flight(description, options)
        simulation, loaded = self._simulation_for(description, n_steps, in_flight, options)
        for population in description.synapses:
            if population.creation is not None:
                self._pending_for(population.synapses).loaded = True
        t_built = time.perf_counter()
        self._push_values(simulation, description, full=loaded)
        t_pushed = time.perf_counter()

        kernels_before = simulation.kernel_times()
        self._recorder.seconds = 0.0
        try:
            t_simulated, stop_step = self._run_parts(
                simulation, description, operations, net, first_step, n_steps,
                _report_callback(report), float(report_period), t_start, duration)
        finally:
            self._touched = set()
        check_failure_flags(simulation, description)
        _check_for_invalid_states([obj for obj in all_objects
                                   if self._pending_for(obj) is None])
        self._touched = set()

        # Brian's steps up to stop_step ran (fewer after a stop: Ctrl+C, Network.stop)
        set_clocks(net, stop_step, float(clock.dt_))
        if stop_step == first_step + n_steps:
            net.t_ = float(t_end)  # as Brian's loop sets it
        self._last_run_time = t_simulated - t_pushed
        self._last_run_completed_fraction = ((stop_step - first_step) / n_steps
                                             if n_steps else 1.0)
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
            # of simulation and copy_back: moving recordings into the monitors
            "recordings": self._recorder.seconds,
            "run": t_done - t_call,
        }
        kernels = simulation.kernel_times()
        self.timings.update({f"kernel_{name}": seconds - kernels_before.get(name, 0.0)
                             for name, seconds in kernels.items()})
        # plain numbers, which print as such
        self.timings = {name: float(seconds) for name, seconds in self.timings.items()}
        # see the NotImplementedError for profile=True
        net._profiling_info = None

    def _reuses_model(self, description, options: RunOptions) -> bool:
        """Whether the loaded model runs ``description`` with ``options``."""
        return (self._simulation is not None and options.keep_model_between_runs
                and self._simulation.key == model_key(description, options))

    def _in_flight(self, description, options: RunOptions):
        """What is in flight in the loaded model where a new one will run
        ``description`` with ``options`` (`GeNNSimulation.queues`), else
        ``None``.

        Raises
        ------
        NotImplementedError
            Where the new model cannot take the spikes in flight as Brian
            delivers them (see `queues_lost`), before anything is built.
        """
        previous = self._simulation
        if (previous is None or self._reuses_model(description, options)
                or not _has_delays(previous.description)):
            return None
        state, lost = previous.queues().for_network_of(previous.description, description)
        lost = lost or queues_lost(state, description)
        if lost:
            raise NotImplementedError(
                "The network changed between runs while spikes were in flight in delayed "
                f"synaptic pathways, which the GeNN device cannot carry into its new model: "
                f"{lost}. Brian delivers them as they were sent. Workaround: make the change "
                "when no spike is in flight (before the first run, or after a pause of the "
                "longest delay without spikes), or leave the delays and pathways as they are.")
        return state

    def _gpu_memory(self, options: RunOptions) -> int | None:
        """The GPU's free memory (bytes) when the device first looked, on
        CUDA: the same figure at every run, so that a loaded model, which
        takes some, does not change the choices made from it."""
        if self._gpu_memory_seen is None:
            try:
                cuda = self._backend(options.backend) == "cuda"
            except Exception:  # noqa: BLE001 (the run reports a bad backend itself)
                cuda = False
            self._gpu_memory_seen = (gpu_free_memory() if cuda else None, )
        return self._gpu_memory_seen[0]

    def _describe(self, objects, options: RunOptions):
        """`describe_network` of ``objects``, with the synapses GeNN makes;
        those the translation needs in Brian's arrays are made there first
        (on the host, or from the loaded model)."""
        self.seed_pending()
        while True:
            try:
                description = describe_network(objects, options, self.pending_creations())
            except HostSynapsesNeeded as needed:
                logger.debug(f"{needed}: its synapses are made in Brian's arrays.")
                self._materialise(needed.synapses)
                continue
            # a translation that read pending synapses has made them in Brian's
            # arrays: described as made by GeNN, they would be made twice
            if all(self._pending_for(p.synapses) is not None
                   for p in description.synapses if p.creation is not None):
                return description

    def _pending_loaded(self, description, options: RunOptions) -> bool:
        """Whether a new model replaces the loaded one that made pending
        synapses of ``description``. All synapses the loaded model made are
        then read from it into Brian's arrays before it goes (those of
        another network too: they are the synapses that ran), and ``True``
        says that the network must be described again."""
        if self._simulation is None or self._reuses_model(description, options):
            return False
        names = {p.synapses.name for p in description.synapses if p.creation is not None}
        made = [pending.synapses for pending in self._pending.values() if pending.loaded]
        again = any(synapses.name in names for synapses in made)
        for synapses in made:
            self._materialise(synapses)
        return again

    def _simulation_for(self, description, n_steps: int, in_flight,
                        options: RunOptions) -> tuple[GeNNSimulation, bool]:
        """The loaded simulation of ``description`` with ``options``, built
        only if it changed, and whether it was (re)loaded now; ``in_flight``:
        what the previous model had in flight (`_in_flight`)."""
        if self._reuses_model(description, options):
            self._simulation.description = description
            return self._simulation, False
        # the new model is loaded without the old one
        self._drop_model()
        steps = recording_steps(description, n_steps, options.recording_buffer_bytes)
        self._simulation = GeNNSimulation(description, self._code_directory(), options, steps)
        dropped = (self._simulation.carry_queues(in_flight)
                   if in_flight is not None and in_flight.in_flight else None)
        if dropped:
            logger.warn("The network changed since the last run, so its GeNN model is "
                        "rebuilt; spikes in flight in delayed synaptic pathways are "
                        f"dropped, {dropped}.", name_suffix="rebuild_delays")
        self._touched = set()
        self._stale = set()
        self._bindings = {}
        return self._simulation, True

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


def _check_for_invalid_states(objects) -> None:
    """Brian's warning for NaN or very large values of variables updated by
    differential equations after a run (`Network.run` checks every group,
    active or not). It reads their values from GeNN; the device's lazy
    copy-back then has them already."""
    from brian2.groups.group import Group

    for obj in objects:
        if isinstance(obj, Group):
            obj._check_for_invalid_states()


def _has_delays(description) -> bool:
    """Whether spikes can be in flight between two steps of the model."""
    return any(p.axonal_delay_steps or p.back_prop_delay_steps
               or p.dendritic_delays is not None
               for p in description.synapses)


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


def _gsl_container_call(container, updater) -> str:
    """Brian's ``GSLContainer.__call__``, which gives GSL state updaters
    their code object class, for the GeNN device too (Brian's raises
    `NotImplementedError` for devices other than its own)."""
    if isinstance(get_device(), GeNNDevice):
        return prepare_gsl_state_update(container, updater, unsupported)
    return _brian_gsl_container_call(container, updater)


_brian_gsl_container_call = GSLContainer.__call__
GSLContainer.__call__ = _gsl_container_call

genn_device = GeNNDevice()
all_devices["genn"] = genn_device
