"""Where linked variables are read, and their GeNN names (a leaf module of
the translators: the expression translator and `links` use it)."""

from __future__ import annotations

import re

from brian2.core.variables import ArrayVariable
from brian2.groups.neurongroup import NeuronGroup
from brian2.input.poissongroup import PoissonGroup
from brian2.synapses.synapses import Synapses

from ..subgroups import source_group
from .names import genn_identifier

__all__ = ["code_home", "synapses_side", "is_linked", "link_name", "SOURCES"]

#: the groups whose variables can be linked (and that run neuron code)
SOURCES = (NeuronGroup, PoissonGroup)


def code_home(owner):
    """The group whose GeNN neuron code runs the code of a code object of
    ``owner`` (a group's operation, or a monitor of it), or ``None``."""
    if isinstance(getattr(owner, "synapses", None), Synapses):
        # a pathway, whose source is the presynaptic group
        return None
    # monitors are their own CodeRunner's group, and name their group source
    group = getattr(owner, "source", None)
    if group is None:
        group = getattr(owner, "group", owner)
    group = source_group(group)
    return group if isinstance(group, SOURCES) else None


def synapses_side(owner, role: str):
    """The group on the ``role`` side (``'pre'``, ``'post'``) of the
    `Synapses` that a code object of ``owner`` belongs to, or ``None``."""
    synapses = getattr(owner, "synapses", None) or getattr(owner, "group", owner)
    if not isinstance(synapses, Synapses):
        return None
    return source_group(synapses.source if role == "pre" else synapses.target)


def is_linked(var, home) -> bool:
    """Whether ``var``, read by neuron code of ``home``, is a per-neuron
    variable of another group (through a link)."""
    return (home is not None and isinstance(var, ArrayVariable) and not var.scalar
            and isinstance(var.owner, SOURCES) and var.owner.name != home.name)


def link_name(var, index: str) -> str:
    """GeNN name of the value of ``var`` (of another group) read through the
    index variable ``index``: unique per variable and index."""
    name = f"blink_{var.owner.name}_{var.name}"
    if index != "_idx":
        name += "_" + re.sub(r"_+", "_", re.sub(r"\W", "", index)).strip("_")
    return genn_identifier(re.sub(r"_+", "_", name))
