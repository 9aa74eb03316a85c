"""Synapses and initial values made by GeNN when the model is loaded
(``prefs.devices.genn.synapse_creation = 'genn'``).

Random connectivity is compared with Brian's runtime device statistically
(degree and value distributions: two-sample Kolmogorov-Smirnov statistics
against their critical values at a small significance level, counts against
their binomial spread); connectivity without random numbers must be Brian's
exactly, and then whole scripts (several runs, plasticity, reads and writes
between runs, monitors, store/restore) must give the runtime device's
results bit for bit in float64.
"""

import numpy as np
import pytest
from brian2 import (NeuronGroup, Network, SpikeMonitor, StateMonitor, Synapses, ms,
                    SpikeGeneratorGroup, network_operation,
                    prefs, seed)
from brian2.core.base import BrianObjectException
from brian2.devices.device import get_device

from brian2genn_bridge import configure_synapses
from brian2genn_bridge.translators.synapse_creation import binomial_quantile
from utils import assert_same_values, run_with

GENN = {"devices.genn.synapse_creation": "genn"}

#: c(alpha) of the two-sample KS test at alpha = 1e-4
_KS_C = 2.15


def _ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.sort(a), np.sort(b)
    values = np.concatenate([a, b])
    return float(np.max(np.abs(np.searchsorted(a, values, side="right") / len(a)
                               - np.searchsorted(b, values, side="right") / len(b))))


def assert_same_distribution(a, b, what: str) -> None:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = _ks_statistic(a, b)
    critical = _KS_C * np.sqrt((len(a) + len(b)) / (len(a) * len(b)))
    assert d < critical, f"{what}: KS statistic {d:.4f} >= {critical:.4f}"


def _forms():
    """Random connect forms, each with initial values; what Python reads
    back, and which Synapses were pending (made by GeNN) after the run."""
    seed(21)
    G = NeuronGroup(400, "v : 1", threshold="False", name="sc_g")
    H = NeuronGroup(300, "v : 1", name="sc_h")
    made = {}
    S_p = Synapses(G, H, "w : 1", on_pre="v_post += w", name="sc_p")
    S_p.connect(p=0.1)
    S_p.w = "rand()"
    made["p"] = S_p
    S_rec = Synapses(G, G, "w : 1", on_pre="v_post += w", name="sc_rec")
    S_rec.connect(condition="i != j", p=0.2)
    S_rec.w = "randn()*0.5 + i*0.01"
    made["rec"] = S_rec
    S_pi = Synapses(G, H, "w : 1", on_pre="v_post += w", name="sc_pi")
    S_pi.connect(p="0.05 + 0.2*(i % 2)")
    S_pi.w = 0.25
    made["pi"] = S_pi
    S_dist = Synapses(G, H, "w : 1", on_pre="v_post += w", name="sc_dist")
    S_dist.connect(p="exp(-abs(i*0.75 - j)/20.0)")
    S_dist.w = "clip(randn(), -1, 1)"
    made["dist"] = S_dist
    S_n = Synapses(G, H, "w : 1", on_pre="v_post += w", name="sc_n")
    S_n.connect(p=0.05, n=2)
    made["n"] = S_n
    net = Network(G, H, *made.values())
    net.run(0.5 * ms)
    result = {"pending": pending_names()}
    for key, S in made.items():
        result[key] = {"i": S.i[:], "j": S.j[:], "w": S.w[:],
                       "N_outgoing": S.N_outgoing[:], "N_incoming": S.N_incoming[:]}
    return result


@pytest.fixture(scope="module")
def forms():
    return (run_with("runtime", _forms), run_with("genn", _forms, preferences=GENN))


def test_random_forms_are_made_by_genn(forms):
    _, genn = forms
    assert genn["pending"] == ["sc_dist", "sc_n", "sc_p", "sc_pi", "sc_rec"]


@pytest.mark.parametrize("form", ["p", "rec", "pi", "dist", "n"])
def test_degrees_follow_brian(forms, form):
    runtime, genn = forms
    r, g = runtime[form], genn[form]
    n_pre, n_post = (400, 400) if form == "rec" else (400, 300)
    out_r, out_g = np.bincount(r["i"], minlength=n_pre), np.bincount(g["i"], minlength=n_pre)
    in_r, in_g = np.bincount(r["j"], minlength=n_post), np.bincount(g["j"], minlength=n_post)
    assert_same_distribution(out_r, out_g, f"{form}: out-degrees")
    assert_same_distribution(in_r, in_g, f"{form}: in-degrees")
    # total count: within 5 standard deviations of Brian's (binomial)
    spread = 5 * np.sqrt(len(r["i"])) + 5
    assert abs(len(g["i"]) - len(r["i"])) < spread, (len(g["i"]), len(r["i"]))
    # Brian's bookkeeping of the synapses read back from GeNN
    np.testing.assert_array_equal(g["N_outgoing"], out_g[g["i"]])
    np.testing.assert_array_equal(g["N_incoming"], in_g[g["j"]])
    # Brian's order: by presynaptic, then postsynaptic index
    keys = g["i"].astype(np.int64) * n_post + g["j"]
    assert np.all(np.diff(keys) >= 0)


def test_forms_follow_their_rules(forms):
    _, genn = forms
    rec = genn["rec"]
    assert not np.any(rec["i"] == rec["j"]), "condition i != j"
    pi = genn["pi"]
    odd = np.bincount(pi["i"], minlength=400)[1::2].mean() / 300
    even = np.bincount(pi["i"], minlength=400)[0::2].mean() / 300
    assert abs(odd - 0.25) < 0.02 and abs(even - 0.05) < 0.01, (odd, even)
    # distance-dependent probability: the mean |i*0.75 - j| of connected pairs
    dist = genn["dist"]
    n = genn["n"]
    pairs = n["i"].astype(np.int64) * 300 + n["j"]
    _, counts = np.unique(pairs, return_counts=True)
    assert np.all(counts == 2), "n=2: every pair twice"
    assert len(dist["i"]) > 0


@pytest.mark.parametrize("form", ["p", "rec", "pi", "dist"])
def test_initial_values_follow_brian(forms, form):
    runtime, genn = forms
    r, g = runtime[form], genn[form]
    if form == "rec":
        assert_same_distribution(r["w"] - r["i"] * 0.01, g["w"] - g["i"] * 0.01, "randn")
    elif form == "pi":
        assert np.all(g["w"] == 0.25)
    else:
        assert_same_distribution(r["w"], g["w"], f"{form}: w")


def test_binomial_quantile():
    # exceeded with at most the given probability: checked against sampling
    rng = np.random.default_rng(1)
    k = binomial_quantile(1000, 0.1, 1e-3)
    assert np.mean(rng.binomial(1000, 0.1, 200_000) > k) < 2e-3
    assert binomial_quantile(1000, 0.1, 0.5) in (99, 100)
    assert binomial_quantile(50, 1.0, 1e-12) == 50
    assert binomial_quantile(50, 0.0, 1e-12) == 0


def _seeded(value):
    def script():
        seed(value)
        G = NeuronGroup(100, "", threshold="False")
        S = Synapses(G, G, "w : 1")
        S.connect(p=0.1)
        S.w = "rand()"
        Network(G, S).run(0.1 * ms)
        return {"i": S.i[:], "j": S.j[:], "w": S.w[:]}
    return script


def test_seed_repeats_genns_synapses():
    first = run_with("genn", _seeded(3), preferences=GENN)
    again = run_with("genn", _seeded(3), preferences=GENN)
    other = run_with("genn", _seeded(4), preferences=GENN)
    for key in ("i", "j", "w"):
        np.testing.assert_array_equal(first[key], again[key])
    assert len(first["i"]) != len(other["i"]) or not np.array_equal(first["j"], other["j"])


def _read_before_run():
    """Reading the synapses before any run makes them on the host: Brian's
    own synapses and values, draw for draw."""
    seed(8)
    G = NeuronGroup(50, "v : 1", threshold="False")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(p=0.3)
    S.w = "rand()"
    n = len(S)
    G.v = "rand()"
    Network(G, S).run(0.2 * ms)
    return {"n": n, "i": S.i[:], "j": S.j[:], "w": S.w[:], "v": G.v[:]}


def test_read_before_run_is_brians_draw():
    runtime = run_with("runtime", _read_before_run)
    genn = run_with("genn", _read_before_run, preferences=GENN)
    for key in runtime:
        np.testing.assert_array_equal(runtime[key], genn[key], err_msg=key)


def _deterministic(monitor: bool = False, store: bool = False):
    """Connectivity and values without random numbers (GeNN makes Brian's
    synapses exactly): STDP, heterogeneous weights from indices, a delay,
    several runs with reads and writes between them."""
    def script():
        seed(2)
        taupre = taupost = 5 * ms
        G = NeuronGroup(60, "dv/dt = (1.2 - v)/(10*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact", name="det_g")
        G.v = "i / 60.0"
        H = NeuronGroup(40, "dv/dt = -v/(10*ms) : 1", threshold="v > 0.8", reset="v = 0",
                        method="exact", name="det_h")
        S = Synapses(G, H, """w : 1
                              dapre/dt = -apre/taupre : 1 (event-driven)
                              dapost/dt = -apost/taupost : 1 (event-driven)""",
                     on_pre="""v_post += w
                               apre += 0.01
                               w = clip(w + apost, 0, 0.5)""",
                     on_post="""apost -= 0.012
                                w = clip(w + apre, 0, 0.5)""", name="det_s")
        S.connect(condition="(i + j) % 3 == 0")
        S.w = "0.05 + 0.002*i + 0.001*j"
        S.delay = 1 * ms
        one = Synapses(G, H, on_pre="v_post += 0.3", name="det_one")
        one.connect(j="i", skip_if_invalid=True)
        around = Synapses(G, G, "w : 1", on_pre="v_post += w", name="det_around")
        around.connect(j="k for k in range(i - 2, i + 3) if k != i", skip_if_invalid=True)
        around.w = 0.02
        spikes = SpikeMonitor(H, name="det_spikes")
        objects = [G, H, S, one, around, spikes]
        if monitor:
            objects.append(StateMonitor(S, "w", record=[0, 5, 7], name="det_wmon"))
        net = Network(*objects)
        made = []
        if store:
            # (GeNN's queues cannot be stored after a run with delays)
            net.store()
        net.run(20 * ms)
        made = pending_names()
        counts = {"n_s": len(S), "n_one": len(one), "n_around": len(around)}
        S.w = "w * 0.9"
        net.run(20 * ms)
        if store:
            net.restore()
            net.run(10 * ms)
        result = {"made": made, "i": spikes.i[:], "t": spikes.t[:], "w": S.w[:],
                  "apre": S.apre[:],
                  "around_j": around.j[:], "v": H.v[:], **counts}
        if monitor:
            result["wmon"] = net["det_wmon"].w[:]
        return result
    return script


@pytest.mark.parametrize("variant", ["plain", "monitor", "store"])
def test_deterministic_scripts_match_runtime(variant):
    """Bit for bit the synapses made on the host by the device (whose
    event-driven decays differ from numpy's in the last bit), and the
    runtime device's spikes."""
    script = _deterministic(monitor=variant == "monitor", store=variant == "store")
    runtime = run_with("runtime", script)
    host = run_with("genn", script)
    genn = run_with("genn", script, preferences=GENN)
    # a StateMonitor of det_s, or the store (which reads every variable), has
    # the host make its synapses
    expected = {"plain": ["det_around", "det_one", "det_s"],
                "monitor": ["det_around", "det_one"], "store": []}[variant]
    assert genn.pop("made") == expected and host.pop("made") == runtime.pop("made") == []
    assert len(runtime["i"]) > 20
    for key in runtime:
        # on CUDA, GeNN's sums of input run in another order for other rows
        assert_same_values(host[key], genn[key], what=key)
        np.testing.assert_allclose(runtime[key], genn[key], rtol=1e-12, atol=1e-15,
                                   err_msg=key)


def _pending_in_run():
    seed(5)
    G = NeuronGroup(80, "dv/dt = (1.1 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    method="exact")
    G.v = "i / 80.0"
    S = Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(condition="abs(i - j) < 4 and i != j")
    S.w = "0.01 * (i % 5)"
    spikes = SpikeMonitor(G)
    net = Network(G, S, spikes)
    net.run(10 * ms)
    pending_first = pending_names()
    net.run(10 * ms)
    return {"pending": pending_first, "i": spikes.i[:], "t": spikes.t[:]}


def test_synapses_stay_on_genn_between_runs():
    runtime = run_with("runtime", _pending_in_run)
    genn = run_with("genn", _pending_in_run, preferences=GENN)
    assert genn["pending"] == ["synapses"] and runtime.pop("pending") == []
    assert genn_reloads() == 0
    np.testing.assert_array_equal(runtime["i"], genn["i"])
    np.testing.assert_array_equal(runtime["t"], genn["t"])


def pending_names() -> list[str]:
    """The Synapses whose synapses GeNN made and Python has not read ([] on
    Brian's runtime device)."""
    device = get_device()
    return sorted(device.pending_creations()) if hasattr(device, "pending_creations") else []


def genn_reloads() -> int:
    """Whether the last run loaded its model anew (0: the loaded one ran on)."""
    return int(get_device().timings["load"] > 0)


def _host_only():
    """Forms that GeNN cannot make (a generator over the postsynaptic index,
    a probability of a neuron variable, indices out of range): the host
    makes them, as Brian."""
    seed(6)
    G = NeuronGroup(30, "x : 1", threshold="False")
    G.x = "i / 30.0"
    S1 = Synapses(G, G, "w : 1")
    S1.connect(i="k for k in range(0, 30, 2) if k != j")
    S2 = Synapses(G, G, "w : 1")
    S2.connect(p="x_pre")
    S2.w = "x_post"
    Network(G, S1, S2).run(0.1 * ms)
    return {"i1": S1.i[:], "j1": S1.j[:], "i2": S2.i[:], "j2": S2.j[:], "w2": S2.w[:]}


def test_forms_genn_cannot_make_are_brians():
    runtime = run_with("runtime", _host_only)
    genn = run_with("genn", _host_only, preferences=GENN)
    for key in runtime:
        np.testing.assert_array_equal(runtime[key], genn[key], err_msg=key)


def test_brians_errors_at_connect():
    def script():
        G = NeuronGroup(10, "", threshold="False")
        S = Synapses(G, G)
        S.connect(j="i + 5")
        return {}
    for device, preferences in (("runtime", None), ("genn", GENN)):
        with pytest.raises((IndexError, BrianObjectException),
                           match="outside allowed range"):
            run_with(device, script, preferences=preferences)


def _random_delays():
    seed(9)
    G = NeuronGroup(20, "v : 1", threshold="True")
    H = NeuronGroup(20, "v : 1")
    S = Synapses(G, H, on_pre="v_post += 1")
    S.connect(p=0.5)
    S.delay = "rand() * 2*ms"
    Network(G, H, S).run(3 * ms)
    return {"pending": sorted(get_device().pending_creations()), "n": len(S),
            "v": H.v[:]}


def test_random_delays_are_made_on_the_host():
    genn = run_with("genn", _random_delays, preferences=GENN)
    # per-synapse delays from an expression: Brian's arrays, made at the run
    assert genn["pending"] == []
    assert genn["n"] > 0


def _auto(threshold):
    def script():
        prefs.devices.genn.synapse_creation_threshold = threshold
        G = NeuronGroup(100, "", threshold="False")
        S = Synapses(G, G)
        S.connect(p=0.1)
        configured = Synapses(G, G, name="configured")
        configure_synapses(configured, synapse_creation="host")
        configured.connect(p=0.1)
        return {"pending": sorted(get_device().pending_creations())}
    return script


def test_auto_chooses_by_size():
    preferences = {"devices.genn.synapse_creation": "auto"}
    assert run_with_no_run(_auto(10 ** 9), preferences)["pending"] == []
    assert run_with_no_run(_auto(100), preferences)["pending"] == ["synapses"]


def run_with_no_run(script, preferences):
    """``script`` on the GeNN device, which it does not run."""
    from utils import clean_brian_state, genn_directory
    from brian2 import set_device, start_scope
    clean_brian_state()
    set_device("genn", directory=genn_directory(), backend="single_threaded_cpu")
    for name, value in preferences.items():
        prefs[name] = value
    start_scope()
    return script()


def _subgroups():
    """Synapses between subgroups (GeNN's rows are those of the whole
    groups): deterministic, so Brian's synapses exactly."""
    P = NeuronGroup(50, "dv/dt = (1.5 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    method="exact", name="sub_p")
    P.v = "i / 50.0"
    Q = NeuronGroup(30, "v : 1", name="sub_q")
    S = Synapses(P[30:], Q[10:25], "w : 1", on_pre="v_post += w", name="sub_s")
    S.connect(condition="(i + j) % 4 == 0")
    S.w = "0.1*i + j"
    R = Synapses(P[:30], P[5:45], on_pre="v_post += 0.01", name="sub_r")
    R.connect(j="i + 3", skip_if_invalid=True)
    Network(P, Q, S, R).run(5 * ms)
    made = pending_names()
    return {"made": made, "i": S.i[:], "j": S.j[:], "w": S.w[:], "in": S.N_incoming[:], "v": Q.v[:],
            "ri": R.i[:], "rj": R.j[:], "pv": P.v[:]}


def test_subgroups_match_runtime():
    runtime = run_with("runtime", _subgroups)
    genn = run_with("genn", _subgroups, preferences=GENN)
    assert genn.pop("made") == ["sub_r", "sub_s"] and runtime.pop("made") == []
    assert len(runtime["i"]) > 0 and np.any(runtime["v"] != 0)
    for key in runtime:
        assert_same_values(runtime[key], genn[key], what=key)


def _procedural(connectivity):
    def script():
        seed(12)
        G = NeuronGroup(300, "dv/dt = (1.2 - v)/(10*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact", name="proc_g")
        G.v = "i / 300.0"
        H = NeuronGroup(200, "v : 1", name="proc_h")
        S = Synapses(G, H, "w : 1", on_pre="v_post += w", name="proc_s")
        configure_synapses(S, connectivity=connectivity)
        S.connect(p=0.2)
        S.w = "0.5 + rand()"
        Network(G, H, S).run(20 * ms)
        return {"v": H.v[:]}
    return script


def test_procedural_synapses_are_the_sparse_ones():
    """GeNN makes procedural synapses again at every spike from the same
    draws as it makes sparse ones once (CUDA only: GeNN 5.4 has no
    procedural connectivity on the CPU backend)."""
    from utils import GENN_BACKEND
    if GENN_BACKEND != "cuda":
        with pytest.raises(NotImplementedError, match="procedural connectivity"):
            run_with("genn", _procedural("procedural"), preferences=GENN)
        return
    sparse = run_with("genn", _procedural("sparse"), preferences=GENN)
    procedural = run_with("genn", _procedural("procedural"), preferences=GENN)
    assert np.all(sparse["v"] > 0)
    np.testing.assert_allclose(procedural["v"], sparse["v"], rtol=1e-12)


def _operation_reads_and_writes():
    """A network operation reads the synapses GeNN made (during the run: they
    come from the loaded model, which runs on) and changes them; plasticity
    keeps changing them in GeNN, and later reads see it."""
    taupre = taupost = 5 * ms
    G = NeuronGroup(40, "dv/dt = (1.3 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    method="exact", name="op_g")
    G.v = "i / 40.0"
    H = NeuronGroup(30, "dv/dt = -v/(10*ms) : 1", threshold="v > 0.5", reset="v = 0",
                    method="exact", name="op_h")
    S = Synapses(G, H, """w : 1
                          dapre/dt = -apre/taupre : 1 (event-driven)
                          dapost/dt = -apost/taupost : 1 (event-driven)""",
                 on_pre="v_post += w\napre += 0.01\nw = clip(w + apost, 0, 0.3)",
                 on_post="apost -= 0.012\nw = clip(w + apre, 0, 0.3)", name="op_s")
    S.connect(condition="(i * 7 + j) % 5 < 2")
    S.w = "0.02 + 0.001*j"
    means = []

    @network_operation(dt=5 * ms, name="op_scale")
    def scale(t):
        means.append(float(np.mean(S.w[:])))
        if 9 * ms < t < 11 * ms:
            S.w = S.w[:] * 1.5

    spikes = SpikeMonitor(H, name="op_spikes")
    net = Network(G, H, S, scale, spikes)
    net.run(30 * ms)
    return {"means": np.array(means), "i": spikes.i[:], "t": spikes.t[:], "w": S.w[:]}


def test_network_operation_reads_and_changes_made_synapses():
    runtime = run_with("runtime", _operation_reads_and_writes)
    genn = run_with("genn", _operation_reads_and_writes, preferences=GENN)
    assert len(runtime["i"]) > 10 and len(set(runtime["means"])) > 3
    np.testing.assert_array_equal(runtime["i"], genn["i"])
    np.testing.assert_array_equal(runtime["t"], genn["t"])
    for key in ("means", "w"):
        np.testing.assert_allclose(runtime[key], genn[key], rtol=1e-12, err_msg=key)


def _other_network_first(run_other: bool):
    def script():
        seed(14)
        G = NeuronGroup(60, "v : 1", threshold="False", name="on_g")
        S = Synapses(G, G, "w : 1", on_pre="v_post += w", name="on_s")
        S.connect(p=0.2)
        S.w = "rand()"
        Network(G, S).run(0.2 * ms)
        if run_other:
            # another model replaces the one that made S's synapses
            other = NeuronGroup(5, "dx/dt = -x/ms : 1", method="exact", name="on_other")
            Network(other).run(0.2 * ms)
        return {"i": S.i[:], "j": S.j[:], "w": S.w[:]}
    return script


def test_synapses_read_after_their_model_is_gone():
    """The synapses that ran, not the host's own draw of them."""
    direct = run_with("genn", _other_network_first(False), preferences=GENN)
    later = run_with("genn", _other_network_first(True), preferences=GENN)
    for key in direct:
        np.testing.assert_array_equal(direct[key], later[key], err_msg=key)


def _random_delays_made(creation):
    def script():
        seed(31)
        n = 200
        G = SpikeGeneratorGroup(n, np.arange(n), np.zeros(n) * ms, name="rd_g")
        H = NeuronGroup(n, "v : 1", threshold="v > 0.5", reset="v = 0", name="rd_h")
        S = Synapses(G, H, "w : 1", on_pre="v_post += w", name="rd_s")
        configure_synapses(S, synapse_creation=creation)
        S.connect(j="i")
        S.w = "clip(1 + 0.1*randn(), 0.6, 2)"
        S.delay = "clip(1*ms + 0.5*ms*randn(), 0*ms, 3*ms)"
        spikes = SpikeMonitor(H, name="rd_spikes")
        Network(G, H, S, spikes).run(5 * ms)
        made = pending_names()
        return {"made": made, "delay": S.delay[:], "j": S.j[:], "w": S.w[:],
                "spike_i": spikes.i[:], "spike_t": spikes.t[:]}
    return script


def test_random_delays_made_by_genn():
    """Per-synapse delays from a bounded expression, made by GeNN (as GeNN's
    dendritic delays): each target spikes as many steps after its synapse's
    delay (read back: GeNN's own values) as with delays made by Brian."""
    genn = run_with("genn", _random_delays_made("genn"))
    host = run_with("genn", _random_delays_made("host"))
    runtime = run_with("runtime", _random_delays_made("host"))
    assert genn["made"] == ["rd_s"] and host["made"] == []
    for result in (genn, host, runtime):
        steps = np.floor(result["delay"] / 1e-4 + 0.5)
        by_target = dict(zip(result["spike_i"], result["spike_t"]))
        lag = [by_target[j] / 1e-4 - steps[k] for k, j in enumerate(result["j"])]
        assert len(by_target) == 200 and np.allclose(lag, 1.0), np.unique(np.round(lag, 6))
        assert 0 <= result["delay"].min() and result["delay"].max() <= 3e-3
    assert_same_distribution(runtime["delay"], genn["delay"], "delays")
    assert_same_distribution(runtime["w"], genn["w"], "weights")


def test_auto_connectivity_is_procedural_where_sparse_rows_do_not_fit(monkeypatch):
    """With the GPU's free memory known (CUDA), 'auto' makes synapses that no
    code changes procedurally where their sparse rows would take more than
    half of it; sparse where they fit, or where the code changes them. (The
    GPU's memory is given here; on the CPU backend GeNN then refuses the
    procedural group, which shows the choice.)"""
    from brian2genn_bridge.device import GeNNDevice

    def connectivity(gpu_memory, on_pre):
        monkeypatch.setattr(GeNNDevice, "_gpu_memory", lambda self, options: gpu_memory)

        def script():
            G = NeuronGroup(1000, "v : 1", threshold="False")
            S = Synapses(G, G, "w : 1", on_pre=on_pre)
            S.connect(p=0.1)
            Network(G, S).run(0.1 * ms)
            return {}
        try:
            run_with("genn", script, preferences=GENN)
        except NotImplementedError as error:
            assert "procedural connectivity on GeNN's single_threaded_cpu" in str(error)
            return "procedural"
        return get_device().synapse_choices["synapses"][0]

    # 1000 rows of about 140 slots, 8 bytes a slot: about 1.1 MB
    assert connectivity(None, "v_post += w") == "sparse"
    assert connectivity(10 ** 9, "v_post += w") == "sparse"
    assert connectivity(10 ** 6, "w += 0.1") == "sparse"
    assert connectivity(10 ** 6, "v_post += w") == "procedural"
