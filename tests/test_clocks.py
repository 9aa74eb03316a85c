"""Groups on clocks whose dt is an integer multiple of the network's smallest
(GeNN's time step) against Brian's runtime device, value for value in
float64: NeuronGroups updated every k steps (state update, threshold,
refractoriness, reset, run_regularly), a SpikeGeneratorGroup and a
PoissonGroup on slower clocks, synaptic pathways on their source's clock
(delays rounded to its steps) in both directions between clocks, the times
the code of each group sees, and monitors of slow groups. A PoissonGroup on a
slower clock (random: its statistics)."""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, PoissonGroup, PopulationRateMonitor,
                    SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses, Hz, ms, seed)

from utils import (assert_spikes_equal, assert_traces_close, mean_rate_with_se, run_both,
                   run_with)


def several_clocks():
    seed(3)
    # every 5 GeNN steps, with a period
    source = SpikeGeneratorGroup(3, [0, 1, 2, 0, 1, 2, 0], [0, 0.5, 1, 1.5, 2.5, 3, 3.5] * ms,
                                 dt=0.5 * ms, period=4 * ms, name="clk_source")
    # every step (the smallest dt)
    fast = NeuronGroup(3, """dv/dt = (1.2 - v)/(2*ms) : 1
                             ticks : integer""",
                       threshold="v > 1", reset="v = 0", method="exact", dt=0.1 * ms,
                       name="clk_fast")
    # every 3 steps: updated, spiking, refractory and reset on its own clock
    slow = NeuronGroup(4, """dv/dt = (drive - v)/(1*ms) : 1 (unless refractory)
                             drive : 1
                             ge : 1
                             tick_t : second
                             tick_dt : second""",
                       threshold="v > 1", reset="v = 0.1*ge", refractory=0.6 * ms,
                       method="euler", dt=0.3 * ms, name="clk_slow")
    slow.drive = "1.1 + 0.3*i"
    slow.run_regularly("tick_t = t\ntick_dt = dt", name="clk_slow_times")
    # a run_regularly on a clock that is a multiple of the network's, not of the group's
    fast.run_regularly("ticks += 1", dt=0.2 * ms, name="clk_fast_ticks")
    # slow source: delay rounded to its 0.5 ms steps (0.7 ms -> 0.5 ms)
    s_in = Synapses(source, fast, "seen : second", on_pre="v_post += 0.3\nseen = t",
                    delay=0.7 * ms, name="clk_s_in")
    s_in.connect()
    # fast into slow (the input arrives between the slow group's ticks)
    s_up = Synapses(fast, slow, on_pre="ge_post += 0.2", name="clk_s_up")
    s_up.connect(p=0.8)
    # slow into fast, with a delay of 2 of its steps, and a Synapses
    # clock of its own (its t seen by the pathway, which runs on the
    # source's clock)
    s_down = Synapses(slow, fast, "last : second", on_pre="v_post += 0.1\nlast = t",
                      delay=0.6 * ms, dt=0.4 * ms, name="clk_s_down")
    s_down.connect()
    monitors = dict(
        fast_spikes=SpikeMonitor(fast, variables="v", name="clk_fast_spikes"),
        slow_spikes=SpikeMonitor(slow, variables=["v", "ge"], name="clk_slow_spikes"),
        slow_after=SpikeMonitor(slow, variables="v", when="after_resets",
                                name="clk_slow_after"),
        source_spikes=SpikeMonitor(source, name="clk_source_spikes"),
        slow_rate=PopulationRateMonitor(slow, name="clk_slow_rate"),
        # the slow group's clock, and every GeNN step
        slow_state=StateMonitor(slow, ["v", "ge", "tick_t", "tick_dt", "not_refractory"],
                                record=True, name="clk_slow_state"),
        slow_fine=StateMonitor(slow, ["v", "ge"], record=[0, 3], dt=0.1 * ms, when="end",
                               name="clk_slow_fine"),
        fast_state=StateMonitor(fast, ["v", "ticks"], record=True,
                                name="clk_fast_state"),
    )
    net = Network(source, fast, slow, s_in, s_up, s_down, *monitors.values())
    # run ends between the ticks of the slower clocks
    net.run(5.2 * ms)
    slow.drive = "1.5 - 0.1*i"
    net.run(4.1 * ms)
    result = {}
    for name, mon in monitors.items():
        result[name] = {var: getattr(mon, var)[:]
                        for var in getattr(mon, "record_variables", [])}
        result[name]["t"] = mon.t[:]
        if isinstance(mon, SpikeMonitor):
            result[name]["i"] = mon.i[:]
            result[name]["count"] = mon.count[:]
        if isinstance(mon, PopulationRateMonitor):
            result[name]["rate"] = mon.rate[:]
    result["last"] = s_down.last[:]
    result["seen"] = s_in.seen[:]
    return result


@pytest.fixture(scope="module")
def several_clocks_results():
    return run_both(several_clocks)


def test_several_clocks_spikes(several_clocks_results):
    reference, genn = several_clocks_results
    for name in ("fast_spikes", "slow_spikes", "slow_after", "source_spikes"):
        ref = reference[name]
        assert len(ref["i"]) > 5, name
        assert_spikes_equal(ref["i"], ref["t"], genn[name]["i"], genn[name]["t"])
        np.testing.assert_array_equal(genn[name]["t"], ref["t"], err_msg=name)
        np.testing.assert_array_equal(genn[name]["count"], ref["count"], err_msg=name)


def test_several_clocks_values(several_clocks_results):
    reference, genn = several_clocks_results
    # slow spikes at the slow clock's ticks only
    steps = np.round(reference["slow_spikes"]["t"] / 0.1e-3).astype(int)
    assert np.all(steps % 3 == 0)
    # the slow group is refractory at some samples, receives input between its ticks
    assert not reference["slow_state"]["not_refractory"].all()
    assert np.any(np.diff(reference["slow_fine"]["ge"], axis=1)[:, 1::3] != 0)
    # the operation reads its group's clock (recorded after its first tick)
    np.testing.assert_array_equal(np.unique(reference["slow_state"]["tick_dt"][:, 1:]),
                                  [0.3e-3])
    for name, values in reference.items():
        if not isinstance(values, dict):
            values, genn_values = {name: values}, {name: genn[name]}
        else:
            genn_values = genn[name]
        for var, value in values.items():
            if var in ("v", "ge"):
                # simultaneous synaptic inputs are summed before GeNN adds
                # them, Brian adds them one by one: the last bit may differ
                assert_traces_close(value, genn_values[var], what=f"{name}.{var}")
            else:
                # times and counts: exact
                np.testing.assert_array_equal(genn_values[var], value, err_msg=f"{name}.{var}")


def clock_not_a_multiple():
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", name="clk_bad_a")
    H = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", dt=0.25 * ms, name="clk_bad_b")
    Network(G, H).run(1 * ms)


def test_clock_not_a_multiple_is_rejected():
    with pytest.raises(NotImplementedError, match="clk_bad_b"):
        run_with("genn", clock_not_a_multiple)


def slow_poisson():
    P = PoissonGroup(400, rates="(100 + 200*(i % 2))*Hz", dt=0.3 * ms, name="clk_pg")
    G = NeuronGroup(1, "v : 1", name="clk_pg_fast")  # the network's dt: 0.1 ms
    spikes = SpikeMonitor(P, name="clk_pg_spikes")
    rate = PopulationRateMonitor(P, name="clk_pg_rate")
    Network(P, G, spikes, rate).run(301 * ms)
    return dict(i=spikes.i[:], t=spikes.t[:], count=spikes.count[:], rate_t=rate.t[:],
                rate=rate.rate[:])


def test_poisson_group_on_a_slower_clock():
    """Spikes at the group's ticks (every 3 GeNN steps), with the rates of
    its dt (``rand() < rates*dt``), and one rate sample per tick."""
    genn = run_with("genn", slow_poisson)
    steps = np.round(genn["t"] / 0.1e-3).astype(np.int64)
    assert np.all(steps % 3 == 0)
    np.testing.assert_array_equal(genn["t"], steps // 3 * 0.3e-3)
    np.testing.assert_array_equal(genn["rate_t"], np.arange(1004) * 0.3e-3)
    np.testing.assert_allclose(genn["rate"].sum() * 0.3e-3 * 400, len(genn["i"]))
    for parity, expected in ((0, 100), (1, 300)):
        mean, se = mean_rate_with_se(genn["count"][parity::2], 301e-3)
        assert abs(mean - expected) < 4 * se, (parity, mean, se)
