"""GSL integration (``method='gsl'``) on the GeNN device, against Brian's
runtime device (numpy) integrating the same equations exactly or with a
much smaller time step: the results stay within the absolute errors asked
for, refractoriness and time-dependent input are respected, and bad
options fail as they do in Brian."""

import numpy as np
import pytest
from brian2 import (BrianObjectException, DimensionMismatchError, Network, NeuronGroup,
                    SpikeMonitor, StateMonitor, Synapses, TimedArray, defaultclock, mV, ms,
                    nA, nS, pF, uS, volt)

from utils import run_with

ERRORS = [1e-2, 1e-4, 1e-6]  # volt


def linear_with_input(method):
    """The first neuron of each group integrates with one of ``ERRORS``;
    the input changes every 5 ms, at a step boundary."""
    def script():
        stimulus = TimedArray(np.array([0.7, 2.5, 1.2, 0.1, 2.9, 1.7]) * volt, dt=5 * ms)
        eqs = "dv/dt = (stimulus(t) - v)/(0.1*ms) : volt"
        groups = []
        for k, error in enumerate(ERRORS):
            options = ({"absolute_error_per_variable": {"v": error * volt}}
                       if method == "gsl" else None)
            groups.append(NeuronGroup(1, eqs, method=method, method_options=options,
                                      dt=1 * ms, name=f"gsl_linear_{k}"))
        monitors = [StateMonitor(group, "v", record=0) for group in groups]
        Network(*groups, *monitors).run(30 * ms)
        return {f"v{k}": mon.v[0] for k, mon in enumerate(monitors)}
    return script


def test_errors_within_bounds():
    reference = run_with("runtime", linear_with_input("exact"))
    genn = run_with("genn", linear_with_input("gsl"))
    errors = [np.max(np.abs(genn[f"v{k}"] - reference[f"v{k}"])) for k in range(3)]
    for error, bound in zip(errors, ERRORS):
        assert error < bound
    # a smaller error asked for gives a smaller error
    assert errors[0] > errors[1] > errors[2]
    assert np.ptp(reference["v0"]) > 1  # the input moved the variable


def hodgkin_huxley(method, dt):
    def script():
        defaultclock.dt = dt
        eqs = """
        dv/dt = (gl*(El - v) - g_na*m**3*h*(v - ENa) - g_kd*n**4*(v - EK) + I)/Cm : volt
        dm/dt = 0.32*(mV**-1)*(13.*mV - v + VT)/(exp((13.*mV - v + VT)/(4.*mV)) - 1.)/ms*(1 - m)
                - 0.28*(mV**-1)*(v - VT - 40.*mV)/(exp((v - VT - 40.*mV)/(5.*mV)) - 1.)/ms*m : 1
        dn/dt = 0.032*(mV**-1)*(15.*mV - v + VT)/(exp((15.*mV - v + VT)/(5.*mV)) - 1.)/ms*(1 - n)
                - .5*exp((10.*mV - v + VT)/(40.*mV))/ms*n : 1
        dh/dt = 0.128*exp((17.*mV - v + VT)/(18.*mV))/ms*(1 - h)
                - 4./(1 + exp((40.*mV - v + VT)/(5.*mV)))/ms*h : 1
        I = I0*i/(N - 1) : amp
        """
        # COBAHH's neuron (membrane area 20000 um^2) without synapses
        namespace = dict(gl=10 * nS, El=-60 * mV, ENa=50 * mV, EK=-90 * mV, g_na=20 * uS,
                         g_kd=6 * uS, Cm=200 * pF, VT=-63 * mV, I0=1 * nA, N=5)
        G = NeuronGroup(5, eqs, threshold="v > -20*mV", refractory="v > -20*mV",
                        method=method, namespace=namespace, name="gsl_hh",
                        method_options={"absolute_error_per_variable": {"v": 1e-9 * volt}}
                        if method == "gsl" else None)
        G.v, G.m, G.n, G.h = -65 * mV, 0.05, 0.3, 0.6
        spikes = SpikeMonitor(G)
        trace = StateMonitor(G, "v", record=4, dt=0.1 * ms)
        Network(G, spikes, trace).run(50 * ms)
        return {"i": spikes.i[:], "t": spikes.t[:], "v": trace.v[0]}
    return script


def test_hodgkin_huxley_spikes():
    # GSL at dt = 0.1 ms against RK4 at a hundredth of it
    reference = run_with("runtime", hodgkin_huxley("rk4", 0.001 * ms))
    genn = run_with("genn", hodgkin_huxley("gsl", 0.1 * ms))
    assert len(reference["i"]) > 10
    for k in range(5):
        ref_t, t = reference["t"][reference["i"] == k], genn["t"][genn["i"] == k]
        assert len(t) == len(ref_t)
        # threshold crossings, in steps of 0.1 ms against steps of 1 us
        assert np.all(np.abs(t - ref_t) <= 0.1e-3 + 1e-9)
    # the traces agree closely, and more so away from spikes' upstrokes
    assert np.max(np.abs(genn["v"] - reference["v"])) < 1e-5
    quiet = np.abs(np.gradient(reference["v"])) < 2e-3
    assert quiet.sum() > 300
    assert np.max(np.abs(genn["v"] - reference["v"])[quiet]) < 1e-6


def refractory_integrate_and_fire(method):
    def script():
        G = NeuronGroup(3, """dv/dt = (drive - v)/(10*ms) : 1 (unless refractory)
                              drive : 1 (constant)""", threshold="v > 1", reset="v = 0",
                        refractory=5 * ms, method=method, name="gsl_if")
        G.drive = [1.5, 2.0, 3.05]
        spikes = SpikeMonitor(G)
        trace = StateMonitor(G, "v", record=True)
        Network(G, spikes, trace).run(100 * ms)
        return {"i": spikes.i[:], "t": spikes.t[:], "v": trace.v[:]}
    return script


def test_unless_refractory():
    reference = run_with("runtime", refractory_integrate_and_fire("exact"))
    genn = run_with("genn", refractory_integrate_and_fire("gsl"))
    np.testing.assert_array_equal(genn["i"], reference["i"])
    np.testing.assert_allclose(genn["t"], reference["t"])
    # the default absolute error is 1e-6
    assert np.max(np.abs(genn["v"] - reference["v"])) < 1e-6


def bad_options(options):
    def script():
        G = NeuronGroup(1, """dv/dt = (v0 - v)/(10*ms) : volt
                              v0 : volt""", method="gsl", method_options=options,
                        name="gsl_options")
        Network(G).run(0.1 * ms)
    return script


@pytest.mark.parametrize("options, error", [
    ({"absolute_error_per_variable": {"v": 1 * nA}}, DimensionMismatchError),
    ({"absolute_error_per_variable": {"v0": 1e-3 * mV}}, KeyError),
    ({"absolute_error_per_variable": {"w": 1e-3 * mV}}, KeyError),
    ({"absolute_error_per_variable": object()}, TypeError),
    ({"absolute_error": "1e-3"}, TypeError),
])
def test_bad_options(options, error):
    # the errors of Brian's GSL code generator
    with pytest.raises(BrianObjectException) as raised:
        run_with("genn", bad_options(options))
    assert isinstance(raised.value.__cause__, error)


@pytest.mark.parametrize("options, feature", [
    ({"save_step_count": True}, "save_step_count"),
    ({"save_failed_steps": True}, "save_failed_steps"),
])
def test_unsupported_options(options, feature):
    with pytest.raises(NotImplementedError, match=f"gsl_options.*{feature}"):
        run_with("genn", bad_options(options))


def test_unsupported_integrator_and_synapses():
    def rk8pd():
        Network(NeuronGroup(1, "dv/dt = -v/ms : 1", method="gsl_rk8pd",
                            name="gsl_rk8pd")).run(0.1 * ms)

    def synapses():
        G = NeuronGroup(1, "v : 1", name="gsl_syn_g")
        S = Synapses(G, G, "dw/dt = -w/ms : 1 (clock-driven)", method="gsl", name="gsl_syn")
        S.connect()
        Network(G, S).run(0.1 * ms)

    with pytest.raises(NotImplementedError, match="gsl_rk8pd.*'rk8pd' integrator"):
        run_with("genn", rk8pd)
    with pytest.raises(NotImplementedError, match="gsl_syn.*synaptic equations"):
        run_with("genn", synapses)


def test_too_many_steps():
    # a step of dt needs many steps of GSL's: Brian's GSL code raises
    def script():
        G = NeuronGroup(2, "dv/dt = (1 - v)/(0.001*ms) : 1", method="gsl",
                        method_options={"max_steps": 3, "absolute_error": 1e-10},
                        name="gsl_stiff")
        Network(G).run(1 * ms)

    with pytest.raises(RuntimeError, match="gsl_stiff.*GSL integrator failed"):
        run_with("genn", script)


def decay(method, options=None):
    """A linear decay towards a changing input, dt = tau/4."""
    def script():
        stimulus = TimedArray(np.array([1.0, -0.5, 2.0]), dt=1 * ms)
        G = NeuronGroup(1, "dv/dt = (stimulus(t) - v)/(0.4*ms) : 1", method=method,
                        method_options=options, dt=0.1 * ms, name="gsl_fixed")
        G.v = 0.3
        monitor = StateMonitor(G, "v", record=0)
        Network(G, monitor).run(3 * ms)
        return {"v": monitor.v[0]}
    return script


def test_fixed_step():
    """``adaptable_timestep=False``: one step of dt of the pair per time step
    (GSL's gsl_odeiv2_driver_apply_fixed_step), accepted when its error
    estimate is within the absolute error: close to the exact solution,
    but not as close as adaptive steps with a small error make it."""
    exact = run_with("runtime", decay("exact"))["v"]
    fixed = run_with("genn", decay("gsl", {"adaptable_timestep": False,
                                           "absolute_error": 1e-3}))["v"]
    adaptive = run_with("genn", decay("gsl", {"absolute_error": 1e-12}))["v"]
    fixed_error = np.max(np.abs(fixed - exact))
    assert 1e-8 < fixed_error < 1e-3
    assert np.max(np.abs(adaptive - exact)) < 1e-3 * fixed_error


def test_fixed_step_error_too_large():
    # Brian's GSL code raises when the one step's error is too large
    with pytest.raises(RuntimeError, match="gsl_fixed.*size of the timestep results in an "
                                           "error larger than that set by absolute_error"):
        run_with("genn", decay("gsl", {"adaptable_timestep": False,
                                       "absolute_error": 1e-12}))
