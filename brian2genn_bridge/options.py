"""The device's options: the preferences of one run, resolved once
(`RunOptions`), and the per-Synapses settings over them
(`configure_synapses`).

`GeNNDevice.network_run` reads ``prefs.devices.genn`` (and the float type
of ``prefs.core.default_float_dtype``) into a `RunOptions` before it
translates the network, and passes it to the translators, the GeNN side
and the recordings, so that each run reads the preferences once. The
settings of `configure_synapses` stay on the `Synapses` object, which
`RunOptions.connectivity_for` etc. read. A leaf module.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from brian2.core.preferences import prefs
from brian2.units import Hz

from . import preferences  # noqa: F401  (registers prefs.devices.genn)

__all__ = ["RunOptions", "configure_synapses"]

_CONNECTIVITY = ("auto", "sparse", "dense", "bitmask", "procedural")
_PARALLELISM = ("auto", "postsynaptic", "presynaptic", "word_packed")

#: the attributes of a `Synapses` object that hold its settings
_ATTRIBUTES = {"connectivity": "genn_connectivity", "parallelism": "genn_parallelism",
               "threads_per_spike": "genn_threads_per_spike",
               "synapse_creation": "genn_synapse_creation"}
_SYNAPSE_CREATION = ("host", "genn", "auto")


@dataclass(frozen=True)
class RunOptions:
    """The GeNN device's preferences for one run (see `preferences` for
    what each means), and the per-Synapses settings of `configure_synapses`
    over them.

    ``prefs.devices.genn.host_threads`` is not among them: the host thread
    pool (`parallel.host_threads`) also serves ``Synapses.connect``, outside
    any run, and is used deep inside array helpers, so it reads the
    preference itself; results do not depend on it.
    """

    #: ``'cuda'`` or ``'single_threaded_cpu'``; possibly ``'auto'`` until
    #: the device resolves it (`with_backend`), which the translators need not
    backend: str
    connectivity: str
    parallelism: str
    #: Hz
    expected_firing_rate: float
    recording_buffer_bytes: int
    keep_model_between_runs: bool
    kernel_timing: bool
    max_delay_groups: int
    cpu_compiler_flags: str
    cuda_block_size: int
    cuda_presynaptic_block_size: int
    #: Brian's float type (``prefs.core.default_float_dtype``)
    float_dtype: np.dtype
    #: bytes free on the GPU, where the device looked (for the connectivity
    #: of synapses GeNN makes, see `connectivity.created_layout`), else None
    gpu_memory: int | None = None

    @classmethod
    def from_preferences(cls, backend: str | None = None) -> RunOptions:
        """The options the preferences set now; ``backend`` (already
        resolved, e.g. by ``set_device('genn', backend=...)``) replaces
        ``prefs.devices.genn.backend``."""
        genn = "devices.genn."
        return cls(
            backend=backend or prefs[genn + "backend"],
            connectivity=prefs[genn + "connectivity"],
            parallelism=prefs[genn + "parallelism"],
            expected_firing_rate=float(prefs[genn + "expected_firing_rate"] / Hz),
            recording_buffer_bytes=prefs[genn + "recording_buffer_bytes"],
            keep_model_between_runs=bool(prefs[genn + "keep_model_between_runs"]),
            kernel_timing=bool(prefs[genn + "kernel_timing"]),
            max_delay_groups=prefs[genn + "max_delay_groups"],
            cpu_compiler_flags=prefs[genn + "cpu_compiler_flags"],
            cuda_block_size=prefs[genn + "cuda_block_size"],
            cuda_presynaptic_block_size=prefs[genn + "cuda_presynaptic_block_size"],
            float_dtype=np.dtype(prefs["core.default_float_dtype"]))

    def with_backend(self, backend: str) -> RunOptions:
        """These options on ``backend``."""
        return dataclasses.replace(self, backend=backend)

    # ------------------------------------------------------ per Synapses
    def connectivity_for(self, synapses) -> str:
        """GeNN's matrix type asked for ``synapses``: its
        ``configure_synapses`` setting, else `connectivity`."""
        return getattr(synapses, _ATTRIBUTES["connectivity"], None) or self.connectivity

    def parallelism_for(self, synapses) -> str:
        """GeNN's span asked for ``synapses``: its ``configure_synapses``
        setting, else `parallelism`."""
        return getattr(synapses, _ATTRIBUTES["parallelism"], None) or self.parallelism

    @staticmethod
    def threads_per_spike_for(synapses) -> int | None:
        """The threads per spike ``configure_synapses`` set for ``synapses``,
        or ``None`` (no preference sets them)."""
        return getattr(synapses, _ATTRIBUTES["threads_per_spike"], None)

    # ------------------------------------------------------ derived
    @property
    def precision(self) -> str:
        """GeNN's name of the model's float type."""
        return "double" if self.float_dtype == np.float64 else "float"

    @property
    def compiler_flags(self) -> str:
        """The flags added to the compilation of the model on `backend` (none
        but on the CPU backend), normalised: the same flags in other spacing
        are the same build."""
        if self.backend != "single_threaded_cpu":
            return ""
        return " ".join(self.cpu_compiler_flags.split())

    @property
    def presynaptic_block_size(self) -> int | None:
        """Threads per block of GeNN's presynaptic update kernel on CUDA, or
        ``None`` where GeNN chooses from the kernels' occupancy
        (`cuda_block_size` 0). Models with word-packed bitmask propagation
        use fewer (see `genn.building.backend_preferences`)."""
        if not self.cuda_block_size:
            return None
        return self.cuda_presynaptic_block_size or self.cuda_block_size


def configure_synapses(synapses, connectivity: str | None = None,
                       parallelism: str | None = None,
                       threads_per_spike: int | None = None,
                       synapse_creation: str | None = None) -> None:
    """Choose GeNN's matrix type and parallelism for one `Synapses` object.

    Settings left at ``None`` follow the preferences
    ``prefs.devices.genn.connectivity`` and ``.parallelism``. A choice that
    the Synapses' connections or code rule out raises `ValueError` at
    `run`; the rules of ``'auto'`` are those of
    `~brian2genn_bridge.translators.connectivity.choose_connectivity` and
    `~brian2genn_bridge.translators.spans.choose_parallelism`.

    Parameters
    ----------
    synapses
        The Brian `Synapses` object.
    connectivity
        ``'sparse'`` (any connections and code), ``'dense'`` (every pair
        connected once), ``'bitmask'`` (no pair twice, no per-synapse
        variables in the code, no on_post), ``'procedural'`` (CUDA only; no
        on_post, per-synapse variables read-only) or ``'auto'``.
    parallelism
        ``'postsynaptic'`` (sparse, dense, bitmask), ``'presynaptic'``
        (sparse, procedural), ``'word_packed'`` (bitmask) or ``'auto'``.
    threads_per_spike
        GeNN's ``num_threads_per_spike`` (presynaptic parallelism only).
    synapse_creation
        ``'host'``, ``'genn'`` or ``'auto'`` (see
        ``prefs.devices.genn.synapse_creation``); it applies to the
        ``connect`` calls made after it.
    """
    if connectivity is not None and connectivity not in _CONNECTIVITY:
        raise ValueError(f"connectivity must be one of {_CONNECTIVITY}, not {connectivity!r}")
    if parallelism is not None and parallelism not in _PARALLELISM:
        raise ValueError(f"parallelism must be one of {_PARALLELISM}, not {parallelism!r}")
    if threads_per_spike is not None and int(threads_per_spike) < 1:
        raise ValueError("threads_per_spike must be a positive integer")
    if synapse_creation is not None and synapse_creation not in _SYNAPSE_CREATION:
        raise ValueError(f"synapse_creation must be one of {_SYNAPSE_CREATION}, not "
                         f"{synapse_creation!r}")
    for setting, value in (("connectivity", connectivity), ("parallelism", parallelism),
                           ("threads_per_spike", threads_per_spike),
                           ("synapse_creation", synapse_creation)):
        if value is not None:
            name = _ATTRIBUTES[setting]
            if name not in synapses.__dict__:
                synapses.add_attribute(name)
            setattr(synapses, name, value)
