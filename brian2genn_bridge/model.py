"""The GeNN model description: what the translators produce from Brian
objects and the runtime turns into a PyGeNN model.

It holds code strings, structure and the Brian variables each GeNN array
mirrors, never values: values flow from Brian's arrays at each run, so a
description that is unchanged between runs means an unchanged GeNN model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .schedule import AFTER_THRESHOLDS
from .identity import CONTENTS_OPT_OUT, OPT_OUT, code_identity, load_identity

__all__ = ["SEED", "DENDRITIC_DELAYS", "event_reference", "GeNNVariable", "StateRecording", "SynapticRecording", "SpikeRecording",
           "EventCheck", "NeuronPopulation", "SpikerStatements", "SynapseCreation",
           "SynapsePopulation",
           "ModelDescription"]


def event_reference(event: str, role: str) -> str:
    """The name, in weight-update code, of the flag of the custom event
    ``event`` of the presynaptic (``role='pre'``) or postsynaptic neuron."""
    return f"bevented_{event}_{role}"


#: the GeNN variable of a synapse group's per-synapse delays in steps (GeNN's
#: dendritic delays, see `SynapsePopulation.dendritic_delays`)
DENDRITIC_DELAYS = "delay_steps"

#: the GeNN parameter (of neuron and weight-update models) holding the seed
#: of a group's counter-based random numbers (`translators.random_numbers`)
SEED = "bsynseed"


@dataclass
class GeNNVariable:
    """A GeNN state variable mirroring a Brian array.

    ``brian_var`` is the Brian `ArrayVariable`; ``index`` maps Brian's array
    order to GeNN's (``None`` for identical order). A ``mirror`` is a copy of
    a Brian variable that another GeNN group (made from the same `Synapses`)
    holds too and writes, if anything does: Brian's values are pushed into
    every copy, but read back only from the one that is not a mirror.
    A ``shared`` one is a Brian shared variable that neuron code writes: every
    neuron holds a copy (all written alike), pushed to all, read back from
    the first. A group made from part of a `Synapses` (split by delays)
    holds the synapses at Brian's indices ``selection`` (``index`` maps
    those); the parts together hold the variable.
    """

    name: str
    ctype: str
    brian_var: Any
    read_only: bool = False
    #: not part of the identity: derived from the connectivity, which is
    index: Any = field(default=None, metadata=OPT_OUT)
    mirror: bool = False
    shared: bool = False
    selection: Any = None
    #: GeNN's initialisation code (``value = ...;``) of a variable of synapses
    #: that GeNN makes (see `SynapseCreation`); ``None``: Brian's values are
    #: pushed
    initial: str | None = None
    #: the values of the parameters ``bc0``, ``bc1``, ... of ``initial``
    initial_params: Any = None


class _Buffers:
    """GeNN names of the buffers of a recording in a neuron population's code.

    They are made from the recording's ``tag`` (unique within its
    population), not from the monitor's name: names such as ``statemonitor``
    and ``statemonitor_1``, or a monitor ``m`` recording ``a_b`` and a
    monitor ``m_a`` recording ``b``, must give distinct names, none of which
    starts with another.
    """

    tag: str

    def buffer(self, variable: str) -> str:
        """The buffer of the recorded ``variable``."""
        return f"{self.tag}_v_{variable}"

    def recorded_variable(self, name: str):
        """The Brian variable recorded as ``name``."""
        return self.monitor.variables[name]

    @property
    def first_sample(self) -> str:
        """The extra global parameter with the first sample (or step) that
        the buffers hold."""
        return f"{self.tag}_first"


@dataclass
class StateRecording(_Buffers):
    """A `StateMonitor` recording inside a neuron population's sim code."""

    monitor: Any
    monitor_name: str
    variables: list[str]
    code: str
    indices: Any  # absolute neuron indices, in the monitor's order
    every: int  # record every ``every`` steps of the population's clock
    #: Brian's slot: any (``'start'``: before the update, ``'end'``: after
    #: the reset, ``'thresholds'``: ...)
    when: str = "start"
    #: prefix of the GeNN names of the recording's buffers (see `_Buffers`)
    tag: str = ""
    #: for the presynaptic or postsynaptic variables that a `StateMonitor` of
    #: a `Synapses` records (``v_post``, a summed variable, ...): each
    #: recorded name's Brian variable of this group, and for each recorded
    #: synapse (in the monitor's order) the position of its neuron among
    #: ``indices``; ``None`` for a monitor of this group itself
    neuron_sources: dict[str, Any] | None = None
    synapse_positions: Any = None

    @property
    def lag(self) -> int:
        """GeNN steps between Brian's step and the one that records it:
        samples of Brian's step m in the slots after 'thresholds' (e.g.
        'end') are taken in GeNN step m + 1."""
        return 1 if self.when in AFTER_THRESHOLDS else 0

    def recorded_variable(self, name: str):
        """The Brian variable recorded as ``name`` (of this group also for a
        `StateMonitor` of a `Synapses`)."""
        if self.neuron_sources is not None:
            return self.neuron_sources[name]
        return self.monitor.variables[name]

    @property
    def index_variable(self) -> str:
        """The GeNN variable with each neuron's position among the recorded
        ones (-1 for those not recorded)."""
        return f"{self.tag}_index"

    @property
    def n_indices(self) -> int:
        return len(self.indices)


@dataclass
class SynapticRecording:
    """A `StateMonitor` of a `Synapses`, sampled on the host between GeNN steps.

    GeNN changes synaptic variables only in its synapse update at the start
    of a step, which completes Brian's previous step: after GeNN step m they
    hold Brian's values at the 'start' of step m, which are also those at
    the 'end' of step m - 1.
    """

    monitor: Any
    monitor_name: str
    #: recorded variable -> its Brian variable (of the `Synapses`)
    variables: dict[str, Any]
    indices: Any  # synapse indices (Brian order), in the monitor's order
    every: int  # record every ``every`` steps of the group clock
    #: Brian's slot: ``'start'`` or ``'end'``
    when: str = "start"
    #: 'start' samples come after the synaptic operations that GeNN runs
    #: before the neuron code of Brian's step (with two GeNN steps per Brian
    #: step: after the even GeNN step 2m + 2, not the odd one before it)
    after_early: bool = False
    #: the recorded variables of the synapses' neurons, which the neuron
    #: populations record (`StateRecording.neuron_sources`)
    neuron_variables: list[str] = field(default_factory=list)
    #: recorded subexpressions: their expressions (Brian's syntax, nested
    #: subexpressions substituted), computed on the host from the samples
    #: of their parts, which ``variables`` and ``neuron_variables`` hold
    derived: dict[str, str] = field(default_factory=dict)

    @property
    def lag(self) -> int:
        """GeNN steps between Brian's step and the one after which it is
        sampled: 'start' of step m after GeNN step m, 'end' after m + 1."""
        return 1 if self.when == "end" else 0

    @property
    def n_indices(self) -> int:
        return len(self.indices)


@dataclass
class SpikeRecording(_Buffers):
    """Variables a `SpikeMonitor` (or an `EventMonitor`) records at each
    spike (or custom event): at the threshold (or event condition), or in a
    later slot of Brian's step (e.g. ``'after_resets'``, spikes only)."""

    monitor: Any
    monitor_name: str
    variables: list[str]
    code: str
    n_neurons: int
    #: the recorded event: ``'spike'`` or a custom event of the group
    event: str = "spike"
    #: Brian's slot: ``'thresholds'`` (or the event's) or one of the slots after it
    when: str = "thresholds"
    #: prefix of the GeNN names of the recording's buffers (see `_Buffers`)
    tag: str = ""

    @property
    def lag(self) -> int:
        """GeNN steps between Brian's step and the one that records it: the
        slots after 'thresholds' of Brian's step m run in GeNN step m + 1."""
        return 0 if self.when == "thresholds" or self.event != "spike" else 1


@dataclass
class EventCheck:
    """The condition of a custom event of a neuron population, an item of
    its sim code's blocks (see `operations.OperationBlocks`)."""

    event: str
    #: GeNN code that declares the local ``b_cond``
    code: str
    when: str
    #: record the event (in the ``brec_event_<event>`` buffer) for monitors
    record: bool
    n_neurons: int
    #: checked in a slot after 'thresholds', in the part of the next GeNN
    #: step that completes Brian's step: the condition sets the event's
    #: flag ``bevented_<event>`` itself (else a local that the flag takes
    #: at the end of the step)
    late: bool = False
    #: marks event conditions among the items of a block (for the template)
    is_event_check: bool = True


@dataclass
class NeuronPopulation:
    """A GeNN neuron population made from a Brian group."""

    name: str
    group: Any
    size: int
    variables: list[GeNNVariable]
    sim_code: str
    threshold_code: str
    #: ``name -> Brian variable`` of shared variables, GeNN dynamic params
    shared: dict[str, Any] = field(default_factory=dict)
    #: ``(name, ctype)`` of GeNN additional input variables
    additional_inputs: list[tuple[str, str]] = field(default_factory=list)
    #: ``name -> ctype`` of extra global parameters (recording buffers)
    egps: dict[str, str] = field(default_factory=dict)
    state_recordings: list[StateRecording] = field(default_factory=list)
    spike_recordings: list[SpikeRecording] = field(default_factory=list)
    #: record spikes with GeNN's spike recording (for monitors)
    record_spikes: bool = False
    #: the GeNN neuron model is a spike source array (SpikeGeneratorGroup)
    spike_source_array: bool = False
    #: values of extra global parameters that are inputs, pushed at every run
    egp_values: dict[str, Any] = field(default_factory=dict, metadata=CONTENTS_OPT_OUT)
    #: custom events recorded for EventMonitors, in ``brec_event_<event>``
    #: buffers (one byte per neuron and step)
    recorded_events: list[str] = field(default_factory=list)
    #: ``GeNN variable -> message`` of flags that the code sets on a failure
    #: (checked after each run, see `GeNNDevice.network_run`)
    failure_flags: dict[str, str] = field(default_factory=dict)
    #: the seed of the population's counter-based random numbers
    #: (`translators.random_numbers`), ``None`` if its code draws none; not
    #: part of the identity: it is given to GeNN at every run
    random_seed: int | None = field(default=None, metadata=OPT_OUT)


@dataclass
class SpikerStatements:
    """Statements of a synaptic pathway that change the variables of the
    neuron whose spike triggers it, the same way for each of its synapses:
    the neuron runs them once per synapse, in the step of the spike (see
    `translators.effects`)."""

    pathway: str
    #: the spiking neuron's side: ``'pre'`` (on_pre) or ``'post'`` (on_post)
    side: str
    #: the neuron population
    group: str
    #: GeNN neuron code
    code: str
    #: the population's variable with each neuron's number of synapses
    count_var: str
    counts: Any


@dataclass
class SynapseCreation:
    """Synapses that GeNN makes when the model is loaded, from a `Synapses`'
    ``connect`` call (`translators.synapse_creation`), instead of Brian's
    indices."""

    #: GeNN's row-building code of the sparse connectivity
    row_code: str
    #: the slots GeNN reserves per row
    max_row_length: int
    #: synapses made per pre/post pair (Brian's ``n``)
    copies: int
    #: the seed of the draws (``bseed``, an extra global parameter given at
    #: load): an array, so that only its size is part of the code identity
    seed: Any
    #: the values of the parameters ``bc0``, ``bc1``, ... of ``row_code``
    #: (an array: groups that differ only in them share GeNN's code)
    params: Any = None

    @property
    def multapses(self) -> bool:
        """Whether a pair may be connected more than once."""
        return self.copies > 1


@dataclass
class SynapsePopulation:
    """A GeNN synapse group made from (part of) a Brian `Synapses`.

    A `Synapses` object becomes several GeNN groups with its connectivity
    when its pathways cannot share one: one per pathway on the same side,
    and one per postsynaptic variable that a pathway changes (GeNN has one
    ``addToPost`` channel per group). The ``primary`` group is the first of
    them; ``pathways`` names the Brian pathways whose code a group runs.
    """

    name: str
    synapses: Any
    source: str
    target: str
    connectivity: str
    parallelism: str
    variables: list[GeNNVariable]
    #: GeNN's ``num_threads_per_spike`` (presynaptic parallelism)
    threads_per_spike: int = 1
    pre_spike_syn_code: str = ""
    post_spike_syn_code: str = ""
    synapse_dynamics_code: str = ""
    #: neuron variables read by the synaptic code, ``name -> (role, var name, ctype)``
    neuron_references: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)
    post_target: str | None = None
    pre_target: str | None = None
    axonal_delay_steps: int = 0
    back_prop_delay_steps: int = 0
    #: pre and post indices of each synapse, in Brian's order
    pre_indices: Any = None
    post_indices: Any = None
    #: Brian's synapses in GeNN's row order (sorted by pre, then post), or
    #: ``None`` if Brian's order is that already (`connectivity.sparse_order`)
    row_order: Any = field(default=None, metadata=OPT_OUT)  # derived from the indices
    #: the number of synapses of each neuron of the source population
    row_lengths: Any = field(default=None, metadata=OPT_OUT)  # derived from pre_indices
    primary: bool = True
    pathways: tuple[str, ...] = ()
    #: the custom event of the source (target) that triggers the
    #: presynaptic (postsynaptic) code, ``None`` for spikes
    pre_event: str | None = None
    post_event: str | None = None
    #: neuron code that the target runs once per synaptic event counted in
    #: ``post_target``, which it adds to no variable
    event_code: str = ""
    #: statements that spiking neurons run (on the primary group)
    spiker_statements: list[SpikerStatements] = field(default_factory=list)
    #: the seed of the group's counter-based random numbers (`translators.random_numbers`),
    #: ``None`` if its code draws none; not part of the identity: it is
    #: given to GeNN at every run
    random_seed: int | None = field(default=None, metadata=OPT_OUT)
    #: synapses that GeNN makes (then ``pre_indices`` and ``post_indices`` are
    #: ``None`` and ``row_lengths`` holds the slots of each row)
    creation: SynapseCreation | None = None
    #: how many synapses GeNN made, once Brian's arrays have them (set on the
    #: loaded model's description, see `GeNNDevice._synapses_from_model`); not
    #: part of the identity: it is known only after the model ran
    created_count: int | None = field(default=None, metadata=OPT_OUT)

    @property
    def dendritic_delays(self) -> GeNNVariable | None:
        """The per-synapse delays in steps (``delay_steps``) of a group whose
        input waits in GeNN's dendritic delay buffer, or ``None``."""
        return next((v for v in self.variables if v.name == DENDRITIC_DELAYS), None)


@dataclass
class ModelDescription:
    """Everything needed to build one GeNN model."""

    precision: str
    dt: float
    neurons: list[NeuronPopulation] = field(default_factory=list)
    synapses: list[SynapsePopulation] = field(default_factory=list)
    #: spike, event and rate monitors by name of the group whose spikes
    #: (or custom events) they read
    spike_monitors: dict[str, list] = field(default_factory=dict)
    #: build GeNN's kernel timers in
    kernel_timing: bool = False
    #: StateMonitors of Synapses (not part of the GeNN model: sampled on the host)
    synaptic_recordings: list[SynapticRecording] = field(default_factory=list)
    #: GeNN steps per Brian step. 2 when Synapses have code of their own every
    #: step (clock-driven equations, summed variables, run_regularly): Brian
    #: runs it between neuron code (after the resets of the step before, or
    #: after the state updates), where one GeNN step has no place for it. Then
    #: even GeNN steps run Brian's step up to its thresholds, odd ones the
    #: rest, each with its synapse code first.
    substeps: int = 1
    #: the cached `key` (not part of it)
    _key: str | None = field(default=None, repr=False, metadata=OPT_OUT)

    @property
    def genn_dt(self) -> float:
        """GeNN's time step."""
        return self.dt / self.substeps

    def key(self) -> str:
        """The load identity (`identity.load_identity`): equal keys run on
        one loaded model. Computed once: a description is not changed after
        the translation."""
        if self._key is None:
            self._key = load_identity(self)
        return self._key

    def code_key(self) -> str:
        """The code identity (`identity.code_identity`), which names the
        directory GeNN builds the model in."""
        return code_identity(self)
