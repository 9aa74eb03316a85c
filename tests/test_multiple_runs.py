"""Several `run` calls on the GeNN device against Brian's runtime device:
variables and parameters changed from Python between runs, the model kept
loaded (not rebuilt) when the network did not change, groups switched off
and on, dt changed, and run()'s report argument.

All scripts but the dt one use the network of `build_network` (the same
GeNN model), so that it is compiled once."""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, PopulationRateMonitor, SpikeMonitor,
                    StateMonitor, Synapses, defaultclock, ms, second)
from brian2.utils.logger import catch_logs

from utils import (assert_spikes_equal, assert_traces_close, genn_device, run_both,
                   run_with)


def copy(values):
    return np.array(values, copy=True)


def build_network():
    G = NeuronGroup(10, """dv/dt = (I + I_shared - v)/tau : 1 (unless refractory)
                           I : 1
                           I_shared : 1 (shared)
                           tau : second (constant)""",
                    threshold="v > 1", reset="v = 0", refractory=2 * ms, method="exact",
                    name="runs_g")
    G.I = "0.05*i"
    G.I_shared = 0.8
    G.tau = 10 * ms
    H = NeuronGroup(4, """dv/dt = (1.5 - v)/(7*ms) : 1""", threshold="v > 1", reset="v = 0",
                    method="exact", name="runs_h")
    spikes = SpikeMonitor(G, name="runs_spikes")
    spikes_h = SpikeMonitor(H, name="runs_spikes_h")
    trace = StateMonitor(G, "v", record=[0, 5, 9], name="runs_trace")
    rate = PopulationRateMonitor(G, name="runs_rate")
    net = Network(G, H, spikes, spikes_h, trace, rate)
    return net, G, H, dict(spikes=spikes, spikes_h=spikes_h, trace=trace, rate=rate)


def _monitor_results(m):
    return dict(i=m["spikes"].i[:], t=m["spikes"].t[:], count=m["spikes"].count[:],
                h_i=m["spikes_h"].i[:], h_t=m["spikes_h"].t[:],
                v=m["trace"].v[:], trace_t=m["trace"].t[:],
                rate=m["rate"].rate[:], rate_t=m["rate"].t[:])


def _genn_state():
    """(simulation object, timings) of the GeNN device, None on runtime."""
    if genn_device.has_been_run and genn_device.loaded_model is not None:
        return genn_device.loaded_model, dict(genn_device.timings)
    return None, None


def changes_between_runs():
    net, G, H, monitors = build_network()
    states = []
    snapshots = {}
    net.run(30 * ms)
    states.append(_genn_state())
    # copies: G.v[:] is a view of the device's array
    snapshots["after_1"] = dict(v=copy(G.v), lastspike=copy(G.lastspike),
                                not_refractory=copy(G.not_refractory), h_v=copy(H.v))
    # variables and parameters changed from Python
    G.v[:5] = 0.9                    # a state variable (array)
    G.I_shared = 1.1                 # a shared parameter
    G.tau["i >= 5"] = 5 * ms         # a constant parameter
    G.v["i >= 5"] = "v * 0.5"        # needs GeNN's current values on the host
    snapshots["before_2"] = dict(v=copy(G.v), tau=copy(G.tau))
    net.run(30 * ms)
    states.append(_genn_state())
    G.I = "I + 0.1"
    H.v = "v - 0.3"
    net.run(20 * ms)
    states.append(_genn_state())
    snapshots["after_3"] = dict(v=G.v[:], h_v=H.v[:], I=G.I[:])
    result = _monitor_results(monitors) | {"snapshots": snapshots}
    result["same_simulation"] = [s[0] is states[0][0] for s in states]
    result["timings"] = [s[1] for s in states]
    return result


@pytest.fixture(scope="module")
def changed():
    return run_both(changes_between_runs)


def _assert_same_results(reference, genn):
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    assert_spikes_equal(reference["h_i"], reference["h_t"], genn["h_i"], genn["h_t"])
    np.testing.assert_array_equal(genn["count"], reference["count"])
    np.testing.assert_allclose(genn["trace_t"], reference["trace_t"], rtol=0, atol=1e-12)
    assert_traces_close(reference["v"], genn["v"])
    np.testing.assert_allclose(genn["rate_t"], reference["rate_t"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(genn["rate"], reference["rate"], rtol=1e-12)


def test_changes_between_runs(changed):
    reference, genn = changed
    # the monitors cover all three runs
    assert reference["trace_t"].shape == (800,) and reference["v"].shape == (3, 800)
    _assert_same_results(reference, genn)
    # the changes matter: neuron 0 (I = 0) fires only once I_shared is 1.1
    spikes_0 = reference["t"][reference["i"] == 0]
    assert len(spikes_0) > 0 and spikes_0.min() > 0.030
    for stage, values in reference["snapshots"].items():
        for name, ref in values.items():
            np.testing.assert_allclose(genn["snapshots"][stage][name], ref, rtol=1e-9,
                                       atol=1e-12, err_msg=f"{stage}: {name}")


def test_model_is_reused_between_runs(changed):
    """Nothing structural changed: the second and third run neither rebuild
    nor reload the GeNN model."""
    genn = changed[1]
    assert genn["same_simulation"] == [True, True, True]
    first, *later = genn["timings"]
    assert first["build"] > 0
    for timings in later:
        assert timings["build"] == 0.0 and timings["load"] == 0.0, timings
        assert set(timings) == {"python_setup", "build", "load", "synapses_init",
                                "simulation", "copy_back", "recordings", "run"}


def test_model_is_rebuilt_without_keep_model():
    """prefs.devices.genn.keep_model_between_runs = False: a fresh model per
    run (loaded from the compiled code), the same results."""
    preferences = {"devices.genn.keep_model_between_runs": False}
    reference, genn = run_both(changes_between_runs, preferences=preferences)
    assert genn["same_simulation"] == [True, False, False]
    _assert_same_results(reference, genn)


def switching_groups_off():
    net, G, H, monitors = build_network()
    net.run(20 * ms)
    H.active = False
    monitors["spikes_h"].active = False
    net.run(20 * ms)  # another GeNN model, without H
    h_frozen = copy(H.v)
    G.v = "0.5 * v"
    H.active = True
    monitors["spikes_h"].active = True
    net.run(20 * ms)  # the first model again, H continues where it stopped
    return _monitor_results(monitors) | dict(h_frozen=h_frozen, h_v=H.v[:], v_end=G.v[:])


def test_switching_groups_off_and_on():
    reference, genn = run_both(switching_groups_off)
    # H did not spike while inactive
    h_t = reference["h_t"]
    assert len(h_t) > 0 and not np.any((h_t >= 0.020) & (h_t < 0.040))
    _assert_same_results(reference, genn)
    for name in ("h_frozen", "h_v", "v_end"):
        assert_traces_close(reference[name], genn[name], what=name)


def changing_dt():
    G = NeuronGroup(6, """dv/dt = (I - v)/(10*ms) : 1 (unless refractory)
                          I : 1 (constant)""",
                    threshold="v > 1", reset="v = 0", refractory=1.5 * ms, method="exact",
                    name="dt_g")
    G.I = "1.2 + 0.2*i"
    spikes = SpikeMonitor(G, name="dt_spikes")
    net = Network(G, spikes)
    net.run(20 * ms)
    defaultclock.dt = 0.05 * ms
    net.run(20 * ms)
    return dict(i=spikes.i[:], t=spikes.t[:], v=G.v[:], lastspike=G.lastspike[:])


def test_changing_dt_between_runs():
    reference, genn = run_both(changing_dt)
    assert np.sum(reference["t"] >= 0.020) > 10
    np.testing.assert_array_equal(genn["i"], reference["i"])
    np.testing.assert_allclose(genn["t"], reference["t"], rtol=0, atol=1e-12)
    assert_traces_close(reference["v"], genn["v"])
    np.testing.assert_allclose(genn["lastspike"], reference["lastspike"], rtol=0, atol=1e-12)


def reported_run(report, report_period):
    def script():
        net, G, H, monitors = build_network()
        net.run(50 * ms, report=report, report_period=report_period)
        return _monitor_results(monitors)
    return script


def test_text_report(capsys):
    genn = run_with("genn", reported_run("text", 10 * second))
    out = capsys.readouterr().out
    assert "Starting simulation" in out and "100%" in out, out
    assert len(genn["t"]) > 0


def test_report_callback():
    """A callable report gets (elapsed, completed fraction, start, duration);
    with report_period = 0 it is called during the run, not only at its
    start and end."""
    calls = []

    def report(elapsed, completed, start, duration):
        calls.append((float(elapsed), float(completed), float(start), float(duration)))

    run_with("genn", reported_run(report, 0 * second))
    completed = [c[1] for c in calls]
    assert completed[0] == 0.0 and completed[-1] == 1.0
    assert len(completed) > 2 and np.all(np.diff(completed) >= 0)
    assert all(c[2] == 0.0 and abs(c[3] - 0.05) < 1e-12 for c in calls)


def store_and_restore():
    net, G, H, monitors = build_network()
    net.run(10 * ms)
    net.store("checkpoint")
    net.run(20 * ms)
    first_try = dict(v=copy(G.v), i=copy(monitors["spikes"].i), t=copy(monitors["spikes"].t))
    net.restore("checkpoint")
    G.I_shared = 1.0
    net.run(20 * ms)
    return _monitor_results(monitors) | dict(first_try=first_try, v_end=G.v[:],
                                             t_end=float(net.t))


def test_store_and_restore():
    """Network.store/restore: the state (also of the monitors and the clock)
    goes back to the checkpoint, the GeNN model continues from there."""
    reference, genn = run_both(store_and_restore)
    assert reference["t_end"] == genn["t_end"] == pytest.approx(0.030)
    _assert_same_results(reference, genn)
    assert_traces_close(reference["v_end"], genn["v_end"])
    assert_traces_close(reference["first_try"]["v"], genn["first_try"]["v"])
    assert_spikes_equal(reference["first_try"]["i"], reference["first_try"]["t"],
                        genn["first_try"]["i"], genn["first_try"]["t"])
    # the restored run differs from the first try (I_shared changed)
    assert not np.allclose(reference["v_end"], reference["first_try"]["v"])


def monitoring_an_inactive_group():
    """Brian's test_base.py::test_active_flag, with spikes: an inactive group
    stays as it is, and the monitors of it that are active record that."""
    G = NeuronGroup(3, "dv/dt = (2 - v)/(3*ms) : 1", threshold="v > 1", reset="v = 0",
                    method="exact", name="runs_inactive_g")
    trace = StateMonitor(G, "v", record=[0, 2], name="runs_inactive_trace")
    spikes = SpikeMonitor(G, name="runs_inactive_spikes")
    net = Network(G, trace, spikes)
    trace.active = False
    net.run(5 * ms)
    trace.active = True
    G.active = False
    net.run(2 * ms)
    return dict(t=trace.t[:], v=trace.v[:], i=spikes.i[:], spike_t=spikes.t[:],
                v_end=G.v[:])


def test_monitors_of_an_inactive_group():
    reference, genn = run_both(monitoring_an_inactive_group)
    # the trace starts with the second run and is flat
    assert reference["t"][0] == pytest.approx(0.005)
    assert np.all(reference["v"] == reference["v"][:, :1])
    assert genn["t"].shape == reference["t"].shape
    np.testing.assert_allclose(genn["t"], reference["t"], rtol=0, atol=1e-12)
    assert_traces_close(reference["v"], genn["v"], what="v")
    assert_traces_close(reference["v_end"], genn["v_end"], what="v_end")
    assert_spikes_equal(reference["i"], reference["spike_t"], genn["i"], genn["spike_t"])


def recording_single_timesteps():
    """StateMonitor.record_single_timestep between runs (Brian's
    test_monitor.py::test_state_monitor_record_single_timestep)."""
    G = NeuronGroup(2, "dv/dt = -v/(5*ms) : 1", method="exact", name="runs_single_g")
    G.v = [1, 2]
    trace = StateMonitor(G, "v", record=True, name="runs_single_trace")
    net = Network(G, trace)
    net.run(0.5 * ms)
    trace.record_single_timestep()
    G.v[1] = 3
    net.run(0.3 * ms)
    trace.record_single_timestep()
    return dict(t=trace.t[:], v=trace.v[:], v_end=G.v[:])


def test_record_single_timestep():
    reference, genn = run_both(recording_single_timesteps)
    assert len(reference["t"]) == 5 + 1 + 3 + 1
    np.testing.assert_allclose(genn["t"], reference["t"], rtol=0, atol=1e-12)
    assert_traces_close(reference["v"], genn["v"], what="v")
    # the last sample is the value at the end of the run
    assert_traces_close(genn["v"][:, -1], genn["v_end"], what="last sample")


def profiled_runs():
    G = NeuronGroup(10, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    name="runs_profiled")
    G.v = "1.1 + 0.01 * i"
    net = Network(G)
    try:
        net.run(1 * ms, profile=True)
    except NotImplementedError as error:
        profiled = str(error)
    else:
        profiled = "ran"
    net.run(1 * ms, profile=False)
    try:
        net.profiling_info
    except ValueError:
        unprofiled = "ValueError"
    else:
        unprofiled = "no error"
    return dict(profiled=profiled, unprofiled=unprofiled, t=float(net.t))


def test_profile_is_not_implemented():
    """profile=True asks for a time per Brian code object, which GeNN's
    kernels (one for all neuron groups) do not have: NotImplementedError,
    before anything is built or run, with the workaround; the network runs
    on, and a run without profile=True has no profiling info, as on Brian's
    runtime device."""
    reference, genn = run_both(profiled_runs)
    assert reference["profiled"] == "ran"
    assert "profile=True" in genn["profiled"] and "kernel_timing" in genn["profiled"]
    assert reference["unprofiled"] == genn["unprofiled"] == "ValueError"
    assert genn["t"] == pytest.approx(reference["t"] - 1e-3)


def timed_runs():
    G = NeuronGroup(50, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    name="runs_timed")
    G.v = "i / 50.0"
    spikes = SpikeMonitor(G, name="runs_timed_spikes")
    net = Network(G, spikes)
    net.run(2 * ms)
    net.run(3 * ms)
    return dict(i=spikes.i[:], t=spikes.t[:])


def test_kernel_timing():
    """prefs.devices.genn.kernel_timing: GeNN's kernel times of the last
    run in device.timings, results unchanged."""
    reference, genn = run_both(timed_runs, preferences={"devices.genn.kernel_timing": True})
    assert len(reference["i"]) > 10
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    kernels = {name: seconds for name, seconds in genn_device.timings.items()
               if name.startswith("kernel_")}
    assert set(kernels) == {"kernel_neuron_update", "kernel_presynaptic_update",
                            "kernel_postsynaptic_update", "kernel_synapse_dynamics"}
    assert all(seconds >= 0 for seconds in kernels.values())
    assert kernels["kernel_neuron_update"] > 0


def connections_added_between_runs():
    G = NeuronGroup(10, "dv/dt = (1 + 0.1 * i)/ms : 1", threshold="v > 1", reset="v = 0",
                    name="runs_grow_source")
    P = NeuronGroup(10, "x : 1", name="runs_grow_target")
    # w changes in the simulation: GeNN's values must survive the resize
    S = Synapses(G, P, "w : 1", on_pre="x_post += w\nw += 0.5", name="runs_grow")
    S.connect(j="i")
    S.w = "i"
    net = Network(G, P, S)
    net.run(3 * ms)
    S.connect(i=0, j=np.arange(10))
    S.w["i == 0 and j > 0"] = 10
    net.run(3 * ms)
    return dict(x=P.x[:], w=S.w[:], i=S.i[:], j=S.j[:])


def test_connections_added_between_runs():
    reference, genn = run_both(connections_added_between_runs)
    assert len(genn["w"]) == len(reference["w"]) == 20
    for name in ("i", "j"):
        np.testing.assert_array_equal(genn[name], reference[name])
    assert_traces_close(reference["w"], genn["w"], what="w")
    assert_traces_close(reference["x"], genn["x"], what="x")


def delayed_network():
    G = NeuronGroup(5, "dv/dt = (1.5 + 0.1*i - v)/(5*ms) : 1", threshold="v > 1",
                    reset="v = 0", name="runs_delayed_source")
    H = NeuronGroup(5, "x : 1", name="runs_delayed_target")
    S = Synapses(G, H, on_pre="x_post += 1", delay=3 * ms, name="runs_delayed_one")
    S.connect(j="i")
    T = Synapses(G, H, on_pre="x_post += 100", name="runs_delayed_each")
    T.connect(j="i")
    T.delay = "i * 1*ms"
    return Network(G, H, S, T), H


def trials_from_a_stored_start():
    # the training-loop pattern: store before the first run, restore before each
    net, target = delayed_network()
    net.store()
    trials = []
    for _ in range(3):
        net.restore()
        net.run(7 * ms)
        trials.append(copy(target.x[:]))
    # a restore right after its store leaves the spikes in flight in place
    net.store("late")
    net.restore("late")
    net.run(4 * ms)
    return dict(trials=np.array(trials), late=target.x[:])


def test_restore_with_delays():
    """Spikes in flight: none after restoring a state stored before the
    first run (GeNN's queues are emptied), the same after a restore right
    after its store."""
    reference, genn = run_both(trials_from_a_stored_start)
    assert np.all(reference["trials"] == reference["trials"][0])
    np.testing.assert_array_equal(genn["trials"], reference["trials"])
    np.testing.assert_array_equal(genn["late"], reference["late"])


def restore_with_spikes_in_flight():
    net, _ = delayed_network()
    net.run(6 * ms)
    net.store()
    net.run(4 * ms)
    net.restore()
    net.run(4 * ms)


def test_restore_with_spikes_in_flight_is_not_implemented():
    """GeNN's queues cannot be stored: restoring a state stored after a run
    with delays raises at the next run, instead of delivering the wrong
    spikes (the script itself is valid Brian)."""
    run_with("runtime", restore_with_spikes_in_flight)
    with pytest.raises(NotImplementedError, match="Network.restore"):
        run_with("genn", restore_with_spikes_in_flight)


def _rebuilt_with_spikes_in_flight(change: str):
    """A network with delayed pathways (one delay for all synapses, a delay
    per synapse, delayed on_post) run, changed while spikes are in flight,
    run again: GeNN builds another model."""
    def script():
        G = NeuronGroup(5, "dv/dt = (1.3 + 0.1*i - v)/(4*ms) : 1", threshold="v > 1",
                        reset="v = 0", name="carry_g")
        H = NeuronGroup(5, """dv/dt = (1.2 + 0.05*i - v)/(3*ms) : 1
                              y : 1""", threshold="v > 1", reset="v = 0", name="carry_h")
        one = Synapses(G, H, "w : 1", on_pre="y_post += w", delay=2 * ms, name="carry_one")
        one.connect()
        one.w = "i + 0.1*j"
        each = Synapses(G, H, "w : 1", on_pre="y_post += 100*w", name="carry_each")
        each.connect(j="i")
        each.w = 1
        each.delay = "(1 + i) * 0.7*ms"
        back = Synapses(G, H, "w : 1", on_post="w += 1", name="carry_back")
        back.connect(j="i")
        back.post.delay = 1.5 * ms
        net = Network(G, H, one, each, back)
        net.run(10.05 * ms)
        if change == "monitor":
            monitor = SpikeMonitor(G, name="carry_monitor")
            net.add(monitor)
        elif change == "remove":
            # Brian's queue of a Synapses not run delivers nothing
            net.remove(one)
        elif change == "summed":
            # per-step synaptic code: two GeNN steps per Brian step
            H2 = NeuronGroup(5, "s : 1", name="carry_h2")
            summed = Synapses(G, H2, "s_post = v_pre : 1 (summed)", name="carry_summed")
            summed.connect(j="i")
            net.add(H2, summed)
        elif change == "pathway":
            # a new delayed pathway from G: Brian gives it no spike from before
            late = Synapses(G, H, on_pre="y_post += 1000", delay=2 * ms,
                            name="carry_late")
            late.connect(j="i")
            net.add(late)
        net.run(10 * ms)
        return dict(y=H.y[:], w=back.w[:])
    return script


@pytest.mark.parametrize("change, warning", [("monitor", None), ("remove", "'carry_one'")])
def test_spikes_in_flight_survive_a_rebuild(change, warning):
    """Brian delivers the spikes in flight when the network changed between
    runs: GeNN's queues move into the new model. Those of a Synapses taken
    out are dropped with a warning (Brian keeps them until it runs again)."""
    with catch_logs(only_from=("brian2genn_bridge",)) as logs:
        reference, genn = run_both(_rebuilt_with_spikes_in_flight(change))
    np.testing.assert_array_equal(genn["y"], reference["y"])
    np.testing.assert_array_equal(genn["w"], reference["w"])
    warnings = [log[2] for log in logs if "rebuild_delays" in log[1]]
    if warning is None:
        assert not warnings
    else:
        assert len(warnings) == 1 and warning in warnings[0]


@pytest.mark.parametrize("change, reason", [
    ("pathway", "a delayed pathway from 'carry_g' is new or changed"),
    ("summed", "another number of GeNN steps per Brian step")])
def test_spikes_in_flight_not_carried_raise(change, reason):
    """A new delayed pathway reading the queue of a group with spikes in
    flight would deliver them (Brian does not), and a model with another
    number of GeNN steps per Brian step counts its queues in other steps:
    the spikes cannot be carried, so the run stops at a named error before
    anything is built (it dropped them with a warning, a difference from
    Brian that the differential fuzzer counts)."""
    with pytest.raises(NotImplementedError, match=reason):
        run_with("genn", _rebuilt_with_spikes_in_flight(change))