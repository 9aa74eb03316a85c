"""`TimedArray` (1-d ``ta(t)`` and 2-d ``ta(t, i)``) in a NeuronGroup's
equations, subexpressions, threshold and reset, against Brian's runtime
device: identical in float64, including the rounding of times to the
array's steps (array dt not a multiple of the group's, monitors on another
clock) and the clipping beyond the array's ends.

On GeNN the values are an extra global parameter of the population, pushed
at every run: changing them in place keeps the compiled model; a new
TimedArray makes a new model."""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, SpikeMonitor, StateMonitor, TimedArray, get_device,
                    ms)

from brian2genn_bridge.translators.functions import egp_name
from utils import assert_spikes_equal, assert_traces_close, genn_device, run_with

TRACED = ["v", "w", "u"]


def timedarray_script():
    rng = np.random.RandomState(3)
    # dt not a multiple of the group's 0.1 ms: Brian upsamples the time grid
    stim = TimedArray(rng.uniform(0.5, 2.0, 37), dt=0.25 * ms, name="ta_stim")
    # shorter than the run: clipped to its last value
    level = TimedArray([1.1, 0.9, 1.3, 1.0, 0.8], dt=1 * ms, name="ta_level")
    drive = TimedArray(rng.uniform(-1, 1, (23, 3)), dt=0.3 * ms, name="ta_drive")
    G = NeuronGroup(6, """dv/dt = (stim(t) * (1 + 0.1*i) + w - v)/(2*ms) : 1
                          w = drive(t, i % 3) : 1
                          u = stim(t) + level(t) : 1""",
                    threshold="v > level(t)", reset="v = 0.2 * level(t)", method="euler",
                    namespace=dict(stim=stim, level=level, drive=drive), name="ta_g")
    trace = StateMonitor(G, TRACED, record=True, name="ta_trace")
    # the functions evaluated on the monitor's own clock
    coarse = StateMonitor(G, ["w", "u"], record=True, dt=0.2 * ms, name="ta_coarse")
    spikes = SpikeMonitor(G, name="ta_spikes")
    net = Network(G, trace, coarse, spikes)
    net.run(4 * ms)
    simulation = genn_device.loaded_model if get_device() is genn_device else None
    # the same TimedArrays with other values
    stim.values[:] = stim.values[::-1].copy()
    drive.values[:] *= -1
    net.run(4 * ms)
    kept = simulation is not None and genn_device.loaded_model is simulation
    return dict({name: getattr(trace, name)[:] for name in TRACED},
                coarse_w=coarse.w[:], coarse_u=coarse.u[:], spike_i=spikes.i[:],
                spike_t=spikes.t[:], model_kept=kept)


def replaced_script():
    """A TimedArray replaced by another (other name and size) between runs,
    as Brian's test_multiple_runs_function_change."""
    G = NeuronGroup(2, "v = inp(t) * (i + 1) : 1", name="ta_replace_g")
    mon = StateMonitor(G, "v", record=True, name="ta_replace_mon")
    net = Network(G, mon)
    net.run(0.2 * ms, namespace={"inp": TimedArray([1.0, 2.0], dt=0.1 * ms, name="ta_first")})
    net.run(0.4 * ms, namespace={"inp": TimedArray([0, 0, 3.0, 4.0, 5.0], dt=0.1 * ms,
                                                   name="ta_second")})
    return mon.v[:]


@pytest.fixture(scope="module")
def reference():
    return run_with("runtime", timedarray_script)


@pytest.fixture(scope="module")
def genn64():
    return run_with("genn", timedarray_script)


@pytest.mark.parametrize("name", TRACED + ["coarse_w", "coarse_u"])
def test_traces(name, reference, genn64):
    assert_traces_close(reference[name], genn64[name], what=name)


def test_spikes(reference, genn64):
    assert len(reference["spike_i"]) > 10
    assert_spikes_equal(reference["spike_i"], reference["spike_t"],
                        genn64["spike_i"], genn64["spike_t"])


def test_values_changed_in_place_keep_the_model(reference, genn64):
    # the second run saw the new values (the trace of u differs between runs)...
    u = reference["u"]
    assert not np.allclose(u[:, 1:40], u[:, 41:80])
    assert_traces_close(u, genn64["u"], what="u")
    # ...without a new GeNN model
    assert genn64["model_kept"]


def test_replaced_timedarray():
    reference = run_with("runtime", replaced_script)
    genn = run_with("genn", replaced_script)
    np.testing.assert_array_equal(reference, [[1, 2, 3, 4, 5, 5], [2, 4, 6, 8, 10, 10]])
    np.testing.assert_array_equal(genn, reference)


def test_float32(reference):
    """float32 models hold the values as float: the functions' results are
    the float32-rounded values."""
    genn32 = run_with("genn", timedarray_script, float_dtype=np.float32)
    assert genn_device.model_description.precision == "float"
    for name in ("w", "coarse_w", "coarse_u"):
        assert_traces_close(reference[name], genn32[name], rtol=1e-6, what=name)


def test_egp_names_are_genn_identifiers_and_distinct():
    names = [egp_name(key) for key in ("_timedarray_values", "timedarray_values",
                                       "__timedarray_values")]
    assert len(set(names)) == 3
    assert not any(name.startswith("_") for name in names)
