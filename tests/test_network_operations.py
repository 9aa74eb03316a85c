"""`network_operation` on the GeNN device against Brian's runtime device
(float64, CPU backend, exact): operations that read, change and stop, at
the start and at the end of a step, on slower clocks, with monitors, delays
and several runs."""

import numpy as np
import pytest
from brian2 import (Network, NetworkOperation, NeuronGroup, SpikeGeneratorGroup,
                    SpikeMonitor, StateMonitor, Synapses, ms, network_operation)

from utils import assert_same_values, run_both, run_with


def _network(log, when="start", order=-100, dt=None, stop_at=None, change=True):
    G = NeuronGroup(5, """dv/dt = (I - v)/(10*ms) : 1
                          I : 1""", threshold="v > 1", reset="v = 0", method="exact",
                    name="g")
    G.I = "1.5 + 0.1*i"
    src = SpikeGeneratorGroup(1, [0, 0, 0], [1, 4, 7.3] * ms, name="src")
    S = Synapses(src, G, "w : 1", on_pre="v += w", name="s")
    S.connect()
    S.w = 0.3
    S.delay = "0.5*ms + j*0.3*ms"
    spikes = SpikeMonitor(G, name="spikes")
    states = StateMonitor(G, ["v", "I"], record=True, name="states")

    def adapt(t):
        # reads GeNN's values (and a monitor), changes a neuron variable
        log.append((float(np.asarray(t)), G.v[:].copy(), len(spikes.i)))
        if change:
            G.I[:] = G.I[:] * 0.95
            if G.v[0] > 0.5:
                G.v[0] = 0.0
        if stop_at is not None and float(np.asarray(t)) >= stop_at:
            net.stop()

    operation = NetworkOperation(adapt, when=when, order=order, dt=dt, name="adapt")
    net = Network(G, src, S, spikes, states, operation)
    return net, G, spikes, states


@pytest.mark.parametrize("when, order, dt", [("start", -100, None), ("end", 100, None),
                                              ("start", -100, 0.3 * ms),
                                              ("end", 100, 1 * ms)])
def test_operation_reads_and_changes(when, order, dt):
    def script():
        log = []
        net, G, spikes, states = _network(log, when, order, dt)
        net.run(6 * ms)
        G.v[2] = 0.9  # between runs, too
        net.run(5 * ms)
        return {"log_t": np.array([entry[0] for entry in log]),
                "log_v": np.array([entry[1] for entry in log]),
                "log_n": np.array([entry[2] for entry in log]),
                "i": spikes.i[:], "t": spikes.t[:], "v": states.v[:], "I": states.I[:],
                "t_end": net.t_}

    reference, genn = run_both(script)
    for name, expected in reference.items():
        assert_same_values(expected, genn[name], what=name)


@pytest.mark.parametrize("when, order", [("start", -100), ("end", 100)])
def test_operation_stops_the_run(when, order):
    """``net.stop()`` in an operation ends the run after the step it came
    in, with that step's later objects (and 'end' operations) run."""

    def script():
        log = []
        net, G, spikes, states = _network(log, when, order, stop_at=0.0031, change=False)
        net.run(10 * ms)
        stopped = float(np.asarray(net.t_))  # Brian keeps a view of the clock's t
        net.run(2 * ms)
        return {"stopped": stopped, "t_end": net.t_, "v": states.v[:], "t": states.t[:],
                "i": spikes.i[:], "log_t": np.array([entry[0] for entry in log])}

    reference, genn = run_both(script)
    for name, expected in reference.items():
        assert_same_values(expected, genn[name], what=name)


def test_decorated_operation_with_default_schedule():
    """``@network_operation`` in the magic-network style of Brian's
    examples: 'start' slot, order 0, before a StateMonitor named after it."""

    def script():
        G = NeuronGroup(3, "dv/dt = -v/(5*ms) : 1", method="exact", name="g")
        G.v = 1
        values = []

        @network_operation(dt=1 * ms)
        def kick():
            values.append(G.v[:].copy())
            G.v += 0.5

        states = StateMonitor(G, "v", record=True, name="states")
        net = Network(G, kick, states)
        net.run(5 * ms)
        return {"v": states.v[:], "seen": np.array(values)}

    reference, genn = run_both(script)
    for name, expected in reference.items():
        assert_same_values(expected, genn[name], what=name)


def test_operation_between_other_objects_is_named():
    def script():
        G = NeuronGroup(3, "dv/dt = -v/(5*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="exact", name="g")
        op = NetworkOperation(lambda: None, when="thresholds", name="middle")
        net = Network(G, op)
        net.run(1 * ms)

    with pytest.raises(NotImplementedError, match="NetworkOperation 'middle' in the "
                                                  "'thresholds' slot"):
        run_with("genn", script)
