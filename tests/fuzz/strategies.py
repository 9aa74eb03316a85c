"""Hypothesis strategies for `ScriptSpec`: random but valid Brian scripts
within what the GeNN device supports, then a random sequence of runs with
changes in between.

``scripts(exclude=...)`` leaves out shapes named in `SHAPES` (to look past a
known bug during a campaign); the default generates everything.
"""

from __future__ import annotations

from hypothesis import strategies as st

from .spec import (CONNECT_FORMS, NEURON_MODELS, REFRACTORY, SYNAPSE_MODELS, Change,
                   GeneratorSpec, MonitorSpec, NeuronSpec, Ref, ScriptSpec, SynapseSpec)

#: shapes that ``exclude`` can leave out
SHAPES = frozenset({
    "summed_clock_driven",    # a summed variable of a clock-driven synaptic variable
    "delay_change",           # delays changed between runs
    "rebuild",                # all objects built anew with the same names
    "weight_change",          # synaptic weights changed between runs
    "second_state_monitor",   # several StateMonitors (statemonitor, statemonitor_1)
    "store_restore",
    "dt_change",
    "remove",                 # monitors or Synapses taken out of the network
})

SIZES = (1, 3, 5, 8)
DURATIONS = (5, 10, 20, 30)


def fractions(top: int = 24):
    """Values k/20 for k in 0..top: short to print, shrink to 0."""
    return st.integers(0, top).map(lambda k: k / 20)


def per_element(n_max: int, top: int = 24):
    """A tuple of values, repeated to the size of the object it is set on."""
    return st.lists(fractions(top), min_size=1, max_size=n_max).map(tuple)


def delays(n_max: int = 4):
    """Delays in ms, also ones that are not multiples of dt (Brian rounds)."""
    return st.lists(st.sampled_from((0.0, 0.5, 1.0, 2.0, 0.25, 3.0, 1.5)),
                    min_size=1, max_size=n_max).map(tuple)


@st.composite
def neuron_values(draw, model: str, n: int) -> dict:
    """Initial values of some of the model's variables."""
    values = {}
    for var in NEURON_MODELS[model].units:
        # tau and vt have no sensible default (0)
        if var not in ("tau", "vt") and not draw(st.booleans()):
            continue
        if var == "tau":
            element = st.integers(3, 20).map(float)
        elif var == "vt":
            element = st.integers(12, 24).map(lambda k: k / 20)
        elif var == "I":
            element = fractions(32)
        else:
            element = fractions()
        values[var] = tuple(draw(st.lists(element, min_size=n, max_size=n)))
    return values


@st.composite
def neuron_group(draw, name: str) -> NeuronSpec:
    n = draw(st.sampled_from(SIZES))
    model = draw(st.sampled_from(sorted(NEURON_MODELS)))
    refractory = draw(st.sampled_from(REFRACTORY))
    unless = refractory is not None and draw(st.booleans())
    dt = draw(st.sampled_from((None, None, None, 0.2)))
    return NeuronSpec(name=name, n=n, model=model, refractory=refractory, unless=unless,
                      dt=dt, values=draw(neuron_values(model, n)))


@st.composite
def spike_times(draw, n: int) -> tuple:
    """(indices, times in whole ms): no neuron twice in one time step."""
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 29)),
                          max_size=8, unique=True))
    pairs.sort(key=lambda pair: (pair[1], pair[0]))
    return tuple(p[0] for p in pairs), tuple(float(p[1]) for p in pairs)


@st.composite
def generator(draw, name: str) -> GeneratorSpec:
    n = draw(st.sampled_from((2, 4)))
    indices, times = draw(spike_times(n))
    period = draw(st.sampled_from((None, None, 40.0)))
    return GeneratorSpec(name=name, n=n, indices=indices, times=times, period=period)


@st.composite
def ref(draw, name: str, n: int) -> tuple:
    """(Ref, size): the whole group or a subgroup of it."""
    if n >= 3 and draw(st.booleans()):
        start = draw(st.integers(0, n - 2))
        stop = draw(st.integers(start + 1, n))
        return Ref(name, start, stop), stop - start
    return Ref(name), n


@st.composite
def synapses(draw, name: str, sources: dict, targets: dict, summed_targets: set,
             exclude: frozenset) -> SynapseSpec:
    """A Synapses from one of ``sources`` to one of ``targets`` (name: size)."""
    source_name = draw(st.sampled_from(sorted(sources)))
    source, n_source = (draw(ref(source_name, sources[source_name])) if source_name in targets
                        else (Ref(source_name), sources[source_name]))
    target_name = draw(st.sampled_from(sorted(targets)))
    target, n_target = draw(ref(target_name, targets[target_name]))
    model = draw(st.sampled_from(sorted(SYNAPSE_MODELS)))
    catalogue = SYNAPSE_MODELS[model]
    summed = (target_name not in summed_targets and draw(st.booleans())
              and not (model == "clock" and "summed_clock_driven" in exclude))
    if summed:
        summed_targets.add(target_name)
    on_pre = draw(st.sampled_from(catalogue["on_pre"]))
    # no on_pre, no delay
    delay_mode = (draw(st.sampled_from(("none", "homogeneous", "heterogeneous")))
                  if on_pre else "none")
    delay = (draw(st.sampled_from((0.5, 1.0, 2.0, 0.25))) if delay_mode == "homogeneous"
             else draw(delays()) if delay_mode == "heterogeneous" else None)
    connect = draw(st.sampled_from(sorted(CONNECT_FORMS)))
    i = j = ()
    if CONNECT_FORMS[connect] is None:
        pairs = draw(st.lists(st.tuples(st.integers(0, n_source - 1),
                                        st.integers(0, n_target - 1)),
                              min_size=1, max_size=10))
        i, j = tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    return SynapseSpec(
        name=name, source=source, target=target, model=model,
        on_pre=on_pre,
        on_post=draw(st.sampled_from(catalogue["on_post"])),
        summed=summed, delay_mode=delay_mode, delay=delay, connect=connect, i=i, j=j,
        w=draw(per_element(4)), dt=draw(st.sampled_from((None, None, None, None, 0.2))))


class Names:
    """Monitor names as Brian would number them (statemonitor, statemonitor_1,
    ...): deterministic, so that GeNN models are reused across scripts."""

    def __init__(self):
        self.counts = {}

    def __call__(self, kind: str) -> str:
        base = {"spike": "spikemonitor", "state": "statemonitor",
                "rate": "ratemonitor"}[kind]
        k = self.counts.get(base, 0)
        self.counts[base] = k + 1
        return base if k == 0 else f"{base}_{k}"


@st.composite
def monitor(draw, names: Names, spec: ScriptSpec, exclude: frozenset) -> MonitorSpec:
    kinds = ["spike", "state", "rate"]
    if "second_state_monitor" in exclude and names.counts.get("statemonitor"):
        kinds.remove("state")
    kind = draw(st.sampled_from(kinds))
    groups = {g.name: g.n for g in spec.neurons}
    if kind == "spike":
        sources = groups | {g.name: g.n for g in spec.generators}
        name = draw(st.sampled_from(sorted(sources)))
        source = draw(ref(name, sources[name]))[0] if name in groups else Ref(name)
        variables = (("v",) if name in groups and draw(st.booleans()) else ())
        return MonitorSpec("spike", names("spike"), source, variables)
    if kind == "rate":
        name = draw(st.sampled_from(sorted(groups)))
        return MonitorSpec("rate", names("rate"), Ref(name))
    # a StateMonitor of neurons or of synapses
    dt = draw(st.sampled_from((None, None, 0.2, 0.5)))
    if spec.synapses and draw(st.booleans()):
        syn = draw(st.sampled_from(spec.synapses))
        variables = {"plain": ("w", "u", "v_post"), "clock": ("x", "w", "u", "v_post"),
                     "stdp": ("w", "apre", "u", "v_post")}[syn.model]
        variables = tuple(draw(st.lists(st.sampled_from(variables), min_size=1,
                                        max_size=len(variables), unique=True)))
        # slots before, between and after the synapses' code
        when = draw(st.sampled_from((None, None, "end", "before_groups", "thresholds",
                                     "after_synapses", "after_resets")))
        return MonitorSpec("state", names("state"), Ref(syn.name), variables, True, dt,
                           when)
    name = draw(st.sampled_from(sorted(groups)))
    source, n = draw(ref(name, groups[name]))
    variables = draw(st.sampled_from((("v",), ("v", "ge"), ("ge",), ("Isyn",))))
    record = draw(st.one_of(st.just(True), st.lists(st.integers(0, n - 1), min_size=1,
                                                    max_size=2, unique=True).map(tuple)))
    return MonitorSpec("state", names("state"), source, variables, record, dt)


class _Network:
    """What is in the network while the changes are drawn (for valid changes)."""

    def __init__(self, spec: ScriptSpec):
        self.spec = spec
        self.members = self.initial()
        self.stored = None
        self.added = []

    def initial(self) -> set:
        spec = self.spec
        return {o.name for o in spec.neurons + spec.generators + spec.synapses
                + spec.monitors}

    def rebuild(self) -> None:
        self.members = self.initial()
        self.stored = None
        self.added = []


@st.composite
def change(draw, spec: ScriptSpec, net: _Network, names: Names,
           exclude: frozenset) -> Change:
    kinds = ["set_neurons", "active", "add_monitor", "set_spikes", "store", "restore", "dt",
             "rebuild", "remove", "set_weights", "set_delays"]
    kind = draw(st.sampled_from([k for k in kinds if _allowed(k, spec, net, exclude)]))
    if kind == "set_neurons":
        group = draw(st.sampled_from(spec.neurons))
        var = draw(st.sampled_from(sorted(NEURON_MODELS[group.model].units)))
        if var == "tau":
            return Change("set", group.name, var, tuple(draw(st.lists(
                st.integers(3, 20).map(float), min_size=1, max_size=3))))
        return Change("set", group.name, var, draw(per_element(3)))
    if kind == "set_weights":
        syn = draw(st.sampled_from(spec.synapses))
        if draw(st.booleans()):
            return Change("set_scalar", syn.name, "w", draw(fractions()))
        return Change("set", syn.name, "w", draw(per_element(4)))
    if kind == "set_delays":
        syn = draw(st.sampled_from([s for s in spec.synapses if s.on_pre]))
        if syn.delay_mode == "homogeneous" or draw(st.booleans()):
            return Change("set_scalar", syn.name, "delay",
                          draw(st.sampled_from((0.0, 0.5, 1.0, 2.0, 3.0))))
        return Change("set", syn.name, "delay", draw(delays()))
    if kind == "active":
        name = draw(st.sampled_from(sorted(net.members)))
        return Change("active", name, values=draw(st.booleans()))
    if kind == "add_monitor":
        new = draw(monitor(names, spec, exclude))
        net.members.add(new.name)
        net.added.append(new.name)
        return Change("add_monitor", monitor=new)
    if kind == "remove":
        removable = sorted(n for n in net.members
                           if n in {m.name for m in spec.monitors} | set(net.added)
                           | {s.name for s in spec.synapses})
        name = draw(st.sampled_from(removable))
        net.members.discard(name)
        return Change("remove", name)
    if kind == "set_spikes":
        gen = draw(st.sampled_from(spec.generators))
        return Change("set_spikes", gen.name, values=draw(spike_times(gen.n)))
    if kind == "store":
        net.stored = frozenset(net.members)
        return Change("store")
    if kind == "restore":
        return Change("restore")
    if kind == "dt":
        return Change("dt", values=draw(st.sampled_from((0.1, 0.2, 0.5))))
    if kind == "rebuild":
        net.rebuild()
        return Change("rebuild")
    raise AssertionError(kind)


def _allowed(kind: str, spec: ScriptSpec, net: _Network, exclude: frozenset) -> bool:
    if kind in ("set_weights", "set_delays") and not spec.synapses:
        return False
    if kind == "set_weights":
        return "weight_change" not in exclude
    if kind == "set_delays":
        return "delay_change" not in exclude and any(s.on_pre for s in spec.synapses)
    if kind == "set_spikes":
        return bool(spec.generators)
    if kind == "store":
        return "store_restore" not in exclude
    if kind == "restore":
        # Brian restores only the objects that were stored
        return net.stored is not None and net.stored == net.members
    if kind == "dt":
        return "dt_change" not in exclude
    if kind == "rebuild":
        return "rebuild" not in exclude
    if kind == "remove":
        return "remove" not in exclude and any(
            n in net.members for n in [m.name for m in spec.monitors] + net.added
            + [s.name for s in spec.synapses])
    if kind == "add_monitor":
        return bool(spec.neurons)
    return True


@st.composite
def scripts(draw, exclude: frozenset = frozenset(), max_runs: int = 4) -> ScriptSpec:
    """A `ScriptSpec`: 1-2 neuron groups, maybe a spike generator, 0-3
    Synapses, 1-3 monitors, 1-``max_runs`` runs with 0-3 changes before each
    run but the first."""
    unknown = set(exclude) - SHAPES
    if unknown:
        raise ValueError(f"unknown shapes {sorted(unknown)}; known: {sorted(SHAPES)}")
    neurons = [draw(neuron_group(f"g{k}")) for k in range(draw(st.integers(1, 2)))]
    generators = ([draw(generator("sg"))] if draw(st.booleans()) else [])
    sources = {g.name: g.n for g in neurons} | {g.name: g.n for g in generators}
    targets = {g.name: g.n for g in neurons}
    summed_targets: set = set()
    syns = [draw(synapses(f"s{k}", sources, targets, summed_targets, exclude))
            for k in range(draw(st.integers(0, 3)))]
    spec = ScriptSpec(seed=draw(st.integers(0, 1000)), neurons=neurons,
                      generators=generators, synapses=syns, monitors=[])
    names = Names()
    for _ in range(draw(st.integers(1, 3))):
        spec.monitors.append(draw(monitor(names, spec, exclude)))
    net = _Network(spec)
    n_runs = draw(st.integers(1, max_runs))
    runs = []
    for k in range(n_runs):
        changes = ([] if k == 0 else
                   [draw(change(spec, net, names, exclude))
                    for _ in range(draw(st.integers(0, 3)))])
        runs.append((tuple(changes), draw(st.sampled_from(DURATIONS))))
    spec.runs = runs
    return spec
