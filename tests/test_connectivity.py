"""GeNN's matrix types and spans for Synapses, chosen per object or by
preference: each combination GeNN 5.4 allows on the backend agrees with
Brian's runtime device spike for spike and in the final values; a
combination that the connections or the code rule out raises a clear
error, and the automatic choice follows the documented rules."""

import logging
import os
from types import SimpleNamespace

import numpy as np
import pytest
from brian2 import (Hz, Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses, ms,
                    prefs, seed)
from brian2.core.preferences import PreferenceError
from brian2.utils.logger import catch_logs
from pygenn import (GeNNModel, SynapseMatrixType, create_neuron_model,
                    create_postsynaptic_model, create_var_init_snippet,
                    create_weight_update_model, init_postsynaptic, init_var, init_weight_update)

from brian2genn_bridge import configure_synapses
from brian2genn_bridge.genn.synapse_groups import row_connectivity, set_rows
from brian2genn_bridge.translators.spans import assign_spans, choose_parallelism
from brian2genn_bridge.translators.connectivity import (Needs, choose_connectivity,
                                                        postsynaptic_span_races, sparse_order)
from utils import (GENN_BACKEND, assert_spikes_equal, assert_traces_close, genn_device,
                   genn_directory, run_both, run_with)

#: connections of the partially connected networks: 150 of the 5 x 40
#: pairs, so that rows span two 32-bit words of a bitmask, the second padded
PARTIAL = "(i + 3*j) % 4 != 1"


def _generator(name):
    return SpikeGeneratorGroup(5, [0, 1, 2, 3, 4, 0, 2, 4, 1, 3, 0],
                               [1, 2, 3, 4, 5, 8, 9, 9.5, 12, 14, 14] * ms, name=name)


def _lif(name):
    return NeuronGroup(40, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                       refractory=1 * ms, method="exact", name=name)


def _chosen():
    """``(connectivity, parallelism, threads_per_spike)`` of the GeNN
    synapse groups of the last GeNN run."""
    return {(p.connectivity, p.parallelism, p.threads_per_spike)
            for p in genn_device.model_description.synapses}


def shared_weight_network(connectivity, parallelism, threads=None, connect=PARTIAL):
    """SpikeGeneratorGroup -> LIF through synapses without per-synapse
    variables (every matrix type can hold them): the effect depends on the
    pre- and postsynaptic index and on a shared weight changed between runs."""

    def script():
        inp, G = _generator("cx_src"), _lif("cx_tgt")
        S = Synapses(inp, G, "g : 1 (shared)", on_pre="v_post += g*(1 + 0.1*i) + 0.01*j",
                     delay=0.5 * ms, name="cx_syn")
        configure_synapses(S, connectivity=connectivity, parallelism=parallelism,
                           threads_per_spike=threads)
        S.connect(connect) if connect else S.connect()
        S.g = 0.4
        spikes = SpikeMonitor(G, name="cx_spikes")
        net = Network(inp, G, S, spikes)
        net.run(10 * ms)
        S.g = 0.6
        net.run(10 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:], n=len(S))

    return script


def variable_weight_network(connectivity, parallelism, threads=None):
    """SpikeGeneratorGroup -> LIF through all-to-all synapses with a weight
    and a delay per synapse (sparse, dense and procedural can hold them);
    weights changed in Python between runs, read back after each."""

    def script():
        inp, G = _generator("vw_src"), _lif("vw_tgt")
        S = Synapses(inp, G, "w : 1", on_pre="v_post += w", name="vw_syn")
        configure_synapses(S, connectivity=connectivity, parallelism=parallelism,
                           threads_per_spike=threads)
        S.connect()
        S.w = "0.3 + 0.1*i + 0.02*j"
        S.delay = "((i + j) % 3) * 0.5*ms"
        spikes = SpikeMonitor(G, name="vw_spikes")
        net = Network(inp, G, S, spikes)
        # no spike in flight at the change (the last before it, at 9.5 ms,
        # arrives by 10.5 ms): GeNN's dendritic delays applied the weight at
        # the spike, Brian does at the arrival
        net.run(11 * ms)
        first = S.w[:].copy()
        S.w["j < 10"] = 0.9
        net.run(9 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:], first=first, w=S.w[:])

    return script


def _compare(reference, genn):
    assert len(reference["t"]) > 20  # the network is active
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    assert_traces_close(reference["v"], genn["v"], rtol=1e-12, what="v")


@pytest.mark.parametrize("connectivity,parallelism,threads,connect", [
    ("sparse", "postsynaptic", None, PARTIAL),
    ("sparse", "presynaptic", None, PARTIAL),
    ("sparse", "presynaptic", 4, PARTIAL),
    ("bitmask", "postsynaptic", None, PARTIAL),
    ("bitmask", "word_packed", None, PARTIAL),
    ("dense", "postsynaptic", None, None),
    ("bitmask", "postsynaptic", None, None),
    ("bitmask", "word_packed", None, None),
    ("sparse", "presynaptic", None, None)])
def test_matrix_types_and_spans_exact(connectivity, parallelism, threads, connect):
    reference, genn = run_both(shared_weight_network(connectivity, parallelism, threads,
                                                     connect))
    _compare(reference, genn)
    assert genn["n"] == reference["n"] == (150 if connect else 200)
    assert _chosen() == {(connectivity, parallelism, threads or 1)}


@pytest.mark.parametrize("parallelism", ["postsynaptic", "word_packed"])
def test_bitmask_to_a_wide_target(parallelism):
    """Bitmask rows of 2,100 targets: more than one CUDA block's 32 words
    (GeNN 5.4 moves the sums of word-packed propagation to the targets with
    32 threads per block) and a padded last word."""

    def script():
        inp = _generator("wide_src")
        G = NeuronGroup(2100, "x : 1", name="wide_tgt")
        S = Synapses(inp, G, on_pre="x_post += 1 + 0.5*i", name="wide_syn")
        configure_synapses(S, connectivity="bitmask", parallelism=parallelism)
        S.connect("(i + j) % 3 != 0")
        Network(inp, G, S).run(20 * ms)
        return dict(x=G.x[:])

    reference, genn = run_both(script)
    assert np.all(reference["x"] > 0)
    np.testing.assert_array_equal(genn["x"], reference["x"])
    assert _chosen() == {("bitmask", parallelism, 1)}


@pytest.mark.parametrize("connectivity,parallelism,threads", [
    ("sparse", "postsynaptic", None), ("sparse", "presynaptic", 2),
    ("dense", "postsynaptic", None)])
def test_per_synapse_variables_exact(connectivity, parallelism, threads):
    reference, genn = run_both(variable_weight_network(connectivity, parallelism, threads))
    _compare(reference, genn)
    for key in ("first", "w"):
        np.testing.assert_array_equal(genn[key], reference[key])
    assert _chosen() == {(connectivity, parallelism, threads or 1)}


@pytest.mark.gpu
@pytest.mark.skipif(GENN_BACKEND != "cuda", reason="GeNN 5.4 has procedural "
                    "connectivity on CUDA only")
@pytest.mark.parametrize("threads", [None, 3])
def test_procedural_exact(threads):
    """Rows regenerated at every spike, with a read-only weight and delay
    per synapse (kept in GeNN's kernel) and with shared weights."""
    reference, genn = run_both(variable_weight_network("procedural", "auto", threads))
    _compare(reference, genn)
    for key in ("first", "w"):
        np.testing.assert_array_equal(genn[key], reference[key])
    assert _chosen() == {("procedural", "presynaptic", threads or 1)}
    reference, genn = run_both(shared_weight_network("procedural", "presynaptic", threads))
    _compare(reference, genn)


def test_procedural_rows_regenerate_brians_connections():
    """The row builder of procedural connectivity, run by GeNN's CPU
    backend as the initialiser of a sparse group (the CPU backend has no
    procedural connectivity): Brian's connections, out of (pre, post)
    order, and each synapse's kernel entry its position in that order."""
    rng = np.random.RandomState(7)
    pairs = rng.permutation(5 * 40)[:90]
    pre, post = pairs // 40, pairs % 40
    model = GeNNModel("double", "rows_check", backend="single_threaded_cpu")
    source = model.add_neuron_population("src", 5, create_neuron_model("src_model"), {}, {})
    target = model.add_neuron_population("tgt", 40, create_neuron_model("tgt_model"), {}, {})
    kernel_entry = create_var_init_snippet("kernel_entry", var_init_code="value = id_kernel;")
    weight_update = create_weight_update_model("entry", vars=[("entry", "scalar")])
    postsynaptic = create_postsynaptic_model("no_input")
    group = model.add_synapse_population(
        "rows", SynapseMatrixType.SPARSE, source, target,
        init_weight_update(weight_update, {}, {"entry": init_var(kernel_entry)}),
        init_postsynaptic(postsynaptic), row_connectivity("procedural", len(pre)))
    set_rows(group, post, np.bincount(pre, minlength=5), sparse_order(pre, post))
    path = os.path.join(genn_directory(), "rows_check")
    os.makedirs(path, exist_ok=True)
    model.build(path)
    model.load()
    group.pull_connectivity_from_device()
    order = np.lexsort((post, pre))
    np.testing.assert_array_equal(group.get_sparse_pre_inds(), pre[order])
    np.testing.assert_array_equal(group.get_sparse_post_inds(), post[order])
    group.vars["entry"].pull_from_device()
    np.testing.assert_array_equal(group.vars["entry"].values, np.arange(len(pre)))


# ------------------------------------------------------------ preferences
def test_preference_and_override():
    """A global preference applies to every Synapses; configure_synapses
    overrides it for one."""

    def script():
        inp, G = _generator("pref_src"), _lif("pref_tgt")
        S1 = Synapses(inp, G, on_pre="v_post += 0.3", name="pref_shared")
        S2 = Synapses(inp, G, "w : 1", on_pre="v_post += w", name="pref_weighted")
        configure_synapses(S2, connectivity="sparse", parallelism="presynaptic")
        S1.connect(PARTIAL)
        S2.connect(PARTIAL)
        S2.w = "0.1*i"
        spikes = SpikeMonitor(G, name="pref_spikes")
        Network(inp, G, S1, S2, spikes).run(20 * ms)
        return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:])

    preferences = {"devices.genn.connectivity": "bitmask",
                   "devices.genn.parallelism": "word_packed"}
    reference, genn = run_both(script, preferences=preferences)
    _compare(reference, genn)
    assert {p.name: (p.connectivity, p.parallelism)
            for p in genn_device.model_description.synapses} == {
        "pref_shared": ("bitmask", "word_packed"), "pref_weighted": ("sparse", "presynaptic")}


def test_choices_logged_at_debug_level():
    with catch_logs(log_level=logging.DEBUG, only_from=("brian2genn_bridge", "brian2")) as logs:
        run_with("genn", shared_weight_network("auto", "auto"))
    messages = [message for _, name, message in logs
                if name.endswith(("translators.connectivity", "translators.spans"))]
    assert "cx_syn: bitmask connectivity (automatic; 150 synapses, 5x40)" in messages
    assert "cx_syn: postsynaptic parallelism (automatic), 1 thread(s) per spike" in messages


def _synapses(connectivity="auto", parallelism="auto", threads=None):
    return SimpleNamespace(name="S", genn_connectivity=connectivity,
                           genn_parallelism=parallelism, genn_threads_per_spike=threads)


def _pairs(n_pre, n_post, density, multapse=False):
    """Connections with the given density, in Brian's (pre, post) order."""
    every = np.arange(n_pre * n_post)
    keep = every[(every * 7919) % 1000 < density * 1000]
    pre, post = keep // n_post, keep % n_post
    if multapse:
        pre, post = np.append(pre, pre[0]), np.append(post, post[0])
    return pre, post


NO_NEEDS = Needs(variables=[], written=[], on_post=False)
WEIGHTS = Needs(variables=["w"], written=[], on_post=False)


@pytest.mark.parametrize("density,needs,multapse,expected", [
    (1.0, WEIGHTS, False, "dense"),     # every pair once
    (1.0, NO_NEEDS, False, "dense"),
    (0.5, NO_NEEDS, False, "bitmask"),  # a bit per pair beats an index per synapse
    (0.5, WEIGHTS, False, "sparse"),    # a bitmask holds no variables
    (0.5, NO_NEEDS, True, "sparse"),    # ... and no pair twice
    (0.02, NO_NEEDS, False, "sparse"),  # below about 1/32, indices take less memory
    (0.5, Needs([], [], on_post=True), False, "sparse")])
def test_automatic_connectivity(density, needs, multapse, expected):
    pre, post = _pairs(50, 200, density, multapse)
    row_lengths = np.bincount(pre, minlength=50)
    assert choose_connectivity(_synapses(), 200, pre, post, row_lengths, needs) == expected


#: few presynaptic neurons with rows of 10 synapses
FEW = (5, np.repeat(np.arange(5), 10))
#: many presynaptic neurons (many spikes per step) with rows of 100
MANY = (1000, np.repeat(np.arange(1000), 100))
#: many presynaptic neurons with rows of 1000 (COBAHH's)
LONG = (4000, np.repeat(np.arange(4000), 1000))


@pytest.mark.parametrize("connectivity,rows,threads,expected", [
    ("sparse", FEW, None, ("auto", 1)), ("sparse", FEW, 4, ("presynaptic", 4)),
    ("sparse", MANY, None, ("auto", 8)), ("sparse", MANY, 2, ("presynaptic", 2)),
    ("sparse", LONG, None, ("auto", 64)),
    ("dense", MANY, None, ("postsynaptic", 1)), ("bitmask", MANY, None, ("postsynaptic", 1)),
    ("procedural", FEW, None, ("presynaptic", 1)), ("procedural", FEW, 8, ("presynaptic", 8))])
def test_automatic_parallelism(connectivity, rows, threads, expected):
    n_pre, pre = rows
    row_lengths = np.bincount(pre, minlength=n_pre)
    assert choose_parallelism(_synapses(threads=threads), connectivity, row_lengths) == expected


def _free_group(name: str, n_pre: int, row: int, dt=0.1 * ms):
    """What `assign_spans` reads of a synapse group that `choose_parallelism`
    left free."""
    threads = choose_parallelism(_synapses(), "sparse", np.full(n_pre, row))[1]
    return SimpleNamespace(name=name, parallelism="auto", threads_per_spike=threads,
                           row_lengths=np.full(n_pre, row),
                           synapses=SimpleNamespace(source=SimpleNamespace(
                               clock=SimpleNamespace(dt_=float(dt)))))


def _microcircuit_groups():
    """The 64 projections of the cortical microcircuit at full scale."""
    from benchmarks.microcircuit import POPULATIONS, population_sizes, synapse_count

    sizes = population_sizes(1.0)
    return [_free_group(f"{s}_{t}", sizes[s], int(synapse_count(s, t, 1.0) / sizes[s]) + 1)
            for s in POPULATIONS for t in POPULATIONS if synapse_count(s, t, 1.0)]


@pytest.mark.parametrize("groups, expected", [
    # COBAHH 1e5: many sources with rows of 1,000 in two groups (measured on
    # an H100: 24 us a step presynaptic, 59 us postsynaptic)
    (lambda: [_free_group("exc", 80000, 1000), _free_group("inh", 20000, 1000)],
     {"exc": ("presynaptic", 64), "inh": ("presynaptic", 64)}),
    # Mbody 40: 100 PNs with rows of 15,000; 100,000 KCs with rows of 100
    (lambda: [_free_group("pn_kc", 100, 15000), _free_group("kc_ekc", 100000, 100)],
     {"pn_kc": ("postsynaptic", 1), "kc_ekc": ("presynaptic", 8)}),
    # the microcircuit: 64 groups whose presynaptic grids add up (172 us a step
    # against 12 us postsynaptic, GeNN's own model's choice)
    (_microcircuit_groups, "postsynaptic")])
def test_spans_of_the_whole_model(groups, expected):
    groups = groups()
    assign_spans(groups)
    chosen = {g.name: (g.parallelism, g.threads_per_spike) for g in groups}
    if isinstance(expected, str):
        assert {span for span, _ in chosen.values()} == {expected}
    else:
        assert chosen == expected


def test_spans_follow_the_expected_rate():
    """COBAHH's groups at 1 Hz: few spikes a step, the postsynaptic span."""
    groups = [_free_group("exc", 80000, 1000), _free_group("inh", 20000, 1000)]
    prefs.devices.genn.expected_firing_rate = 1 * Hz
    try:
        assign_spans(groups)
    finally:
        prefs.devices.genn.expected_firing_rate = 10 * Hz
    assert [g.parallelism for g in groups] == ["postsynaptic", "postsynaptic"]


#: 5 presynaptic neurons with rows of 40 synapses to 60 targets (two warps)
WIDE = (5, np.repeat(np.arange(5), 40), np.tile(np.arange(40), 5))
#: rows of 10 synapses, one pair connected twice
TWICE = (5, np.repeat(np.arange(5), 10), np.r_[np.tile(np.arange(9), 5), [3] * 5])


@pytest.mark.parametrize("connectivity,rows,n_post,block_sizes,expected", [
    ("sparse", WIDE, 60, (128, 512), True),           # two warps on 60 targets
    ("sparse", FEW + (np.tile(np.arange(10), 5),), 60, (128, 512), False),  # one warp
    ("sparse", TWICE, 60, (128, 512), True),          # two threads on one target
    ("sparse", WIDE, 600, (128, 512), False),         # targets beyond a block: atomics
    ("sparse", WIDE, 600, (128, 0), False),
    ("sparse", WIDE, 600, (1024, 0), True),           # blocks of cuda_block_size
    ("sparse", WIDE, 600, (0, 512), True),            # GeNN's choice: up to 1024
    ("dense", WIDE, 60, (128, 512), False),           # sums in registers
    ("bitmask", WIDE, 60, (128, 512), False)])
def test_postsynaptic_span_races(connectivity, rows, n_post, block_sizes, expected):
    n_pre, pre, post = rows
    prefs.devices.genn.cuda_block_size, prefs.devices.genn.cuda_presynaptic_block_size = \
        block_sizes
    try:
        assert postsynaptic_span_races(connectivity, n_post,
                                       np.bincount(pre, minlength=n_pre), pre, post) == expected
    finally:
        prefs.devices.genn.cuda_block_size = 128
        prefs.devices.genn.cuda_presynaptic_block_size = 512


def test_racing_postsynaptic_span_avoided():
    row_lengths = np.bincount(WIDE[1], minlength=WIDE[0])
    assert choose_parallelism(_synapses(), "sparse", row_lengths, True) == ("presynaptic", 2)
    assert choose_parallelism(_synapses(), "sparse", row_lengths, False) == ("auto", 2)
    with pytest.raises(ValueError, match="postsynaptic parallelism would lose synaptic input"):
        choose_parallelism(_synapses(parallelism="postsynaptic"), "sparse", row_lengths, True)


def test_racing_postsynaptic_span_avoided_in_model():
    """The network of 40 x 60 neurons connected with p = 0.5 whose input
    GeNN's postsynaptic span lost on an H200: propagated presynaptically,
    and the same on both devices."""

    def script():
        seed(5)
        inp = NeuronGroup(40, "", threshold="True", name="race_src")
        G = NeuronGroup(60, "x : 1", name="race_tgt")
        S = Synapses(inp, G, "w : 1", on_pre="x_post += w", name="race_syn")
        S.connect(p=0.5)
        S.w = "1 + i + 0.01*j"
        Network(inp, G, S).run(5 * ms)
        return dict(x=G.x[:], i=S.i[:])

    reference, genn = run_both(script)
    np.testing.assert_allclose(genn["x"], reference["x"], rtol=1e-12)
    assert max(np.bincount(genn["i"])) > 32
    assert [(p.connectivity, p.parallelism)
            for p in genn_device.model_description.synapses] == [("sparse", "presynaptic")]


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize("connectivity,parallelism,threads,match", [
    ("dense", "presynaptic", 1, "presynaptic parallelism is not available with dense"),
    ("bitmask", "presynaptic", 1, "presynaptic parallelism is not available with bitmask"),
    ("sparse", "word_packed", 1, "word_packed parallelism is not available with sparse"),
    ("procedural", "postsynaptic", 1, "postsynaptic parallelism is not available with "
                                      "procedural"),
    ("sparse", "postsynaptic", 4, "threads_per_spike=4 needs presynaptic parallelism"),
    ("bitmask", "auto", 2, "threads_per_spike=2 needs presynaptic parallelism")])
def test_parallelism_errors(connectivity, parallelism, threads, match):
    with pytest.raises(ValueError, match=match):
        choose_parallelism(_synapses(parallelism=parallelism, threads=threads), connectivity,
                           np.bincount(FEW[1], minlength=FEW[0]))


def _stdp(connectivity):
    def script():
        inp, G = _generator("err_stdp_src"), _lif("err_stdp_tgt")
        S = Synapses(inp, G, """w : 1
                                dApre/dt = -Apre/(10*ms) : 1 (event-driven)""",
                     on_pre="v_post += w\nApre += 0.1", on_post="w += Apre",
                     name="err_stdp")
        configure_synapses(S, connectivity=connectivity)
        S.connect()
        Network(inp, G, S).run(1 * ms)

    return script


def _depressing(connectivity):
    def script():
        inp, G = _generator("err_dep_src"), _lif("err_dep_tgt")
        S = Synapses(inp, G, "w : 1", on_pre="v_post += w\nw *= 0.9", name="err_dep")
        configure_synapses(S, connectivity=connectivity)
        S.connect()
        Network(inp, G, S).run(1 * ms)

    return script


def _multapses():
    inp, G = _generator("err_multi_src"), _lif("err_multi_tgt")
    S = Synapses(inp, G, on_pre="v_post += 0.2", name="err_multi")
    configure_synapses(S, connectivity="bitmask")
    S.connect(n=2)
    Network(inp, G, S).run(1 * ms)


def _sparse_as_dense():
    inp, G = _generator("err_dense_src"), _lif("err_dense_tgt")
    S = Synapses(inp, G, on_pre="v_post += 0.2", name="err_dense")
    configure_synapses(S, connectivity="dense")
    S.connect(PARTIAL)
    Network(inp, G, S).run(1 * ms)


@pytest.mark.parametrize("script,match", [
    (variable_weight_network("bitmask", "auto"),
     r"'vw_syn': bitmask connectivity holds no per-synapse variables in GeNN 5.4, and the "
     r"synaptic code uses \['delay', 'w'\]"),
    (_stdp("bitmask"),
     r"'err_stdp': bitmask connectivity .* uses \['Apre', 'lastupdate', 'w'\]"),
    (_multapses, "'err_multi': bitmask connectivity holds one bit per pre/post pair, and "
                 "some pairs are connected more than once"),
    (_stdp("procedural"), "'err_stdp': procedural connectivity .* no on_post statements"),
    (_depressing("procedural"), r"'err_dep': procedural connectivity keeps per-synapse "
                                r"values read-only .* changes \['w'\]"),
    (_sparse_as_dense, "'err_dense': dense connectivity needs every pre/post pair "
                       "connected exactly once")])
def test_format_errors(script, match):
    """Raised before anything is built or run."""
    with pytest.raises(ValueError, match=match):
        run_with("genn", script)
    assert not genn_device.has_been_run


@pytest.mark.skipif(GENN_BACKEND == "cuda", reason="the CPU backend's limit")
def test_procedural_needs_cuda():
    with pytest.raises(NotImplementedError, match="'vw_syn': procedural connectivity on "
                                                  "GeNN's single_threaded_cpu backend"):
        run_with("genn", variable_weight_network("procedural", "auto"))
    assert not genn_device.has_been_run


def test_configure_synapses_rejects_unknown_values():
    S = SimpleNamespace()
    with pytest.raises(ValueError, match="connectivity must be one of"):
        configure_synapses(S, connectivity="ragged")
    with pytest.raises(ValueError, match="parallelism must be one of"):
        configure_synapses(S, parallelism="columns")
    with pytest.raises(PreferenceError):
        prefs.devices.genn.connectivity = "ragged"
