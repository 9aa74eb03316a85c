"""Where a Brian group or subgroup keeps its neurons (a leaf module: the
translators and the recordings use it)."""

from brian2.groups.subgroup import Subgroup

__all__ = ["source_group", "source_range"]


def source_group(source):
    """The group that owns the arrays of ``source`` (itself or a subgroup's parent)."""
    return source.source if isinstance(source, Subgroup) else source


def source_range(source) -> tuple[int, int]:
    """Absolute ``[start, stop)`` of ``source`` in its group."""
    if isinstance(source, Subgroup):
        return source.start, source.stop
    return 0, len(source)
