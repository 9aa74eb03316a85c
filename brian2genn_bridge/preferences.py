"""Preferences of the GeNN device, registered under ``prefs.devices.genn``."""

from brian2.core.preferences import BrianPreference, prefs
from brian2.units import Hz


def _check_backend(value: str) -> bool:
    return value in ("auto", "cuda", "single_threaded_cpu")


def _check_connectivity(value: str) -> bool:
    return value in ("auto", "sparse", "dense", "bitmask", "procedural")


def _check_parallelism(value: str) -> bool:
    return value in ("auto", "postsynaptic", "presynaptic", "word_packed")


prefs.register_preferences(
    "devices.genn",
    "Preferences of the GeNN device (brian2genn_bridge)",
    backend=BrianPreference(
        default="auto",
        docs="""
        GeNN backend: ``'cuda'``, ``'single_threaded_cpu'``, or ``'auto'``
        (CUDA when PyGeNN has it and a GPU is usable, else the CPU backend).
        ``set_device('genn', backend=...)`` overrides it.
        """,
        validator=_check_backend,
    ),
    connectivity=BrianPreference(
        default="auto",
        docs="""
        Default GeNN matrix type of every `Synapses`: ``'sparse'``,
        ``'dense'``, ``'bitmask'``, ``'procedural'`` (CUDA only) or
        ``'auto'`` (chosen per group from its size, density and code). A
        `Synapses` object overrides it with
        ``brian2genn_bridge.configure_synapses(S, connectivity=...)``. A
        type that a group's connections or code rule out raises an error.
        """,
        validator=_check_connectivity,
    ),
    parallelism=BrianPreference(
        default="auto",
        docs="""
        Default GeNN parallelism of every `Synapses`: ``'postsynaptic'``
        (sparse, dense, bitmask), ``'presynaptic'`` (sparse, procedural),
        ``'word_packed'`` (bitmask) or ``'auto'`` (the matrix type's only
        span; for sparse connectivity, the span that an estimate of the
        spike propagation kernel's time finds faster for the whole model,
        see `expected_firing_rate`). A `Synapses` object overrides it with
        ``brian2genn_bridge.configure_synapses(S, parallelism=...)``.
        """,
        validator=_check_parallelism,
    ),
    expected_firing_rate=BrianPreference(
        default=10 * Hz,
        docs="""
        The mean firing rate that ``parallelism='auto'`` assumes for every
        source of spikes, to estimate the spikes per step. Few spikes per
        step make the postsynaptic span faster (GeNN sizes the presynaptic
        span's threads for every neuron, spiking or not), many the
        presynaptic one. Set it near your network's rate where that is far
        from 10 Hz; it changes only the speed of CUDA runs, not results.
        """,
    ),
    recording_buffer_bytes=BrianPreference(
        default=64 * 1024 * 1024,
        docs="""
        Upper bound, in bytes, of the device memory used by the recording
        buffers of all monitors together. The simulation is run in chunks
        that fill at most this much, and each chunk is copied back before the
        next starts, so that runs of any length lose no recorded data.
        """,
        validator=lambda v: isinstance(v, int) and v > 0,
    ),
    cuda_block_size=BrianPreference(
        default=128,
        docs="""
        Threads per block of every CUDA kernel, or 0 for GeNN's choice from
        the kernels' occupancy, which compiles the model's kernels once more
        to measure their registers. On an H100, 0 made the first build of
        COBAHH and Mbody 4.5 s longer and their simulation no faster.
        """,
        validator=lambda v: isinstance(v, int) and v >= 0 and v % 32 == 0,
    ),
    cuda_presynaptic_block_size=BrianPreference(
        default=512,
        docs="""
        Threads per block of GeNN's presynaptic update kernel (spike
        propagation), or 0 for `cuda_block_size`. With presynaptic
        parallelism GeNN sizes that kernel's grid for every neuron of the
        source population, most of whose blocks find no spike and exit, so
        the number of blocks matters more than for other kernels. On an
        H100, 512 instead of 128 made COBAHH's propagation (1e5 neurons,
        64 threads per spike) 2.8x faster and Mbody's (scale 40) 1.1x
        (`benchmarks/results/h100-presyn-block`).
        """,
        validator=lambda v: isinstance(v, int) and v >= 0 and v % 32 == 0 and v <= 1024,
    ),
    cpu_compiler_flags=BrianPreference(
        default="-O2 -fno-math-errno -ffp-contract=off",
        docs="""
        Flags added to the compilation of the model's code by GeNN's CPU
        backend (``single_threaded_cpu``), whose Makefile has no
        optimisation flag, or ``''`` for GeNN's own flags only. The default
        optimises and keeps IEEE arithmetic, so that results stay those of
        Brian's runtime device (bit for bit those of the unoptimised code):
        ``-ffp-contract=off`` keeps the compiler from fusing multiplications
        and additions; ``-fno-math-errno`` (``errno`` is never read) lets
        it compute a repeated ``exp(x)`` of Brian's integrated expressions
        once. It made COBAHH's and Mbody's loops 3 times faster, as fast
        as C++ standalone's on one thread compiled with the same flags.
        C++ standalone's default flags, ``'-O3 -ffast-math
        -fno-finite-math-only -march=native'``, are up to 2 times faster
        still (``pow(n, 4)`` as multiplications, ``pow(exp(a), b)`` as
        ``exp(a*b)``) but change results in the last bits, and
        ``-march=native`` builds code that only runs on CPUs like this one.
        Changing the flags builds the model again, in another directory.
        """,
        validator=lambda v: isinstance(v, str),
    ),
    synapse_creation=BrianPreference(
        default="host",
        docs="""
        Where the synapses of ``Synapses.connect`` (with a generator, ``p=``
        or ``condition=``) and the initial values set for all of them are
        made: ``'host'`` (Brian's own code, the same synapses as Brian's
        runtime device for a given ``seed()``), ``'genn'`` (GeNN's
        initialisation, on the GPU with CUDA, when the model is loaded: the
        host never holds them unless Python reads them; statistically the
        same as Brian's connectivity, not the same draws) or ``'auto'``
        (``'genn'`` for a ``connect`` that may make at least
        ``synapse_creation_threshold`` synapses). Connections GeNN cannot
        make (see ``translators/synapse_creation.py``) are made on the host.
        ``configure_synapses(S, synapse_creation=...)`` before ``connect``
        overrides it for one Synapses.
        """,
        validator=lambda v: v in ("host", "genn", "auto"),
    ),
    synapse_creation_threshold=BrianPreference(
        default=10_000_000,
        docs="""
        The number of synapses (an upper bound of what a ``connect`` call may
        make) from which ``synapse_creation='auto'`` has GeNN make them.
        """,
        validator=lambda v: isinstance(v, int) and v >= 0,
    ),
    keep_model_between_runs=BrianPreference(
        default=True,
        docs="""
        Keep the loaded GeNN model between `run` calls when the network has
        not changed, so that a second run neither recompiles nor reloads it.
        """,
    ),
    max_delay_groups=BrianPreference(
        default=64,
        docs="""
        The most GeNN synapse groups that one `Synapses` with heterogeneous
        delays is split into, one per delay value, where its code needs each
        spike's arrival (see ``translators/delays.py``, ``delay_parts``).
        Each group adds to the build time (about 0.1 s on the CPU backend);
        more delay values raise `NotImplementedError`.
        """,
        validator=lambda v: isinstance(v, int) and v >= 1,
    ),
    host_threads=BrianPreference(
        default=0,
        docs="""
        Threads for the device's array work on the host (creating the
        synapses of ``connect(p=...)``, arranging them for GeNN), or 0 for
        as many as the cores this process may use. The results do not
        depend on it.
        """,
        validator=lambda v: isinstance(v, int) and v >= 0,
    ),
    kernel_timing=BrianPreference(
        default=False,
        docs="""
        Time GeNN's kernels: after each `run`, ``device.timings`` then holds
        the seconds spent in the neuron update, presynaptic and postsynaptic
        update and synapse dynamics kernels (``kernel_neuron_update``, ...),
        besides the device's phases. It is the device's profile: GeNN runs
        the code of all neuron groups in one kernel, so there is no time per
        Brian code object (``run(..., profile=True)``). Changing it rebuilds
        the model.
        """,
    ),
)

