"""NeuronGroup on the GeNN device against Brian's runtime device (numpy).

Deterministic float64 models must agree spike for spike and in their traces
to 1e-9 (relative to the trace's scale); models with noise agree in
statistics, with tolerances of several standard errors."""

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, PopulationRateMonitor, SpikeMonitor,
                    StateMonitor, cm, exprel, mV, ms, msiemens, nA, second,
                    seed, siemens, ufarad, umetre, Hz)

from utils import (assert_spike_trains_close, assert_spikes_equal, assert_traces_close,
                   genn_device, mean_rate_with_se, run_both, run_with, spike_trains)


def _spikes_and_trace(group, spikes, trace):
    return dict(i=spikes.i[:], t=spikes.t[:], count=spikes.count[:], v=trace.v[:],
                trace_t=trace.t[:], v_end=group.v[:])


def _assert_same(reference, genn, traces=("v",), rtol=1e-9):
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    np.testing.assert_array_equal(genn["count"], reference["count"])
    np.testing.assert_array_equal(genn["trace_t"], reference["trace_t"])
    for name in traces:
        assert_traces_close(reference[name], genn[name], rtol=rtol, what=name)


# ------------------------------------------------------------------ LIF
def lif_constant_current():
    tau = 10 * ms
    G = NeuronGroup(12, """dv/dt = (I - v)/tau : 1 (unless refractory)
                           I : 1""",
                    threshold="v > 1", reset="v = 0", refractory=3 * ms,
                    method="exact", name="lif")
    G.I = "0.8 + 0.1*i"  # below and above rheobase (I = 1)
    G.v = "0.05*i"
    spikes = SpikeMonitor(G, name="lif_spikes")
    trace = StateMonitor(G, "v", record=True, name="lif_trace")
    Network(G, spikes, trace).run(200 * ms)
    return _spikes_and_trace(G, spikes, trace) | dict(
        lastspike=G.lastspike[:], not_refractory=G.not_refractory[:])


def lif_time_varying_current():
    # an input that depends on t (a subexpression) and a per-neuron
    # time constant; exact integration is impossible, so Euler
    G = NeuronGroup(8, """dv/dt = (I - v)/tau : volt
                          I = I0 + A*sin(2*pi*f*t) : volt
                          tau : second (constant)
                          I0 : volt (constant)
                          A : volt (shared)
                          f : Hz (shared, constant)""",
                    threshold="v > 15*mV", reset="v = -5*mV", method="euler",
                    name="lif_sin")
    G.tau = "(5 + 2*i)*ms"
    G.I0 = "(10 + 1.5*i)*mV"
    G.A = 8 * mV
    G.f = 30 * Hz
    spikes = SpikeMonitor(G, name="lif_sin_spikes")
    trace = StateMonitor(G, "v", record=[0, 3, 7], name="lif_sin_trace")
    Network(G, spikes, trace).run(150 * ms)
    return _spikes_and_trace(G, spikes, trace)


def test_lif_constant_currents_exact():
    reference, genn = run_both(lif_constant_current)
    # not vacuous: some neurons spike, some (I <= 1) do not
    assert reference["count"][:3].sum() == 0 and reference["count"][3:].min() > 3
    _assert_same(reference, genn)
    assert_traces_close(reference["v_end"], genn["v_end"], what="v after the run")
    np.testing.assert_array_equal(genn["lastspike"], reference["lastspike"])
    np.testing.assert_array_equal(genn["not_refractory"], reference["not_refractory"])


def test_lif_time_varying_current_euler():
    reference, genn = run_both(lif_time_varying_current)
    assert reference["count"].sum() > 20
    _assert_same(reference, genn)


# ---------------------------------------------------------- Hodgkin-Huxley
def hodgkin_huxley_fi_curve():
    """Brian's example IF_curve_Hodgkin_Huxley, shorter and with fewer neurons."""
    area = 20000 * umetre ** 2
    Cm = 1 * ufarad * cm ** -2 * area
    gl = 5e-5 * siemens * cm ** -2 * area
    El = -65 * mV
    EK = -90 * mV
    ENa = 50 * mV
    g_na = 100 * msiemens * cm ** -2 * area
    g_kd = 30 * msiemens * cm ** -2 * area
    VT = -63 * mV
    eqs = """
    dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
    dm/dt = 0.32*(mV**-1)*4*mV/exprel((13.*mV-v+VT)/(4*mV))/ms*(1-m)-0.28*(mV**-1)*5*mV/exprel((v-VT-40.*mV)/(5*mV))/ms*m : 1
    dn/dt = 0.032*(mV**-1)*5*mV/exprel((15.*mV-v+VT)/(5*mV))/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
    dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
    I : amp
    """
    group = NeuronGroup(40, eqs, threshold="v > -40*mV", refractory="v > -40*mV",
                        method="exponential_euler", name="hh")
    group.v = El
    group.I = "0.7*nA * i / N"
    spikes = SpikeMonitor(group, name="hh_spikes")
    trace = StateMonitor(group, ["v", "m", "n", "h"], record=[0, 10, 25, 39], name="hh_trace")
    Network(group, spikes, trace).run(300 * ms)
    return _spikes_and_trace(group, spikes, trace) | dict(
        m=trace.m[:], n=trace.n[:], h=trace.h[:], not_refractory=group.not_refractory[:])


def test_hodgkin_huxley_fi_curve():
    reference, genn = run_both(hodgkin_huxley_fi_curve)
    counts = reference["count"]
    # an f-I curve: silent at low currents, firing that grows with the current
    assert counts[0] == 0 and counts[-1] > 10 and counts[-1] > counts[20]
    # the f-I curve and every spike time are identical
    _assert_same(reference, genn, traces=("v", "m", "n", "h"))
    np.testing.assert_array_equal(genn["not_refractory"], reference["not_refractory"])


def lif_random_initial_values():
    """The LIF model of `lif_constant_current` (the same GeNN model), its
    initial values and currents drawn on the host with rand()/randn()."""
    seed(4321)
    tau = 10 * ms
    G = NeuronGroup(12, """dv/dt = (I - v)/tau : 1 (unless refractory)
                           I : 1""",
                    threshold="v > 1", reset="v = 0", refractory=3 * ms,
                    method="exact", name="lif")
    G.I = "1.2 + 0.3*randn()"
    G.v = "rand()"
    initial = dict(I0=np.array(G.I, copy=True), v0=np.array(G.v, copy=True))
    spikes = SpikeMonitor(G, name="lif_spikes")
    trace = StateMonitor(G, "v", record=True, name="lif_trace")
    Network(G, spikes, trace).run(200 * ms)
    return _spikes_and_trace(G, spikes, trace) | initial


def test_random_initial_values_are_numpy_s():
    """Host-side code (G.v = 'rand()') runs with numpy on both devices, so a
    seeded script starts from the same values and gives the same spikes."""
    reference, genn = run_both(lif_random_initial_values)
    np.testing.assert_array_equal(genn["v0"], reference["v0"])
    np.testing.assert_array_equal(genn["I0"], reference["I0"])
    assert len(np.unique(reference["v0"])) == 12  # really random
    assert reference["count"].sum() > 50
    _assert_same(reference, genn)


# -------------------------------------------------------- refractoriness
def expression_refractoriness():
    # a: refractory while a second variable, set by the reset, stays high
    a = NeuronGroup(6, """dv/dt = (I - v)/(10*ms) : 1 (unless refractory)
                          dw/dt = -w/tau_w : 1
                          I : 1 (constant)
                          tau_w : second (constant)""",
                    threshold="v > 1", reset="v = 0; w = 1", refractory="w > 0.5",
                    method="exact", name="refr_expr")
    a.I = 2
    a.tau_w = "(1 + 1.5*i)*ms"
    # b: a per-neuron refractory period (a time variable); v is not clamped,
    # but the threshold ignores refractory neurons
    b = NeuronGroup(6, """dv/dt = (I - v)/(10*ms) : 1
                          I : 1 (constant)
                          ref : second (constant)""",
                    threshold="v > 1", reset="v = 0.5", refractory="ref",
                    method="exact", name="refr_var")
    b.I = 3
    b.ref = "(1 + 1.3*i)*ms"
    # c: refractoriness counted in time steps (integer arithmetic, timestep())
    c = NeuronGroup(6, """dv/dt = (I - v)/(10*ms) : 1 (unless refractory)
                          I : 1 (constant)
                          k : integer (constant)""",
                    threshold="v > 1", reset="v = 0",
                    refractory="timestep(t - lastspike, dt) < k",
                    method="exact", name="refr_steps")
    c.I = 2
    c.k = "7 + 5*i"
    monitors = [SpikeMonitor(g, name=f"{g.name}_spikes") for g in (a, b, c)]
    traces = [StateMonitor(g, "v", record=True, name=f"{g.name}_trace") for g in (a, b, c)]
    Network(a, b, c, *monitors, *traces).run(100 * ms)
    return {g.name: dict(i=m.i[:], t=m.t[:], count=m.count[:], v=s.v[:], trace_t=s.t[:],
                         lastspike=g.lastspike[:], not_refractory=g.not_refractory[:])
            for g, m, s in zip((a, b, c), monitors, traces)}


def test_expression_refractoriness():
    reference, genn = run_both(expression_refractoriness)
    for name in ("refr_expr", "refr_var", "refr_steps"):
        ref, gn = reference[name], genn[name]
        counts = ref["count"]
        # the refractory period matters: longer periods, fewer spikes
        assert counts.min() > 3 and counts[0] > counts[-1], name
        _assert_same(ref, gn)
        np.testing.assert_array_equal(gn["lastspike"], ref["lastspike"], err_msg=name)
        np.testing.assert_array_equal(gn["not_refractory"], ref["not_refractory"],
                                      err_msg=name)
    # some neurons end the run refractory, others not
    assert 0 < sum(reference[n]["not_refractory"].sum() for n in reference) < 18


# -------------------------------------------------------- state updaters
# 'heun' and 'milstein' reduce to 'euler' without noise: they are tested
# with multiplicative noise below
METHODS = ["euler", "rk2", "rk4"]


def izhikevich_all_methods():
    """One Izhikevich group per explicit integrator, in one network (one GeNN
    model for all)."""
    groups, spikes, traces = [], [], []
    for method in METHODS:
        G = NeuronGroup(10, """dv/dt = (0.04*v**2/mV + 5*v + 140*mV - u + I)/ms : volt
                               du/dt = a*(b*v - u)/ms : volt
                               I : volt (constant)
                               a : 1 (shared, constant)
                               b : 1 (shared, constant)""",
                        threshold="v >= 30*mV", reset="v = -65*mV; u += 8*mV",
                        method=method, name=f"izh_{method}")
        G.a, G.b = 0.02, 0.2
        G.v = -65 * mV
        G.u = "b*v"
        G.I = "(2 + 1.5*i)*mV"
        groups.append(G)
        spikes.append(SpikeMonitor(G, name=f"izh_{method}_spikes"))
        traces.append(StateMonitor(G, ["v", "u"], record=[0, 4, 9], name=f"izh_{method}_trace"))
    Network(*groups, *spikes, *traces).run(200 * ms)
    return {method: _spikes_and_trace(G, m, s) | dict(u=s.u[:], u_end=G.u[:])
            for method, G, m, s in zip(METHODS, groups, spikes, traces)}


@pytest.fixture(scope="module")
def izhikevich_results():
    return run_both(izhikevich_all_methods)


@pytest.mark.parametrize("method", METHODS)
def test_state_updaters_deterministic(method, izhikevich_results):
    """Explicit integrators on a non-linear model (Izhikevich); 'exact' and
    'exponential_euler' are covered by the LIF and HH tests."""
    reference, genn = (results[method] for results in izhikevich_results)
    assert reference["count"].sum() > 30
    _assert_same(reference, genn, traces=("v", "u"))
    assert_traces_close(reference["u_end"], genn["u_end"], what="u after the run")


def test_state_updaters_differ():
    """The integrators are really different code (the comparison above
    would not notice if a method were silently replaced by another)."""
    reference = run_with("runtime", izhikevich_all_methods)
    v_end = [reference[m]["v"][:, -1] for m in METHODS]
    for k in range(len(METHODS)):
        for l in range(k + 1, len(METHODS)):
            assert not np.allclose(v_end[k], v_end[l], rtol=1e-6, atol=0), (METHODS[k], METHODS[l])


# ------------------------------------------------------------------ noise
def noisy_lif():
    N = 1000
    G = NeuronGroup(N, """dv/dt = (mu - v)/tau + sigma*sqrt(2/tau)*xi : 1 (unless refractory)
                          mu : 1 (shared, constant)
                          sigma : 1 (shared, constant)
                          tau : second (shared, constant)""",
                    threshold="v > 1", reset="v = 0", refractory=2 * ms,
                    method="euler", name="noisy_lif")
    G.mu, G.sigma, G.tau = 0.8, 0.2, 10 * ms
    spikes = SpikeMonitor(G, record=False, name="noisy_lif_counts")
    Network(G, spikes).run(1 * second)
    return dict(count=spikes.count[:])


def test_noise_driven_lif_mean_rate():
    """Subthreshold mean drive (mu < threshold): every spike is caused by the
    xi noise. 1000 independent neurons for 1 s, firing at about 21 Hz, give
    a standard error of the mean rate of about 0.1 Hz (0.4 %) on each
    device (SE from the spread of the counts over neurons); the two rates
    must agree within 5 combined standard errors (about 3 %). A noise
    amplitude off by 10 % changes the rate by about 10 % (17 SE)."""
    reference, genn = run_both(noisy_lif)
    rate_ref, se_ref = mean_rate_with_se(reference["count"], 1.0)
    rate, se = mean_rate_with_se(genn["count"], 1.0)
    combined = np.hypot(se_ref, se)
    assert rate_ref > 5 and combined < 0.03 * rate_ref  # a meaningful tolerance
    assert abs(rate - rate_ref) < 5 * combined, (
        f"mean rate {rate:.2f} Hz on GeNN, {rate_ref:.2f} Hz on the runtime device "
        f"(combined SE {combined:.2f} Hz)")


def stochastic_groups():
    """Several stochastic processes in one network (one GeNN model):

    * ``ou``: Ornstein-Uhlenbeck process, additive noise, Euler-Maruyama;
    * ``gbm_milstein``, ``gbm_heun``: geometric Brownian motion
      (multiplicative noise) integrated with 'milstein' and 'heun';
    * ``bern_uniform``, ``bern_normal``: Bernoulli spikes, rand() and randn()
      evaluated in GeNN's threshold code.
    """
    ou = NeuronGroup(4000, "dv/dt = -v/tau_ou + sigma_ou*sqrt(2/tau_ou)*xi : 1",
                     method="euler", name="ou")
    tau_ou, sigma_ou = 10 * ms, 0.5
    gbm = []
    for method in ("milstein", "heun"):
        G = NeuronGroup(4000, """dx/dt = mu*x + s*x*xi : 1
                                 mu : Hz (shared, constant)
                                 s : second**-0.5 (shared, constant)""",
                        method=method, name=f"gbm_{method}")
        G.x = 1
        G.mu = 2.5 * Hz
        G.s = np.sqrt(2.5) * second ** -0.5
        gbm.append(G)
    uniform = NeuronGroup(200, "p : 1 (constant)", threshold="rand() < p",
                          name="bern_uniform")
    uniform.p = "0.02 + 0.1*(i % 2)"
    normal = NeuronGroup(200, "z : 1 (constant)", threshold="randn() > z",
                         name="bern_normal")
    normal.z = "1.0 - 2.0*(i % 2)"  # +1 for even, -1 for odd neurons
    m_u = SpikeMonitor(uniform, record=False, name="bern_uniform_counts")
    m_n = SpikeMonitor(normal, record=False, name="bern_normal_counts")
    Network(ou, *gbm, uniform, normal, m_u, m_n).run(200 * ms)
    return dict(ou=ou.v[:], gbm_milstein=gbm[0].x[:], gbm_heun=gbm[1].x[:],
                bern_uniform=m_u.count[:], bern_normal=m_n.count[:])


@pytest.fixture(scope="module")
def stochastic_results():
    return run_with("genn", stochastic_groups)


def test_additive_noise_stationary_variance(stochastic_results):
    """Ornstein-Uhlenbeck process, Euler-Maruyama. After 20 time constants
    the variance over 4000 independent neurons is the stationary one of the
    discrete process, sigma^2 / (1 - dt/(2 tau)) (relative SE of a sample
    variance: sqrt(2/N) = 2.2 %, tolerance 12 % = 5.4 SE). Noise with a
    wrong scale (e.g. sqrt(dt) missing) fails by orders of magnitude."""
    sigma, a = 0.5, 0.1 / 10
    expected = sigma ** 2 / (1 - a / 2)
    v = stochastic_results["ou"]
    assert abs(np.var(v, ddof=1) / expected - 1) < 0.12, np.var(v, ddof=1)
    assert abs(np.mean(v)) < 5 * np.sqrt(expected / len(v))


@pytest.mark.parametrize("method", ["milstein", "heun"])
def test_multiplicative_noise(method, stochastic_results):
    """Geometric Brownian motion dx = mu x dt + s x dW, x(0) = 1,
    mu = 2.5 Hz, s^2 = 2.5 Hz, T = 0.2 s. Brian's stochastic integrators use
    Stratonovich's interpretation (its 'milstein' is the derivative-free
    Stratonovich scheme, correction g g' dW^2 / 2), so log x(T) is normal with
    mean mu T = 0.5 and variance s^2 T = 0.5 (Ito's interpretation would give
    a mean of 0.25). With 4000 neurons the SE of the mean of log x is 0.011:
    the tolerance of 0.06 is 5.4 SE, far below the 0.25 between the
    interpretations; the variance is checked to 12 % (5.4 SE)."""
    x = stochastic_results[f"gbm_{method}"]
    assert np.all(x > 0)
    log_x = np.log(x)
    assert abs(np.mean(log_x) - 0.5) < 0.06, np.mean(log_x)
    assert abs(np.var(log_x, ddof=1) / 0.5 - 1) < 0.12, np.var(log_x, ddof=1)


def test_rand_and_randn_in_genn_code(stochastic_results):
    """rand() < p and randn() > z as thresholds: each neuron spikes in a time
    step with probability p, resp. 1 - Phi(z). 100 neurons x 2000 steps per
    probability; the tolerance is 5 binomial standard errors."""
    from math import erf, sqrt

    steps = 2000
    checks = []
    for counts, probabilities in (
            (stochastic_results["bern_uniform"], (0.02, 0.12)),
            (stochastic_results["bern_normal"],
             (0.5 * (1 - erf(1 / sqrt(2))), 0.5 * (1 + erf(1 / sqrt(2)))))):
        for parity, p in enumerate(probabilities):
            trials = steps * len(counts[parity::2])
            observed = counts[parity::2].sum() / trials
            se = np.sqrt(p * (1 - p) / trials)
            checks.append((observed, p, se))
    for observed, p, se in checks:
        assert abs(observed - p) < 5 * se, checks
    # spikes are independent between neurons and steps: counts per neuron
    # have (close to) binomial variance, not 0 (all neurons drawing the
    # same numbers would give identical counts)
    counts = stochastic_results["bern_uniform"][1::2]
    assert np.var(counts) > 0.5 * steps * 0.12 * 0.88


# -------------------------------------------------------------- subgroups
def subgroups():
    G = NeuronGroup(20, """dv/dt = (I - v)/tau : 1 (unless refractory)
                           I : 1
                           tau : second (constant)""",
                    threshold="v > 1", reset="v = 0", refractory=2 * ms,
                    method="exact", name="sub_g")
    A, B = G[:8], G[8:]
    # host-side code on subgroups: 'i' is the index within the subgroup
    A.I = 1.5
    B.I = "1.1 + 0.1*i"
    A.tau = 10 * ms
    B.tau = "(5 + i)*ms"
    B.v[3:6] = 0.5  # neurons 11-13
    G.v["i >= 17"] = 0.9
    spikes_a = SpikeMonitor(A, name="sub_spikes_a")
    spikes_mid = SpikeMonitor(G[5:12], name="sub_spikes_mid")
    trace_b = StateMonitor(B, "v", record=[0, 2, 11], name="sub_trace_b")
    rate = PopulationRateMonitor(G[4:10], name="sub_rate")
    Network(G, spikes_a, spikes_mid, trace_b, rate).run(100 * ms)
    return dict(a_i=spikes_a.i[:], a_t=spikes_a.t[:], a_count=spikes_a.count[:],
                mid_i=spikes_mid.i[:], mid_t=spikes_mid.t[:], mid_count=spikes_mid.count[:],
                v=trace_b.v[:], trace_t=trace_b.t[:], rate=rate.rate[:], rate_t=rate.t[:],
                v_end=G.v[:], I=G.I[:], tau=G.tau[:])


def test_subgroups():
    """Variables set through subgroups, monitors on subgroups (indices
    relative to the subgroup)."""
    reference, genn = run_both(subgroups)
    for name in ("I", "tau"):
        np.testing.assert_array_equal(genn[name], reference[name])
    assert reference["mid_count"].min() > 0 and len(reference["mid_count"]) == 7
    assert reference["a_i"].max() == 7 and reference["mid_i"].max() == 6
    assert_spikes_equal(reference["a_i"], reference["a_t"], genn["a_i"], genn["a_t"])
    assert_spikes_equal(reference["mid_i"], reference["mid_t"], genn["mid_i"], genn["mid_t"])
    np.testing.assert_array_equal(genn["a_count"], reference["a_count"])
    np.testing.assert_array_equal(genn["mid_count"], reference["mid_count"])
    np.testing.assert_array_equal(genn["trace_t"], reference["trace_t"])
    assert_traces_close(reference["v"], genn["v"])
    assert_traces_close(reference["v_end"], genn["v_end"])
    np.testing.assert_array_equal(genn["rate_t"], reference["rate_t"])
    assert reference["rate"].max() > 0
    np.testing.assert_allclose(genn["rate"], reference["rate"], rtol=1e-12)


# ---------------------------------------------------------------- float32
def _float32_model(genn, script_name):
    """The GeNN model really computes in float."""
    assert genn_device.model_description.precision == "float"
    for population in genn_device.loaded_model.populations.values():
        assert population.vars["v"].view.dtype == np.float32, script_name


def test_lif_float32():
    """float32 (GeNN type 'float') against the float64 reference. The exact
    update v <- I + (v - I) exp(-dt/tau) contracts errors by 0.99 per step,
    so float32 rounding (eps = 6e-8) saturates at about 100 eps = 6e-6 of
    the scale: traces are compared to 1e-4. A threshold crossing within
    that of the threshold could move a spike by a step, so spike times may
    differ by 1 dt and counts by 1 (in practice they are identical), and
    full traces are compared only for neurons whose spikes are identical."""
    reference = run_with("runtime", lif_constant_current, np.float64)
    genn = run_with("genn", lif_constant_current, np.float32)
    _float32_model(genn, "lif")
    assert genn["v"].dtype == np.float32
    n = len(reference["count"])
    ref_trains = spike_trains(reference["i"], reference["t"], n)
    trains = spike_trains(genn["i"], genn["t"], n)
    assert_spike_trains_close(ref_trains, trains, max_shift=1e-4)
    identical = [k for k in range(n) if len(ref_trains[k]) == len(trains[k])
                 and np.allclose(ref_trains[k], trains[k], rtol=0, atol=1e-9)]
    assert len(identical) >= n - 2
    scale = np.max(np.abs(reference["v"]))
    np.testing.assert_allclose(genn["v"][identical], reference["v"][identical],
                               rtol=0, atol=1e-4 * scale)


def test_hodgkin_huxley_float32():
    """HH in float32 against the float64 reference: near rheobase a spike
    can come a few steps earlier or later (observed: one neuron with one
    spike more, shifts of 0.2 ms), so per neuron at most one spike more or
    fewer, spikes within 1 ms, and the f-I curve (total count) within 2 %."""
    reference = run_with("runtime", hodgkin_huxley_fi_curve, np.float64)
    genn = run_with("genn", hodgkin_huxley_fi_curve, np.float32)
    _float32_model(genn, "hh")
    n = len(reference["count"])
    assert_spike_trains_close(spike_trains(reference["i"], reference["t"], n),
                              spike_trains(genn["i"], genn["t"], n), max_shift=1e-3)
    assert abs(genn["count"].sum() / reference["count"].sum() - 1) < 0.02


# ------------------------------------------ names, integer and boolean state
def names_and_types():
    # variable names that GeNN code uses itself (Isyn, st, batch, set, inSyn)
    # and integer/boolean state variables changed in the reset
    G = NeuronGroup(40, """dv/dt = (Isyn - v)/(10*ms) : 1 (unless refractory)
                           Isyn : 1 (constant)
                           st : second
                           batch : 1
                           inSyn : 1
                           n_spikes : integer
                           flag : boolean""",
                    threshold="v > 1", reset="""v = 0
                                                st = t
                                                n_spikes += 1
                                                flag = n_spikes % 2 == 1
                                                batch += 0.5
                                                inSyn = inSyn * 2 + 1""",
                    refractory=1 * ms, method="exact", name="names_g")
    G.Isyn = "1.02 + 0.03*i"
    G.v["i % 3 == 0"] = 1.5  # every third neuron spikes at t = 0
    spikes = SpikeMonitor(G, name="names_spikes")
    Network(G, spikes).run(50 * ms)
    return dict(i=spikes.i[:], t=spikes.t[:], st=G.st[:], batch=G.batch[:], inSyn=G.inSyn[:],
                n_spikes=G.n_spikes[:], flag=G.flag[:], v=G.v[:])


def test_names_integers_booleans_and_first_step():
    reference, genn = run_both(names_and_types)
    spikes_at_0 = reference["i"][reference["t"] == 0]
    np.testing.assert_array_equal(np.sort(spikes_at_0), np.arange(0, 40, 3))
    assert reference["n_spikes"].min() >= 1 and reference["flag"].any() \
        and not reference["flag"].all()
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    for name in ("n_spikes", "flag"):
        assert genn[name].dtype == reference[name].dtype
        np.testing.assert_array_equal(genn[name], reference[name], err_msg=name)
    for name in ("st", "batch", "inSyn", "v"):
        assert_traces_close(reference[name], genn[name], what=name)
