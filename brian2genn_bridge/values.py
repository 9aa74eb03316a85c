"""Values between Brian's arrays and the loaded GeNN model (`ValueExchange`,
a part of `GeNNDevice`): Brian's device methods of values, which pull what
GeNN changed only when Python reads it and mark what Python writes; the
pushes of Brian's values into GeNN before a run; the check of values that
code with per-synapse delays reads (`_check_delayed_effects`); and the
failure flags of a run (`check_failure_flags`)."""

from __future__ import annotations

import re

import numpy as np
from brian2.devices.device import RuntimeDevice

from .genn.simulation import GeNNSimulation
from .genn.synapse_groups import input_key
from .model import SEED

__all__ = ["ValueExchange", "check_failure_flags"]


class ValueExchange:
    """The values part of `GeNNDevice`, whose state it uses: ``_simulation``
    (the loaded model), ``_bindings`` (the GeNN groups whose copy of each
    Brian variable is read back), ``_stale`` (variables GeNN changed that
    Python has not pulled), ``_touched`` (variables Python may have written
    since the last push) and ``_pushed_shared`` (the shared values given to
    GeNN at the last push)."""

    def get_value(self, var, access_data=True):
        if var in self._stale:
            self._pull(var)
        # the caller may write through the returned array
        self._touched.add(var)
        return super().get_value(var, access_data)

    def set_value(self, var, value):
        self._written(var)
        super().set_value(var, value)

    def fill_with_array(self, var, arr):
        # Network.restore and ArrayVariable.set_value write this way
        self._written(var)
        super().fill_with_array(var, arr)

    def init_with_zeros(self, var, dtype):
        self._written(var)
        super().init_with_zeros(var, dtype)

    def init_with_arange(self, var, start, dtype):
        self._written(var)
        super().init_with_arange(var, start, dtype)

    def resize(self, var, new_size):
        # Synapses.connect after a run: GeNN's values of the existing synapses
        # come first, at the array's old size
        if var in self._stale:
            self._pull(var)
        super().resize(var, new_size)

    def resize_along_first(self, var, new_size):
        if var in self._stale:
            self._pull(var)
        super().resize_along_first(var, new_size)

    def _written(self, var) -> None:
        """Python replaced ``var``'s values: GeNN's copy is outdated, not Brian's."""
        self._stale.discard(var)
        self._touched.add(var)

    def _host_value(self, var) -> np.ndarray:
        """Brian's own array of ``var`` (no pull from GeNN, no push marked)."""
        return RuntimeDevice.get_value(self, var)

    def _pull(self, var) -> None:
        self._stale.discard(var)
        values = self._simulation.pull_parts(list(self._bindings[var].values()))
        self._host_value(var)[:] = values

    def _check_delayed_effects(self) -> None:
        """Raise `NotImplementedError` where Python changed, since the last
        run, a value that the on_pre code of a Synapses with per-synapse
        (dendritic) delays reads, while its effects are in flight.

        GeNN's dendritic delays run that code when the spike leaves and
        hold its input to the target until the spike arrives; Brian runs it
        at the arrival, with the values of then. The device uses them only
        where nothing the code reads changes during the run
        (`translators.delays.delay_parts`); the effects in flight of a
        change between runs would be those of the old values.
        """
        simulation = self._simulation
        if simulation is None:
            return
        changed = {}
        for population in simulation.description.synapses:
            if population.dendritic_delays is None:
                continue
            read = set(re.findall(r"\b\w+\b", population.pre_spike_syn_code))
            names = [name for name, var in self._delayed_reads(simulation, population, read)
                     if var in self._touched and self._changed(var)]
            if names:
                changed[population.name] = (population, names)
        in_flight = simulation.queues().dendritic if changed else {}
        for population, names in changed.values():
            # GeNN keeps the input in flight of the synapse groups that add to
            # one variable in one buffer: any of them may be on its way
            if input_key(population) in in_flight:
                synapses = population.synapses.name
                raise NotImplementedError(
                    f"Synapses '{synapses}': {names} changed between runs "
                    "while spikes are on their way through its per-synapse delays. The GeNN "
                    "device applies the on_pre statements of such synapses when the spike "
                    "leaves (GeNN's dendritic delays), Brian when it arrives, with the new "
                    "values. Workaround: change them when no spike is in flight (before "
                    "the first run, or after a pause of the longest delay without spikes), "
                    "or use one delay for all synapses of the Synapses.")

    @staticmethod
    def _delayed_reads(simulation, population, read: set[str]):
        """``(name, Brian variable)`` of the variables that the on_pre code of
        ``population`` reads (``read``: its identifiers): its synapses',
        shared ones and neuron variables of its source and target."""
        for genn_var in population.variables:
            if genn_var.name in read and not isinstance(genn_var.brian_var, np.ndarray):
                yield genn_var.name, genn_var.brian_var
        for name, var in population.shared.items():
            if name in read:
                yield name, var
        neurons = {p.name: p for p in simulation.description.neurons}
        for name, (role, var_name, _) in population.neuron_references.items():
            owner = neurons.get(population.source if role == "pre" else population.target)
            if name in read and owner is not None:
                for genn_var in owner.variables:
                    if genn_var.name == var_name and not isinstance(genn_var.brian_var,
                                                                    np.ndarray):
                        yield name, genn_var.brian_var

    def _changed(self, var) -> bool:
        """Whether Brian's values of ``var`` differ from those GeNN ran with."""
        host = self._host_value(var)
        if var in self._pushed_shared:
            return not np.array_equal(host, self._pushed_shared[var])
        parts = self._bindings.get(var)
        if not parts:
            return True
        return not np.array_equal(host, self._simulation.pull_parts(list(parts.values())))

    def _push_values(self, simulation: GeNNSimulation, description, full: bool) -> None:
        """Copy Brian's values into GeNN: everything after a (re)load, else
        only what Python may have changed since the last run."""
        groups = ([(simulation.populations[p.name], p) for p in description.neurons]
                  + [(simulation.synapse_groups[p.name], p) for p in description.synapses])
        for group, population in groups:
            for genn_var in population.variables:
                self._push_variable(simulation, group, genn_var, full)
            for name, var in population.shared.items():
                simulation.set_shared(group, name, self._host_value(var)[0])
                self._pushed_shared[var] = self._host_value(var).copy()
        for group, population in groups:
            if population.random_seed is not None:
                # drawn at this run's translation: Brian's seed() repeats a run
                simulation.set_shared(group, SEED, population.random_seed)
        for population in description.neurons:
            for name, values in population.egp_values.items():
                simulation.push_egp(population.name, name, values)
            if population.spike_source_array and not full:
                # a spike generator's walk restarts from the current time step
                group = simulation.populations[population.name]
                for genn_var in population.variables:
                    simulation.push_variable(group, genn_var, genn_var.brian_var)

    def _push_variable(self, simulation, group, genn_var, full: bool) -> None:
        source = genn_var.brian_var
        if genn_var.initial is not None and genn_var.index is None:
            # GeNN made the synapses and these values (`synapse_creation`),
            # Brian's arrays have neither yet (`index` is set once they have)
            return
        if isinstance(source, np.ndarray):
            if full:
                simulation.push_variable(group, genn_var, source)
            return
        # a queued variable in every delay slot: a continued run's rewound
        # queue reads the slot before the current one
        if full or source in self._touched or simulation.is_queued(group, genn_var):
            simulation.push_variable(group, genn_var, self._host_value(source))
        if not genn_var.mirror:
            # the GeNN group (groups, for parts of a Synapses) whose copy
            # Brian's values are read back from
            self._bindings.setdefault(source, {})[id(group)] = (group, genn_var)


def check_failure_flags(simulation, description) -> None:
    """Raise the `RuntimeError` of a population whose code flagged a
    failure (a GSL integration that did not converge), as Brian's code
    raises it during the run; the flags are cleared for the next run."""
    for population in description.neurons:
        group = simulation.populations[population.name]
        for genn_var in population.variables:
            message = population.failure_flags.get(genn_var.name)
            if message is None:
                continue
            flags = simulation.pull_variable(group, genn_var)
            if flags.any():
                simulation.push_variable(group, genn_var, np.zeros_like(flags))
                neurons = np.flatnonzero(flags)
                raise RuntimeError(f"NeuronGroup '{population.name}', neurons "
                                   f"{neurons[:10].tolist()}: {message}")
