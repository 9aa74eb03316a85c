"""Scripts written as users write them that once crashed or differed
silently from Brian's runtime device (issue 19's list), each compared with
the runtime device exactly (float64, CPU backend), or checked for the
error the device gives instead."""

import os
import signal

import numpy as np
import pytest
from brian2 import (Hz, Network, NeuronGroup, PoissonGroup, PoissonInput, SpikeGeneratorGroup,
                    SpikeMonitor, StateMonitor, Synapses, ms, second, seed)

from utils import assert_same_values, run_both, run_with


@pytest.mark.parametrize("buffer_bytes", [1000, 64 * 1024 * 1024])
def test_two_state_monitors_with_prefixed_names(buffer_bytes):
    """Brian's default names ``statemonitor`` and ``statemonitor_1``: the
    buffers of the second were taken for the first's (a crash, a heap
    corruption or a reshape error, by buffer size)."""

    def script():
        G = NeuronGroup(100, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact", name="g")
        first = StateMonitor(G, "v", record=0, name="statemonitor")
        second = StateMonitor(G, "v", record=True, name="statemonitor_1")
        # a monitor m recording a_b and one m_a recording b
        spikes = SpikeMonitor(G, "v", name="m", when="after_resets")
        net = Network(G, first, second, spikes)
        net.run(30 * ms)
        return first.v[:], second.v[:], spikes.v[:], spikes.t[:]

    reference, genn = run_both(
        script, preferences={"devices.genn.recording_buffer_bytes": buffer_bytes})
    for expected, values in zip(reference, genn):
        assert_same_values(expected, values)


def test_per_synapse_delays_changed_between_runs():
    """The delays are given to GeNN when the model is loaded: a change
    between runs must load it again (it was ignored)."""

    def script():
        G = SpikeGeneratorGroup(3, [0, 1, 2, 0, 1, 2], [1, 2, 3, 11, 12, 13] * ms, name="src")
        T = NeuronGroup(4, "v : 1", name="tgt")
        S = Synapses(G, T, "w : 1", on_pre="v += w", name="syn")
        S.connect()
        S.w = "1 + i + 10*j"
        S.delay = "(i + j) * 0.5*ms"
        M = StateMonitor(T, "v", record=True, name="mon")
        net = Network(G, T, S, M)
        net.run(10 * ms)
        S.delay = "(3 - i) * 1.5*ms"
        net.run(10 * ms)
        return M.v[:]

    reference, genn = run_both(script)
    assert_same_values(reference, genn)


def test_network_rebuilt_with_the_same_names():
    """A sweep that builds its network anew in a loop: the same names and
    numbers of synapses, other connections (the old ones were reused)."""

    def script():
        results = []
        for shift in range(3):
            G = SpikeGeneratorGroup(3, [0], [1] * ms, name="src")
            T = NeuronGroup(3, "v : 1", name="tgt")
            S = Synapses(G, T, on_pre="v += 1", name="syn")
            S.connect(j=f"(i + {shift}) % 3")
            net = Network(G, T, S)
            net.run(3 * ms)
            results.append(T.v[:].copy())
        return results

    reference, genn = run_both(script)
    assert_same_values(reference, genn)


@pytest.mark.parametrize("order", [0, -2])
def test_summed_variable_of_a_clock_driven_variable(order):
    """Brian updates a summed variable (order: the target's - 1) before the
    clock-driven update of the synapses (their order) in the 'groups' slot,
    unless the Synapses' order is lower: the sum was one update late
    (Brian's Tsodyks-Uziel-Markram and synapses_nonlinear examples)."""

    def script():
        pre = SpikeGeneratorGroup(2, [0, 1, 0], [2, 2.5, 4] * ms, name="pre")
        post = NeuronGroup(2, """dv/dt = (I_syn - v)/(5*ms) : volt
                                 I_syn : volt""", name="post")
        S = Synapses(pre, post, """dy/dt = -y/(3*ms) : 1 (clock-driven)
                                   I_syn_post = 1*mV*y : volt (summed)""",
                     on_pre="y += 0.5", name="syn", order=order, method="exact")
        S.connect()
        M = StateMonitor(post, ["I_syn", "v"], record=True, name="mon")
        net = Network(pre, post, S, M)
        net.run(8 * ms)
        return M.I_syn[:], M.v[:], S.y[:]

    reference, genn = run_both(script)
    for expected, values in zip(reference, genn):
        assert_same_values(expected, values)


def _random_script(with_seed: bool):
    def script():
        if with_seed:
            seed(7)
        P = PoissonGroup(20, 200 * Hz, name="p")
        G = NeuronGroup(10, "dv/dt = -v/(10*ms) + xi/sqrt(ms) : 1", threshold="v > 1",
                        reset="v = rand()", method="euler", name="g")
        PoissonInput(G, "v", 20, 500 * Hz, weight=0.1)
        inputs = G.contained_objects[-1]
        spikes = SpikeMonitor(P, name="mp")
        states = StateMonitor(G, "v", record=True, name="mg")
        net = Network(P, G, inputs, spikes, states)
        net.run(5 * ms)
        net.run(5 * ms)
        return {"i": spikes.i[:], "t": spikes.t[:], "v": states.v[:]}

    return script


def test_seed_repeats_a_run():
    """``seed()`` makes the random numbers of neuron code (rand(), xi, a
    PoissonGroup's threshold, PoissonInput's binomial draws) repeat, as on
    Brian's runtime device; without it, runs differ (GeNN's own generator
    was seeded by the operating system, or kept its state in one process)."""
    first = run_with("genn", _random_script(with_seed=True))
    second = run_with("genn", _random_script(with_seed=True))
    for name in first:
        np.testing.assert_array_equal(second[name], first[name])
    unseeded = [run_with("genn", _random_script(with_seed=False)) for _ in range(2)]
    assert not np.array_equal(unseeded[0]["v"], unseeded[1]["v"])
    assert not np.array_equal(first["v"], unseeded[0]["v"])


def _interruptible_script(interrupt: bool):
    """A deterministic network run for 100 ms; with ``interrupt``, Ctrl+C
    (SIGINT) comes from the report callback during the first run, and a
    second run simulates the rest."""

    def script():
        G = NeuronGroup(20, "dv/dt = (1.2 + 0.05*i - v)/(10*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact", name="g")
        slow = NeuronGroup(3, "dx/dt = -x/(5*ms) : 1", dt=0.3 * ms, name="slow")
        slow.x = 1
        S = Synapses(G, G, "w : 1", on_pre="v_post += w", delay=1.5 * ms, name="s")
        S.connect(j="(i + 1) % 20")
        S.w = 0.1
        spikes = SpikeMonitor(G, name="spikes")
        states = StateMonitor(G, "v", record=[0, 5], name="states")
        net = Network(G, slow, S, spikes, states)
        calls = []

        def report(elapsed, completed, start, duration):
            calls.append(completed)
            if interrupt and len(calls) == 2:
                os.kill(os.getpid(), signal.SIGINT)

        net.run(100 * ms, report=report, report_period=1e-9 * second)
        stopped_at = net.t_
        if interrupt:
            # consistent after the stop: samples and spikes up to the time reached
            assert 0 < stopped_at < 0.1
            assert states.t[-1] < net.t
            assert len(states.t) == round(stopped_at / 1e-4)
            assert slow.t >= net.t and slow.t - net.t < 0.3 * ms
            net.run(100 * ms - net.t)
        return {"i": spikes.i[:], "t": spikes.t[:], "v": states.v[:], "x": slow.x[:],
                "t_end": net.t_}

    return script


def test_ctrl_c_stops_at_a_step_and_the_run_continues():
    """Brian's runtime device stops at the current step on Ctrl+C ("Simulation
    stop requested") with consistent monitors; the device kept stepping
    into a KeyboardInterrupt, leaving ``t`` at the start of the run while
    the monitors held what came after (the next run simulated it again)."""
    reference = run_with("runtime", _interruptible_script(interrupt=False))
    interrupted = run_with("genn", _interruptible_script(interrupt=True))
    for name, expected in reference.items():
        assert_same_values(expected, interrupted[name], what=name)


def _delayed_weights_script(new_weight, spike_at):
    def script():
        G = SpikeGeneratorGroup(1, [0], [spike_at] * ms, name="src")
        T = NeuronGroup(2, "v : 1", name="tgt")
        S = Synapses(G, T, "w : 1", on_pre="v += w", name="syn")
        S.connect()
        S.w = 1
        S.delay = [2, 3] * ms
        net = Network(G, T, S)
        net.run(10 * ms)
        S.w = new_weight  # the same values (a read and write back), or new ones
        net.run(10 * ms)
        return T.v[:]

    return script


def test_weight_changed_while_spikes_are_in_flight_with_per_synapse_delays():
    """Brian applies ``v += w`` at the arrival, with the new weight; GeNN's
    dendritic delays applied it when the spike left (silently, with the old
    weight): now a named error, before anything runs."""
    with pytest.raises(NotImplementedError, match=r"Synapses 'syn': \['w'\] changed between "
                                                  "runs while spikes are on their way"):
        run_with("genn", _delayed_weights_script(10, spike_at=9.5))


@pytest.mark.parametrize("new_weight, spike_at", [(1, 9.5), (10, 2.0)])
def test_weights_written_between_runs_with_nothing_changed_in_flight(new_weight, spike_at):
    """Weights written back unchanged while spikes are in flight, or changed
    when none is: exact."""
    reference, genn = run_both(_delayed_weights_script(new_weight, spike_at))
    assert_same_values(reference, genn)


@pytest.mark.parametrize("delays", [[0.25], [0.25, 1.5, 2.0, 0.05]])
def test_delays_of_half_steps_round_up(delays):
    """Brian's spike queues round a delay of 2.5 steps to 3, as C++ does
    (``(int)(delay/dt + 0.5)``); the device rounded half to even (2), one
    step early (found by the differential fuzzer)."""

    def script():
        G = NeuronGroup(5, """dv/dt = (ge - v)/(10*ms) : 1
                              dge/dt = -ge/(5*ms) : 1""", threshold="v > 1", reset="v = 0",
                        method="euler", name="g")
        G.v = [0.5, 0.95, 0.3, 1.5, 0.0]
        S = Synapses(G, G, "w : 1", on_pre="ge_post += w", name="s")
        S.connect()
        S.w = 0.3
        S.delay = np.resize(delays, len(S)) * ms
        M = StateMonitor(G, "ge", record=True, name="m")
        net = Network(G, S, M)
        net.run(3 * ms)
        return M.ge[:]

    reference, genn = run_both(script)
    assert_same_values(reference, genn)


@pytest.mark.parametrize("on_pre, on_post", [
    # a comment after a statement that writes a neuron variable (Brian's
    # Clopath et al. 2010 example): GeNN failed to build the model
    ("g_post += w*mV  # synaptic input", "u += 1*mV  # on the spiking neuron"),
    # a constant expression that Brian computes once (10*mV: a hoisted loop
    # invariant, ``_lio_1``), in a statement on the spiking neuron: it was a
    # NotImplementedError
    ("g_post += w*mV", "u += 10*mV"),
])
def test_neuron_writes_with_comments_and_constant_expressions(on_pre, on_post):
    """Synaptic statements on neuron variables as Brian's examples write
    them: exact."""

    def script():
        G = NeuronGroup(2, """dv/dt = 1/(10*ms) : 1
                              du/dt = -u/(5*ms) : volt
                              dg/dt = -g/(2*ms) : volt""",
                        threshold="v > 1", reset="v = 0", method="euler", name="g")
        G.v = [0, 0.5]
        S = Synapses(G, G, "w : 1", on_pre=on_pre, on_post=on_post, name="s")
        S.connect("i != j")
        S.w = [1, 2]
        M = StateMonitor(G, ["u", "g"], record=True, name="m")
        net = Network(G, S, M)
        net.run(30 * ms)
        return M.u[:], M.g[:]

    reference, genn = run_both(script)
    for expected, values in zip(reference, genn):
        assert_same_values(expected, values)


def test_on_post_learning_with_pairs_connected_several_times():
    """Postsynaptic learning on sparse synapses whose columns are longer than
    the source has neurons (a pair connected several times): GeNN wrote past
    its column arrays (a heap corruption, found by the differential fuzzer)."""

    def script():
        source = SpikeGeneratorGroup(2, [0, 0, 1, 0, 1], [2, 4, 8, 10, 12] * ms, name="src")
        G = NeuronGroup(3, "dv/dt = (1.5 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="exact", name="g")
        S = Synapses(source, G, "w : 1", on_pre="v_post += w", on_post="w += 0.01",
                     name="s")
        S.connect(i=[0, 0, 1, 0, 1, 1, 0, 1, 0, 0], j=[1, 0, 0, 1, 0, 0, 1, 0, 1, 1])
        S.w = "0.1 * (1 + i + j)"
        net = Network(source, G, S)
        net.run(20 * ms)
        return S.w[:], G.v[:]

    reference, genn = run_both(script)
    for expected, values in zip(reference, genn):
        assert_same_values(expected, values)
