"""What the code of a `Synapses` is and what it uses, as the translators of
synapses (`synapses`, `connectivity`, `delays`, `synapse_dynamics`) all ask
it: the code of a pathway or other code runner, and the per-synapse
variables GeNN holds (which of them a code assigns to: `assignments`)."""

from __future__ import annotations

from brian2.core.variables import DynamicArrayVariable

from .names import genn_identifier

__all__ = ["runner_code", "synaptic_variables"]


def runner_code(pathway) -> str:
    """The generated code of ``pathway`` (a pathway or other code runner),
    ``''`` where it has none."""
    return str(pathway.codeobj.code).strip() if pathway.codeobj else ""


def synaptic_variables(synapses) -> dict[str, DynamicArrayVariable]:
    """The per-synapse variables of ``synapses`` that GeNN holds, by GeNN
    name."""
    # per synapse: indexed by the synapse (not reading the number of synapses,
    # which GeNN may not have made yet, see `synapse_creation`)
    return {genn_identifier(name): var for name, var in synapses.variables.items()
            if isinstance(var, DynamicArrayVariable) and not name.startswith("_")
            and getattr(var.owner, "name", None) == synapses.name and not var.scalar
            and name not in ("i", "j", "delay", "N_incoming", "N_outgoing")
            and synapses.variables.indices[name] == "_idx"}
