"""Effects of a synaptic pathway's statements on neuron variables.

GeNN's synaptic code cannot write neuron variables; it can only add to the
neurons' input: ``addToPost`` (the target neuron) and ``addToPre`` (the
source neuron), which the neuron code adds to the variable in Brian's
'synapses' slot. Each statement of a pathway (Brian's per-synapse code,
translated to GeNN) that writes a neuron variable becomes one of:

* ``x_post += expr`` / ``-=`` (on_pre): ``addToPost(expr)`` (the postsynaptic
  input of one GeNN group per variable, see `synapses`);
* ``x_pre += expr`` / ``-=`` (either pathway): ``addToPre(expr)``;
* a statement on the neuron whose spike triggers the pathway that reads
  only that neuron's variables (``A_pre += 1`` on_pre, ``A_post = A_post*2``
  on_post): the same for each of the neuron's synapses, so the neuron runs
  it once per synapse of the `Synapses` (`SpikerStatements`);
* an on_pre statement on the target neuron that reads only its variables
  (``x_post = y_post``): the same for each synaptic event that reaches the
  neuron, so the neuron runs it once per event, counted through
  ``addToPost(1.0)`` (`event_statements`).

These are exact where Brian's statements interleave with nothing that sees
the variables in between; `check_neuron_reads` rejects the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from brian2.core.variables import ArrayVariable

from .expressions import genn_identifier
from ..subgroups import source_group, source_range
from ..errors import unsupported

__all__ = ["Lines", "PathwayEffects", "pathway_effects", "render", "post_targets",
           "pre_targets", "events_target", "check_neuron_reads", "neuron_code",
           "check_input_order"]

#: ``x_pre += expr;``, ``x_post = expr;``, ...: a statement that writes a
#: neuron variable (group 4 is the operator before ``=``)
_NEURON_WRITE = re.compile(r"^(\s*)(\w+)_(pre|post)\s*([-+*/]?)=(?!=)\s*(.+);\s*$")

#: a comment at the end of a line (Brian writes a statement's ``# ...`` so)
_COMMENT = re.compile(r"\s*//.*$")

#: ``const type name = expr;``: a constant of the code (Brian's hoisted
#: loop invariants, ``_lio_1 = 0.01`` for ``10*mV``, and its temporaries)
_CONSTANT = re.compile(r"^\s*const\s+[\w:]+\s+(\w+)\s*=\s*(.+);\s*$")

#: ``name(``: a function call
_CALL = re.compile(r"\b(\w+)\s*\(")

#: names in GeNN code that are neither variables nor functions
_TYPE_NAMES = frozenset(["scalar", "double", "float", "int", "bool", "true", "false",
                         "int32_t", "int64_t", "uint32_t", "uint64_t"])

#: a pathway's GeNN code as lines, each with a tag: ``("post", x)`` for an
#: ``addToPost`` that changes the target's ``x`` (or counts events for
#: `events_target`), ``("pre", x)`` for an ``addToPre`` that changes the
#: source's ``x``, ``None`` for every other line
Lines = list[tuple[str, "tuple[str, str] | None"]]


@dataclass
class PathwayEffects:
    """A pathway's GeNN code and the statements neurons run for it."""

    pathway: object
    lines: Lines
    #: statements on the spiking neuron (GeNN neuron code, once per synapse)
    spiker_statements: list[str] = field(default_factory=list)
    #: on_pre statements on the target neuron (GeNN neuron code, once per event)
    event_statements: list[str] = field(default_factory=list)
    #: neuron variables (Brian names) each kind of statement writes
    spiker_writes: set[str] = field(default_factory=set)
    event_writes: set[str] = field(default_factory=set)


def events_target(pathway) -> str:
    """The name of the postsynaptic input that counts ``pathway``'s events."""
    return f"bevents_{pathway.name}"


def render(lines: Lines, target: str | None = None, pre_inputs: bool = True) -> str:
    """The code with the ``addToPost`` lines of ``target`` only (of every
    target for ``None``), with or without the ``addToPre`` lines.

    Lines left out become empty blocks, not nothing: Brian writes
    conditional statements as ``if(cond)`` on the line before (and ``else``
    branches), which must keep a statement to govern.
    """
    def kept(tag) -> bool:
        if tag is None:
            return True
        if tag[0] == "pre":
            return pre_inputs
        return target is None or tag[1] == target

    return "\n".join(line if kept(tag) else line[:len(line) - len(line.lstrip())] + "{}"
                     for line, tag in lines)


def post_targets(lines: Lines) -> list[str]:
    """The postsynaptic inputs the lines add to, in order of appearance."""
    return list(dict.fromkeys(tag[1] for _, tag in lines if tag and tag[0] == "post"))


def pre_targets(lines: Lines) -> list[str]:
    """The presynaptic variables the lines add to, in order of appearance."""
    return list(dict.fromkeys(tag[1] for _, tag in lines if tag and tag[0] == "pre"))


def _side_group(synapses, side: str):
    return source_group(synapses.source if side == "pre" else synapses.target)


def _reads_only(synapses, expr: str, side: str, time: bool) -> bool:
    """Whether ``expr`` reads nothing but per-neuron variables of ``side``
    (spelled ``x_<side>``), constants and functions (and with ``time``,
    GeNN's ``t`` and ``dt``)."""
    group = _side_group(synapses, side)
    calls = set(_CALL.findall(expr))
    for name in set(re.findall(r"\b[A-Za-z_]\w*\b", expr)) - calls - _TYPE_NAMES:
        if time and name in ("t", "dt"):
            continue
        var = group.variables.get(name[:-len(side) - 1]) if name.endswith(f"_{side}") else None
        if not (isinstance(var, ArrayVariable) and not var.scalar):
            return False
    return True


def _inlined(expr: str, constants: dict[str, str]) -> str:
    """``expr`` with the code's constants replaced by their definitions
    (for statements that move to neuron code, where they are not defined)."""
    return re.sub(r"\b[A-Za-z_]\w*\b",
                  lambda m: f"({constants[m.group(0)]})" if m.group(0) in constants
                  else m.group(0), expr)


def pathway_effects(synapses, pathway, code: str) -> PathwayEffects:
    """Sort the statements of ``pathway`` (its GeNN ``code``) that write
    neuron variables into the kinds of this module's description."""
    spiker = pathway.prepost
    effects = PathwayEffects(pathway=pathway, lines=[])
    constants: dict[str, str] = {}
    previous = ""
    for line in code.splitlines():
        line = _COMMENT.sub("", line)
        match = _NEURON_WRITE.match(line)
        if match is None:
            definition = _CONSTANT.match(line)
            if definition:
                constants[definition.group(1)] = _inlined(definition.group(2), constants)
            effects.lines.append((line, None))
            previous = line
            continue
        indent, name, side, op, expr = match.groups()
        # what the statement computes, in terms of variables and numbers only
        neuron_statement = f"{name}_{side} {op}= {_inlined(expr, constants)};"
        conditional = previous.strip().startswith("if") or previous.rstrip().endswith("else")
        if (side == spiker and not conditional
                # GeNN's t in the step of an on_pre spike is Brian's time, not
                # that of the pathway's (translated) code
                and _reads_only(synapses, neuron_statement[:-1], side, time=spiker == "post")):
            effects.spiker_statements.append(neuron_statement)
            effects.spiker_writes.add(name)
        elif op in "+-" and op and (side == "pre" or spiker == "pre"):
            expr = expr if op == "+" else f"-({expr})"
            function = "addToPost" if side == "post" else "addToPre"
            effects.lines.append((f"{indent}{function}({expr});", (side, name)))
        elif (side == "post" and spiker == "pre"
              and _reads_only(synapses, neuron_statement[:-1], "post", time=True)):
            effects.lines.append((f"{indent}addToPost(1.0);", ("post", events_target(pathway))))
            effects.event_statements.append(neuron_statement)
            effects.event_writes.add(name)
        else:
            raise unsupported(synapses, f"the {pathway.objname} statement "
                              f"'{name}_{side} {op}= ...' (a write to a neuron variable "
                              "that is neither '+='/'-=' nor the same for every synapse "
                              "of the spiking neuron or every event at the target)",
                              "add to the variable ('+=', '-='), or change it in the "
                              "neuron model.")
        previous = line
    return effects


def neuron_code(synapses, statements: list[str], side: str) -> str:
    """``statements`` as code of the ``side`` neuron: ``x_<side>`` is ``x``."""
    group = _side_group(synapses, side)

    def own_name(match) -> str:
        var = group.variables.get(match.group(1))
        return genn_identifier(var.name) if isinstance(var, ArrayVariable) else match.group(0)

    return "\n".join(re.sub(rf"\b(\w+)_{side}\b", own_name, line) for line in statements)


def _reads(code: str, name: str, side: str) -> bool:
    return re.search(rf"\b{name}_{side}\b", code) is not None


def _overlap(synapses) -> bool:
    """Whether the source and the target share neurons."""
    if source_group(synapses.source) is not source_group(synapses.target):
        return False
    (a, b), (c, d) = source_range(synapses.source), source_range(synapses.target)
    return a < d and c < b


def check_neuron_reads(synapses, effects: dict[str, PathwayEffects]) -> None:
    """Reject reading a neuron variable that the pathways' statements change
    where Brian's order of statements, synapses and pathways differs from
    GeNN's.

    GeNN's synaptic code sees neuron variables as they were before the
    step's synapses ran: the neurons apply ``addToPost``/``addToPre`` input and
    event statements after them; statements on a spiking neuron run right
    after its spike for on_pre (Brian runs every on_pre pathway before the
    on_post ones) and after the synapses for on_post.
    """
    overlap = _overlap(synapses)

    def reads(code: str, name: str, side: str) -> bool:
        """Whether ``code`` reads the variable ``name`` of the neurons of
        ``side`` (under either side's spelling where the sides share neurons)."""
        return any(_reads(code, name, s) for s in ("pre", "post")
                   if s == side or overlap)

    # (variable, side) -> why a read of it is rejected
    inputs = {}
    for e in effects.values():
        for target in post_targets(e.lines):
            inputs.setdefault((target, "post"), "on_pre statements add to it")
        for target in pre_targets(e.lines):
            inputs.setdefault((target, "pre"), "its statements add to it")
        for name in e.event_writes:
            inputs.setdefault((name, "post"), "on_pre statements change it at each event")
    for e in effects.values():
        code, spiker = render(e.lines), e.pathway.prepost
        changed = dict(inputs)
        for name in e.spiker_writes:
            changed.setdefault((name, spiker), f"its {e.pathway.objname} statements change it "
                               "for each synapse of the spiking neuron")
        for (name, side), why in changed.items():
            if reads(code, name, side):
                _reject_read(synapses, name, side, why)
        # the statements that neurons run must not touch what inputs change
        own_events = {(name, "post") for name in e.event_writes}
        for (name, side), why in inputs.items():
            for statements, statements_side in ((e.spiker_statements, spiker),
                                                (e.event_statements, "post")):
                if statements is e.event_statements and (name, side) in own_events:
                    continue  # its own, in Brian's order
                if (side == statements_side or overlap) and (
                        _reads("\n".join(statements), name, statements_side)
                        or statements is e.spiker_statements and name in e.spiker_writes):
                    _reject_read(synapses, name, side, why)


def _reject_read(synapses, name: str, side: str, why: str):
    role = "presynaptic" if side == "pre" else "postsynaptic"
    raise unsupported(synapses, f"reading the {role} variable '{name}' in a Synapses "
                      f"object where {why}",
                      "read it in a second Synapses object, or store the value needed "
                      "in a synaptic variable.")


def check_input_order(group, inputs, event_inputs, spiker_statements) -> None:
    """Reject neuron-side statements of synaptic pathways (on ``group``)
    that read or write a variable that synaptic input changes.

    The neuron adds all input that reaches a variable at once, while Brian
    runs the pathways of several `Synapses` one after the other (by name):
    statements of one of them would see the input of all.

    Parameters
    ----------
    group
        The neuron group.
    inputs
        ``(variable, additional input variable)`` of the group's input.
    event_inputs
        ``(additional input variable, code)`` of statements run per event.
    spiker_statements
        `SpikerStatements` the group runs at its spikes.
    """
    changed = {target for target, _ in inputs}
    for where, code in ([(input_var, code) for input_var, code in event_inputs]
                        + [(s.pathway, s.code) for s in spiker_statements]):
        touched = sorted(changed & set(re.findall(r"\b\w+\b", code)))
        if touched:
            raise NotImplementedError(
                f"NeuronGroup '{group.name}': statements of a synaptic pathway ({where}) "
                f"that the neurons run read or write '{touched[0]}', which synaptic input "
                "changes too: the order of several Synapses is not supported by the GeNN "
                "device. Workaround: let the statements use other variables, or merge the "
                "Synapses objects.")
