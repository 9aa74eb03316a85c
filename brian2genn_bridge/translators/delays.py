"""Delays of the pathways of a `Synapses`: Brian's delays in GeNN steps
(`delays_in_steps`), checked; where heterogeneous delays split a `Synapses`
into one GeNN group per delay value (`delay_parts`) and where GeNN's
dendritic delays give Brian's result instead; and the neuron variables that
delayed code reads some steps late (`delayed_neuron_reads`,
`changed_by_group`), which `network` checks."""

from __future__ import annotations

import re

import numpy as np
from brian2 import second
from brian2.core.variables import ArrayVariable

from ..errors import unsupported
from ..model import SynapsePopulation
from ..options import RunOptions
from .effects import PathwayEffects, post_targets, pre_targets, render
from .expressions import clock_steps
from .assignments import assigned_names, written_variables
from .synaptic_code import synaptic_variables

__all__ = ["delays_in_steps", "heterogeneous", "narrowest_unsigned", "delay_parts", "dendritic",
           "delayed_neuron_reads", "changed_by_group"]


def narrowest_unsigned(values: np.ndarray) -> str:
    """The narrowest C unsigned type that holds ``values`` (not negative):
    per-synapse delays are read at every spike, so one byte instead of four
    is memory traffic saved (GeNN's own dendritic-delay model uses uint8)."""
    largest = int(values.max(initial=0))
    for ctype, bits in (("uint8_t", 8), ("uint16_t", 16)):
        if largest < 2 ** bits:
            return ctype
    return "uint32_t"


def delays_in_steps(synapses, pathway, dt: float,
                    values: np.ndarray | None = None) -> np.ndarray:
    """The delays of ``pathway`` in GeNN steps of ``dt``: one for all
    synapses (a homogeneous delay, also where all synapses hold the same
    value), or one per synapse; ``values``: the delays in seconds, where not
    Brian's (of synapses that GeNN makes).

    A pathway runs on the clock of its source group, which may tick every k
    GeNN steps: Brian rounds delays to steps of that clock.
    """
    if values is None:
        values = pathway.variables["delay"].get_value()
    delays = np.asarray(values).reshape(-1)
    # one delay for all synapses (delay is a per-synapse variable even when
    # never set): found without rounding up to 1e9 of them
    if len(delays) > 1 and delays.min() == delays.max():
        delays = delays[:1]
    source_dt = float(pathway.source.clock.dt_)
    # as Brian's spike queues (its C++ one, which the runtime device uses
    # too, and cpp_standalone's) round: half a step up, not numpy's half to even
    steps = (delays.astype(float) / source_dt + 0.5).astype(np.int64)
    _check_delays(synapses, pathway, delays, steps)
    return steps * clock_steps(source_dt, dt)


def _check_delays(synapses, pathway, delays: np.ndarray, steps: np.ndarray) -> None:
    """Raise a `ValueError` naming the synapse and value of a negative
    delay of ``pathway`` (``steps``: the ``delays`` in seconds rounded to
    steps): a spike cannot arrive before it is sent. Brian's runtime device
    raises no error for them but files the spikes in a wrong slot of its
    queue; GeNN would fail (a bad allocation, or a pybind11 TypeError)."""
    if not len(steps) or steps.min() >= 0:
        return
    negative = np.flatnonzero(steps < 0)
    side = "on_pre" if pathway.prepost == "pre" else "on_post"
    if len(delays) == 1:
        where = f"{delays[0] * second} for all synapses"
    else:
        first = int(negative[0])
        i = int(synapses.variables["_synaptic_pre"].get_value()[first])
        j = int(synapses.variables["_synaptic_post"].get_value()[first])
        where = (f"{len(negative)} synapse(s), e.g. synapse {first} (i={i}, j={j}): "
                 f"{delays[first] * second}")
    raise ValueError(f"Synapses '{synapses.name}': negative delay of its {side} pathway "
                     f"'{pathway.objname}' ({where}). Delays must be zero or positive.")


def heterogeneous(steps: np.ndarray) -> bool:
    """Whether a pathway's delays (in steps) differ between its synapses."""
    return len(steps) > 0 and not np.all(steps == steps[0])


def delay_parts(synapses, effects: dict[str, PathwayEffects], families: list, step,
                source, target, steps: dict[str, np.ndarray],
                options: RunOptions) -> list[np.ndarray | None]:
    """Brian's indices of the synapses of each GeNN group (set) that
    ``synapses`` is split into by its delays, ``[None]`` for one with all
    (at most ``options.max_delay_groups``).

    GeNN 5.4 delays spikes by one axonal delay per synapse group, and has
    heterogeneous delays only as dendritic ones: the on_pre code runs when
    the spike leaves, and only its input to the target (``addToPostDelay``)
    waits. That is Brian's result for on_pre code that only adds to the
    target and reads nothing that changes meanwhile. Other heterogeneous
    delays of on_pre, and those of on_post, need one group per delay value
    (or pair of on_pre and on_post delays), each with its axonal (and back
    propagation) delay: Brian's semantics exactly.
    """
    keys = []
    for pathway in synapses._pathways:
        if not heterogeneous(steps[pathway.name]):
            continue
        if pathway.prepost == "pre" and dendritic(synapses, pathway, effects, step, source,
                                                   target):
            continue
        keys.append(steps[pathway.name])
    if not keys:
        return [None]
    if len(families) > 1:
        raise unsupported(synapses, "heterogeneous delays together with several pathways "
                          "on one side", "use one Synapses object per pathway.")
    _, part_of = np.unique(np.stack(keys), axis=1, return_inverse=True)
    part_of = part_of.reshape(-1)
    n_parts = int(part_of.max()) + 1
    most = options.max_delay_groups
    if n_parts > most:
        raise unsupported(synapses, f"heterogeneous delays with {n_parts} different values "
                          f"(more than prefs.devices.genn.max_delay_groups = {most}) and "
                          "on_pre/on_post statements that need each spike's arrival",
                          f"use at most {most} different delays (e.g. round them to a "
                          "coarser grid), or raise the preference (each value is a GeNN "
                          "group of its own, which adds to the build time).")
    order = np.argsort(part_of, kind="stable")
    bounds = np.searchsorted(part_of[order], np.arange(n_parts + 1))
    return [order[bounds[k]:bounds[k + 1]] for k in range(n_parts)]


def dendritic(synapses, pathway, effects: dict[str, PathwayEffects], step, source,
               target) -> bool:
    """Whether the on_pre ``pathway`` with heterogeneous delays gives
    Brian's result as GeNN's dendritic delays (see `delay_parts`)."""
    lines = effects[pathway.name].lines
    code = render(lines)
    names = synaptic_variables(synapses)
    if assigned_names(code, names) or not post_targets(lines) or pre_targets(lines):
        return False
    others = "\n".join([render(e.lines) for name, e in effects.items() if name != pathway.name]
                       + [step.render(step.summed)])
    return _delayed_read_problem(code, assigned_names(others, names), source, target) is None


#: neuron variables that the device changes at every spike
_SPIKE_VARIABLES = ("lastspike", "not_refractory")


def _delayed_read_problem(code: str, synaptic_writes: set[str], source,
                          target) -> str | None:
    """What on_pre ``code`` reads that may change while a spike is on its
    way (``None`` if nothing): the time, synaptic variables that other code
    changes (``synaptic_writes``), neuron variables that their group's own
    code changes (`delayed_neuron_reads` lists the others, for the check
    against synaptic input)."""
    names = set(re.findall(r"\b[A-Za-z_]\w*\b", code))
    if "t" in names:
        return "the time t"
    written = sorted(names & synaptic_writes)
    if written:
        return f"the synaptic variable '{written[0]}', which other code changes"
    for role, group in (("pre", source), ("post", target)):
        changed = changed_by_group(group)
        for name in sorted(names):
            var = group.variables.get(name[:-len(role) - 1]) if name.endswith(f"_{role}") else None
            if (isinstance(var, ArrayVariable) and not (var.constant or var.read_only)
                    and var.name in changed):
                return f"the {role}synaptic variable '{var.name}', which changes in the run"
    return None


def delayed_neuron_reads(population: SynapsePopulation) -> list[tuple[str, str]]:
    """``(group, variable)`` of the neuron variables that ``population``'s
    code reads as they were some steps before: in a group with an axonal
    (back-propagation) delay, GeNN reads presynaptic (postsynaptic)
    variables that many steps back in all its code, and dendritically
    delayed on_pre code runs at the spike.
    Brian reads them when the code runs; they must not change meanwhile
    (checked in `network`, with the synaptic input of the groups)."""
    dendritic = population.dendritic_delays is not None
    all_code = "\n".join([population.pre_spike_syn_code, population.post_spike_syn_code,
                          population.synapse_dynamics_code])
    reads = []
    for ref, (role, name, _) in population.neuron_references.items():
        # GeNN's delay slot of a side holds for all code of the group
        if (role == "pre" and population.axonal_delay_steps
                or role == "post" and population.back_prop_delay_steps):
            code = all_code
        elif dendritic:
            code = population.pre_spike_syn_code
        else:
            continue
        if re.search(rf"\b{ref}\b", code):
            reads.append((population.source if role == "pre" else population.target, name))
    return reads


def changed_by_group(group) -> set[str]:
    """Names of the variables of ``group`` that its own code changes."""
    changed = set(_SPIKE_VARIABLES)
    for obj in group.contained_objects:
        code = getattr(obj, "abstract_code", None) or ""
        code = "\n".join(code.values()) if isinstance(code, dict) else code
        changed |= written_variables(code)
    return changed
