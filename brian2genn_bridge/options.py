"""Per-object settings that override ``prefs.devices.genn``."""

from __future__ import annotations

__all__ = ["configure_synapses"]

_CONNECTIVITY = ("auto", "sparse", "dense", "bitmask", "procedural")
_PARALLELISM = ("auto", "postsynaptic", "presynaptic", "word_packed")


def configure_synapses(synapses, connectivity: str | None = None,
                       parallelism: str | None = None,
                       threads_per_spike: int | None = None) -> None:
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
    """
    if connectivity is not None and connectivity not in _CONNECTIVITY:
        raise ValueError(f"connectivity must be one of {_CONNECTIVITY}, not {connectivity!r}")
    if parallelism is not None and parallelism not in _PARALLELISM:
        raise ValueError(f"parallelism must be one of {_PARALLELISM}, not {parallelism!r}")
    if threads_per_spike is not None and int(threads_per_spike) < 1:
        raise ValueError("threads_per_spike must be a positive integer")
    for name, value in (("genn_connectivity", connectivity), ("genn_parallelism", parallelism),
                        ("genn_threads_per_spike", threads_per_spike)):
        if value is not None:
            if name not in synapses.__dict__:
                synapses.add_attribute(name)
            setattr(synapses, name, value)
