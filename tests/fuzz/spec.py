"""Script specs: a small description of a Brian network and of a sequence of
runs with changes in between, rendered to the plain Python source of a Brian
script.

The rendered source defines ``script()``, which builds an explicit `Network`
whose objects all have explicit names, runs it, changes things between runs
and returns ``{phase/object: {variable: values}}`` for every object (monitor
recordings and final state). The source is what is run, printed for a failing
example and stored as a regression test, so it must stand on its own.

Model structure (equations, code, names, sizes, connect forms) comes from the
small catalogues below, so that compiled GeNN models are reused across
examples; values (initial values, weights, delays, spike times) vary freely:
the device pushes them, it does not compile them.
"""

from __future__ import annotations

import os

from dataclasses import dataclass, field

# ---------------------------------------------------------------- catalogues


@dataclass(frozen=True)
class NeuronModel:
    """Equations (``{unless}`` marks where ``(unless refractory)`` may go),
    threshold, reset, method and the units of the variables that scripts set."""

    equations: str
    threshold: str
    reset: str
    method: str
    units: dict


#: every model has ``v`` (threshold), ``ge`` (synaptic input) and ``Isyn``
#: (target of summed variables)
NEURON_MODELS = {
    "lif": NeuronModel(
        equations="""dv/dt = (I + ge + Isyn - v)/tau : 1 {unless}
dge/dt = -ge/(5*ms) : 1
I : 1
Isyn : 1
tau : second (constant)""",
        threshold="v > 1", reset="v = 0", method="exact",
        units={"v": "", "ge": "", "I": "", "tau": "*ms"}),
    "adapt": NeuronModel(
        equations="""dv/dt = (I + ge + Isyn - v - a)/(10*ms) : 1 {unless}
da/dt = -a/(30*ms) : 1
dge/dt = -ge/(5*ms) : 1
I : 1
Isyn : 1
vt : 1""",
        threshold="v > vt", reset="v = 0; a += 0.2", method="euler",
        units={"v": "", "ge": "", "I": "", "a": "", "vt": ""}),
    "quad": NeuronModel(
        equations="""dv/dt = (I + ge + Isyn + v*v - v)/(8*ms) : 1 {unless}
dge/dt = -ge/(3*ms) : 1
I : 1
Isyn : 1""",
        threshold="v > 1", reset="v = -0.5", method="rk2",
        units={"v": "", "ge": "", "I": ""}),
}

#: refractoriness: None or Brian's ``refractory`` argument (source text)
REFRACTORY = (None, "'2*ms'", "'0.5*ms'", "'v > 0.8'")

#: synaptic models: equations and the on_pre / on_post code they allow
SYNAPSE_MODELS = {
    "plain": dict(equations="w : 1\nu = 2*w + 0.5 : 1",
                  on_pre=("ge_post += w", "v_post += w", "ge_post += w; v_post += 0.5*w"),
                  on_post=(None, "w = w + 0.01"),
                  summed="Isyn_post = w : 1 (summed)"),
    "clock": dict(equations="w : 1\ndx/dt = -x/(4*ms) : 1 (clock-driven)\nu = w*x : 1",
                  on_pre=("x += w", "x += 1; ge_post += w", None),
                  on_post=(None,),
                  summed="Isyn_post = x : 1 (summed)"),
    "stdp": dict(equations="""w : 1
dapre/dt = -apre/(10*ms) : 1 (event-driven)
dapost/dt = -apost/(10*ms) : 1 (event-driven)
u = w + apre - apost : 1""",
                 on_pre=("ge_post += w; apre += 0.1; w = clip(w + apost, 0, 1)",),
                 on_post=("apost -= 0.1; w = clip(w + apre, 0, 1)", None),
                 summed="Isyn_post = w : 1 (summed)"),
}

#: connect forms: keyword arguments of ``connect`` (``i``/``j`` arrays are
#: drawn per script)
def synapse_creation() -> str:
    """Where the GeNN device of a campaign makes synapses
    (``prefs.devices.genn.synapse_creation``, from the environment variable
    ``BRIAN2GENN_BRIDGE_FUZZ_SYNAPSE_CREATION``; default ``'host'``). Other
    than ``'host'``, scripts connect and set weights in the ways GeNN can
    make without random numbers, so that the results stay Brian's exactly."""
    return os.environ.get("BRIAN2GENN_BRIDGE_FUZZ_SYNAPSE_CREATION", "host")


CONNECT_FORMS = {
    "all": "",
    "one_to_one": "j='i', skip_if_invalid=True",
    "not_self": "condition='i != j'",
    "p": "p=0.5",
    "neighbours": "j='i + k for k in range(-1, 2)', skip_if_invalid=True",
    "twice": "j='i', n=2, skip_if_invalid=True",
    "arrays": None,
}

# --------------------------------------------------------------------- specs


@dataclass
class NeuronSpec:
    name: str
    n: int
    model: str
    refractory: str | None
    unless: bool
    dt: float | None                  # ms, None: the default clock
    values: dict                      # variable -> tuple of floats (length n)


@dataclass
class GeneratorSpec:
    name: str
    n: int
    indices: tuple
    times: tuple                      # ms (integers: valid for every dt)
    period: float | None              # ms


@dataclass
class Ref:
    """A group or a subgroup ``group[start:stop]``."""

    group: str
    start: int | None = None
    stop: int | None = None

    def render(self) -> str:
        if self.start is None:
            return f"o['{self.group}']"
        return f"o['{self.group}'][{self.start}:{self.stop}]"


@dataclass
class SynapseSpec:
    name: str
    source: Ref
    target: Ref
    model: str
    on_pre: str | None
    on_post: str | None
    summed: bool
    delay_mode: str                   # 'none', 'homogeneous', 'heterogeneous'
    delay: object                     # ms: a float, or a tuple per synapse
    connect: str                      # key of CONNECT_FORMS
    i: tuple = ()
    j: tuple = ()
    w: tuple = (0.5,)
    dt: float | None = None


@dataclass
class MonitorSpec:
    kind: str                         # 'spike', 'state', 'rate'
    name: str
    source: Ref
    variables: tuple = ()
    record: object = True             # True or a tuple of indices
    dt: float | None = None
    when: str | None = None           # Brian's slot, None: the default


@dataclass
class Change:
    """One change between runs; ``kind`` says which fields are used."""

    kind: str                         # see render_change
    target: str = ""
    variable: str = ""
    values: object = None
    monitor: MonitorSpec | None = None


@dataclass
class ScriptSpec:
    seed: int
    neurons: list
    generators: list
    synapses: list
    monitors: list
    runs: list = field(default_factory=list)   # (tuple of Changes, duration ms)

    # ------------------------------------------------------------ rendering
    def render(self) -> str:
        """The Brian script, as Python source."""
        lines = [HEADER, "", "def build(phase):",
                 '    """All objects of the network, anew (same names every time; '
                 'the i/j arrays\n    of connect() rotated by the phase)."""',
                 "    o = {}"]
        for spec in self.neurons:
            lines += _indent(_render_neurons(spec))
        for spec in self.generators:
            lines += _indent(_render_generator(spec))
        for spec in self.synapses:
            lines += _indent(_render_synapses(spec))
        for spec in self.monitors:
            lines += _indent([f"o['{spec.name}'] = {_render_monitor(spec)}"])
        lines += ["    return o", "", "", "def script():",
                  f"    seed({self.seed})",
                  "    defaultclock.dt = 0.1*ms",
                  "    o = build(0)",
                  "    net = Network(*o.values())",
                  "    results = {}",
                  "    phase = 0"]
        for changes, duration in self.runs:
            for change in changes:
                lines += _indent(render_change(change))
            lines.append(f"    net.run({duration}*ms)")
        lines += ["    collect(o, results, phase)", "    return results", ""]
        return "\n".join(lines)


HEADER = '''from brian2 import *
import numpy as np


def collect(o, results, phase):
    """Recordings and final state of every object, under 'phase/name'."""
    for name, obj in o.items():
        values = obj.get_states(units=False)
        if isinstance(obj, Synapses) and hasattr(obj, "pre"):
            values["delay"] = np.asarray(obj.delay[:])
        values["__class__"] = type(obj).__name__
        results[f"{phase}/{name}"] = values
'''


def _indent(lines: list, level: int = 1) -> list:
    return ["    " * level + line for line in lines]


def _floats(values) -> str:
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


def _render_neurons(spec: NeuronSpec) -> list:
    model = NEURON_MODELS[spec.model]
    equations = model.equations.replace(
        "{unless}", "(unless refractory)" if spec.unless else "").replace(" \n", "\n")
    args = [str(spec.n), f"'''{equations}'''", f"threshold='{model.threshold}'",
            f"reset='{model.reset}'", f"method='{model.method}'"]
    if spec.refractory is not None:
        args.append(f"refractory={spec.refractory}")
    if spec.dt is not None:
        args.append(f"dt={spec.dt}*ms")
    args.append(f"name='{spec.name}'")
    lines = [f"o['{spec.name}'] = NeuronGroup(" + ", ".join(args) + ")"]
    for var, values in spec.values.items():
        lines.append(f"o['{spec.name}'].{var} = {_floats(values)}{model.units[var]}")
    return lines


def _render_generator(spec: GeneratorSpec) -> list:
    period = f", period={spec.period}*ms" if spec.period else ""
    return [f"o['{spec.name}'] = SpikeGeneratorGroup({spec.n}, {list(spec.indices)}, "
            f"{_floats(spec.times)}*ms{period}, name='{spec.name}')"]


def _render_synapses(spec: SynapseSpec) -> list:
    catalogue = SYNAPSE_MODELS[spec.model]
    equations = catalogue["equations"]
    if spec.summed:
        equations += "\n" + catalogue["summed"]
    args = [spec.source.render(), spec.target.render(), f"'''{equations}'''"]
    if spec.on_pre:
        args.append(f"on_pre='{spec.on_pre}'")
    if spec.on_post:
        args.append(f"on_post='{spec.on_post}'")
    if spec.delay_mode == "homogeneous":
        args.append(f"delay={spec.delay}*ms")
    if spec.dt is not None:
        args.append(f"dt={spec.dt}*ms")
    args.append(f"name='{spec.name}'")
    ref = f"o['{spec.name}']"
    lines = [f"{ref} = Synapses(" + ", ".join(args) + ")"]
    form = CONNECT_FORMS[spec.connect]
    made_by_genn = synapse_creation() != "host"
    if form is None:
        # a rebuilt Synapses: other connections, as many of them
        form = f"i={list(spec.i)}, j=np.roll({list(spec.j)}, phase)"
    elif made_by_genn and spec.connect == "p":
        # GeNN's random synapses are not Brian's: a condition without draws
        form = "condition='(3*i + 5*j) % 2 == 0'"
    lines.append(f"{ref}.connect({form})")
    if made_by_genn and len(spec.w) >= 1:
        # values GeNN can make, and reading len() would have the host make the synapses
        w = list(spec.w) + [0.0, 0.0]
        lines.append(f"{ref}.w = '{w[0]!r} + {w[1]!r}*i + {w[2]!r}*j'")
    else:
        lines.append(f"{ref}.w = np.resize({_floats(spec.w)}, len({ref}))")
    if spec.delay_mode == "heterogeneous":
        lines.append(f"{ref}.delay = np.resize({_floats(spec.delay)}, len({ref}))*ms")
    return lines


def _render_monitor(spec: MonitorSpec) -> str:
    source = spec.source.render()
    dt = f", dt={spec.dt}*ms" if spec.dt is not None else ""
    if spec.kind == "spike":
        variables = f", variables={list(spec.variables)}" if spec.variables else ""
        return f"SpikeMonitor({source}{variables}, name='{spec.name}')"
    if spec.kind == "state":
        record = "True" if spec.record is True else str(list(spec.record))
        when = f", when='{spec.when}'" if spec.when is not None else ""
        return (f"StateMonitor({source}, {list(spec.variables)}, record={record}{dt}{when}, "
                f"name='{spec.name}')")
    if spec.kind == "rate":
        return f"PopulationRateMonitor({source}, name='{spec.name}')"
    raise ValueError(spec.kind)


def render_change(change: Change) -> list:
    """Source lines of one change between runs."""
    ref = f"o['{change.target}']"
    kind = change.kind
    if kind == "set":
        # values per neuron/synapse, repeated to the object's size
        suffix = "*ms" if change.variable in ("delay", "tau") else ""
        return [f"{ref}.{change.variable} = np.resize({_floats(change.values)}, "
                f"len({ref})){suffix}"]
    if kind == "set_scalar":
        suffix = "*ms" if change.variable in ("delay", "tau") else ""
        return [f"{ref}.{change.variable} = {float(change.values)!r}{suffix}"]
    if kind == "active":
        return [f"{ref}.active = {bool(change.values)}"]
    if kind == "add_monitor":
        name = change.monitor.name
        return [f"o['{name}'] = {_render_monitor(change.monitor)}", f"net.add(o['{name}'])"]
    if kind == "remove":
        return [f"net.remove({ref})"]
    if kind == "store":
        return ["net.store('stored')"]
    if kind == "restore":
        return ["net.restore('stored')"]
    if kind == "dt":
        return [f"defaultclock.dt = {change.values}*ms"]
    if kind == "set_spikes":
        indices, times = change.values
        return [f"{ref}.set_spikes({list(indices)}, {_floats(times)}*ms)"]
    if kind == "rebuild":
        return ["collect(o, results, phase)", "phase += 1", "o = build(phase)",
                "net = Network(*o.values())"]
    raise ValueError(kind)

