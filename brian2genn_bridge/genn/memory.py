"""The memory of a GeNN model's delays, estimated before it is built.

GeNN keeps delayed input and spikes in buffers with a slot per time step of
the longest delay: a synapse group with heterogeneous (dendritic) delays
holds ``(longest delay + 1) x target neurons`` values, a neuron population
whose spikes are delayed ``(longest delay + 1) x neurons`` spike indices
(and its variables read by delayed synaptic code as many values). Brian's
runtime device keeps only the spikes in flight, so long delays that Brian
runs in megabytes can need gigabytes with GeNN: 5 s delays at dt = 0.1 ms
on 20,000 target neurons are 8 GB in double precision. A model that cannot
fit gets an error that says so before it is built, instead of GeNN's bare
``std::bad_alloc`` at loading.
"""

from __future__ import annotations

import resource

from ..model import ModelDescription

__all__ = ["delay_buffers", "available_memory", "gpu_free_memory", "check_memory",
           "memory_error"]

_CTYPE_BYTES = {"float": 4, "double": 8, "bool": 1, "int8_t": 1, "uint8_t": 1,
                "int16_t": 2, "uint16_t": 2, "int32_t": 4, "uint32_t": 4,
                "int64_t": 8, "uint64_t": 8}

_ADVICE = ("GeNN keeps a slot per time step of the longest delay for every target "
           "neuron (Brian's runtime device keeps only the spikes in flight). To need less: "
           "shorten the longest delays or use a larger dt (fewer slots), use "
           "prefs.core.default_float_dtype = float32 (half the bytes per value), or make "
           "the delayed Synapses target fewer neurons.")


def delay_buffers(description: ModelDescription) -> list[tuple[str, int]]:
    """GeNN's buffers of delays in ``description``: ``(what, bytes)`` each,
    largest first."""
    scalar = 8 if description.precision == "double" else 4
    sizes = {p.name: p.size for p in description.neurons}
    slots = dict.fromkeys(sizes, 1)
    queued: dict[str, set[tuple[str, str]]] = {name: set() for name in sizes}
    buffers = []
    for population in description.synapses:
        delays = population.dendritic_delays
        if delays is not None and len(delays.brian_var):
            n_slots = int(delays.brian_var.max()) + 1
            n_targets = sizes[population.target]
            buffers.append((f"Synapses '{population.synapses.name}': dendritic delay buffer of "
                            f"GeNN group '{population.name}' ({n_slots} steps x {n_targets} "
                            f"target neurons x {scalar} bytes)", n_slots * n_targets * scalar))
        slots[population.source] = max(slots[population.source],
                                        population.axonal_delay_steps + 1)
        slots[population.target] = max(slots[population.target],
                                        population.back_prop_delay_steps + 1)
        for role, var, ctype in population.neuron_references.values():
            delayed = (population.axonal_delay_steps if role == "pre"
                       else population.back_prop_delay_steps)
            if delayed:
                side = population.source if role == "pre" else population.target
                queued[side].add((var, ctype))
    for name, n_slots in slots.items():
        if n_slots == 1:
            continue
        values = sum(_CTYPE_BYTES.get(ctype, scalar) for _, ctype in queued[name])
        buffers.append((f"NeuronGroup '{name}': spike queue and delayed variables "
                        f"({n_slots} steps x {sizes[name]} neurons x {4 + values} bytes)",
                        n_slots * sizes[name] * (4 + values)))
    return sorted(buffers, key=lambda item: -item[1])


def available_memory() -> int | None:
    """Bytes this process may still allocate on the host: the least of the
    system's available memory, the cgroup's memory limit and the process's
    address-space and data limits (``ulimit -v``, ``-d``), where known."""
    limits = []
    meminfo = _read_fields("/proc/meminfo")
    if "MemAvailable" in meminfo:
        limits.append(meminfo["MemAvailable"] * 1024)
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        limit, usage = _read_int(limit_file), _read_int(usage_file)
        if limit is not None and usage is not None:
            limits.append(max(limit - usage, 0))
    status = _read_fields("/proc/self/status")
    for rlimit, field in ((resource.RLIMIT_AS, "VmSize"), (resource.RLIMIT_DATA, "VmData")):
        soft = resource.getrlimit(rlimit)[0]
        if soft != resource.RLIM_INFINITY and field in status:
            limits.append(max(soft - status[field] * 1024, 0))
    return min(limits) if limits else None


def gpu_free_memory() -> int | None:
    """Bytes free on the current CUDA device (``cudaMemGetInfo`` of the CUDA
    runtime GeNN's CUDA backend uses), ``None`` without one."""
    import ctypes
    import ctypes.util

    for name in ("libcudart.so", ctypes.util.find_library("cudart")):
        if not name:
            continue
        try:
            runtime = ctypes.CDLL(name)
        except OSError:
            continue
        free, total = ctypes.c_size_t(), ctypes.c_size_t()
        if runtime.cudaMemGetInfo(ctypes.byref(free), ctypes.byref(total)) == 0:
            return int(free.value)
    return None


def check_memory(description: ModelDescription, backend: str) -> None:
    """Raise a `MemoryError` before building where the delay buffers of
    ``description`` cannot fit into the host's available memory (on the CPU
    backend, which holds them there; CUDA holds them on the GPU, whose
    failure `memory_error` explains)."""
    if backend != "single_threaded_cpu":
        return
    buffers = delay_buffers(description)
    needed = sum(n_bytes for _, n_bytes in buffers)
    available = available_memory()
    if available is not None and needed > available:
        raise MemoryError(_message(buffers, f"more than the {_size(available)} this process "
                                            "may still allocate"))


def memory_error(description: ModelDescription, error: BaseException) -> MemoryError | None:
    """The error for ``error`` of GeNN's allocation at loading, where it ran
    out of memory and the model has delay buffers; ``None`` otherwise."""
    text = f"{type(error).__name__}: {error}"
    if not isinstance(error, MemoryError) and "bad_alloc" not in text \
            and "out of memory" not in text.lower():
        return None
    buffers = delay_buffers(description)
    if not buffers:
        return None
    return MemoryError(_message(buffers, f"and allocating the model failed ({text})"))


def _message(buffers: list[tuple[str, int]], problem: str) -> str:
    needed = sum(n_bytes for _, n_bytes in buffers)
    listed = "; ".join(f"{what}: {_size(n_bytes)}" for what, n_bytes in buffers[:4])
    if len(buffers) > 4:
        listed += f"; and {len(buffers) - 4} more"
    return (f"The GeNN model needs about {_size(needed)} for its delays, {problem}: "
            f"{listed}. {_ADVICE}")


def _size(n_bytes: int) -> str:
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes / 1024:.1f} kB"


def _read_fields(path: str) -> dict[str, int]:
    """``name: number`` of the lines ``name: number [kB]`` of ``path``."""
    fields = {}
    try:
        with open(path) as f:
            for line in f:
                name, _, value = line.partition(":")
                parts = value.split()
                if parts and parts[0].isdigit():
                    fields[name] = int(parts[0])
    except OSError:
        pass
    return fields


def _read_int(path: str) -> int | None:
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
