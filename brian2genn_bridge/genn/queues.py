"""The spikes and dendritic input a loaded model has in flight at the end of
a run (`QueueState`), and whether a new model of the network can take them
over as Brian would deliver them (`queues_lost`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..model import ModelDescription
from .synapse_groups import dendritic_slots, input_key

__all__ = ["QueueState", "DelayedPathway", "delayed_pathways", "queues_lost", "add_rows"]


def queues_lost(state: "QueueState", description: ModelDescription) -> str | None:
    """Why the spikes and delayed input in flight of ``state`` (from another
    model of the network) cannot all go into a model of ``description`` as
    Brian would deliver them, or ``None`` where they can (those of pathways
    no longer in the model aside: Brian keeps them until their Synapses
    runs again). Those of pathways triggered by custom events are not
    looked at (`carry_queues` drops them)."""
    if not (state.spikes or state.dendritic):
        return None
    pathways = delayed_pathways(description)
    sizes = {p.name: p.size for p in description.neurons}
    # GeNN's queues count GeNN steps
    if state.substeps != description.substeps:
        return "the new model takes another number of GeNN steps per Brian step"
    for name, (counts, ids) in state.spikes.items():
        readers = {key for key, p in pathways.items() if p.source == name}
        before = {key for key, p in state.pathways.items() if p.source == name}
        # a pathway that is new, or changed (also to no delay), would
        # deliver them otherwise than Brian
        if (any(pathways[key] != state.pathways.get(key) for key in readers)
                or any(pathways.get(key) != state.pathways[key]
                       for key in before if key[0] in {p.name for p in description.synapses})):
            return f"a delayed pathway from '{name}' is new or changed"
        if readers and sizes.get(name) != ids.shape[1]:
            return f"'{name}' changed its size"
    slots = dendritic_slots(description.synapses)
    targets = {input_key(p) for p in description.synapses}
    for key, buffer in state.dendritic.items():
        if key not in targets:
            continue
        now = {p.name for p in description.synapses if input_key(p) == key}
        gone = sorted(state.dendritic_groups[key] - now)
        if gone:
            # Brian keeps their input until they run again: it cannot be told
            # apart from that of the groups still there
            return (f"the input in flight to '{key[0]}.{key[1]}' of {gone}, no longer in the "
                    "network, is held with that of the synapses still there (GeNN keeps the "
                    "input of all synapses that add to one variable in one buffer)")
        if (sizes.get(key[0]) != buffer.shape[1] or slots.get(key, 0) <= 1
                or buffer[slots[key]:].any()):
            return f"the delays of the synapses that add to '{key[0]}.{key[1]}' changed"
    return None


def _replaced(before: ModelDescription, now: ModelDescription) -> set[str]:
    """Names of the groups and synapse groups of ``before`` whose Brian object
    in ``now`` is another one of the same name."""
    objects = {p.name: p.group for p in now.neurons}
    objects.update((p.name, p.synapses) for p in now.synapses)
    old = [(p.name, p.group) for p in before.neurons]
    old += [(p.name, p.synapses) for p in before.synapses]
    return {name for name, obj in old if name in objects and objects[name] is not obj}


def add_rows(total: np.ndarray | None, rows: np.ndarray) -> np.ndarray:
    """``total + rows`` for buffers of input in flight that may have another
    number of rows (slots): the result has the longer one's."""
    if total is None:
        return rows.copy()
    if len(total) < len(rows):
        total, rows = rows.copy(), total
    total[:len(rows)] += rows
    return total


@dataclass
class QueueState:
    """What is in flight at the end of a run of a model (`GeNNSimulation.queues`)."""

    #: whether a finishing step ended the run (see `Phase`)
    finished: bool
    substeps: int
    #: the model's delayed pathways (`delayed_pathways`)
    pathways: dict[tuple[str, str], "DelayedPathway"]
    #: by neuron group with spikes in flight: spike counts and ids of the
    #: last steps, newest first
    spikes: dict[str, tuple[np.ndarray, np.ndarray]]
    #: by `input_key` (target group and variable) with input in flight
    #: through dendritic delays: that input by steps from now
    dendritic: dict[tuple[str, str], np.ndarray]
    #: the synapse groups whose input each of those holds (GeNN fuses them)
    dendritic_groups: dict[tuple[str, str], frozenset[str]]

    def for_network_of(self, before: ModelDescription,
                       now: ModelDescription) -> "tuple[QueueState, str | None]":
        """What of this state (of a model of ``before``) is in flight in the
        network of ``now``, and why some of it cannot be carried, if so.

        A Brian object made anew with the name of an old one starts with
        nothing in flight (a network rebuilt in a loop): the spikes and input
        of the old one are forgotten, not carried by name."""
        replaced = _replaced(before, now)
        pathways = {key: p for key, p in self.pathways.items()
                    if key[0] not in replaced and p.source not in replaced}
        spikes = {name: value for name, value in self.spikes.items() if name not in replaced}
        dendritic, groups, problem = {}, {}, None
        for key, buffer in self.dendritic.items():
            old = self.dendritic_groups[key] - replaced
            if key[0] in replaced or not old:
                continue
            if old != self.dendritic_groups[key]:
                problem = (f"the input in flight to '{key[0]}.{key[1]}' of synapses made anew "
                           f"({sorted(self.dendritic_groups[key] & replaced)}) is held with "
                           "that of synapses still there (GeNN keeps the input of all "
                           "synapses that add to one variable in one buffer)")
            dendritic[key], groups[key] = buffer, old
        return (QueueState(self.finished, self.substeps, pathways, spikes, dendritic, groups),
                problem)

    @property
    def events(self) -> bool:
        """Whether some delayed pathway is triggered by custom events (whose
        queues are not carried)."""
        return any(p.event is not None for p in self.pathways.values())

    @property
    def in_flight(self) -> bool:
        """Whether something may be in flight (custom events are not looked at)."""
        return bool(self.spikes or self.dendritic or self.events)


class DelayedPathway(NamedTuple):
    """A pathway of a synapse group that reads spikes some steps late: GeNN
    keeps those spikes in the queue of the neuron group it reads."""

    source: str  # the neuron group
    delay: int  # in GeNN steps
    event: str | None  # a custom event instead of spikes
    synapses: int


def delayed_pathways(description: ModelDescription) -> dict[tuple[str, str], DelayedPathway]:
    """The delayed pathways of the model, by ``(synapse group, 'pre' or
    'post')``."""
    pathways = {}
    for p in description.synapses:
        for side, source, delay, event in (("pre", p.source, p.axonal_delay_steps, p.pre_event),
                                           ("post", p.target, p.back_prop_delay_steps,
                                            p.post_event)):
            if delay:
                # synapses GeNN made: their number once read back, else unknown
                count = (len(p.pre_indices) if p.pre_indices is not None
                         else p.created_count if p.created_count is not None else -1)
                pathways[(p.name, side)] = DelayedPathway(source, delay, event, count)
    return pathways
