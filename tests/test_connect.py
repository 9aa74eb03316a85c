"""Synapse creation on the host (brian2genn_bridge/connect.py): for a given
seed, the GeNN device creates the same synapses as Brian's runtime device,
in the same order, and leaves numpy's generator in the same state."""

import re

import numpy as np
import pytest
from brian2 import NeuronGroup, Synapses, prefs, seed, start_scope
from brian2.devices.device import set_device

import brian2genn_bridge.connect as host_connect
import brian2genn_bridge.parallel as host_parallel
from utils import GENN_BACKEND, _to_numpy, clean_brian_state, genn_directory

#: connect() arguments, and the sizes of source and target
CASES = {
    "compared": (dict(p=0.05), 300, 800),
    "compared_dense": (dict(p=0.4), 200, 3000),
    "jumped": (dict(p=0.01), 300, 5000),
    "jumped_sparse": (dict(p=0.0004), 100, 20000),
    "jumped_long_rows": (dict(p=0.2), 50, 1200),
    "all_to_all": (dict(), 30, 40),
    "p_one": (dict(p=1.0), 30, 40),
    "p_zero": (dict(p=0.0), 30, 40),
    "presynaptic_sample": (dict(i="k for k in sample(N_pre, p=0.1)"), 400, 300),
    "sample_with_step": (dict(j="k for k in sample(5, N_post, 3, p=0.02)"), 100, 3000),
    "range_with_step": (dict(j="k for k in range(0, N_post, 2)"), 50, 60),
    "skip_if_invalid": (dict(j="k for k in sample(N_post + 10, p=0.3)", skip_if_invalid=True),
                        50, 60),
    "expression": (dict(p="exp(-0.5)"), 50, 60),
    # Brian's loop
    "condition": (dict(condition="i != j", p=0.3), 50, 60),
    "fixed_size": (dict(j="k for k in sample(N_post, size=5)"), 50, 60),
}
#: the cases that Brian's loop creates on the GeNN device too
LOOPED = ("condition", "fixed_size")


def _connect(device, kwds, n_pre, n_post, subgroups, threads=0):
    clean_brian_state()
    if device == "runtime":
        set_device("runtime")
        prefs.codegen.target = "numpy"
    else:
        set_device("genn", directory=genn_directory(), backend=GENN_BACKEND)
        prefs.devices.genn.host_threads = threads
    start_scope()
    seed(7)
    G = NeuronGroup(n_pre + 10, "v : 1", name="connect_source")
    H = NeuronGroup(n_post + 5, "v : 1", name="connect_target")
    S = Synapses(G[5:5 + n_pre] if subgroups else G, H[3:3 + n_post] if subgroups else H,
                 name="connect_syn")
    S.connect(**kwds)
    S.connect(p=0.1)  # a second call adds to the first
    return _to_numpy({"i": S.i[:], "j": S.j[:], "incoming": S.N_incoming[:],
                      "outgoing": S.N_outgoing[:], "next": np.random.rand(3)})


@pytest.mark.parametrize("subgroups", [False, True])
@pytest.mark.parametrize("case", list(CASES))
def test_same_synapses_as_runtime(case, subgroups, monkeypatch):
    kwds, n_pre, n_post = CASES[case]
    reference = _connect("runtime", kwds, n_pre, n_post, subgroups)
    calls = []
    for name in ("sampled_pairs", "ranged_pairs"):
        function = getattr(host_connect, name)
        monkeypatch.setattr(host_connect, name,
                            lambda *args, function=function: calls.append(args) or function(*args))
    genn = _connect("genn", kwds, n_pre, n_post, subgroups)
    # the first connect() call's synapses, then the second's (p=0.1)
    assert len(calls) == (1 if case in LOOPED else 2)
    assert len(reference["i"]) > 0 or case == "p_zero"
    for key in reference:
        np.testing.assert_array_equal(genn[key], reference[key], err_msg=key)
    clean_brian_state()


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("block", [2 ** 8, 2 ** 11])
def test_small_blocks(monkeypatch, block, threads):
    # rows that need further rounds also at the end of a block of numbers;
    # with threads, blocks split into slices of a few rows each, and the
    # next block drawn while one is used
    monkeypatch.setattr(host_connect, "_BLOCK_DRAWS", block)
    monkeypatch.setattr(host_parallel, "MIN_SLICE", 64)
    for case in ("jumped", "jumped_long_rows", "compared", "presynaptic_sample"):
        kwds, n_pre, n_post = CASES[case]
        reference = _connect("runtime", kwds, n_pre, n_post, True)
        genn = _connect("genn", kwds, n_pre, n_post, True, threads)
        for key in reference:
            np.testing.assert_array_equal(genn[key], reference[key], err_msg=(case, key))
    clean_brian_state()


def test_out_of_range_index_raises_as_brian():
    kwds = dict(j="k for k in sample(N_post + 10, p=0.3)")
    errors = []
    for device in ("runtime", "genn"):
        with pytest.raises(Exception) as error:
            _connect(device, kwds, 50, 60, False)
        errors.append(error.value)
    # Brian wraps the IndexError with the object's name
    assert type(errors[0]) is type(errors[1])
    for error in errors:
        assert isinstance(error.__cause__, IndexError)
        assert re.fullmatch(r"index _j=\d+ outside allowed range from 0 to 64",
                            str(error.__cause__))
    clean_brian_state()
