"""The two benchmark models of the Brian2GeNN paper, built as plain Brian 2 objects.

Both follow ``shared/reference/benchmarks.md`` (COBAHH: Brette et al. 2007
benchmark 3; Mbody: Nowotny et al. 2005 mushroom body with STDP) and the public
Brian2GeNN benchmark scripts. Only Brian features are used (NeuronGroup,
Synapses with ``connect``, SpikeGeneratorGroup, SpikeMonitor), so the same
functions run on every device: ``'genn'`` (brian2genn_bridge), ``'runtime'``,
``'cpp_standalone'`` and ``'cuda_standalone'`` (brian2cuda).

Call them after ``set_device(...)`` and after setting
``prefs.core.default_float_dtype``. Every group carries its own namespace, so
``model['network'].run(duration)`` works from any scope, e.g.::

    model = build_cobahh(4000, variant='coupled')
    model['network'].run(1 * second)
    print(mean_rates(model))           # {'exc': ..., 'inh': ...} in Hz

Each builder returns a dict:

``network``      the `Network` holding every object
``groups``       name -> NeuronGroup / SpikeGeneratorGroup / Subgroup
``synapses``     name -> Synapses
``monitors``     name -> SpikeMonitor (empty with ``monitor=False``)
``rate_groups``  group name -> (monitor name, first index, stop index, size)
``timings``      wall-clock seconds spent in ``objects`` (creating groups and
                 synapses), ``connect`` (all ``connect`` calls),
                 ``init_neurons`` and ``init_synapses`` (setting initial values)
``info``         model parameters (sizes, connection probabilities, ...,
                 ``network_seed``)

The same network on every device
--------------------------------
By default (``network_seed=None``) Brian draws the random connectivity
(``connect(p=...)``) and the random initial values and weights (string
expressions such as ``'rand()*1e-9*nS'``) on the device, so creating and
initialising the synapses is part of what the timing benchmarks measure. But
the devices draw with different generators (numpy on the host for the genn and
runtime devices, the generated code's own random streams for cpp_standalone
and brian2cuda), so the same `brian2.seed` gives each device a
*different* network, and a group whose rate depends on the realisation (Mbody's
100 eKCs) differs between devices by more than the simulation does. With an
integer ``network_seed`` the builders draw everything random of the network in
Python with ``numpy.random.RandomState(network_seed)`` (same distributions) and
hand the devices index arrays (``connect(i=..., j=...)``) and value arrays: the
only way to give every device the same network, for comparing their rates.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np
from brian2 import (Equations, Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor,
                    Synapses, cm, defaultclock, mV, ms, msiemens, nF, nS, second, siemens,
                    uF, umetre, uS)

__all__ = ["build_cobahh", "build_mbody", "mean_rates", "count_neurons", "count_synapses",
           "total_spikes", "mbody_input_spikes", "bernoulli_pairs", "DT"]

#: integration time step of both models
DT = 0.1 * ms


class _Timer(dict):
    @contextmanager
    def __call__(self, key):
        start = time.perf_counter()
        try:
            yield
        finally:
            self[key] = self.get(key, 0.0) + time.perf_counter() - start


def _network_rng(network_seed: int | None) -> np.random.RandomState | None:
    return None if network_seed is None else np.random.RandomState(network_seed)


def bernoulli_pairs(rng: np.random.RandomState, n_pre: int, n_post: int,
                    p: float) -> tuple[np.ndarray, np.ndarray]:
    """Every (pre, post) pair connected independently with probability
    ``0 < p < 1``, drawn with ``rng``.

    The gaps between consecutive selected pairs of the flattened, row-major
    ``n_pre*n_post`` index space are geometric(p): drawing the gaps costs time
    proportional to the number of synapses, not of pairs, and is exactly
    Bernoulli(p) per pair.

    Returns
    -------
    i, j : numpy.ndarray
        Pre- and post-synaptic indices (int32), sorted by ``i``, then ``j``
        (the order in which ``connect(p=...)`` creates them).
    """
    n_pairs = n_pre * n_post
    expected = n_pairs * p
    # a few standard deviations above the expected count, so that one draw
    # almost always reaches past the last pair
    chunk = int(expected + 5 * np.sqrt(expected) + 16)
    positions = []
    last = -1
    while last < n_pairs:
        chunk_positions = last + np.cumsum(rng.geometric(p, size=chunk))
        positions.append(chunk_positions)
        last = int(chunk_positions[-1])
    flat = np.concatenate(positions)
    i, j = np.divmod(flat[flat < n_pairs], n_post)
    return i.astype(np.int32), j.astype(np.int32)


def _connect(synapses: Synapses, p: float, rng: np.random.RandomState | None) -> int | None:
    """Connect every pair of ``synapses`` with probability ``p`` (all of them
    for ``p >= 1``), Brian drawing with ``rng=None``, else `bernoulli_pairs`.

    Returns the number of synapses, or None when Brian draws them: the
    standalone devices only know it after the run (``len(synapses)`` fails
    before), and the values drawn in Python need it.
    """
    n_pre, n_post = len(synapses.source), len(synapses.target)
    if p >= 1.0:
        synapses.connect()
        return n_pre * n_post
    if rng is None:
        synapses.connect(p=p)
        return None
    i, j = bernoulli_pairs(rng, n_pre, n_post, p)
    synapses.connect(i=i, j=j)
    return len(i)


# --------------------------------------------------------------------- COBAHH
_COBAHH_EQS = """
dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK))/Cm : volt
dm/dt = alpha_m*(1-m) - beta_m*m : 1
dn/dt = alpha_n*(1-n) - beta_n*n : 1
dh/dt = alpha_h*(1-h) - beta_h*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/(exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/(exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/(exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
"""


def cobahh_connection_probability(N: int, variant: str = "paper") -> float:
    """p = 1000/N (all-to-all below N = 1000) for the paper variant, 0.02 for
    the coupled one."""
    if variant == "paper":
        return min(1.0, 1000.0 / N)
    if variant == "coupled":
        return 0.02
    raise ValueError(f"unknown COBAHH variant {variant!r} (use 'paper' or 'coupled')")


def build_cobahh(N: int, variant: str = "paper", monitor: bool = True,
                 network_seed: int | None = None) -> dict:
    """COBAHH: N Hodgkin-Huxley neurons (first 80 % excitatory) with
    conductance-based exponential synapses.

    ``variant='paper'``: p = 1000/N, weights ``rand()*1e-9*nS`` (activity from
    the initial state only); ``variant='coupled'``: p = 0.02, we = 6 nS,
    wi = 67 nS. With ``monitor=True`` one SpikeMonitor ``'spikes'`` records
    all neurons; `mean_rates` reports ``'exc'`` and ``'inh'`` from it.

    Parameters
    ----------
    network_seed
        None: the device draws the connectivity, the paper variant's weights
        and the initial ``v``, ``ge``, ``gi`` (Brian's ``connect(p=...)`` and
        string expressions; different networks on different devices). An
        int: all of them are drawn in Python with
        ``numpy.random.RandomState(network_seed)``, in this order: excitatory
        then inhibitory connectivity (`bernoulli_pairs`), ``we``, ``wi``,
        ``v``, ``ge``, ``gi``, so every device simulates the same network
        (see the module docstring).
    """
    N = int(N)
    p = cobahh_connection_probability(N, variant)
    rng = _network_rng(network_seed)
    timer = _Timer()
    defaultclock.dt = DT
    area = 20000 * umetre ** 2
    namespace = dict(
        area=area,
        Cm=(1 * uF * cm ** -2) * area,
        gl=(5e-5 * siemens * cm ** -2) * area,
        El=-60 * mV, EK=-90 * mV, ENa=50 * mV,
        g_na=(100 * msiemens * cm ** -2) * area,
        g_kd=(30 * msiemens * cm ** -2) * area,
        VT=-63 * mV, taue=5 * ms, taui=10 * ms, Ee=0 * mV, Ei=-80 * mV,
    )
    n_exc = int(0.8 * N)
    with timer("objects"):
        P = NeuronGroup(N, model=Equations(_COBAHH_EQS), threshold="v>-20*mV",
                        refractory=3 * ms, method="exponential_euler",
                        namespace=namespace, name="neurons")
        Pe = P[:n_exc]
        Pi = P[n_exc:]
        Ce = Synapses(Pe, P, "we : siemens (constant)", on_pre="ge += we",
                      namespace=namespace, name="exc_synapses")
        Ci = Synapses(Pi, P, "wi : siemens (constant)", on_pre="gi += wi",
                      namespace=namespace, name="inh_synapses")
    with timer("connect"):
        n_we = _connect(Ce, p, rng)
        n_wi = _connect(Ci, p, rng)
    with timer("init_synapses"):
        if variant == "coupled":
            Ce.we = 6 * nS
            Ci.wi = 67 * nS
        elif rng is None:
            Ce.we = "rand()*1e-9*nS"
            Ci.wi = "rand()*1e-9*nS"
        else:
            Ce.we = rng.rand(n_we) * 1e-9 * nS
            Ci.wi = rng.rand(n_wi) * 1e-9 * nS
    with timer("init_neurons"):
        if rng is None:
            P.v = "El + (randn()*5 - 5)*mV"
            P.ge = "(randn()*1.5 + 4)*10*nS"
            P.gi = "(randn()*12 + 20)*10*nS"
        else:
            P.v = namespace["El"] + (rng.randn(N) * 5 - 5) * mV
            P.ge = (rng.randn(N) * 1.5 + 4) * 10 * nS
            P.gi = (rng.randn(N) * 12 + 20) * 10 * nS
    monitors = {}
    with timer("objects"):
        if monitor:
            monitors["spikes"] = SpikeMonitor(P, name="spikes")
        net = Network(P, Ce, Ci, *monitors.values())
    return dict(
        network=net,
        groups={"neurons": P, "exc": Pe, "inh": Pi},
        synapses={"exc_synapses": Ce, "inh_synapses": Ci},
        monitors=monitors,
        rate_groups={"exc": ("spikes", 0, n_exc, n_exc),
                     "inh": ("spikes", n_exc, N, N - n_exc)} if monitor else {},
        neuron_groups=[P],
        timings=dict(timer),
        info=dict(model="cobahh", N=N, variant=variant, p=p, n_exc=n_exc, n_inh=N - n_exc,
                  network_seed=network_seed),
    )


# ---------------------------------------------------------------------- Mbody
_TRAUB_MILES = """
dV/dt = -(1/C_M)*(g_Na*m**3*h*(V - V_Na) + g_Kd*n**4*(V - V_Kd) + g_L*(V - V_L) + I_syn) : volt
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
alpha_m = 0.32*(mV**-1)*(13*mV-V+VT)/(exp((13*mV-V+VT)/(4*mV))-1.)/ms : Hz
beta_m = 0.28*(mV**-1)*(V-VT-40*mV)/(exp((V-VT-40*mV)/(5*mV))-1)/ms : Hz
alpha_h = 0.128*exp((17*mV-V+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-V+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*(15*mV-V+VT)/(exp((15*mV-V+VT)/(5*mV))-1.)/ms : Hz
beta_n = .5*exp((10*mV-V+VT)/(40*mV))/ms : Hz
"""

_IKC_INPUT = """
I_syn = g_PNiKC*(V - V_E) : amp
dg_PNiKC/dt = -g_PNiKC/tau_PNiKC : siemens
"""

_EKC_INPUT = """
I_syn = g_iKCeKC*(V - V_E) + g_eKCeKC*(V - V_I) : amp
dg_iKCeKC/dt = -g_iKCeKC/tau_iKCeKC : siemens
dg_eKCeKC/dt = -g_eKCeKC/tau_eKCeKC : siemens
"""


def mbody_input_spikes(duration=1 * second, n_pn: int = 100, n_patterns: int = 10,
                       active: int = 20, p_perturb: float = 0.1, period=50 * ms,
                       seed: int = 42):
    """PN input of the Mbody benchmark, as (indices, times).

    The procedure of the Brian2GeNN benchmark script, with its own
    ``numpy.random.RandomState(seed)``: ``n_patterns`` random patterns of
    ``active`` PNs; ``n_repeats = 10 * duration/s`` noisy variants of each
    (each variant replaces a binomial(active, p_perturb) number of its PNs by
    random ones); all but the last 10 variants of each pattern are shuffled
    (training), the rest follow in order (test); one variant fires every
    ``period`` (50 ms) at 1-3 ms into its slot. As in the original, the
    presentations continue beyond ``duration`` (they never fire in a shorter
    run).
    """
    rng = np.random.RandomState(seed)
    duration_s = float(duration / second)
    n_repeats = max(1, int(round(duration_s * 10)))
    patterns = np.repeat(np.array([rng.choice(n_pn, active, replace=False)
                                   for _ in range(n_patterns)]), n_repeats, axis=0)
    to_replace = rng.binomial(active, p=p_perturb, size=n_patterns * n_repeats)
    variants = []
    for idx, variant in enumerate(patterns):
        variant = variant.copy()
        rng.shuffle(variant)
        if to_replace[idx] > 0:
            variant = variant[:-to_replace[idx]]
        new_indices = rng.randint(n_pn, size=to_replace[idx])
        variants.append(np.unique(np.concatenate([variant, new_indices])))
    training_size = max(0, n_repeats - 10)
    training = []
    for p in range(n_patterns):
        training.extend(variants[n_repeats * p:n_repeats * p + training_size])
    order = rng.permutation(len(training))
    ordered = [training[k] for k in order]
    for p in range(n_patterns):
        ordered.extend(variants[n_repeats * p + training_size:n_repeats * (p + 1)])
    period_s = float(period / second)
    starts = np.arange(len(ordered)) * period_s + 1e-3 + rng.rand(len(ordered)) * 2e-3
    times = starts.repeat([len(v) for v in ordered])
    indices = np.concatenate(ordered).astype(np.int32)
    return indices, times * second


def build_mbody(scale: float = 1.0, monitor: bool = True, duration=1 * second,
                seed: int = 42, network_seed: int | None = None) -> dict:
    """Mbody: 100 PNs (SpikeGeneratorGroup) -> 2500*scale iKCs -> 100 eKCs,
    iKC->eKC with STDP, eKC->eKC lateral inhibition.

    ``duration`` only sizes the PN spike pattern (see `mbody_input_spikes`,
    which uses the numpy seed ``seed``). With ``monitor=True`` there is one
    SpikeMonitor per group: ``'PN_spikes'``, ``'iKC_spikes'``, ``'eKC_spikes'``;
    `mean_rates` reports ``'PN'``, ``'iKC'``, ``'eKC'``.

    Parameters
    ----------
    network_seed
        None: the device draws the PN->iKC (and, above scale 4, iKC->eKC)
        connectivity and the weights (Brian's ``connect(p=...)`` and string
        expressions; different networks on different devices). An int: all
        of them are drawn in Python with
        ``numpy.random.RandomState(network_seed)``, in this order: PN->iKC
        then iKC->eKC connectivity (`bernoulli_pairs`; all-to-all needs no
        draw), PN->iKC ``weight``, iKC->eKC ``w``, the active 20 % of the
        iKC->eKC synapses, their ``w``; so every device simulates the same
        network (see the module docstring). The PN input never depends on
        the device.
    """
    N_PN, N_eKC = 100, 100
    N_iKC = int(2500 * scale)
    rng = _network_rng(network_seed)
    timer = _Timer()
    defaultclock.dt = DT
    N_iKCeKC = min(N_iKC, 10000)
    k = min(1.0, 2500 / N_iKCeKC)
    dApre = 0.1 * nS * k
    namespace = dict(
        g_Na=7.15 * uS, V_Na=50 * mV, g_Kd=1.43 * uS, V_Kd=-95 * mV, g_L=0.0267 * uS,
        V_L=-63.56 * mV, C_M=0.3 * nF, VT=-63 * mV, V_E=0 * mV, V_I=-92 * mV,
        tau_PNiKC=2 * ms, tau_iKCeKC=10 * ms, tau_eKCeKC=5 * ms, w_eKCeKC=75 * nS,
        tau_pre=10 * ms, tau_post=10 * ms, dApre=dApre, dApost=-dApre,
        w_max=3.75 * nS * k, k=k, scale=0.675,
    )
    p_iKCeKC = 1.0 if N_iKC <= 10000 else 10000.0 / N_iKC
    with timer("objects"):
        indices, times = mbody_input_spikes(duration, n_pn=N_PN, seed=seed)
    with timer("objects"):
        PN = SpikeGeneratorGroup(N_PN, indices, times, name="PN")
        iKC = NeuronGroup(N_iKC, Equations(_TRAUB_MILES) + Equations(_IKC_INPUT),
                          threshold="V>0*mV", refractory="V>0*mV",
                          method="exponential_euler", namespace=namespace, name="iKC")
        eKC = NeuronGroup(N_eKC, Equations(_TRAUB_MILES) + Equations(_EKC_INPUT),
                          threshold="V>0*mV", refractory="V>0*mV",
                          method="exponential_euler", namespace=namespace, name="eKC")
        PN_iKC = Synapses(PN, iKC, "weight : siemens",
                          on_pre="g_PNiKC += scale*weight",
                          namespace=namespace, name="PN_iKC")
        iKC_eKC = Synapses(iKC, eKC,
                           """w : siemens
                              dApre/dt = -Apre / tau_pre : siemens (event-driven)
                              dApost/dt = -Apost / tau_post : siemens (event-driven)""",
                           on_pre="""g_iKCeKC += w
                                     Apre += dApre
                                     w = clip(w + Apost, 0*siemens, w_max)""",
                           on_post="""Apost += dApost
                                      w = clip(w + Apre, 0*siemens, w_max)""",
                           namespace=namespace, name="iKC_eKC")
        eKC_eKC = Synapses(eKC, eKC, on_pre="g_eKCeKC += scale*w_eKCeKC",
                           namespace=namespace, name="eKC_eKC")
    with timer("connect"):
        n_PN_iKC = _connect(PN_iKC, 0.15, rng)
        n_iKC_eKC = _connect(iKC_eKC, p_iKCeKC, rng)
        eKC_eKC.connect()
    with timer("init_synapses"):
        # first all synapses "inactive", then a random 20 % active
        if rng is None:
            PN_iKC.weight = "10*nS + 1.25*nS*randn()"
            iKC_eKC.w = "rand()*w_max/10*k"
            iKC_eKC.w["rand() < 0.2"] = "(2.5*nS + 0.5*nS*randn())*k"
        else:
            PN_iKC.weight = 10 * nS + 1.25 * nS * rng.randn(n_PN_iKC)
            w = rng.rand(n_iKC_eKC) * namespace["w_max"] / 10 * k
            active = rng.rand(n_iKC_eKC) < 0.2
            w[active] = (2.5 * nS + 0.5 * nS * rng.randn(int(active.sum()))) * k
            iKC_eKC.w = w
    with timer("init_neurons"):
        for group in (iKC, eKC):
            group.V = namespace["V_L"]
            group.h = 1
            group.m = 0
            group.n = 0.5
    monitors = {}
    with timer("objects"):
        if monitor:
            monitors = {"PN_spikes": SpikeMonitor(PN, name="PN_spikes"),
                        "iKC_spikes": SpikeMonitor(iKC, name="iKC_spikes"),
                        "eKC_spikes": SpikeMonitor(eKC, name="eKC_spikes")}
        net = Network(PN, iKC, eKC, PN_iKC, iKC_eKC, eKC_eKC, *monitors.values())
    rate_groups = {}
    if monitor:
        rate_groups = {"PN": ("PN_spikes", 0, N_PN, N_PN),
                       "iKC": ("iKC_spikes", 0, N_iKC, N_iKC),
                       "eKC": ("eKC_spikes", 0, N_eKC, N_eKC)}
    return dict(
        network=net,
        groups={"PN": PN, "iKC": iKC, "eKC": eKC},
        synapses={"PN_iKC": PN_iKC, "iKC_eKC": iKC_eKC, "eKC_eKC": eKC_eKC},
        monitors=monitors,
        rate_groups=rate_groups,
        neuron_groups=[PN, iKC, eKC],
        timings=dict(timer),
        info=dict(model="mbody", scale=scale, N_PN=N_PN, N_iKC=N_iKC, N_eKC=N_eKC,
                  p_iKCeKC=p_iKCeKC, k=k, n_input_spikes=int(len(indices)), seed=seed,
                  network_seed=network_seed),
    )


# -------------------------------------------------------------------- helpers
def count_neurons(model: dict) -> int:
    return int(sum(len(g) for g in model["neuron_groups"]))


def count_synapses(model: dict) -> int:
    """Number of synapses (for standalone devices: only after the run)."""
    return int(sum(len(s) for s in model["synapses"].values()))


def total_spikes(model: dict) -> int:
    return int(sum(m.num_spikes for m in model["monitors"].values()))


def mean_rates(model: dict, duration=None) -> dict:
    """Mean firing rate (Hz) per group, from the spike monitors; ``duration``
    defaults to the network's current time."""
    if duration is None:
        duration = model["network"].t
    duration_s = float(duration / second)
    rates = {}
    counts = {}
    for group, (monitor, start, stop, size) in model["rate_groups"].items():
        if monitor not in counts:
            counts[monitor] = np.asarray(model["monitors"][monitor].count[:])
        n = int(counts[monitor][start:stop].sum())
        rates[group] = n / (size * duration_s) if size and duration_s > 0 else float("nan")
    return rates
