"""The CPU backend's compilation: the device's compiler flags
(``prefs.devices.genn.cpu_compiler_flags``) reach every compilation of
GeNN's Makefile, other flags build and load another model, and the
optimised code gives the unoptimised code's results bit for bit (those of
the runtime device where the maths library agrees with numpy's: the
exactness tests of the other files run optimised)."""

import glob
import os
import stat

import numpy as np
import pytest
from brian2 import (NeuronGroup, Network, SpikeMonitor, StateMonitor, farad, mV, ms, nA, prefs,
                    siemens)

from brian2genn_bridge.genn import building
from utils import (GENN_BACKEND, assert_same_values, assert_spikes_equal, assert_traces_close,
                   run_with)

pytestmark = pytest.mark.skipif(GENN_BACKEND != "single_threaded_cpu",
                                reason="the flags are those of GeNN's CPU backend")


def hh_script(name: str):
    """A small Hodgkin-Huxley-like group: exp and pow of the state, repeated
    in the integrated expressions (calls the compiler may share), spikes."""
    def run():
        G = NeuronGroup(
            8, """dv/dt = (gl*(El - v) - g_na*m**3*h*(v - ENa) - g_k*n**4*(v - EK) + I)/Cm : volt
            dm/dt = 0.32*(mV**-1)*4*mV/exprel((13.*mV - v + VT)/(4*mV))/ms*(1 - m)
                    - 0.28*(mV**-1)*5*mV/exprel((v - VT - 40.*mV)/(5*mV))/ms*m : 1
            dn/dt = 0.032*(mV**-1)*5*mV/exprel((15.*mV - v + VT)/(5*mV))/ms*(1. - n)
                    - .5*exp((10.*mV - v + VT)/(40.*mV))/ms*n : 1
            dh/dt = 0.128*exp((17.*mV - v + VT)/(18.*mV))/ms*(1. - h)
                    - 4./(1 + exp((40.*mV - v + VT)/(5.*mV)))/ms*h : 1
            I : amp""",
            threshold="v > -20*mV", refractory=3 * ms, method="exponential_euler",
            namespace=dict(gl=5e-8 * siemens, El=-60 * mV, g_na=100e-6 * siemens,
                           ENa=50 * mV, g_k=30e-6 * siemens, EK=-90 * mV, Cm=200e-12 * farad,
                           VT=-63 * mV),
            name=f"{name}_g")
        G.v = "-70*mV + 10*mV*i/8"
        G.I = "0.5*nA*i/8"
        spikes = SpikeMonitor(G, name=f"{name}_spikes")
        trace = StateMonitor(G, ["v", "m", "n", "h"], record=True, name=f"{name}_trace")
        Network(G, spikes, trace).run(20 * ms)
        return {"i": spikes.i[:], "t": spikes.t[:], "v": trace.v[:], "m": trace.m[:],
                "n": trace.n[:], "h": trace.h[:]}
    return run


def compiler_logging(tmp_path) -> tuple[str, str]:
    """A log file and a compiler (for ``CXX``) that appends its arguments to
    it and runs the real one."""
    log = tmp_path / "cxx.log"
    wrapper = tmp_path / "cxx.sh"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {os.environ.get("CXX", "g++")} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return str(log), str(wrapper)


def test_flags_reach_every_compilation(tmp_path, monkeypatch):
    """Every compilation and the link get the preference's flags, after a
    ``CXX`` of the environment, which is as it was after the build."""
    log, wrapper = compiler_logging(tmp_path)
    monkeypatch.setenv("CXX", wrapper)
    run_with("genn", hh_script("cxxflags"), directory=str(tmp_path / "genn"))
    assert os.environ["CXX"] == wrapper
    with open(log) as f:
        calls = f.read().splitlines()
    flags = prefs.devices.genn.cpu_compiler_flags
    # GeNN's CPU Makefile: five modules and the link
    assert len(calls) >= 6
    assert all(call.startswith(flags + " ") for call in calls), calls


def test_other_flags_build_another_model(tmp_path):
    """The same network with GeNN's flags only builds in another directory
    (make would not recompile for other flags); the optimised build gives
    the unoptimised one's values bit for bit and the runtime device's
    spikes (its values to rounding: numpy's exp is not the C library's);
    a cached build is reused."""
    reference = run_with("runtime", hh_script("flags"))
    optimised = run_with("genn", hh_script("flags"), directory=str(tmp_path))
    plain = run_with("genn", hh_script("flags"), directory=str(tmp_path),
                     preferences={"devices.genn.cpu_compiler_flags": ""})
    assert len(glob.glob(str(tmp_path / "*" / building.BUILD_LOG))) == 2
    assert len(reference["i"]) > 0
    assert_spikes_equal(reference["i"], reference["t"], optimised["i"], optimised["t"])
    for name, values in optimised.items():
        np.testing.assert_array_equal(values, plain[name], err_msg=name)
        assert_traces_close(reference[name], values, what=name)
    # the same flags in other spacing: the cached build
    run_with("genn", hh_script("flags"), directory=str(tmp_path),
             preferences={"devices.genn.cpu_compiler_flags":
                          "  " + prefs.devices.genn.cpu_compiler_flags.replace(" ", "   ")})
    assert len(glob.glob(str(tmp_path / "*" / building.BUILD_LOG))) == 2


def test_changed_flags_between_runs_reload(tmp_path):
    """A changed preference between two runs of one network builds and
    loads the model anew (part of the loaded model's key), and the run goes
    on from where the first stopped."""
    def script():
        G = NeuronGroup(4, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                        name="reload_g")
        G.v = "i/4"
        spikes = SpikeMonitor(G, name="reload_spikes")
        net = Network(G, spikes)
        net.run(5 * ms)
        prefs.devices.genn.cpu_compiler_flags = "-O1"
        net.run(5 * ms)
        return {"i": spikes.i[:], "t": spikes.t[:], "v": G.v[:]}

    reference = run_with("runtime", script)
    genn = run_with("genn", script, directory=str(tmp_path))
    for name in ("i", "t", "v"):
        assert_same_values(reference[name], genn[name], what=name)
    assert len(glob.glob(str(tmp_path / "*" / building.BUILD_LOG))) == 2
