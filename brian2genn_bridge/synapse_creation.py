"""Synapses that GeNN makes when the model is loaded
(`SynapseCreator`, a part of `GeNNDevice`).

With ``prefs.devices.genn.synapse_creation`` (or a Synapses' own
``configure_synapses(S, synapse_creation=...)``) at ``'genn'``, or at
``'auto'`` for a ``connect`` expected to make at least
``synapse_creation_threshold`` synapses, the device records a ``connect``
call that `translators.synapse_creation` can translate, and the initial
values set for all its synapses (a constant, or an expression of ``i``,
``j``, constants and random numbers), instead of running them: GeNN makes
the synapses and their values when it loads the model, on the GPU with
CUDA, and the host never holds them. Connectivity is then statistically
Brian's, not draw for draw.

The synapses stay *pending* until Python needs them: a read or write of any
of the Synapses' per-synapse variables, ``N``, ``N_incoming`` or
``N_outgoing`` (``len(S)``, ``S.i``, ``S.w[...]``, a monitor of it,
``Network.store``) first makes them in Brian's arrays: on the host, by
Brian's own code, where no model made them yet; else from the loaded model
(GeNN's synapses and current values). From then on the Synapses is an
ordinary one (the next run builds its model again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from brian2 import prefs
from brian2.core.base import weakproxy_with_fallback
from brian2.core.variables import ArrayVariable, VariableView
from brian2.units.fundamentalunits import fail_for_dimension_mismatch
from brian2.utils.logger import get_logger

from .model import SynapseCreation
from .translators.expressions import genn_ctype, genn_literal
from .translators.synapse_creation import (NotTranslatable, connect_rule, constant_initial,
                                           creation_seed, delay_upper_bound,
                                           host_initial_values, initial_value_code)
from .translators.assignments import assigned_names

__all__ = ["SynapseCreator", "PendingSynapses"]

logger = get_logger(__name__)


@dataclass
class PendingSynapses:
    """A `Synapses` whose synapses GeNN makes: its ``creation`` and the
    initialisation code of its variables (``initial``, by Brian variable:
    the delays of two pathways have one name), and what makes them on the
    host instead (``host_steps``: Brian's connect, then its value settings,
    in the user's order, each with the variable it sets)."""

    synapses: Any  # a weak proxy
    creation: SynapseCreation
    initial: dict[Any, str] = field(default_factory=dict)
    host_steps: list[tuple[Any, Callable[[], None]]] = field(default_factory=list)
    #: the variables whose use makes the synapses in Brian's arrays
    variables: set = field(default_factory=set)
    #: Brian's expression (and its variables) of each variable set by one
    expressions: dict = field(default_factory=dict)
    #: the parameters' values of each ``initial`` code that has them
    initial_params: dict = field(default_factory=dict)
    #: the largest delay (seconds) of each delay variable set by an expression
    delay_bounds: dict = field(default_factory=dict)
    #: whether the loaded model made them (then they come from it)
    loaded: bool = False
    #: whether ``creation.seed`` was drawn
    seeded: bool = False
    #: whether a model that is gone made them (then the host cannot make the
    #: same ones)
    ran: bool = False


def _key(obj) -> int | None:
    """The key of a (possibly) pending Synapses: its variable ``N``, which
    no other object has and a pending Synapses keeps alive (unlike the
    object's ``id``, which a new object may get; and found without
    touching its attributes, which may read its synapses)."""
    variables = getattr(obj, "variables", None)
    n = variables.get("N") if variables is not None else None
    return id(n) if n is not None else None


def _setting(synapses) -> str:
    """The synapse creation asked for ``synapses``: its own setting, else
    the preference."""
    return (getattr(synapses, "genn_synapse_creation", None)
            or prefs["devices.genn.synapse_creation"])


def _per_synapse_variables(synapses) -> set:
    """The variables of ``synapses`` that hold something per synapse (those
    Brian resizes with them, the pathways' delays among them) or count
    them: all that pending synapses do not have yet."""
    return {*synapses._registered_variables,
            *(synapses.variables[name] for name in ("N", "N_incoming", "N_outgoing"))}


def _changes_values(population) -> bool:
    """Whether the code of a synapse group changes its per-synapse values."""
    code = "\n".join([population.pre_spike_syn_code, population.post_spike_syn_code,
                      population.synapse_dynamics_code])
    return bool(assigned_names(code, [v.name for v in population.variables]))


def _expected_synapses(creation: SynapseCreation, n_pre: int) -> int:
    """An upper bound of the synapses a creation makes (`'auto'` compares it
    with the threshold)."""
    return n_pre * creation.max_row_length


class SynapseCreator:
    """The part of `GeNNDevice` that keeps synapses pending (see the
    module's docstring); ``_pending`` holds them by `_key` of the
    Synapses, ``_pending_variables`` the key of each of their variables."""

    def _pending_for(self, synapses) -> PendingSynapses | None:
        return self._pending.get(_key(synapses))

    def pending_creations(self) -> dict[str, PendingSynapses]:
        """The pending synapses by name of their Synapses."""
        return {pending.synapses.name: pending for pending in self._pending.values()}

    def created_synapse_count(self, synapses) -> int | None:
        """How many synapses the loaded model made for pending ``synapses``,
        without making them in Brian's arrays; ``None`` where no loaded
        model made them, or only the GPU holds their rows."""
        pending = self._pending_for(synapses)
        if pending is None or not pending.loaded or self._simulation is None:
            return None
        made = [p for p in self._simulation.description.synapses
                if p.synapses.name == synapses.name and p.creation is not None]
        if not made:
            return None
        return self._simulation.created_count(self._simulation.synapse_groups[made[0].name])

    # ------------------------------------------- Brian's device methods of values
    # any use of a pending Synapses' variables makes its synapses first
    def get_value(self, var, access_data=True):
        self._materialise_variable(var)
        return super().get_value(var, access_data)

    def set_value(self, var, value):
        self._materialise_variable(var)
        super().set_value(var, value)

    def fill_with_array(self, var, arr):
        self._materialise_variable(var)
        super().fill_with_array(var, arr)

    def resize(self, var, new_size):
        self._materialise_variable(var)
        super().resize(var, new_size)

    def resize_along_first(self, var, new_size):
        self._materialise_variable(var)
        super().resize_along_first(var, new_size)

    # ----------------------------------------------------------- recording
    def _record_connect(self, owner, template_kwds: dict, abstract_code: dict,
                        variables: dict, on_host: Callable[[], Any]):
        """A callable that records ``owner.connect(...)`` (the generator's
        code object) as pending synapses, or ``None`` where the host makes
        them: the setting says so, or GeNN cannot (logged at debug level).
        ``on_host`` makes the host's code object."""
        setting = _setting(owner)
        if setting == "host":
            return None
        if self._pending_for(owner) is not None or int(
                self._host_value(owner.variables["N"])[0]) > 0:
            # synapses added to existing ones: all on the host
            self._materialise(owner)
            return None
        # drawn at the first translation (`seed_pending`): synapses made on the
        # host before that draw Brian's numbers in Brian's order
        seed = np.zeros(1, dtype=np.uint32)
        try:
            creation = connect_rule(owner, template_kwds, abstract_code.get("update", ""),
                                    variables, seed)
        except NotTranslatable as reason:
            logger.debug(f"Synapses '{owner.name}': synapses made on the host, as GeNN's "
                         f"initialisation cannot make them ({reason}).")
            return None
        n_pre = len(owner.source)
        if setting == "auto" and (_expected_synapses(creation, n_pre)
                                  < prefs["devices.genn.synapse_creation_threshold"]):
            return None
        pending = PendingSynapses(weakproxy_with_fallback(owner), creation,
                                  variables=_per_synapse_variables(owner))
        pending.host_steps.append((None, lambda: on_host()()))
        for var in owner._registered_variables:
            if not var.name.startswith("_"):
                # Brian's synaptic variables start at zero
                pending.initial[var] = f"value = ({genn_ctype(var)})(0);"

        def record():
            self._pending[_key(owner)] = pending
            for var in pending.variables:
                self._pending_variables[var] = _key(owner)
            how = "automatic" if setting == "auto" else "chosen"
            message = (f"Synapses '{owner.name}': GeNN makes its synapses when the model is "
                       f"loaded ({how}; up to {creation.max_row_length} per row): "
                       "statistically as Brian's connect, not the same draws.")
            if setting == "auto":
                logger.info(message, name_suffix="synapse_creation", once=True)
            else:
                logger.debug(message)
        return record

    def _record_values(self, owner, abstract_code: dict, variables: dict,
                       on_host: Callable[[], Any]):
        """A callable that records ``S.var = 'expression'`` (for all synapses)
        of pending synapses, or ``None`` where the host must set it (the
        synapses are then made on the host first)."""
        pending = self._pending_for(owner)
        if pending is None:
            return None
        if pending.loaded or pending.ran:
            # a model made them and ran: the new values are set on its synapses
            self._materialise(owner)
            return None
        condition = abstract_code.get("condition", "").strip()
        statement = re.fullmatch(r"\s*(\w+)\s*=\s*(.+?)\s*", abstract_code.get("statement", ""),
                                 re.S)
        var = owner.variables.get(statement.group(1)) if statement else None
        # the owner may be a pathway (S.pre.delay): its Synapses names the draws
        synapses = pending.synapses
        delays = [p.variables["delay"] for p in synapses._pathways]
        try:
            if condition != "_cond = True" or var is None or var not in pending.initial:
                raise NotTranslatable("values set for some synapses, or of another variable")
            code, code_params = initial_value_code(synapses, var.name, genn_ctype(var),
                                                   statement.group(2), variables,
                                                   pending.creation)
            bound = (delay_upper_bound(statement.group(2), variables)
                     if any(var is delay for delay in delays) else None)
        except NotTranslatable as reason:
            logger.debug(f"Synapses '{synapses.name}': synapses made on the host for a value "
                         f"GeNN's initialisation cannot set ({reason}).")
            self._materialise(synapses)
            return None

        def record():
            pending.initial[var] = code
            pending.initial_params[var] = code_params
            pending.expressions[var] = (statement.group(2), variables)
            if bound is not None:
                pending.delay_bounds[var] = bound
            pending.host_steps.append((var, lambda: on_host()()))
        return record

    def variableview_set_with_index_array(self, view: VariableView, item, value,
                                          check_units) -> None:
        """Brian's ``S.var = value`` (`VariableView.set_with_index_array`),
        recorded as a constant initial value for all synapses of pending
        synapses."""
        pending = self._pending_for(view.group) if hasattr(view, "group") else None
        var = view.variable
        if (pending is not None and not (pending.loaded or pending.ran)
                and isinstance(item, slice) and item == slice(None)
                and var in pending.initial and np.ndim(value) == 0):
            if check_units:
                fail_for_dimension_mismatch(var.dim, value,
                                            f"Incorrect unit for setting variable {view.name}")
            number = np.asarray(value, dtype=var.dtype).item()
            pending.initial[var] = f"value = ({genn_ctype(var)})({genn_literal(number)});"
            pending.expressions.pop(var, None)
            pending.initial_params.pop(var, None)
            pending.delay_bounds.pop(var, None)
            pending.host_steps.append((var, (
                lambda: VariableView.set_with_index_array.original_function(
                    view, item, value, check_units))))
            return
        VariableView.set_with_index_array.original_function(view, item, value, check_units)

    def seed_pending(self) -> None:
        """Draw the seeds of pending synapses that have none yet, from numpy's
        (Brian's) generator, in the order of their ``connect`` calls."""
        for pending in self._pending.values():
            if not pending.seeded:
                pending.creation.seed[:] = creation_seed()
                pending.seeded = True

    # ------------------------------------------------------- materialising
    def _drop_model(self) -> None:
        """Let the loaded model go, after reading the synapses it made into
        Brian's arrays: the host would draw others. Those it cannot read back
        stay pending where nothing changes their values (a new model makes
        the same ones again, from the same seed).

        Raises
        ------
        NotImplementedError
            For synapses whose values the model may have changed and that
            cannot be read back.
        """
        for pending in [p for p in self._pending.values() if p.loaded]:
            populations = self._made_by_model(pending.synapses)
            if populations and self._unreadable(pending.synapses, populations):
                if any(_changes_values(p) for p in populations):
                    raise NotImplementedError(
                        f"Synapses '{pending.synapses.name}': the network changed between "
                        "runs, and the values of synapses that GeNN made and changed in GPU "
                        "memory only cannot be carried into its new model (not supported by "
                        "the GeNN device). Workaround: leave the network as it is between "
                        "runs, or make the synapses on the host "
                        "(configure_synapses(S, synapse_creation='host') before connect).")
                pending.loaded, pending.ran = False, True
            else:
                self._materialise(pending.synapses)
        self._simulation = None

    def _materialise_variable(self, var) -> None:
        """Make the pending synapses that ``var`` belongs to, if any."""
        key = self._pending_variables.get(var) if self._pending_variables else None
        if key is not None and key in self._pending:
            self._materialise(self._pending[key].synapses)

    def _made_by_model(self, synapses) -> list:
        """The loaded model's synapse groups that made ``synapses``."""
        if self._simulation is None:
            return []
        return [p for p in self._simulation.description.synapses
                if p.synapses.name == synapses.name and p.creation is not None]

    def _unreadable(self, synapses, populations) -> str | None:
        """Why the synapses the loaded model made for ``synapses`` cannot be
        read back, or ``None``."""
        if populations[0].connectivity == "procedural":
            return "made procedurally (again at every spike, never stored)"
        group = self._simulation.synapse_groups[populations[0].name]
        if not self._simulation.created_on_host(group):
            return "kept in GPU memory only (too many for a host copy beside them)"
        return None

    def _materialise(self, synapses) -> None:
        """Make pending ``synapses`` in Brian's arrays: from the loaded model
        that made them, else on the host with Brian's own code.

        Raises
        ------
        NotImplementedError
            Where a model made them and they cannot be read back.
        """
        pending = self._pending.get(_key(synapses))
        if pending is None:
            return
        populations = self._made_by_model(synapses) if pending.loaded else []
        why = self._unreadable(synapses, populations) if populations else (
            "made by a model that is gone" if pending.ran else None)
        if why is not None:
            raise NotImplementedError(
                f"Synapses '{synapses.name}': reading synapses that GeNN {why} is not "
                "supported by the GeNN device. Workaround: read no synaptic variable (S.i, "
                "S.w, len(S), a monitor of S), or make them on the host "
                "(configure_synapses(S, synapse_creation='host') before connect).")
        del self._pending[_key(synapses)]
        for var in pending.variables:
            self._pending_variables.pop(var, None)
        if populations:
            self._synapses_from_model(synapses, pending)
            logger.debug(f"Synapses '{synapses.name}': synapses read from GeNN's model.")
        else:
            for _, step in pending.host_steps:
                step()
            logger.debug(f"Synapses '{synapses.name}': synapses made on the host.")

    def _synapses_from_model(self, synapses, pending: PendingSynapses) -> None:
        """Brian's arrays of ``synapses`` from the loaded model: GeNN's
        synapses in its row order (by presynaptic, then postsynaptic
        index, the order of Brian's ``connect``) and their current values.
        """
        populations = self._made_by_model(synapses)
        group = self._simulation.synapse_groups[populations[0].name]
        # every group of the Synapses made the same rows (one creation, one seed)
        pre, post, positions = self._simulation.created_synapses(group)
        synapses._resize(len(pre))
        self._host_value(synapses.variables["_synaptic_pre"])[:] = pre
        self._host_value(synapses.variables["_synaptic_post"])[:] = post
        synapses._update_synapse_numbers(0)
        for population in populations:
            population.created_count = len(pre)
        held = set()
        for population in populations:
            group = self._simulation.synapse_groups[population.name]
            # from now on the loaded model's values are pulled and pushed as
            # those of synapses in Brian's arrays (e.g. by network operations
            # during the run): GeNN's row order is Brian's
            for genn_var in population.variables:
                genn_var.index = positions
            for genn_var in population.variables:
                var = genn_var.brian_var
                if genn_var.mirror or not isinstance(var, ArrayVariable) or var in held:
                    continue
                held.add(var)
                self._host_value(var)[:] = self._simulation.pull_variable(group, genn_var)
                self._stale.discard(var)
                self._bindings.setdefault(var, {})[id(group)] = (group, genn_var)
        # values GeNN does not hold (no code reads them, or it holds them as
        # delays in steps): those it computed (its random numbers), on the host
        for var in pending.initial:
            if var in held:
                continue
            if var in pending.expressions:
                code, variables = pending.expressions[var]
                values = host_initial_values(synapses, var.name, code, variables,
                                             int(pending.creation.seed[0]), pre, post)
            else:
                values = constant_initial(pending.initial[var])
            self._host_value(var)[:] = values
        # all of it is what the loaded model holds: nothing to push (nor a
        # change of connections or delays by a network operation)
        self._touched -= pending.variables
