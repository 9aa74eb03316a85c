"""Translation of linked variables (``x : 1 (linked)``) into GeNN.

GeNN neuron code reads only its own population's variables. A neuron
variable of another group that a group's code reads (a linked variable,
or a variable of a subexpression linked to) reaches it as an additional
input variable named by `link_name`: a synapse group from the source
population, one synapse per reading neuron (from the source neuron that
Brian's index of the link names), adds the source's value in GeNN's
synapse dynamics, which run at the start of every GeNN step, before all
neuron code.

So the code of a step reads the source's value of the start of that GeNN
step, which is Brian's value where no code of Brian's step changes the
source variable before the read (`check_link_order`). With one GeNN step
per Brian step, that start falls after the source's resets and synaptic
input of the Brian step before are still to run (they complete that step
inside the next GeNN step): a link read before the thresholds whose source
changes after them needs two GeNN steps per Brian step
(`ModelDescription.substeps`), whose even steps start with Brian's step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from brian2.core.variables import ArrayVariable
from brian2.synapses.synapses import Synapses

from ..model import SynapsePopulation
from .expressions import AFTER_THRESHOLDS, genn_data_type
from .assignments import assigned_names
from .link_names import code_home, is_linked, link_name
from .names import genn_identifier
from ..subgroups import source_group
from .connectivity import sparse_order

__all__ = ["Link", "find_links", "check_link_order", "link_population"]


@dataclass
class Link:
    """A neuron variable of another population that ``group``'s code reads."""

    #: the additional input variable of ``group`` that holds the value
    name: str
    group: object
    #: the `ArrayVariable` (of its owner, the source group)
    variable: ArrayVariable
    #: the source neuron of each neuron of ``group``
    indices: np.ndarray

    @property
    def source(self):
        return self.variable.owner


def _index_values(codeobj, index: str, home) -> np.ndarray:
    """The source neuron of each neuron of ``home`` for the index ``index``."""
    size = len(home)
    if index == "_idx":
        return np.arange(size)
    if index == "0":
        return np.zeros(size, dtype=np.int64)
    var = codeobj.variables.get(index, home.variables.get(index))
    values = None if var is None else np.asarray(var.get_value(), dtype=np.int64)
    if values is None or values.shape != (size,):
        raise NotImplementedError(
            f"{home.__class__.__name__} '{home.name}': a linked variable with the index "
            f"'{index}' is not supported by the GeNN device. Workaround: link with "
            "one index per neuron of the linking group (linked_var(..., index=array)).")
    return values


def _code_objects(obj) -> list:
    codeobjs = list(getattr(obj, "_code_objects", ()) or ())
    codeobj = getattr(obj, "codeobj", None)
    if codeobj is not None and codeobj not in codeobjs:
        codeobjs.append(codeobj)
    return [c for c in codeobjs if c is not None]


def _active(obj) -> bool:
    return getattr(obj, "active", True)


def find_links(objects) -> dict[str, list[Link]]:
    """The links the neuron code of each group (by name) reads, from the
    code of the active ``objects`` (a prepared network's)."""
    links: dict[str, dict[str, Link]] = {}
    for obj in objects:
        home = code_home(obj)
        if home is None or not _active(obj):
            continue
        for codeobj in _code_objects(obj):
            code = str(codeobj.code)
            for name, var in codeobj.variables.items():
                if not is_linked(var, home):
                    continue
                index = codeobj.variable_indices.get(name, "_idx")
                genn_name = link_name(var, index)
                if genn_name in links.get(home.name, {}) or not re.search(
                        rf"\b{genn_name}\b", code):
                    continue
                if np.dtype(var.dtype).kind != "f":
                    raise NotImplementedError(
                        f"{home.__class__.__name__} '{home.name}': linking to the "
                        f"{np.dtype(var.dtype).name} variable '{var.owner.name}.{var.name}' "
                        "is not supported by the GeNN device (links carry floating-point "
                        "values). Workaround: link to a floating-point variable.")
                indices = _index_values(codeobj, index, home)
                if len(indices) and (indices.min() < 0 or indices.max() >= var.size):
                    raise ValueError(f"{home.__class__.__name__} '{home.name}': the index of "
                                     f"its link to '{var.owner.name}.{var.name}' is out "
                                     "of range.")
                links.setdefault(home.name, {})[genn_name] = Link(genn_name, home, var,
                                                                   indices)
    return {name: list(group_links.values()) for name, group_links in links.items()}


def _part(obj) -> int:
    """1 for code up to Brian's 'thresholds' slot, 2 for code after it."""
    return 2 if obj.when in AFTER_THRESHOLDS else 1


def _writers(objects, link: Link) -> list:
    """The objects whose code changes the source variable of ``link``."""
    source, name = link.source, genn_identifier(link.variable.name)
    writers = []
    for obj in objects:
        if not _active(obj):
            continue
        code = "\n".join(str(c.code) for c in _code_objects(obj))
        if code_home(obj) is source and assigned_names(code, [name]):
            writers.append(obj)
        if getattr(obj, "target_var", None) is link.variable:
            # a summed variable's updater
            writers.append(obj)
            continue
        # a pathway (or an operation) of Synapses, whose code spells the
        # neurons' variables with _pre and _post
        synapses = getattr(obj, "synapses", None) or getattr(obj, "group", None)
        if isinstance(synapses, Synapses):
            for role, group in (("pre", synapses.source), ("post", synapses.target)):
                if source_group(group) is source and assigned_names(code, [f"{name}_{role}"]):
                    writers.append(obj)
    return writers


def check_link_order(objects, links: dict[str, list[Link]],
                     positions: dict[int, int]) -> int:
    """The GeNN steps per Brian step the ``links`` need (1 or 2).

    Raises
    ------
    NotImplementedError
        Where code changes a link's source variable before code reads it
        in the same part of Brian's step, or code writes a linked variable.
    """
    substeps = 1
    for group_links in links.values():
        for link in group_links:
            readers = []
            for obj in objects:
                if code_home(obj) is not link.group or not _active(obj):
                    continue
                code = "\n".join(str(c.code) for c in _code_objects(obj))
                if assigned_names(code, [link.name]):
                    raise NotImplementedError(
                        f"{link.group.__class__.__name__} '{link.group.name}' ('{obj.name}'): "
                        f"writing to the linked variable '{link.source.name}."
                        f"{link.variable.name}' is not supported by the GeNN device. "
                        "Workaround: change the variable in its own group's code.")
                if re.search(rf"\b{link.name}\b", code):
                    readers.append(obj)
            writers = _writers(objects, link)
            for reader in readers:
                for writer in writers:
                    if (_part(writer) == _part(reader)
                            and positions.get(id(writer), -1) < positions.get(id(reader), -1)):
                        raise NotImplementedError(
                            f"{link.group.__class__.__name__} '{link.group.name}' "
                            f"('{reader.name}'): reading the linked variable "
                            f"'{link.source.name}.{link.variable.name}' after "
                            f"'{writer.name}' changed it in the same time step is not "
                            "supported by the GeNN device. Workaround: schedule the "
                            f"reading code before '{writer.name}' (its 'when' or "
                            "'order'), or read the value in the source group.")
                    if _part(reader) == 1 and _part(writer) == 2:
                        substeps = 2
    return substeps


def link_population(link: Link, float_dtype: np.dtype) -> SynapsePopulation:
    """The GeNN synapse group that copies ``link``'s source values into the
    additional input variable ``link.name`` of the reading group at the
    start of every GeNN step (``float_dtype``: the model's float type, GeNN's
    ``scalar``)."""
    reference = f"{genn_identifier(link.variable.name)}_pre"
    dtype = np.dtype(link.variable.dtype)
    ctype = "scalar" if dtype == float_dtype else genn_data_type(dtype)
    pre = np.asarray(link.indices, dtype=np.int64)
    post = np.arange(len(pre), dtype=np.int64)
    return SynapsePopulation(
        name=f"{link.group.name}_{link.name}", synapses=link.group,
        source=link.source.name, target=link.group.name, connectivity="sparse",
        parallelism="postsynaptic", variables=[],
        synapse_dynamics_code=f"addToPost({reference});",
        neuron_references={reference: ("pre", genn_identifier(link.variable.name), ctype)},
        post_target=link.name, pre_indices=pre, post_indices=post,
        row_order=sparse_order(pre, post),
        row_lengths=np.bincount(pre, minlength=link.variable.size))
