"""Monitors on the GeNN device against Brian's runtime device (numpy):
SpikeMonitor (recorded variables, counts, spike trains), StateMonitor
(subsets of indices, own dt, record=True/False, no variables,
subexpressions, booleans, shared variables), PopulationRateMonitor, and long
runs whose recordings are copied back in many chunks."""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, PopulationRateMonitor, SpikeMonitor, Synapses,
                    SpikeGeneratorGroup, StateMonitor, Hz, ms, seed)

from utils import (assert_same_values, assert_spikes_equal, assert_traces_close, genn_device,
                   run_both)


def monitors_script():
    G = NeuronGroup(15, """dv/dt = (I - v)/tau : 1 (unless refractory)
                           I : 1 (constant)
                           tau : second (shared, constant)
                           w = 2*v + I : 1""",
                    threshold="v > 1", reset="v = 0", refractory=2 * ms, method="exact",
                    name="mon_g")
    G.I = "0.6 + 0.1*i"
    G.v = "0.07*i"
    G.tau = 10 * ms
    # a group that never spikes
    H = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    method="exact", name="mon_silent")
    H.v = 0.5
    monitors = dict(
        spikes_vars=SpikeMonitor(G, variables=["v", "I", "w"], name="mon_spikes_vars"),
        spikes_count=SpikeMonitor(G, record=False, name="mon_spikes_count"),
        spikes_sub=SpikeMonitor(G[3:9], variables="v", name="mon_spikes_sub"),
        spikes_silent=SpikeMonitor(H, variables="v", name="mon_spikes_silent"),
        state_all=StateMonitor(G, "v", record=True, name="mon_state_all"),
        state_some=StateMonitor(G, ["v", "w"], record=[0, 7, 14], dt=0.5 * ms,
                                name="mon_state_some"),
        state_sub=StateMonitor(G[5:], "v", record=[4, 1], dt=0.3 * ms, name="mon_state_sub"),
        state_none=StateMonitor(G, "v", record=False, name="mon_state_none"),
        # only the times
        state_nothing=StateMonitor(G, [], record=True, name="mon_state_nothing"),
        state_misc=StateMonitor(G, ["not_refractory", "lastspike", "tau"], record=[1, 12],
                                name="mon_state_misc"),
        rate=PopulationRateMonitor(G, name="mon_rate"),
        rate_sub=PopulationRateMonitor(G[:6], name="mon_rate_sub"),
        rate_silent=PopulationRateMonitor(H, name="mon_rate_silent"),
    )
    net = Network(G, H, *monitors.values())
    net.run(0 * ms)  # an empty run must not record anything
    net.run(60 * ms)
    m = monitors
    result = {}
    for name in ("spikes_vars", "spikes_sub", "spikes_silent"):
        mon = m[name]
        result[name] = dict(i=mon.i[:], t=mon.t[:], count=mon.count[:],
                            num_spikes=mon.num_spikes,
                            trains=[mon.spike_trains()[k][:] for k in range(len(mon.source))],
                            v=mon.v[:], v_values=[mon.values("v")[k][:]
                                                  for k in range(len(mon.source))])
    result["spikes_vars"].update(I=m["spikes_vars"].I[:], w=m["spikes_vars"].w[:])
    result["spikes_count"] = dict(count=m["spikes_count"].count[:],
                                  num_spikes=m["spikes_count"].num_spikes)
    for name in ("state_all", "state_some", "state_sub", "state_none", "state_nothing",
                 "state_misc"):
        mon = m[name]
        result[name] = {var: getattr(mon, var)[:] for var in mon.record_variables}
        result[name]["t"] = mon.t[:]
    for name in ("rate", "rate_sub", "rate_silent"):
        result[name] = dict(t=m[name].t[:], rate=m[name].rate[:],
                            smooth=m[name].smooth_rate(width=2 * ms)[:])
    return result


@pytest.fixture(scope="module")
def monitored():
    return run_both(monitors_script)


def test_spike_monitor_with_variables(monitored):
    reference, genn = (r["spikes_vars"] for r in monitored)
    assert reference["num_spikes"] > 30 and reference["count"][0] == 0
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    np.testing.assert_array_equal(genn["count"], reference["count"])
    assert genn["num_spikes"] == reference["num_spikes"]
    # values at the spike, before the reset (v > threshold)
    assert np.all(reference["v"] > 1)
    for name in ("v", "I", "w"):
        assert_traces_close(reference[name], genn[name], what=name)
    for k, (ref, train) in enumerate(zip(reference["trains"], genn["trains"])):
        np.testing.assert_allclose(train, ref, rtol=0, atol=1e-12, err_msg=f"train {k}")
        assert_traces_close(reference["v_values"][k], genn["v_values"][k], what=f"values {k}")


def test_spike_monitor_count_only(monitored):
    reference, genn = (r["spikes_count"] for r in monitored)
    np.testing.assert_array_equal(genn["count"], reference["count"])
    assert reference["num_spikes"] == reference["count"].sum() > 30
    assert genn["num_spikes"] == reference["num_spikes"]
    np.testing.assert_array_equal(genn["count"], monitored[1]["spikes_vars"]["count"])


def test_spike_monitor_on_subgroup(monitored):
    reference, genn = (r["spikes_sub"] for r in monitored)
    assert len(reference["count"]) == 6 and reference["i"].max() == 5
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    np.testing.assert_array_equal(genn["count"], reference["count"])
    assert_traces_close(reference["v"], genn["v"])


def test_spike_monitor_without_spikes(monitored):
    reference, genn = (r["spikes_silent"] for r in monitored)
    assert reference["num_spikes"] == genn["num_spikes"] == 0
    assert len(genn["i"]) == len(genn["t"]) == len(genn["v"]) == 0
    np.testing.assert_array_equal(genn["count"], [0])


@pytest.mark.parametrize("name", ["state_all", "state_some", "state_sub", "state_none",
                                  "state_nothing", "state_misc"])
def test_state_monitors(name, monitored):
    reference, genn = (r[name] for r in monitored)
    assert set(genn) == set(reference)
    np.testing.assert_allclose(genn["t"], reference["t"], rtol=0, atol=1e-12)
    expected_samples = {"state_all": 600, "state_some": 120, "state_sub": 200,
                        "state_none": 600, "state_nothing": 600, "state_misc": 600}[name]
    assert len(reference["t"]) == expected_samples
    for var in set(reference) - {"t"}:
        assert genn[var].shape == reference[var].shape, var
        assert genn[var].dtype == reference[var].dtype, var
        if reference[var].dtype == bool:
            np.testing.assert_array_equal(genn[var], reference[var], err_msg=var)
        else:
            assert_traces_close(reference[var], genn[var], what=var)


def test_state_monitor_orders_its_indices_as_given(monitored):
    """record=[4, 1] on G[5:]: rows are neurons 9 and 6 of the group."""
    genn = monitored[1]
    sub = genn["state_sub"]["v"]
    every_step = genn["state_all"]["v"]
    np.testing.assert_array_equal(sub[0], every_step[9, ::3])
    np.testing.assert_array_equal(sub[1], every_step[6, ::3])


@pytest.mark.parametrize("name", ["rate", "rate_sub", "rate_silent"])
def test_population_rate_monitors(name, monitored):
    reference, genn = (r[name] for r in monitored)
    np.testing.assert_allclose(genn["t"], reference["t"], rtol=0, atol=1e-12)
    assert len(reference["t"]) == 600
    if name != "rate_silent":
        assert reference["rate"].max() > 0
    np.testing.assert_allclose(genn["rate"], reference["rate"], rtol=1e-12)
    np.testing.assert_allclose(genn["smooth"], reference["smooth"], rtol=1e-9,
                               atol=1e-9 * reference["smooth"].max())


def time_dependent_subexpression():
    G = NeuronGroup(3, """dv/dt = (I - v)/(10*ms) : 1
                          I = sin(2*pi*f*t + phase) : 1
                          phase : 1 (constant)
                          f : Hz (shared, constant)""",
                    method="euler", name="mon_t_dep")
    G.phase = "i*pi/3"
    G.f = 50 * Hz
    trace = StateMonitor(G, ["I", "v"], record=True, name="mon_t_dep_trace")
    Network(G, trace).run(20 * ms)
    return dict(I=trace.I[:], v=trace.v[:])


def test_state_monitor_records_time_dependent_subexpression():
    """A recorded subexpression that depends on t: in the monitor's code
    Brian refers to the group's t under another name (``__source_I_..._t``)."""
    reference, genn = run_both(time_dependent_subexpression)
    assert np.ptp(reference["I"]) > 1.5
    assert_traces_close(reference["I"], genn["I"], what="I")
    assert_traces_close(reference["v"], genn["v"], what="v")


# ---------------------------------------------------- long, chunked recording
BUFFER_BYTES = 200_000


def long_recording():
    seed(11)
    G = NeuronGroup(1000, """dv/dt = (I - v)/tau : 1 (unless refractory)
                             I : 1 (constant)
                             tau : second (constant)""",
                    threshold="v > 1", reset="v = 0", refractory=2 * ms, method="exact",
                    name="long_g")
    G.I = "1.05 + 0.6*rand()"
    G.tau = "(8 + 8*rand())*ms"
    G.v = "rand()"
    spikes = SpikeMonitor(G, variables="v", name="long_spikes")
    state = StateMonitor(G, "v", record=np.arange(0, 1000, 5), name="long_state")
    state_slow = StateMonitor(G, "v", record=np.arange(3, 1000, 10), dt=0.3 * ms,
                              name="long_state_slow")
    rate = PopulationRateMonitor(G, name="long_rate")
    net = Network(G, spikes, state, state_slow, rate)
    # 10007 steps (a prime: no chunk size divides it); the second run starts
    # at step 5002, off the grid of the monitor recording every 3 steps
    net.run(500.2 * ms)
    net.run(500.5 * ms)
    result = dict(i=spikes.i[:], t=spikes.t[:], v_spike=spikes.v[:], count=spikes.count[:],
                  state_t=state.t[:], state_v=state.v[:],
                  slow_t=state_slow.t[:], slow_v=state_slow.v[:],
                  rate_t=rate.t[:], rate=rate.rate[:])
    if genn_device.loaded_model is not None:
        result["recording_steps"] = genn_device.loaded_model.recording_steps
    return result


def test_long_run_recorded_in_many_chunks():
    """1000 neurons, 1 s at dt = 0.1 ms (10007 steps, in two runs): a SpikeMonitor with a
    recorded variable, a StateMonitor of 200 neurons every step, one of 100
    neurons every 3 steps and a PopulationRateMonitor. With
    prefs.devices.genn.recording_buffer_bytes = 200 kB, GeNN's recording
    buffers hold only a few dozen steps, so the run is split into hundreds of
    chunks, copied back one after the other: chunked copying must lose (or
    duplicate) nothing, every spike and every sample equal to the runtime
    device's, including across chunk boundaries that fall between the samples
    of the monitor with dt = 3 dt."""
    preferences = {"devices.genn.recording_buffer_bytes": BUFFER_BYTES}
    reference, genn = run_both(long_recording, preferences=preferences)
    steps_per_chunk = genn["recording_steps"]
    assert steps_per_chunk < 100, steps_per_chunk  # really many chunks
    assert len(reference["i"]) > 20000  # ~30 Hz x 1000 neurons x 1 s
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    np.testing.assert_array_equal(genn["count"], reference["count"])
    assert_traces_close(reference["v_spike"], genn["v_spike"], what="v at spikes")
    assert reference["state_v"].shape == (200, 10007)
    assert reference["slow_v"].shape == (100, 3336)
    for key in ("state_t", "slow_t", "rate_t"):
        np.testing.assert_allclose(genn[key], reference[key], rtol=0, atol=1e-12, err_msg=key)
    assert_traces_close(reference["state_v"], genn["state_v"], what="v every step")
    assert_traces_close(reference["slow_v"], genn["slow_v"], what="v every 3 steps")
    np.testing.assert_allclose(genn["rate"], reference["rate"], rtol=1e-12)


def synchronous_spikes():
    """Two groups with SpikeMonitors, recorded in windows of a few steps: one
    of 40 irregularly spiking neurons, one of 100 neurons spiking in groups
    of 25 in the same steps (many set bits in one word of GeNN's spike
    recording). The second run starts in the middle of the recording buffer."""
    irregular = NeuronGroup(40, "dv/dt = (1.05 + 0.01*i - v)/(10*ms) : 1",
                            threshold="v > 1", reset="v = 0", method="exact",
                            name="sync_irregular")
    irregular.v = "(0.618*i) % 1"
    together = NeuronGroup(100, "dv/dt = 1/(2.3*ms) : 1", threshold="v > 1",
                           reset="v = 0", method="euler", name="sync_together")
    together.v = "0.2*(i % 4)"
    monitors = [SpikeMonitor(irregular, name="sync_irregular_spikes"),
                SpikeMonitor(together, name="sync_together_spikes")]
    net = Network(irregular, together, *monitors)
    net.run(20 * ms)
    net.run(13.3 * ms)
    result = {mon.name: dict(i=mon.i[:], t=mon.t[:]) for mon in monitors}
    result["recording_steps"] = (genn_device.loaded_model.recording_steps
                                 if genn_device.loaded_model is not None else 0)
    return result


def test_synchronous_spikes_in_many_windows():
    """Every spike of both groups, in Brian's order (by time step, then by
    neuron index), when the spike recordings of both groups are copied back
    in windows of 35 steps that the second run's start does not align with."""
    # 4 * (2 + 4) bytes of spike recording per step
    preferences = {"devices.genn.recording_buffer_bytes": 35 * 24}
    reference, genn = run_both(synchronous_spikes, preferences=preferences)
    assert genn["recording_steps"] == 35
    for name in ("sync_irregular_spikes", "sync_together_spikes"):
        ref, got = reference[name], genn[name]
        assert len(ref["i"]) > 50
        np.testing.assert_array_equal(got["i"], ref["i"], err_msg=name)
        np.testing.assert_array_equal(np.round(got["t"] / 1e-4), np.round(ref["t"] / 1e-4),
                                      err_msg=name)
    # synchronous spikes: 25 neurons in one step
    steps, counts = np.unique(np.round(reference["sync_together_spikes"]["t"] / 1e-4),
                              return_counts=True)
    assert counts.max() >= 25
# ------------------------------------------- SpikeMonitor in later slots
def spike_monitor_slots():
    G = NeuronGroup(20, """dv/dt = (I - v)/(5*ms) : 1
                           I : 1 (constant)
                           n : integer
                           ge : 1""",
                    threshold="v > 1", reset="v = -0.5*ge; n += 1; ge = 0",
                    method="exact", name="slots_g")
    G.I = "1.2 + 0.05*i"
    G.v = "0.05*i"
    # the synaptic input of Brian's 'synapses' slot lies between the
    # threshold and the reset
    S = Synapses(G, G, on_pre="ge_post += 0.25", name="slots_s")
    S.connect(j="(i + 3) % 20")
    # a group without reset
    H = NeuronGroup(4, """dv/dt = 2*sin(2*pi*t/(3*ms))/ms : 1
                          m = 2*v + t/ms : 1""", threshold="v > 0.2 + i*0.1",
                    method="euler", name="slots_h")
    monitors = dict(
        thresholds=SpikeMonitor(G, variables=["v", "n", "ge"], name="slots_thresholds"),
        before_resets=SpikeMonitor(G, variables=["v", "n", "ge"], when="before_resets",
                                   name="slots_before_resets"),
        resets_before=SpikeMonitor(G, variables=["v", "n"], when="resets", order=-1,
                                   name="slots_resets_before"),
        resets_after=SpikeMonitor(G, variables=["v", "n"], when="resets", order=1,
                                  name="slots_resets_after"),
        after_resets=SpikeMonitor(G, variables=["v", "n", "ge"], when="after_resets",
                                  name="slots_after_resets"),
        end_sub=SpikeMonitor(G[5:12], variables="n", when="end", name="slots_end_sub"),
        no_reset=SpikeMonitor(H, variables=["v", "m"], when="after_resets",
                              name="slots_no_reset"),
    )
    net = Network(G, S, H, *monitors.values())
    net.run(7.3 * ms)
    G.n = 100  # changed between runs
    net.run(12.2 * ms)
    return {name: dict(i=mon.i[:], t=mon.t[:], count=mon.count[:],
                       **{var: getattr(mon, var)[:] for var in mon.record_variables
                          if var not in ("i", "t")})
            for name, mon in monitors.items()}


@pytest.mark.parametrize("buffer_bytes", [None, 2_000, 20_000])
def test_spike_monitor_in_slots_after_thresholds(buffer_bytes):
    """SpikeMonitors with ``when`` after 'thresholds' record the values of
    their slot: after the synaptic input, before or after the reset (Brian's
    order within 'resets'), at the end; on a subgroup and on a group
    without reset. GeNN takes these values in the next time step, also
    across the chunks of a small recording buffer and across runs."""
    preferences = ({"devices.genn.recording_buffer_bytes": buffer_bytes}
                   if buffer_bytes else None)
    reference, genn = run_both(spike_monitor_slots, preferences=preferences)
    assert len(reference["thresholds"]["i"]) > 50
    # the slots really differ
    assert np.any(reference["thresholds"]["ge"] != reference["before_resets"]["ge"])
    assert np.all(reference["after_resets"]["n"] == reference["thresholds"]["n"] + 1)
    assert np.any(reference["resets_before"]["v"] != reference["resets_after"]["v"])
    assert len(reference["no_reset"]["i"]) > 10
    for name, ref in reference.items():
        assert_spikes_equal(ref["i"], ref["t"], genn[name]["i"], genn[name]["t"])
        for var in set(ref) - {"i", "t"}:
            assert_same_values(ref[var], genn[name][var], what=f"{name}.{var}")


@pytest.mark.parametrize("shape", [(3, 5), (7, 4), (1, 1), (40, 33), (600, 4001)])
def test_spike_bitmask_decoding(shape):
    """GeNN's spike recording (one bit per neuron and step, in rows of
    32-bit words) decodes to the same (step, neuron) pairs as unpacking its
    bytes, for buffers of an odd and even number of words, dense and sparse,
    large enough to be scanned in parts, and row slices that start
    mid-buffer (a wrapped window)."""
    from brian2genn_bridge.genn.spike_bits import set_bits

    rng = np.random.default_rng(sum(shape))
    words = (rng.integers(0, 2**32, shape, dtype=np.uint32)
             & rng.integers(0, 2**32, shape, dtype=np.uint32))
    words[rng.random(shape) < (0.6 if words.size < 1000 else 0.999)] = 0
    for window in (words, words[1:]):
        bits = np.unpackbits(window.astype("<u4").view(np.uint8), axis=1, bitorder="little")
        rows, ids = np.nonzero(bits)
        rows_found, ids_found = set_bits(window)
        np.testing.assert_array_equal(rows_found, rows)
        np.testing.assert_array_equal(ids_found, ids)


SLOTS = ["start", "before_groups", "groups", "after_groups", "before_thresholds",
         "thresholds", "after_thresholds", "before_synapses", "synapses", "after_synapses",
         "before_resets", "resets", "after_resets", "before_end", "end"]


def test_state_monitors_in_every_slot():
    """StateMonitors in every slot of Brian's schedule, before and after the
    group's own code of that slot (Brian's Izhikevich and Naud examples record
    in 'thresholds', before the reset), with synaptic input, a run_regularly
    operation and two runs: exact."""

    def script():
        G = NeuronGroup(4, """dv/dt = (1.5 + 0.2*i - v)/(5*ms) : 1
                              x : 1""", threshold="v > 1", reset="v = 0; x += 1",
                        method="exact", name="slots_g")
        G.run_regularly("x += 0.5", when="before_groups", name="slots_rr")
        source = SpikeGeneratorGroup(1, [0, 0], [1, 2.5] * ms, name="slots_src")
        S = Synapses(source, G, on_pre="v += 0.3", name="slots_s")
        S.connect()
        monitors = [StateMonitor(G, ["v", "x"], record=True, when=when, order=order,
                                 name=f"slots_{when}_{k}")
                    for when in SLOTS for k, order in enumerate((-1, 1))]
        net = Network(G, source, S, *monitors)
        net.run(3 * ms)
        net.run(2 * ms)
        return [(m.v[:], m.x[:], m.t[:]) for m in monitors]

    reference, genn = run_both(script)
    for when_order, expected, values in zip([(w, o) for w in SLOTS for o in (-1, 1)],
                                            reference, genn):
        for e, v in zip(expected, values):
            assert_same_values(e, v, what=str(when_order))
