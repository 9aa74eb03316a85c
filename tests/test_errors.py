"""Unsupported features raise `NotImplementedError` that names the Brian
object (and the feature), before anything is built: the build directory
stays empty and no GeNN model is loaded."""

import importlib.util
import os

import pytest
from brian2 import (Cylinder, Function, Network, NeuronGroup, SpatialNeuron, SpikeMonitor,
                    StateMonitor, Synapses, TimedArray, cm, linked_var, ms, mV, network_operation,
                    prefs, siemens, um)
from brian2.devices.device import set_device
from brian2.utils.logger import BrianLogger, catch_logs

from brian2genn_bridge.device_settings import cuda_problem
from utils import GENN_BACKEND, genn_device, run_with

EQS = "dv/dt = -v/(10*ms) : 1"


def custom_event_code_early():
    G = NeuronGroup(2, EQS, threshold="v > 1", events={"custom": "v > 0.5"}, name="err_events")
    G.run_on_event("custom", "v = 0", when="before_groups")
    Network(G).run(1 * ms)


def run_regularly_dt():
    G = NeuronGroup(2, EQS, name="err_regular")
    G.run_regularly("v = 0", dt=0.25 * ms, name="err_regular_op")
    Network(G).run(1 * ms)


def synaptic_operation_after_propagation():
    G = NeuronGroup(2, EQS, name="err_late_g")
    S = Synapses(G, G, "w : 1", name="err_late_syn")
    S.connect()
    S.run_regularly("w += 1", when="end")
    Network(G, S).run(1 * ms)


def timedarray_in_synapses():
    ta = TimedArray([1.0, 2.0], dt=0.1 * ms, name="err_ta")
    G = NeuronGroup(2, EQS, threshold="True", name="err_ta_g")
    S = Synapses(G, G, on_pre="v_post += ta(t)", namespace={"ta": ta}, name="err_ta_syn")
    S.connect()
    Network(G, S).run(1 * ms)


def _doubled(x):
    return 2 * x


def python_only_function():
    doubled = Function(_doubled, arg_units=[1], return_unit=1)
    G = NeuronGroup(2, "dv/dt = -doubled(v)/(10*ms) : 1", name="err_pyfunc",
                    namespace={"doubled": doubled})
    Network(G).run(1 * ms)


def cpp_function_with_statements():
    doubled = Function(_doubled, arg_units=[1], return_unit=1)
    doubled.implementations.add_implementation("cpp", """
        double doubled(double x) { const double y = 2*x; return y; }""")
    G = NeuronGroup(2, "dv/dt = -doubled(v)/(10*ms) : 1", name="err_cppfunc",
                    namespace={"doubled": doubled})
    Network(G).run(1 * ms)


def network_operation_script():
    """An operation between the threshold and the reset of a step."""
    G = NeuronGroup(2, EQS, threshold="v > 1", reset="v = 0", name="err_netop_g")

    @network_operation(name="err_netop", when="thresholds", order=1)
    def operation():
        pass

    Network(G, operation).run(1 * ms)


def state_monitor_when_synapses():
    """Synaptic StateMonitors are sampled between GeNN's steps: not between
    the Synapses' clock-driven update and its pathway."""
    G = NeuronGroup(2, EQS, threshold="v > 1", reset="v = 0", name="err_sm_syn_g")
    S = Synapses(G, G, "dw/dt = -w/(5*ms) : 1 (clock-driven)", on_pre="w += 1",
                 name="err_sm_syn_s")
    S.connect()
    M = StateMonitor(S, "w", record=True, when="before_synapses", name="err_sm_syn")
    Network(G, S, M).run(1 * ms)


def state_monitor_dt():
    G = NeuronGroup(2, EQS, name="err_sm_dt_g")
    M = StateMonitor(G, "v", record=True, dt=0.25 * ms, name="err_sm_dt")
    Network(G, M).run(1 * ms)


def state_monitor_index_twice():
    G = NeuronGroup(2, EQS, name="err_sm_twice_g")
    M = StateMonitor(G, "v", record=[1, 1], name="err_sm_twice")
    Network(G, M).run(1 * ms)


def spike_monitor_when_start():
    G = NeuronGroup(2, EQS, threshold="v > 1", name="err_spm_g")
    M = SpikeMonitor(G, when="start", name="err_spm_start")
    Network(G, M).run(1 * ms)


def several_clocks():
    G = NeuronGroup(2, EQS, name="err_clock_a")
    H = NeuronGroup(2, EQS, dt=0.25 * ms, name="err_clock_b")
    Network(G, H).run(1 * ms)


def linked_variable_changed_before_read():
    # Brian updates 'err_linked_source' before 'err_linked' (by name): the
    # reader would need the value of the middle of the step
    G = NeuronGroup(2, EQS, name="err_linked_source")
    H = NeuronGroup(2, """dw/dt = (x - w)/(5*ms) : 1
                          x : 1 (linked)""", name="err_linked")
    H.x = linked_var(G, "v")
    Network(G, H).run(1 * ms)


def linked_variable_written():
    G = NeuronGroup(2, "x : 1", name="err_linked_w_source")
    H = NeuronGroup(2, """x_linked : 1 (linked)
                          y : 1""", threshold="y > 1", reset="y = 0; x_linked += 1",
                    name="err_linked_w")
    H.x_linked = linked_var(G, "x")
    H.y = 1.1
    Network(G, H).run(1 * ms)


def linked_variable_in_synapses():
    G = NeuronGroup(2, "v : 1", name="err_linked_s_source")
    H = NeuronGroup(2, """x : 1 (linked)
                          u : 1""", name="err_linked_s_target")
    H.x = linked_var(G, "v")
    P = NeuronGroup(2, EQS, threshold="v > 1", reset="v = 0", name="err_linked_s_pre")
    S = Synapses(P, H, on_pre="u_post += x_post", name="err_linked_syn")
    S.connect(j="i")
    Network(G, H, P, S).run(1 * ms)


def synapses_linking_a_third_group(subexpression: bool):
    """A Synapses whose own linked variable reads a group other than its
    pre- and postsynaptic ones (Brian's homeostatic STDP example links a
    subexpression of a one-neuron group)."""
    def script():
        name = "err_link3_sub" if subexpression else "err_link3"
        G = NeuronGroup(1, """dH/dt = -H/(10*ms) : 1
                              G = H - 0.5 : 1""", name=f"{name}_g")
        G.H = 1
        P = NeuronGroup(2, EQS, threshold="v > 1", reset="v = 0", name=f"{name}_p")
        P.v = 1.1
        S = Synapses(P, P, """w : 1
                              x : 1 (linked)""", on_pre="w += x", name=name)
        S.connect(j="i")
        S.x = linked_var(G, "G" if subexpression else "H")
        Network(G, P, S).run(1 * ms)
    return script


def synapses_on_synapses():
    G = NeuronGroup(2, EQS, threshold="v > 1", reset="v = 0", name="err_sos_g")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w", name="err_sos_target")
    S.connect(j="i")
    M = Synapses(G, S, on_pre="w += 1", name="err_sos")
    M.connect(j="i")
    Network(G, S, M).run(1 * ms)


def delay_of_each_synapse_read():
    G = NeuronGroup(3, "x : 1", threshold="True", name="err_delay_g")
    S = Synapses(G, G, on_pre="x_post += delay/ms", name="err_delay")
    S.connect()
    S.delay = "i*ms"
    Network(G, S).run(1 * ms)


def delayed_read(on_pre: str, name: str, on_post: str | None = None,
                 second_synapses: bool = False, homogeneous: bool = False,
                 post_delay: bool = False):
    """Synaptic code with a delay that reads a neuron variable which changes
    while a spike is on its way (GeNN reads the value at the spike)."""
    def script():
        G = NeuronGroup(3, "dx/dt = 1/ms : 1\np : 1", threshold="True", name=f"{name}_g")
        H = NeuronGroup(3, "y : 1\ndq/dt = 1/ms : 1", threshold="True", name=f"{name}_h")
        S = Synapses(G, H, "w : 1", on_pre=on_pre, on_post=on_post, name=name)
        S.connect()
        S.delay = "1*ms" if homogeneous else "i*ms"
        if post_delay:
            S.post.delay = 1 * ms
        objects = [G, H, S]
        if second_synapses:
            # another Synapses changes the variable read
            T = Synapses(H, G, on_pre="p_post += 1", name=f"{name}_other")
            T.connect()
            objects.append(T)
        Network(*objects).run(1 * ms)
    return script


def too_many_delay_values():
    prefs.devices.genn.max_delay_groups = 3
    G = NeuronGroup(5, "", threshold="True", name="err_parts_g")
    S = Synapses(G, G, "w : 1", on_pre="w += 1", name="err_parts")
    S.connect()
    S.delay = "i*ms"
    Network(G, S).run(1 * ms)


def spatial_neuron():
    morphology = Cylinder(diameter=1 * um, length=100 * um, n=5)
    neuron = SpatialNeuron(morphology, "Im = 1e-4*siemens/cm**2 * (-70*mV - v) : amp/meter**2",
                           name="err_spatial")
    Network(neuron).run(1 * ms)


CASES = {
    # script: words the message must contain (object names, the feature)
    "custom_event_code_early": (custom_event_code_early,
                                ["err_events", "custom", "before_groups"]),
    "run_regularly_dt": (run_regularly_dt, ["err_regular", "err_regular_op", "dt"]),
    "timedarray_in_synapses": (timedarray_in_synapses, ["err_ta_syn", "TimedArray"]),
    "synaptic_operation_after_propagation": (synaptic_operation_after_propagation,
                                             ["err_late_syn", "'end' slot"]),
    "python_only_function": (python_only_function, ["err_pyfunc", "doubled"]),
    "cpp_function_with_statements": (cpp_function_with_statements,
                                     ["err_cppfunc", "doubled", "return"]),
    "network_operation": (network_operation_script, ["err_netop", "NetworkOperation"]),
    "state_monitor_when_synapses": (state_monitor_when_synapses,
                                    ["err_sm_syn", "before_synapses"]),
    "state_monitor_dt": (state_monitor_dt, ["err_sm_dt", "dt"]),
    "state_monitor_index_twice": (state_monitor_index_twice, ["err_sm_twice"]),
    "spike_monitor_when_start": (spike_monitor_when_start, ["err_spm_start", "start"]),
    "several_clocks": (several_clocks, ["err_clock_b", "clock"]),
    "linked_variable_changed_before_read": (
        linked_variable_changed_before_read,
        ["err_linked", "err_linked_source_stateupdater", "same time step"]),
    "linked_variable_written": (linked_variable_written,
                                ["err_linked_w", "writing", "err_linked_w_source.x"]),
    "linked_variable_in_synapses": (linked_variable_in_synapses,
                                    ["err_linked_syn", "linked", "err_linked_s_target"]),
    "synapses_linking_a_third_group": (synapses_linking_a_third_group(False),
                                       ["err_link3", "'err_link3_g.H'", "other than"]),
    "synapses_linking_a_subexpression": (synapses_linking_a_third_group(True),
                                         ["err_link3_sub", "'err_link3_sub_g.H'", "other than"]),
    "synapses_on_synapses": (synapses_on_synapses,
                             ["err_sos", "err_sos_target", "Synapses acting on Synapses"]),
    "spatial_neuron": (spatial_neuron, ["err_spatial", "SpatialNeuron", "multi-compartment"]),
    "delay_of_each_synapse_read": (delay_of_each_synapse_read,
                                   ["err_delay", "delay of each synapse"]),
    "delayed_read_of_a_changing_source": (
        delayed_read("y_post += x_pre", "err_dr_x"),
        ["err_dr_x", "'err_dr_x_g.x'", "changes during the run", "delay"]),
    "delayed_read_with_one_delay": (
        delayed_read("y_post += x_pre", "err_dr_one", homogeneous=True),
        ["err_dr_one", "'err_dr_one_g.x'", "changes during the run", "delay"]),
    "too_many_delay_values": (too_many_delay_values,
                              ["err_parts", "5 different values", "max_delay_groups = 3"]),
    "delayed_read_of_an_input": (
        delayed_read("y_post += p_pre", "err_dr_p", second_synapses=True),
        ["err_dr_p", "'err_dr_p_g.p'", "changes during the run", "delay"]),
    "on_post_read_with_an_axonal_delay": (
        delayed_read("w += 1", "err_dr_axonal", on_post="w += x_pre", homogeneous=True),
        ["err_dr_axonal", "'err_dr_axonal_g.x'", "changes during the run", "delay"]),
    "delayed_read_after_back_propagation": (
        delayed_read("w += 1", "err_dr_back", on_post="w += q_post", post_delay=True),
        ["err_dr_back", "'err_dr_back_h.q'", "changes during the run", "delay"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_unsupported_feature_raises_before_build(case, tmp_path):
    script, words = CASES[case]
    directory = tmp_path / "genn"
    with pytest.raises(NotImplementedError) as error:
        run_with("genn", script, directory=str(directory))
    message = str(error.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert "GeNN" in message
    # nothing was built or loaded
    assert not directory.exists() or os.listdir(directory) == []
    assert genn_device.loaded_model is None


def test_supported_scripts_run_on_runtime():
    """The scripts above are valid Brian (they run on the runtime device),
    so the errors come from the GeNN device, not from Brian."""
    for name, (script, _) in CASES.items():
        if name == "spatial_neuron" and importlib.util.find_spec("scipy") is None:
            # Brian's numpy target solves the cable equation with scipy
            continue
        run_with("runtime", script)


# ------------------------------------------------------------- bad input
def negative_delay_expression():
    G = NeuronGroup(10, EQS, threshold="True", name="neg_expr_g")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w", name="neg_expr")
    S.connect(j="i")
    S.delay = "(i - 5)*ms"
    Network(G, S).run(1 * ms)


def negative_delay_fixed():
    G = NeuronGroup(10, EQS, threshold="True", name="neg_fixed_g")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w", name="neg_fixed")
    S.connect(j="i")
    S.delay = -1 * ms
    Network(G, S).run(1 * ms)


def negative_delay_argument():
    G = NeuronGroup(10, EQS, threshold="True", name="neg_arg_g")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w", delay=-2 * ms, name="neg_arg")
    S.connect(j="i")
    Network(G, S).run(1 * ms)


def negative_delay_on_post():
    G = NeuronGroup(10, EQS, threshold="True", name="neg_post_g")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w", on_post="w += 1", name="neg_post")
    S.connect(j="i")
    S.post.delay = "-j*ms"
    Network(G, S).run(1 * ms)


NEGATIVE_DELAYS = {
    # script: words the message must contain
    "expression": (negative_delay_expression,
                   ["'neg_expr'", "on_pre", "5 synapse(s)", "synapse 0 (i=0, j=0)", "-5. ms"]),
    "fixed": (negative_delay_fixed, ["'neg_fixed'", "on_pre", "-1. ms for all synapses"]),
    "argument": (negative_delay_argument, ["'neg_arg'", "-2. ms for all synapses"]),
    "on_post": (negative_delay_on_post,
                ["'neg_post'", "on_post", "9 synapse(s)", "synapse 1 (i=1, j=1)", "-1. ms"]),
}


@pytest.mark.parametrize("case", list(NEGATIVE_DELAYS))
def test_negative_delays_raise_before_build(case, tmp_path):
    """Brian's runtime device runs negative delays without an error (it
    files the spikes in a wrong slot of its queue: an undefined result);
    the GeNN device raises a ValueError naming the Synapses, the synapse
    and the value before building (GeNN itself failed with bad_alloc or a
    pybind11 TypeError after the build)."""
    script, words = NEGATIVE_DELAYS[case]
    directory = tmp_path / "genn"
    with pytest.raises(ValueError) as error:
        run_with("genn", script, directory=str(directory))
    message = str(error.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert not directory.exists() or os.listdir(directory) == []
    assert genn_device.loaded_model is None


def test_unknown_set_device_keyword(tmp_path):
    with pytest.raises(TypeError) as error:
        set_device("genn", directory=str(tmp_path), backnd="single_threaded_cpu")
    assert "'backnd'" in str(error.value) and "backend" in str(error.value)
    with pytest.raises(TypeError) as error:
        set_device("genn", use_GPU=False)
    assert "use_GPU" in str(error.value) and "backend='single_threaded_cpu'" in str(error.value)
    with pytest.raises(TypeError) as error:
        genn_device.build(use_GPU=True)
    assert "backend='cuda'" in str(error.value)


def test_brian_keywords_accepted(tmp_path):
    """What Brian's set_device/reset_device and its test harness pass (also
    standalone devices' build options, which scripts pass to any device)."""
    from brian2.devices.device import reset_device

    options = dict(directory=str(tmp_path), with_output=False, debug=False, compile=True,
                   run=True, clean=False, results_directory="results", run_args=[],
                   additional_source_files=None, backend=GENN_BACKEND)
    set_device("genn", build_on_run=False, **options)
    G = NeuronGroup(2, EQS, name="kw_g")
    Network(G).run(1 * ms)
    # Brian's harness (brian2/tests/test_base.py) builds explicitly
    genn_device.build(direct_call=False, **genn_device.build_options)
    assert genn_device.has_been_run
    # reset_device re-activates with the build options
    genn_device.reinit()
    reset_device(genn_device)
    assert genn_device.build_options["with_output"] is False


def test_unknown_backend_at_set_device():
    with pytest.raises(ValueError) as error:
        set_device("genn", backend="gpu")
    message = str(error.value)
    for word in ("'gpu'", "'auto'", "'cuda'", "'single_threaded_cpu'"):
        assert word in message


@pytest.mark.skipif(cuda_problem() is None, reason="CUDA is usable here")
def test_cuda_backend_without_cuda(tmp_path):
    with pytest.raises(RuntimeError) as error:
        set_device("genn", backend="cuda")
    message = str(error.value)
    assert cuda_problem() in message
    assert "backend='auto'" in message and "backend='single_threaded_cpu'" in message
    # the preference: at run, before anything is built
    set_device("genn", directory=str(tmp_path))
    prefs.devices.genn.backend = "cuda"
    G = NeuronGroup(2, EQS, name="nocuda_g")
    with pytest.raises(RuntimeError, match="backend 'cuda' is not available"):
        Network(G).run(1 * ms)
    assert os.listdir(tmp_path) == []


def unstable_integration():
    G = NeuronGroup(2, "dv/dt = v/(0.01*ms) : 1", method="euler", name="nan_g")
    G.v = 1
    S = Synapses(G, G, "dw/dt = w/(0.01*ms) : 1 (clock-driven)", method="euler",
                 name="nan_syn")
    S.connect()
    S.w = 1
    Network(G, S).run(10 * ms)


def test_invalid_values_warning_as_brian():
    """Brian's warning for NaN or very large values after a run (of neuron
    and synaptic variables updated by differential equations)."""
    warnings = {}
    for device_name in ("runtime", "genn"):
        # logged once per process: forget the other device's
        BrianLogger._log_messages.clear()
        with catch_logs() as logs:
            run_with(device_name, unstable_integration)
        warnings[device_name] = sorted(message for _, name, message in logs
                                       if name.endswith("invalid_values"))
    assert len(warnings["runtime"]) == 2
    assert warnings["genn"] == warnings["runtime"]
