"""Brian's default functions and operators in GeNN code, against Brian's
runtime device (numpy): identical to 1e-9 in float64.

The functions are evaluated in two places of the GeNN model: in the
recording code of a StateMonitor (subexpressions of the group), and in the
group's own state update and threshold."""

import math

import numpy as np
import pytest
from brian2 import (Function, Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses,
                    ms, second)

from utils import assert_spikes_equal, assert_traces_close, genn_device, run_with

# A user function with a numpy implementation (from its Python function) and
# an inlined GeNN implementation.
def _squared_plus_one(x):
    return x * x + 1.0


squared_plus_one = Function(_squared_plus_one, arg_units=[1], return_unit=1)
squared_plus_one.implementations.add_implementation(
    "genn", code={"genn_inline": "({0} * {0} + 1.0)"}, name="squared_plus_one")

#: subexpression name -> (expression, dtype); x is in [-2.6, 2.6] and varies
#: over neurons and time, y = |x| + 0.05 > 0, s = x / 3 is in (-1, 1)
FLOAT_FUNCTIONS = {
    "f_exp": "exp(x)", "f_log": "log(y)", "f_log10": "log10(y)", "f_sqrt": "sqrt(y)",
    "f_abs": "abs(x)", "f_sin": "sin(x)", "f_cos": "cos(x)", "f_tan": "tan(s)",
    "f_sinh": "sinh(x)", "f_cosh": "cosh(x)", "f_tanh": "tanh(x)",
    "f_arcsin": "arcsin(s)", "f_arccos": "arccos(s)", "f_arctan": "arctan(x)",
    "f_expm1": "expm1(s*1e-3)", "f_log1p": "log1p(s*1e-3)",
    "f_pow": "y**2.5", "f_pow_int": "x**3", "f_user": "squared_plus_one(x)",
    "f_div": "x / 0.7",
}
#: functions and constants whose GeNN code needs infinity (a separate model,
#: so that a problem there does not hide the others)
SPECIAL_FUNCTIONS = {
    "f_exprel": "exprel(x)", "f_exprel_small": "exprel(s*1e-9)",
    "f_exprel_zero": "exprel(x*0)", "f_exprel_huge": "exprel(720 + x)",
    "f_clip_inf": "clip(x, -inf, 0.5)",
}
#: functions with jumps: compared only in float64
STEP_FUNCTIONS = {
    "f_sign": "sign(x)", "f_floor": "floor(x)", "f_ceil": "ceil(x)",
    "f_clip": "clip(x, -1.5, 0.5)", "f_int": "int(x)", "f_mod": "x % 1.5",
    "f_floordiv": "x // 0.7", "f_mod_neg": "x % -1.5",
}
#: integer arithmetic on a negative and positive integer variable k
INTEGER_FUNCTIONS = {
    "k_mod": "k % 3", "k_floordiv": "k // 4", "k_truediv": "k / 4",
    "k_neg_mod": "(-k) % 3", "k_neg_floordiv": "(-k) // 4",
}
#: functions of the integer k: abs stays an integer, the others take it as
#: a float (CUDA device code has no integer versions of them)
INTEGER_ARGUMENT_FUNCTIONS = {
    "k_abs": ("abs(k - 3)", "integer"), "k_sqrt": ("sqrt(abs(k))", "1"),
    "k_exp": ("exp(k)", "1"), "k_sin": ("sin(k)", "1"), "k_floor": ("floor(k)", "1"),
}


def functions_script():
    lines = ["dx/dt = speed : 1", "speed : Hz (constant)", "k : integer (constant)",
             "y = abs(x) + 0.05 : 1", "s = x / 3 : 1"]
    for name, expr in list(FLOAT_FUNCTIONS.items()) + list(STEP_FUNCTIONS.items()):
        lines.append(f"{name} = {expr} : 1")
    for name, expr in INTEGER_FUNCTIONS.items():
        dtype = "1" if name == "k_truediv" else "integer"
        lines.append(f"{name} = {expr} : {dtype}")
    for name, (expr, dtype) in INTEGER_ARGUMENT_FUNCTIONS.items():
        lines.append(f"{name} = {expr} : {dtype}")
    # functions in the group's own code: a state variable driven by them
    # (integrated with Euler) and a threshold with timestep() and %
    lines.append("dz/dt = (exp(s) + sqrt(y) * cos(x) + clip(x, -1, 1) + floor(x)"
                 " + abs(x) ** 1.5 + expm1(s) + (k % 3) + squared_plus_one(s))/second : 1")
    G = NeuronGroup(52, "\n".join(lines), method="euler",
                    threshold="timestep(t, dt) % (3 + (k % 4 + 4) % 4) == 0",
                    name="functions")
    G.x = "-2.6 + 5.2 * (i + 0.37) / N"
    G.speed = "(i % 5 - 2) * 3.7 / second"
    G.k = "i - 26"
    names = (list(FLOAT_FUNCTIONS) + list(STEP_FUNCTIONS) + list(INTEGER_FUNCTIONS)
             + list(INTEGER_ARGUMENT_FUNCTIONS) + ["x", "z"])
    trace = StateMonitor(G, names, record=True, name="functions_trace")
    spikes = SpikeMonitor(G, name="functions_spikes")
    Network(G, trace, spikes).run(20 * ms)
    result = {name: getattr(trace, name)[:] for name in names}
    result.update(spike_i=spikes.i[:], spike_t=spikes.t[:], z_end=G.z[:])
    return result


def special_functions_script():
    lines = ["dx/dt = speed : 1", "speed : Hz (constant)", "s = x / 3 : 1"]
    lines += [f"{name} = {expr} : 1" for name, expr in SPECIAL_FUNCTIONS.items()]
    lines.append("dz/dt = exprel(x)/second : 1")
    G = NeuronGroup(52, "\n".join(lines), method="euler", name="special_functions")
    G.x = "-2.6 + 5.2 * (i + 0.37) / N"
    G.speed = "(i % 5 - 2) * 3.7 / second"
    names = list(SPECIAL_FUNCTIONS) + ["z"]
    trace = StateMonitor(G, names, record=True, name="special_functions_trace")
    Network(G, trace).run(5 * ms)
    return {name: getattr(trace, name)[:] for name in names}


@pytest.fixture(scope="module")
def reference():
    return run_with("runtime", functions_script)


@pytest.fixture(scope="module")
def genn64():
    return run_with("genn", functions_script)


@pytest.fixture(scope="module")
def special():
    return (run_with("runtime", special_functions_script),
            run_with("genn", special_functions_script))


@pytest.fixture(scope="module")
def genn32():
    results = run_with("genn", functions_script, float_dtype=np.float32)
    assert genn_device.model_description.precision == "float"
    return results


@pytest.mark.parametrize("name", list(SPECIAL_FUNCTIONS) + ["z"])
def test_functions_with_infinity(name, special):
    reference, genn = special
    if name == "f_exprel_huge":
        assert np.all(np.isinf(reference[name]))
    if name == "f_exprel_zero":
        assert np.all(reference[name] == 1)
    assert_traces_close(reference[name], genn[name], what=name)


def test_arguments_cover_the_interesting_ranges(reference):
    x = reference["x"]
    assert x.min() < -2.5 and x.max() > 2.5
    assert (reference["k_mod"] != 0).any() and (reference["k_neg_floordiv"] < 0).any()
    for name in list(FLOAT_FUNCTIONS) + list(STEP_FUNCTIONS):
        assert np.all(np.isfinite(reference[name])), name
        assert np.ptp(reference[name]) > 0, name


@pytest.mark.parametrize("name", list(FLOAT_FUNCTIONS) + list(STEP_FUNCTIONS))
def test_float_functions(name, reference, genn64):
    assert_traces_close(reference[name], genn64[name], what=name)


@pytest.mark.parametrize("name", list(INTEGER_FUNCTIONS))
def test_integer_arithmetic(name, reference, genn64):
    if name == "k_truediv":
        assert_traces_close(reference[name], genn64[name], what=name)
    else:
        np.testing.assert_array_equal(genn64[name], reference[name], err_msg=name)


@pytest.mark.parametrize("name", list(INTEGER_ARGUMENT_FUNCTIONS))
def test_functions_of_integers(name, reference, genn64):
    np.testing.assert_allclose(genn64[name], reference[name], rtol=1e-14, err_msg=name)
    assert (genn64[name].dtype.kind == "i") == (name == "k_abs")


def test_functions_in_state_update_and_threshold(reference, genn64):
    assert_traces_close(reference["z"], genn64["z"], what="z")
    assert_traces_close(reference["z_end"], genn64["z_end"], what="z after the run")
    assert len(reference["spike_i"]) > 100
    assert_spikes_equal(reference["spike_i"], reference["spike_t"],
                        genn64["spike_i"], genn64["spike_t"])


@pytest.mark.parametrize("name", list(FLOAT_FUNCTIONS))
def test_float_functions_float32(name, reference, genn32):
    """float32: GeNN evaluates the functions in float (the argument x
    itself carries float32 rounding, ~1e-7 relative; exp, sinh, cosh, x**3,
    y**2.5 amplify it by up to |x| d log f / d x ~ 8). 2e-5 of each trace's
    scale is ~100 times the expected error, far below any real mistake.
    Functions with jumps (floor, %, ...) and z (which integrates floor(x))
    are left out: float32 rounding of x may legitimately move a sample
    across a jump."""
    assert genn32[name].dtype == np.float32
    assert_traces_close(reference[name], genn32[name], rtol=2e-5, what=name)


def test_loop_invariants_of_constants_are_evaluated():
    """Brian's loop invariants of constants and dt become literals of Brian's
    runtime value (GeNN would evaluate them per neuron); ones that depend on
    t, a variable or a random number stay code."""
    from brian2.codegen.statements import Statement
    from brian2.core.functions import DEFAULT_FUNCTIONS
    from brian2.core.variables import Constant

    from brian2genn_bridge.translators.folding import fold_constant_statements

    group = NeuronGroup(1, "v : 1")
    variables = {"dt": group.variables["dt"], "t": group.variables["t"],
                 "v": group.variables["v"], "tau": Constant("tau", 0.007),
                 "exp": DEFAULT_FUNCTIONS["exp"], "rand": DEFAULT_FUNCTIONS["rand"]}
    statements = [Statement(name, ":=", expr, "", np.float64, constant=True, scalar=True)
                  for name, expr in [("_lio_1", "exp(-dt/tau)"), ("_lio_2", "2*_lio_1 - 1"),
                                     ("_lio_3", "exp(-t/tau)"), ("_lio_4", "v*_lio_1"),
                                     ("_lio_5", "rand()*_lio_1")]]
    folded = fold_constant_statements(statements, variables, group)
    value = np.exp(-group.dt_ / 0.007)
    assert float(folded[0].expr) == value
    assert float(folded[1].expr) == 2 * value - 1
    assert [s.expr for s in folded[2:]] == [s.expr for s in statements[2:]]


def _blend(x, y):
    return x * np.exp(-y) + np.sin(y)


def user_function_with_cpp_code():
    # the C++ implementation Brian's C++ targets call: one return statement,
    # which the GeNN device inlines (parameter names that are prefixes of
    # each other, and a name the expression also uses)
    blend = Function(_blend, arg_units=[1, 1], return_unit=1)
    blend.implementations.add_implementation("cpp", """
        inline double blend(double x, double xx)
        {
            return x*exp(-xx) + sin(xx);
        }""")
    G = NeuronGroup(4, """dv/dt = (blend(v, x) - v)/(5*ms) : 1
                          x = 0.3*i + v : 1""", threshold="blend(v, 1) > 0.9",
                    reset="v = 0", namespace={"blend": blend}, name="fn_cpp_user")
    G.v = [0.1, 0.5, 1.2, 2.0]
    spikes = SpikeMonitor(G)
    trace = StateMonitor(G, ["v", "x"], record=True)
    Network(G, spikes, trace).run(20 * ms)
    return {"v": trace.v[:], "i": spikes.i[:], "t": spikes.t[:]}


def test_user_function_with_cpp_code():
    reference = run_with("runtime", user_function_with_cpp_code)
    genn = run_with("genn", user_function_with_cpp_code)
    assert len(reference["i"]) > 0
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    assert_traces_close(reference["v"], genn["v"])


POISSON_MEANS = [0.0, 0.3, 3.0, 9.5, 10.0, 24.0, 400.0]


def poisson_samples():
    # each neuron draws 50 numbers of one mean; also in a reset, whose
    # statement needs the draw before Brian's conditional write
    n = 400
    G = NeuronGroup(n * len(POISSON_MEANS), """lam : 1 (constant)
                                               k : integer
                                               dv/dt = 1/ms : 1
                                               total : integer""",
                    threshold="v > 1", reset="v = 0; total += poisson(lam)",
                    refractory=0.3 * ms, name="fn_poisson")
    G.lam = np.repeat(POISSON_MEANS, n)
    G.run_regularly("k = poisson(lam)", name="fn_poisson_draw")
    mon = StateMonitor(G, "k", record=True, name="fn_poisson_mon")
    spikes = SpikeMonitor(G, name="fn_poisson_spikes")
    Network(G, mon, spikes).run(5 * ms)
    return {"k": mon.k[:], "total": G.total[:], "count": spikes.count[:]}


def _poisson_pmf(values, lam):
    return np.exp(values * np.log(lam) - lam - np.array([math.lgamma(v + 1) for v in values]))


def test_poisson_samples():
    # against the distribution, as Brian's runtime device draws it
    reference = run_with("runtime", poisson_samples)
    genn = run_with("genn", poisson_samples)
    for results in (reference, genn):
        k = results["k"].reshape(len(POISSON_MEANS), -1)
        totals = results["total"].reshape(len(POISSON_MEANS), -1)
        draws = results["count"].reshape(len(POISSON_MEANS), -1)
        assert np.all(draws >= 3)
        for lam, samples, total, n_draws in zip(POISSON_MEANS, k, totals, draws):
            if lam == 0:
                assert np.all(samples == 0) and np.all(total == 0)
                continue
            # means within 5 standard errors
            assert abs(samples.mean() - lam) < 5 * np.sqrt(lam / samples.size)
            assert abs(total.sum() - lam * n_draws.sum()) < 5 * np.sqrt(lam * n_draws.sum())
            # the distribution: chi-square over the values expected at least
            # 20 times (and the rest), below its mean + 5 standard deviations
            values = np.arange(int(lam + 10 * np.sqrt(lam)) + 10)
            expected = _poisson_pmf(values, lam) * samples.size
            keep = expected >= 20
            observed = np.append([np.sum(samples == v) for v in values[keep]],
                                 np.sum(~np.isin(samples, values[keep])))
            expected = np.append(expected[keep], samples.size - expected[keep].sum())
            chi2 = np.sum((observed - expected) ** 2 / expected)
            df = len(expected) - 1
            assert chi2 < df + 5 * np.sqrt(2 * df), (lam, chi2, df)


#: calls whose GeNN code uses the argument more than once; each rand() or
#: randn() in an argument must still be one draw
RANDOM_ARGUMENTS = "s = sign(rand() - 0.5)\nx = exprel(rand() - 0.5)\na = abs(randn())"


def random_arguments():
    G = NeuronGroup(4000, "s : 1\nx : 1\na : 1", name="fn_random_args")
    G.run_regularly(RANDOM_ARGUMENTS, name="fn_random_args_op")
    H = NeuronGroup(1, "", name="fn_random_args_target")
    source = NeuronGroup(4000, "", threshold="True", name="fn_random_args_source")
    S = Synapses(source, H, "s : 1\nx : 1\na : 1", on_pre=RANDOM_ARGUMENTS,
                 name="fn_random_args_syn")
    S.connect()
    Network(G, H, source, S).run(0.1 * ms)
    return {f"{owner}_{var}": getattr(group, var)[:]
            for owner, group in (("neurons", G), ("synapses", S)) for var in "sxa"}


def test_random_arguments_are_drawn_once():
    """Against the distributions, as Brian's runtime device draws them:
    sign() of a uniform number is never 0, exprel() of one in [-0.5, 0.5)
    stays between exprel(-0.5) and exprel(0.5), and |randn()| has the mean
    sqrt(2/pi) and the variance 1 - 2/pi of the half-normal distribution."""
    bounds = [np.expm1(-0.5) / -0.5, np.expm1(0.5) / 0.5]
    for results in (run_with("runtime", random_arguments),
                    run_with("genn", random_arguments)):
        for owner in ("neurons", "synapses"):
            s, x, a = (results[f"{owner}_{var}"] for var in "sxa")
            assert np.all(np.abs(s) == 1), owner
            assert 0.45 < np.mean(s == 1) < 0.55, owner
            assert np.all((x >= bounds[0]) & (x <= bounds[1])), owner
            assert np.all(a >= 0), owner
            mean, variance = np.sqrt(2 / np.pi), 1 - 2 / np.pi
            assert abs(a.mean() - mean) < 5 * np.sqrt(variance / a.size), owner
            assert abs(a.var() - variance) < 0.1 * variance, owner
