"""Building GeNN models: quiet runs (GeNN's build output in a log file),
errors that say why a build failed (the compiler's output, a full disk, not
enough memory for the delays), a damaged cached build rebuilt, and the
per-user default build directory."""

import errno
import glob
import os

import numpy as np
import pytest
from brian2 import NeuronGroup, Network, SpikeMonitor, Synapses, ms, second
from brian2.devices.device import set_device
from brian2.utils.logger import catch_logs

from brian2genn_bridge.genn import building, memory
from brian2genn_bridge.device_settings import default_directory
from utils import GENN_BACKEND, assert_same_values, genn_device, run_with

cpu_only = pytest.mark.skipif(GENN_BACKEND != "single_threaded_cpu",
                              reason="CXX sets the compiler of GeNN's CPU backend")


def script(name: str):
    """A small network with synapses, named ``name`` (a model of its own)."""
    def run():
        G = NeuronGroup(20, "dv/dt = (1.5 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                        name=f"{name}_g")
        G.v = "i/20"
        S = Synapses(G, G, "w : 1", on_pre="v_post += w", delay=1 * ms, name=f"{name}_s")
        S.connect(j="(i + 1) % 20")
        S.w = 0.1
        spikes = SpikeMonitor(G, name=f"{name}_spikes")
        Network(G, S, spikes).run(10 * ms)
        return {"i": spikes.i[:], "t": spikes.t[:], "v": G.v[:]}
    return run


def test_run_prints_nothing(tmp_path, capfd):
    """Neither a first build nor a cached one prints make's lines; the
    build log has them."""
    first = run_with("genn", script("quiet"), directory=str(tmp_path))
    second = run_with("genn", script("quiet"), directory=str(tmp_path))
    assert capfd.readouterr().out == ""
    for name in ("python_setup", "build", "simulation", "run"):
        assert type(genn_device.timings[name]) is float
    np.testing.assert_array_equal(first["v"], second["v"])
    logs = glob.glob(str(tmp_path / "*" / building.BUILD_LOG))
    assert len(logs) == 1
    with open(logs[0]) as log:
        assert "make" in log.read()


@cpu_only
def test_failed_build_shows_compiler_output(tmp_path, monkeypatch):
    header = tmp_path / "broken.h"
    header.write_text("#error deliberately broken build\n")
    monkeypatch.setenv("CXX", f"{os.environ.get('CXX', 'g++')} -include {header}")
    with pytest.raises(RuntimeError) as error:
        run_with("genn", script("broken"), directory=str(tmp_path / "genn"))
    message = str(error.value)
    assert "GeNN could not build the model" in message
    assert "error: #error deliberately broken build" in message
    assert building.BUILD_LOG in message


@cpu_only
def test_full_disk(tmp_path, monkeypatch):
    """A build that fails where the build directory's disk is full says so
    (a real full disk gave ``make: *** No targets.`` or a compiler's write
    error; here the build fails and the disk reports no space)."""
    monkeypatch.setenv("CXX", "false")
    monkeypatch.setattr(building, "_free_bytes", lambda path: 4096)
    with pytest.raises(OSError) as error:
        run_with("genn", script("full"), directory=str(tmp_path))
    assert error.value.errno == errno.ENOSPC
    message = str(error.value)
    assert "disk of the build directory" in message and "is full (4 kB free)" in message
    assert "set_device('genn', directory=...)" in message


@pytest.mark.parametrize("length", [0, 30, 4096])
def test_truncated_library_is_rebuilt(tmp_path, length):
    """A cached build whose library was cut short (``file too short`` at
    loading, or a bus error for a longer piece) is built again, once."""
    reference = run_with("genn", script(f"cut{length}"), directory=str(tmp_path))
    libraries = glob.glob(str(tmp_path / "*" / "*_CODE" / "librunner.so"))
    assert len(libraries) == 1
    with open(libraries[0], "rb") as f:
        start = f.read(length)
    # a new file: this process may still have the old one mapped
    with open(libraries[0] + ".cut", "wb") as f:
        f.write(start)
    os.replace(libraries[0] + ".cut", libraries[0])
    with catch_logs(only_from=("brian2genn_bridge",)) as logs:
        results = run_with("genn", script(f"cut{length}"), directory=str(tmp_path))
    assert any("building it again" in message for _, _, message in logs)
    assert building.library_intact(libraries[0])
    assert_same_values(reference["v"], results["v"])
    np.testing.assert_array_equal(results["i"], reference["i"])


def long_delays(max_delay, n=200):
    def run():
        G = NeuronGroup(n, "v : 1", threshold="i == 0", name="long_g")
        S = Synapses(G, G, "w : 1", on_pre="v_post += w", name="long_syn")
        S.connect(j="(i + 1) % N_post")
        S.delay = f"i * {float(max_delay) / (n - 1)} * second"
        S.w = 1
        Network(G, S).run(1 * ms)
        return G.v[:]
    return run


@pytest.mark.skipif(GENN_BACKEND != "single_threaded_cpu",
                    reason="the check before the build is the CPU backend's, whose delay "
                           "buffers are in host memory; on CUDA a failed allocation at "
                           "loading is explained (memory.memory_error)")
def test_delay_memory_checked_before_build(tmp_path, monkeypatch):
    """Delays whose GeNN buffers cannot fit raise a MemoryError saying how
    much they need and what to do, before the build (GeNN failed with a
    bare ``std::bad_alloc`` at loading)."""
    monkeypatch.setattr(memory, "available_memory", lambda: 1024 ** 2)
    with pytest.raises(MemoryError) as error:
        run_with("genn", long_delays(5 * second), directory=str(tmp_path))
    message = str(error.value)
    # 5 s at dt = 0.1 ms: 50001 slots for each of the 200 targets, float64
    needed = 50001 * 200 * 8
    assert f"needs about {needed / 1024 ** 2:.1f} MB" in message
    assert "more than the 1.0 MB" in message
    assert "Synapses 'long_syn'" in message and "50001 steps x 200 target neurons" in message
    assert "float32" in message and "shorten the longest delays" in message
    assert os.listdir(tmp_path) == []
    assert genn_device.loaded_model is None


def test_delay_memory_estimate_is_what_genn_allocates(tmp_path):
    run_with("genn", long_delays(0.1 * second), directory=str(tmp_path))
    simulation = genn_device.loaded_model
    ((_, n_bytes),) = memory.delay_buffers(simulation.description)
    group = simulation.synapse_groups["long_syn"]
    assert group.max_dendritic_delay_timesteps == 1001
    assert n_bytes == group.max_dendritic_delay_timesteps * 200 * 8


def test_default_directory_per_user(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_directory() == str(tmp_path / "cache" / "brian2genn_bridge" / "models")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".cache" / "brian2genn_bridge" / "models"
    assert default_directory() == str(expected)
    assert expected.is_dir()
    set_device("genn")
    assert genn_device._code_directory() == str(expected)
    # a cache that cannot be a directory: the temporary directory, per user
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert default_directory().endswith(f"brian2genn_bridge-{os.getuid()}")
