"""Integration code shared between groups with the same equations
(`brian2genn_bridge.integration_cache`): the same abstract code as Brian's
for each group, one solution for all of them, Brian's choice of method still
made and logged for each group."""

import pytest
from brian2 import NeuronGroup, Network, SpikeMonitor, StateMonitor, defaultclock, ms
from brian2.stateupdaters.base import StateUpdateMethod
from brian2.utils.logger import catch_logs

from brian2genn_bridge.integration_cache import shared_integration
from utils import assert_same_values, assert_spikes_equal, run_both

LIF = """dv/dt = (I_dc - v + I)/(10*ms) : volt (unless refractory)
         dI/dt = -I/(5*ms) : volt
         I_dc : volt"""
NONLINEAR = "dv/dt = (-v + 0.1*v**2/mV + I_dc)/(10*ms) : volt\nI_dc : volt"


def _abstract_code(groups) -> list[str]:
    codes = []
    for group in groups:
        group.state_updater.update_abstract_code(run_namespace={})
        codes.append(group.state_updater.abstract_code)
    return codes


def _clear_brian_cache():
    StateUpdateMethod.__dict__["apply_stateupdater"].__func__._cache.clear()


@pytest.mark.parametrize("equations, method", [(LIF, "exact"), (LIF, "euler"),
                                               (NONLINEAR, None)])
def test_same_code_as_brian_with_one_solution(equations, method, monkeypatch):
    kwds = {} if method is None else {"method": method}
    groups = [NeuronGroup(n, equations, threshold="v > 20*mV", reset="v = 0*mV",
                          refractory=2 * ms, **kwds) for n in (3, 17, 40)]
    _clear_brian_cache()
    brian = _abstract_code(groups)
    _clear_brian_cache()
    brian_function = StateUpdateMethod.__dict__["apply_stateupdater"]
    calls = []
    exact = StateUpdateMethod.stateupdaters["exact"]
    monkeypatch.setitem(StateUpdateMethod.stateupdaters, "exact",
                        lambda *args: calls.append(1) or exact(*args))
    with catch_logs(log_level="INFO") as logs:
        with shared_integration():
            shared = _abstract_code(groups)
    assert shared == brian
    # Brian solves once per group (its cache keys the sizes); shared: once
    if method != "euler":
        assert len(calls) == 1
    if method is None:
        # Brian's choice of method (exact fails, then euler) is logged per group
        chosen = [log for log in logs if "method_choice" in log[1]]
        assert len(chosen) == len(groups)
    # Brian's own function again after the context
    assert StateUpdateMethod.__dict__["apply_stateupdater"] is brian_function


def populations():
    """Populations of one model with their own sizes and inputs (a cortical
    model's layers), each integrated exactly."""
    defaultclock.dt = 0.1 * ms
    groups = []
    for k, n in enumerate((5, 8, 13)):
        G = NeuronGroup(n, LIF, threshold="v > 20*mV", reset="v = 0*mV", refractory=2 * ms,
                        method="exact", name=f"population_{k}")
        G.I_dc = f"(19 + 2*{k} + i) * mV"
        G.I = "i * mV"
        groups.append(G)
    spikes = [SpikeMonitor(G) for G in groups]
    trace = StateMonitor(groups[-1], "v", record=[0, 12])
    Network(groups, spikes, trace).run(20 * ms)
    return [(m.i[:], m.t[:]) for m in spikes], trace.v[:]


def test_populations_as_on_the_runtime_device():
    (runtime_spikes, runtime_v), (genn_spikes, genn_v) = run_both(populations)
    for (ri, rt), (gi, gt) in zip(runtime_spikes, genn_spikes):
        assert len(ri) > 0
        assert_spikes_equal(ri, rt, gi, gt)
    assert_same_values(runtime_v, genn_v)
