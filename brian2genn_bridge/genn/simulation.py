"""PyGeNN side of the device: builds a `ModelDescription` into a GeNN model,
moves values between Brian's arrays and GeNN, steps it and reads back its
recordings."""

from __future__ import annotations

import ctypes
import enum
import fcntl
import os
import time

import numpy as np
from pygenn import GeNNModel, VarLocation, create_neuron_model, types
from brian2.utils.logger import get_logger

from ..model import SEED, GeNNVariable, ModelDescription, NeuronPopulation
from ..parallel import gather, scatter
from ..options import RunOptions
from .building import (backend_preferences, build_model, build_path, disk_full_error,
                       library_intact, model_key)
from .memory import check_memory, memory_error
from .queues import QueueState, add_rows, delayed_pathways, queues_lost
from .spike_bits import set_bits
from .synapse_groups import (SKIP_SPIKES, add_synapse_population, dendritic_slots, input_key,
                             load_connectivity)

__all__ = ["GeNNSimulation", "PHASE", "Phase"]

#: dynamic neuron parameter: which parts of Brian's schedule the neuron code
#: of a GeNN step runs (see `Phase` and ``templates/genn_neuron_sim.cpp``)
PHASE = "bphase"


class Phase(enum.IntEnum):
    """Values of `PHASE`. GeNN step m completes Brian's step m - 1 (its
    synapses, resets and 'end' slot) and runs Brian's step m up to its
    thresholds."""

    #: both parts
    FULL = 0
    #: the finishing step after a run's last step: only completes it
    COMPLETE = 1
    #: a run's first step: the step before it was completed already (or
    #: never existed)
    START = 2

logger = get_logger(__name__)

_NUMPY_TYPES = {"scalar": None, "float": np.float32, "double": np.float64,
                "bool": np.bool_, "int8_t": np.int8, "int16_t": np.int16,
                "int32_t": np.int32, "int64_t": np.int64, "uint8_t": np.uint8,
                "uint16_t": np.uint16, "uint32_t": np.uint32, "uint64_t": np.uint64}


class GeNNSimulation:
    """A built and loaded GeNN model made from one `ModelDescription`.

    Parameters
    ----------
    description
        What to build.
    directory
        Parent directory of GeNN's generated code; one sub-directory per
        model key, so that an unchanged model is not recompiled.
    options
        The run's options: the backend (``'cuda'`` or
        ``'single_threaded_cpu'``), its block sizes and compiler flags.
    recording_steps
        Length, in time steps, of GeNN's spike recording buffer.
    """

    def __init__(self, description: ModelDescription, directory: str, options: RunOptions,
                 recording_steps: int):
        self.description = description
        self.options = options
        self.backend = options.backend
        #: the load identity of what runs here (`ModelDescription.key`), with
        #: the backend and its preferences
        self.key = model_key(description, options)
        self.recording_steps = recording_steps
        self.timings: dict[str, float] = {}
        #: whether the last step was a finishing step (`Phase.COMPLETE`)
        self.finished = False
        start = time.perf_counter()
        check_memory(description, self.backend)
        self._define_model()
        path = build_path(directory, description, options)
        self._build(path, always_rebuild=False)
        self.timings["build"] = time.perf_counter() - start
        start = time.perf_counter()
        try:
            self._load(path)
        except _DamagedBuild as damage:
            # a cached build cut short (a full disk, a killed compiler):
            # built again from scratch, once
            logger.warn(f"The cached GeNN build in {path} could not be loaded ({damage}); "
                        "building it again.", name_suffix="damaged_build")
            start = time.perf_counter()
            self._define_model()
            self._build(path, always_rebuild=True)
            self.timings["build"] += time.perf_counter() - start
            start = time.perf_counter()
            self._load(path)
        if description.synapses:
            for population in description.synapses:
                load_connectivity(self, population)
        self.timings["load"] = time.perf_counter() - start
        self._spike_words = {
            p.name: self.populations[p.name]._get_array(
                "recordSpk", types.Uint32, (recording_steps, (p.size + 31) // 32))
            for p in description.neurons if p.record_spikes}

    # ------------------------------------------------------------------ build
    def _define_model(self) -> None:
        """A new PyGeNN model of the description, with its populations and
        synapse groups."""
        description = self.description
        preferences = backend_preferences(self.options, description)
        self.model = GeNNModel(description.precision, f"brian_{description.code_key()}",
                               backend=self.backend, time_precision="double", **preferences)
        # Brian's generated code is in SI units, so GeNN's dt is in seconds too
        self.model.dt = description.genn_dt
        self.model.timing_enabled = description.kernel_timing
        # as a GeNN expert writes a model: one input (and delay) buffer for
        # all synapse groups that add to one variable of a neuron group, and
        # 8- or 16-bit postsynaptic indices where the target is small enough
        self.model.fuse_postsynaptic_models = True
        self.model.default_narrow_sparse_ind_enabled = True
        self.populations = {}
        for population in description.neurons:
            self.populations[population.name] = self._add_neurons(population)
        self.synapse_groups = {}
        if description.synapses:
            slots = dendritic_slots(description.synapses)
            for population in description.synapses:
                self.synapse_groups[population.name] = add_synapse_population(
                    self, population, slots)

    def _build(self, path: str, always_rebuild: bool) -> None:
        """Build the model in ``path`` (GeNN's output in its build log)."""
        try:
            os.makedirs(path, exist_ok=True)
            lock = open(f"{path}.lock", "w")
        except OSError as error:
            # creating the directory or lock file on a full disk
            full = disk_full_error(path, error)
            if full is None:
                raise
            raise full from error
        # another process (a second script, a parallel test worker) may be
        # building the same model into the same directory
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            build_model(self.model, path, always_rebuild, self.options.compiler_flags)

    def _load(self, path: str) -> None:
        """Load the built model; `_DamagedBuild` where its library is not
        intact or cannot be loaded."""
        library = os.path.join(path, f"{self.model.name}_CODE", "librunner.so")
        # checked before loading: the loader may kill the process with a bus
        # error on a truncated library
        if not library_intact(library):
            raise _DamagedBuild(f"{library} is missing or truncated")
        try:
            self.model.load(num_recording_timesteps=self.recording_steps
                            if any(p.record_spikes for p in self.description.neurons)
                            else None)
        except (RuntimeError, MemoryError) as error:
            if isinstance(error, RuntimeError) and "Unable to load library" in str(error):
                raise _DamagedBuild(str(error)) from error
            clear = memory_error(self.description, error)
            if clear is None:
                raise
            raise clear from error

    def _add_neurons(self, population: NeuronPopulation):
        dynamic = [*population.shared, PHASE]
        seed = [(SEED, "unsigned int")] if population.random_seed is not None else []
        model = create_neuron_model(
            f"{population.name}_model",
            params=dynamic + seed,
            vars=[(v.name, v.ctype) for v in population.variables],
            sim_code=population.sim_code,
            threshold_condition_code=population.threshold_code or None,
            extra_global_params=list(population.egps.items()),
            additional_input_vars=[(name, ctype, 0.0)
                                   for name, ctype in population.additional_inputs])
        params = {name: float(np.asarray(var.get_value()).reshape(-1)[0])
                  for name, var in population.shared.items()}
        params[PHASE] = float(Phase.FULL)
        if population.random_seed is not None:
            params[SEED] = population.random_seed
        pop = self.model.add_neuron_population(
            population.name, population.size, model, params,
            {v.name: 0 for v in population.variables})
        for name in dynamic + [name for name, _ in seed]:
            pop.set_param_dynamic(name)
        for name, ctype in population.egps.items():
            dtype = _NUMPY_TYPES[ctype.rstrip("*")] or self.scalar_dtype
            if name in population.egp_values:
                values = np.asarray(population.egp_values[name], dtype=dtype)
            else:
                values = np.zeros(self._egp_size(population, name), dtype=dtype)
            pop.extra_global_params[name].set_init_values(values)
        pop.spike_recording_enabled = population.record_spikes
        return pop

    @property
    def scalar_dtype(self):
        return np.float64 if self.description.precision == "double" else np.float32

    @property
    def _scalar_type(self):
        return types.Double if self.description.precision == "double" else types.Float

    def _egp_size(self, population: NeuronPopulation, name: str) -> int:
        if name.startswith("brec_first_"):
            return 1
        if name.startswith("brec_event_"):
            return population.size * self.recording_steps
        for rec in population.state_recordings:
            if name == rec.first_sample:
                return 1
            if name in map(rec.buffer, rec.variables):
                return rec.n_indices * self.samples_per_chunk(rec.every)
        for rec in population.spike_recordings:
            if name == rec.first_sample:
                return 1
            if name in map(rec.buffer, rec.variables):
                return rec.n_neurons * self.recording_steps
        raise KeyError(name)

    def samples_per_chunk(self, every: int) -> int:
        """Samples a recording every ``every`` steps takes in one chunk."""
        return self.recording_steps // every + 1

    # ----------------------------------------------------------- values
    def push_variable(self, group, variable: GeNNVariable, values: np.ndarray) -> None:
        """Copy Brian's values of ``variable`` (Brian order) into GeNN (into
        every delay slot of a queued variable)."""
        array = group.vars[variable.name]
        if variable.selection is not None:
            values = np.asarray(values)[variable.selection]
        if variable.index is None:
            array.view[:] = values
        else:
            # GeNN's own array (ragged rows for sparse connectivity)
            scatter(array._view, variable.index, np.asarray(values))
        array.push_to_device()

    def pull_parts(self, parts: list, indices: np.ndarray | None = None) -> np.ndarray:
        """GeNN's values of a Brian variable held by the ``(group,
        GeNNVariable)`` ``parts`` (several for a `Synapses` split by delays),
        in Brian's order: all of them, or those at Brian's ``indices``."""
        if len(parts) == 1 and parts[0][1].selection is None:
            return self.pull_variable(*parts[0], indices)
        pulled = [(variable.selection, self.pull_variable(group, variable))
                  for group, variable in parts]
        values = np.empty(sum(len(selection) for selection, _ in pulled),
                          dtype=pulled[0][1].dtype)
        for selection, part in pulled:
            values[selection] = part
        return values if indices is None else values[indices]

    def pull_variable(self, group, variable: GeNNVariable,
                      indices: np.ndarray | None = None) -> np.ndarray:
        """GeNN's values of ``variable`` (of a group's part of a `Synapses`,
        see `GeNNVariable`), in Brian's order: all of them, or those at
        Brian's ``indices``."""
        array = group.vars[variable.name]
        array.pull_from_device()
        if variable.index is None:
            view = array.view
            if self.is_queued(group, variable):
                view = view[_read_uint32(group._get_array("spkQuePtr", types.Uint32, (1,)))]
            values = view.reshape(-1)
            if variable.shared:
                return values[:1].copy()
            return values.copy() if indices is None else values[indices]
        index = variable.index if indices is None else variable.index[indices]
        return gather(array._view.reshape(-1), index)

    @staticmethod
    def is_queued(group, variable: GeNNVariable) -> bool:
        """Whether GeNN holds a neuron variable once per delay slot of its
        population (synaptic code reads it, and the population's spikes
        are delayed); the slot of the spike queue pointer is the current
        one, and the next step reads it."""
        slots = getattr(group, "_num_delay_slots", 1)
        return variable.index is None and slots > 1 and group.vars[variable.name].view.ndim == 2

    @staticmethod
    def _created_slots(group) -> np.ndarray:
        """Which of GeNN's row slots of a group whose synapses it made hold a
        synapse (rows of ``max_connections`` slots, the first row_length
        used), pulled from the device."""
        group.pull_connectivity_from_device()
        row_lengths = np.asarray(group._row_lengths.view).reshape(-1)
        return np.arange(group.max_connections) < row_lengths[:, None]

    @staticmethod
    def created_on_host(group) -> bool:
        """Whether the host holds a copy of the rows GeNN made for ``group``
        (not where they are too many, see `synapse_groups._HOST_ROWS_SLOTS`)."""
        return group.sparse_connectivity_location != VarLocation.DEVICE

    def created_count(self, group) -> int | None:
        """How many synapses GeNN made for ``group``; ``None`` where only the
        device holds its rows."""
        if not self.created_on_host(group):
            return None
        return int(self._created_slots(group).sum())

    def created_synapses(self, group) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The presynaptic and postsynaptic indices of the synapses GeNN made
        for ``group`` (see `SynapseCreation`), in its row order, and where
        they lie in its arrays of per-synapse values (an index for
        `pull_variable` and `push_variable`); the rows are pulled once."""
        if not self.created_on_host(group):
            raise NotImplementedError(
                f"Synapses of '{group.name}' read back from the GPU: GeNN made more than "
                "can be kept in host memory beside it. Workaround: read no synaptic "
                "variable (S.i, S.w, len(S), a monitor of S), or make the synapses on the "
                "host with configure_synapses(S, synapse_creation='host').")
        used = self._created_slots(group)
        post = np.asarray(group._ind.view).reshape(used.shape)[used].astype(np.int32)
        pre = np.repeat(np.arange(len(used), dtype=np.int32), used.sum(axis=1))
        return pre, post, np.flatnonzero(used)

    def set_shared(self, group, name: str, value) -> None:
        group.set_dynamic_param_value(name, float(value))

    def set_recording_start(self, population: str, egp: str, first: int) -> None:
        egp_view = self.populations[population].extra_global_params[egp]
        egp_view.view[0] = first
        egp_view.push_to_device()

    def push_egp(self, population: str, egp: str, values: np.ndarray) -> None:
        egp_view = self.populations[population].extra_global_params[egp]
        egp_view.view[:] = values
        egp_view.push_to_device()

    def pull_egp(self, population: str, egp: str) -> np.ndarray:
        egp_view = self.populations[population].extra_global_params[egp]
        egp_view.pull_from_device()
        return egp_view.view

    # ----------------------------------------------------------- stepping
    @property
    def recordings_survive_steps(self) -> bool:
        """Whether the host's copy of the spike recordings that `wait` made
        stays unchanged while further steps run: with CUDA, where GeNN's
        steps write the buffers on the device. GeNN's CPU backend writes
        the host's buffers themselves."""
        return self.backend == "cuda"

    def wait(self) -> None:
        """Wait until the queued steps have run: GeNN's CUDA backend queues
        their kernels, and a copy from the device waits for them. The copy
        is of the spike recordings where there are some (`recorded_spikes`
        reads it, also while later steps run), else of one neuron variable."""
        if self._spike_words:
            self.model.pull_recording_buffers_from_device()
            return
        for population in self.populations.values():
            for var in population.vars.values():
                var.pull_from_device()
                return

    @property
    def timestep(self) -> int:
        return self.model.timestep

    @timestep.setter
    def timestep(self, value: int) -> None:
        self.model.timestep = value

    def kernel_times(self) -> dict[str, float]:
        """GeNN's cumulative kernel times in seconds since loading (empty
        without kernel timing)."""
        if not self.description.kernel_timing:
            return {}
        return {name: float(getattr(self.model, f"{name}_time"))
                for name in ("neuron_update", "presynaptic_update", "postsynaptic_update",
                             "synapse_dynamics")}

    def set_phase(self, phase: Phase) -> None:
        """Choose the parts of Brian's schedule the next steps run."""
        for pop in self.populations.values():
            pop.set_dynamic_param_value(PHASE, float(phase))

    def set_skip_spikes(self, skip: bool) -> None:
        """Turn spike propagation off (or on) in all synapse groups."""
        for group in self.synapse_groups.values():
            group.set_dynamic_param_value(SKIP_SPIKES, float(skip))

    def clear_events(self) -> None:
        """Forget the custom events of the last step, as Brian does at the end
        of a run (its thresholders empty their event spaces): an event
        checked after the 'synapses' slot of a run's last step triggers
        neither synapses nor code in the next run."""
        for population in self.description.neurons:
            group = self.populations[population.name]
            for variable in population.variables:
                if variable.name.startswith("bevented_"):
                    self.push_variable(group, variable, False)

    def rewind_queues(self) -> None:
        """Move the spike-queue and dendritic-delay pointers one step back.

        The finishing step of a run advanced them although Brian's next
        step has not happened; rewound, the first step of the next run
        writes its spikes (and reads delayed input) where Brian's timing
        puts them, so delayed spikes in flight cross runs unchanged.
        """
        pointers = [(pop._get_array("spkQuePtr", types.Uint32, (1,)), pop._num_delay_slots)
                    for pop in self.populations.values() if pop._num_delay_slots > 1]
        # one pointer for the groups GeNN fused
        pointers += [(pointer, slots) for pointer, _, slots in self._dendritic_buffers().values()]
        for pointer, slots in pointers:
            value = _read_uint32(pointer)
            _write_uint32(pointer, (value + slots - 1) % slots)

    def _owned_dendritic_buffers(self):
        """``(key, pointer, buffer, slots)`` of every synapse group that holds
        dendritic delay buffers, ``key`` its `input_key`. GeNN keeps them
        with one of the groups it fuses; groups it could not fuse have
        buffers of their own."""
        for population in self.description.synapses:
            group = self.synapse_groups[population.name]
            slots = group.max_dendritic_delay_timesteps
            if slots <= 1:
                continue
            try:
                pointer = group._get_array("denDelayPtr", types.Uint32, (1,))
            except IndexError:
                continue  # fused: the buffers are another group's
            yield (input_key(population), pointer, group._get_array(
                "denDelay", self._scalar_type, (slots * group.trg.num_neurons,)), slots)

    def _dendritic_buffers(self) -> dict[tuple[str, str], tuple]:
        """``(pointer, buffer, slots)`` by `input_key`: the first of
        `_owned_dendritic_buffers` with each key (`queues` sums the input
        of all of them)."""
        buffers = {}
        for key, pointer, buffer, slots in self._owned_dendritic_buffers():
            buffers.setdefault(key, (pointer, buffer, slots))
        return buffers

    def queues(self) -> "QueueState":
        """The spikes and delayed input in flight at the end of a run (see
        `carry_queues`)."""
        pathways = delayed_pathways(self.description)
        spikes = {}
        for name, pop in self.populations.items():
            # a spike written a steps before the last write is still
            # delivered by a pathway of a longer delay (one step more: a
            # finishing step writes no spikes)
            longest = max((p.delay for p in pathways.values() if p.source == name), default=0)
            slots = pop._num_delay_slots
            pending = min(longest + 1, slots)
            if longest and slots > 1:
                counts, ids = self._spike_queues(name)[0]
                counts.pull_from_device()
                ids.pull_from_device()
                pointer = _read_uint32(pop._get_array("spkQuePtr", types.Uint32, (1,)))
                ages = (pointer - np.arange(pending)) % slots
                if counts.view[ages].any():
                    spikes[name] = (counts.view[ages].copy(),
                                    ids.view.reshape(slots, -1)[ages].copy())
        dendritic = {}
        for key, pointer, buffer, slots in self._owned_dendritic_buffers():
            buffer.pull_from_device()
            # row a: the input that arrives a steps after the next step's
            rows = buffer.view.reshape(slots, -1)[(_read_uint32(pointer) + np.arange(slots))
                                                  % slots]
            if rows.any():
                dendritic[key] = add_rows(dendritic.get(key), rows)
        groups = {key: frozenset(p.name for p in self.description.synapses
                                 if input_key(p) == key
                                 and p.dendritic_delays is not None)
                  for key in dendritic}
        return QueueState(self.finished, self.description.substeps, pathways, spikes, dendritic,
                          groups)

    def _spike_queues(self, population: str) -> list[tuple]:
        """The (counts, ids) arrays of a neuron group's spike queue. GeNN 5.4
        keeps them with the synapse groups its spikes go to (one copy per
        group of those that it fuses, all written alike), as ``srcSpkCnt``
        / ``srcSpk`` where the neuron group is the source, else ``trg...``."""
        pop = self.populations[population]
        slots = pop._num_delay_slots
        queues = []
        for group in self.synapse_groups.values():
            for prefix, neurons in (("src", group.src), ("trg", group.trg)):
                if neurons.name != population:
                    continue
                try:
                    counts = group._get_array(f"{prefix}SpkCnt", types.Uint32, (slots,))
                except IndexError:
                    continue  # its spikes are in the copy of a group it is fused with
                queues.append((counts, group._get_array(f"{prefix}Spk", types.Uint32,
                                                        (slots * pop.num_neurons,))))
        return queues

    def carry_queues(self, state: "QueueState") -> str | None:
        """Put the spikes and delayed input in flight in another model of the
        network (``state``, from its `queues`) into this freshly loaded one,
        where Brian would deliver them alike: its spike queues survive a
        change of the network between runs.

        That holds where every delayed pathway reading a group with spikes in
        flight is as it was (delay, events, synapses) and the delayed input
        goes to groups of the same size; else nothing is carried. Returns
        what was dropped, if anything: everything, with the reason, or the
        spikes of the pathways not in this model (Brian keeps them until
        their Synapses runs again, which GeNN's queue of a neuron group
        cannot)."""
        lost = ("a delayed pathway is triggered by custom events" if state.events
                else queues_lost(state, self.description))
        if lost:
            return f"all of them: {lost}"
        pathways = delayed_pathways(self.description)
        carried, dropped = {}, []
        for name, (counts, ids) in state.spikes.items():
            readers = {key for key, p in pathways.items() if p.source == name}
            before = {key for key, p in state.pathways.items() if p.source == name}
            dropped += [f"'{key[0]}'" for key in sorted(before - readers)
                        if counts[:state.pathways[key].delay + 1].any()]
            if readers:
                carried[name] = (counts, ids)
        buffers = self._dendritic_buffers()
        dropped += [f"the input to '{key[0]}.{key[1]}'" for key in state.dendritic
                    if key not in buffers]
        for name, (counts, ids) in carried.items():
            pop = self.populations[name]
            slots = pop._num_delay_slots
            # the oldest spikes were for pathways not in this model
            counts, ids = counts[:slots], ids[:slots]
            pointer = _read_uint32(pop._get_array("spkQuePtr", types.Uint32, (1,)))
            ages = (pointer - np.arange(len(counts))) % slots
            for new_counts, new_ids in self._spike_queues(name):
                new_counts.view[ages] = counts
                new_ids.view.reshape(slots, -1)[ages] = ids
                new_counts.push_to_device()
                new_ids.push_to_device()
        for key, buffer in state.dendritic.items():
            if key not in buffers:
                continue
            pointer, new_buffer, slots = buffers[key]
            pointer = _read_uint32(pointer)
            rows = min(slots, len(buffer))
            new_buffer.view.reshape(slots, -1)[(pointer + np.arange(rows)) % slots] = \
                buffer[:rows]
            new_buffer.push_to_device()
        # the other model's finishing step propagated its last spikes
        self.finished = state.finished
        if dropped:
            return (f"those of {', '.join(sorted(set(dropped)))} (not in the network now; "
                    "Brian delivers them when it runs again)")
        return None

    def step(self, n_steps: int) -> None:
        step_time = self.model.step_time
        for _ in range(n_steps):
            step_time()

    def recorded_spikes(self, population: str, first_step: int, n_steps: int):
        """Spikes recorded in steps ``[first_step, first_step + n_steps)``
        (at most one recording buffer), as ``(steps, ids)`` in time order,
        from the copy of the buffers that `wait` made after those steps."""
        words = self._spike_words[population].view
        # GeNN step m is in row m % recording_steps: the steps are the rows
        # from first_step's on, wrapping around once at most, decoded in
        # place (no copy of the buffer)
        row = first_step % self.recording_steps
        in_first = min(n_steps, self.recording_steps - row)
        rows, ids = set_bits(words[row:row + in_first])
        if in_first < n_steps:
            wrapped, wrapped_ids = set_bits(words[:n_steps - in_first])
            rows = np.concatenate([rows, in_first + wrapped])
            ids = np.concatenate([ids, wrapped_ids])
        return first_step + rows, ids.astype(np.int32)

    def recorded_events(self, population: str, event: str, first_step: int,
                        n_steps: int):
        """Custom events recorded in the window of steps starting at
        ``first_step`` (at most one recording buffer), in its first
        ``n_steps`` steps, as ``(steps, ids)`` in time order."""
        flags = self.pull_egp(population, f"brec_event_{event}")
        size = self.populations[population].num_neurons
        row, ids = np.nonzero(flags[:n_steps * size].reshape(n_steps, size))
        return first_step + row, ids.astype(np.int32)


class _DamagedBuild(Exception):
    """A cached build that cannot be loaded."""


# GeNN keeps the queue pointers on the device only (VarLocation::DEVICE):
# with CUDA they are read and written through the driver API, on the CPU
# backend through the host view.
def _device_pointer(array) -> int | None:
    return getattr(array._array, "_device_pointer", None)


def _cuda():
    return ctypes.CDLL("libcuda.so.1")


def _read_uint32(array) -> int:
    address = _device_pointer(array)
    if address is None:
        return int(array.view[0])
    value = ctypes.c_uint32(0)
    _check(_cuda().cuMemcpyDtoH_v2(ctypes.byref(value), ctypes.c_uint64(address), 4))
    return int(value.value)


def _write_uint32(array, value: int) -> None:
    address = _device_pointer(array)
    if address is None:
        array.view[0] = value
        return
    data = ctypes.c_uint32(value)
    _check(_cuda().cuMemcpyHtoD_v2(ctypes.c_uint64(address), ctypes.byref(data), 4))


def _check(result: int) -> None:
    if result != 0:
        raise RuntimeError(f"CUDA driver error {result} while moving a GeNN queue pointer")
