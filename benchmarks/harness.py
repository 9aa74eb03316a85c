#!/usr/bin/env python
"""Benchmark harness shared by the CLIs ``benchmarks/<model>/run.py``
(``cobahh``, ``mbody``, ``microcircuit``, ``stdp``).

The parent process loops over configurations (size x float x backend) and
runs each one in a fresh child process (``harness.py --child cfg.json``):
Brian's global state starts clean, and a crash, an out-of-memory kill, a
compiler error or a timeout only costs that configuration. Each
configuration appends one JSON object to the ``--out`` file and prints one
progress line. See ``benchmarks/README.md`` for the meaning of every field.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
if REPO not in sys.path:
    sys.path.insert(0, REPO)

BACKENDS = ("genn-cuda", "genn-cpu", "pygenn-cuda", "pygenn-cpu", "cpp_standalone",
            "brian2cuda")
MODELS = ("cobahh", "mbody", "microcircuit", "stdp")
#: the models with a hand-written PyGeNN version (``pygenn-*`` back-ends):
#: module of `benchmarks.pygenn_models`
PYGENN_MODELS = {"microcircuit": "microcircuit", "stdp": "plasticity"}
SIZE_HELP = {
    "cobahh": "COBAHH: number of neurons N",
    "mbody": "Mbody: scale (N_iKC = 2500*scale, neurons = 2500*scale + 200)",
    "microcircuit": "microcircuit: scale of neurons and in-degrees (1 = 77,169 neurons, "
                    "~3e8 synapses)",
    "stdp": "STDP: number of postsynaptic neurons (each receives all 1000 Poisson inputs)",
}
DEFAULT_SIZES = {"cobahh": ["1000", "4000"], "mbody": ["0.4", "1"],
                 "microcircuit": ["0.05"], "stdp": ["1000"]}
#: seconds kept back from the deadline for writing results
_DEADLINE_MARGIN = 5.0
_LOG_LIMIT = 256 * 1024


# =========================================================== parent process
def parse_args(model: str, argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog=f"benchmarks/{model}/run.py",
        description=f"Time the {model} benchmark on several Brian back-ends; "
                    "one fresh process and one JSON line per configuration.")
    p.add_argument("--sizes", nargs="+", default=DEFAULT_SIZES[model], help=SIZE_HELP[model])
    p.add_argument("--float", nargs="+", type=int, choices=(32, 64), default=[32],
                   dest="floats", help="floating-point precision(s) (default: 32)")
    p.add_argument("--backends", nargs="+", choices=BACKENDS, default=None,
                   help="default: genn-cuda (genn-cpu without a GPU) and cpp_standalone; "
                        "pygenn-cuda/pygenn-cpu: the hand-written PyGeNN version "
                        f"({', '.join(PYGENN_MODELS)} only)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="OpenMP threads of cpp_standalone (default: all cores)")
    p.add_argument("--duration", type=float, default=1.0,
                   help="simulated (biological) time in seconds (default: 1)")
    if model == "cobahh":
        p.add_argument("--variant", choices=("paper", "coupled"), default="paper",
                       help="connectivity variant (default: paper)")
    if model == "microcircuit":
        p.add_argument("--shape", nargs="+", choices=("groups", "subgroups"),
                       default=["groups"], dest="shapes",
                       help="Brian script shape(s): a NeuronGroup per population or "
                            "subgroups of one (default: groups); the pygenn back-ends "
                            "run once per size")
    p.add_argument("--kernel-timers", action="store_true",
                   help="genn and pygenn back-ends: GeNN's kernel timers, recorded as "
                        "kernel_times")
    p.add_argument("--no-monitor", action="store_true",
                   help="no SpikeMonitor (the paper's timing setting)")
    p.add_argument("--out", default=os.path.join(HERE, "results", f"{model}.jsonl"),
                   help="JSON-lines file to append to (default: benchmarks/results/%(prog)s)")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="wall-clock limit of one configuration in seconds (default: 600)")
    p.add_argument("--repeat-run", action="store_true",
                   help="genn back-ends: run the configuration a second time in a new "
                        "process with the same build directory (cached model) and "
                        "record second_run_* fields")
    p.add_argument("--seed", type=int, default=1234, help="Brian/numpy seed (default: 1234)")
    p.add_argument("--network-seed", type=int, default=None,
                   help="draw the connectivity, weights and initial values in Python with "
                        "numpy.random.RandomState(N), so that every back-end simulates the "
                        "same network (default: the back-end draws them; see "
                        "benchmarks/models.py)")
    p.add_argument("--workdir", default=os.environ.get("BENCH_WORKDIR",
                                                       os.path.join(HERE, "work")),
                   help="build directories (default: benchmarks/work or $BENCH_WORKDIR)")
    p.add_argument("--logdir", default=None, help="child logs (default: WORKDIR/logs)")
    p.add_argument("--keep-work", action="store_true",
                   help="keep each configuration's build directory afterwards")
    p.add_argument("--deadline", type=float, default=None,
                   help="absolute time (seconds since the epoch) by which everything "
                        "must end; timeouts are shortened to fit and configurations "
                        "that cannot start in time are recorded as skipped")
    p.add_argument("--budget", type=float, default=None,
                   help="like --deadline, in seconds from now")
    p.add_argument("--min-start", type=float, default=0.0,
                   help="skip a configuration when less than this many seconds of the "
                        "deadline remain (default: 0)")
    p.add_argument("--label", default=None, help="free-form tag stored in each record")
    p.add_argument("--connect-on-gpu", action="store_true",
                   help="genn back-ends: GeNN makes the synapses and their initial values "
                        "when the model is loaded (prefs.devices.genn.synapse_creation = "
                        "'genn'); stored as connect_on_gpu in each record")
    p.add_argument("--genn-pref", action="append", default=[], metavar="NAME=VALUE",
                   help="genn back-ends: set prefs.devices.genn.NAME (a Python literal), "
                        "e.g. --genn-pref cuda_block_size=128; stored in each record")
    args = p.parse_args(argv)
    if model != "cobahh":
        args.variant = None
    if model != "microcircuit":
        args.shapes = [None]
    pygenn = [b for b in args.backends or () if b.startswith("pygenn")]
    if pygenn and model not in PYGENN_MODELS:
        p.error(f"{', '.join(pygenn)}: there is no hand-written PyGeNN version of {model} "
                f"(only of {', '.join(PYGENN_MODELS)})")
    if args.budget is not None:
        deadline = time.time() + args.budget
        args.deadline = deadline if args.deadline is None else min(args.deadline, deadline)
    if args.backends is None:
        args.backends = ["genn-cuda" if gpu_info()["name"] else "genn-cpu", "cpp_standalone"]
    args.logdir = args.logdir or os.path.join(args.workdir, "logs")
    return args


def _size_value(model: str, text: str):
    value = float(text)
    if model in ("cobahh", "stdp"):
        return int(round(value))
    return int(value) if value == int(value) else value


def _run_quiet(cmd, timeout=10) -> str | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


_GPU = None


def gpu_info() -> dict:
    """Name, memory and driver of the first GPU from nvidia-smi, or Nones."""
    global _GPU
    if _GPU is None:
        _GPU = {"name": None, "memory": None, "driver": None}
        out = _run_quiet(["nvidia-smi", "--query-gpu=name,memory.total,driver_version",
                          "--format=csv,noheader"])
        if out:
            parts = [s.strip() for s in out.splitlines()[0].split(",")]
            _GPU = {"name": parts[0], "memory": parts[1] if len(parts) > 1 else None,
                    "driver": parts[2] if len(parts) > 2 else None,
                    "count": len(out.splitlines())}
    return _GPU


def machine_info() -> dict:
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"host": platform.node(), "cpu": cpu, "cpu_cores": os.cpu_count()}


def versions() -> dict:
    from importlib import metadata

    result = {"python": platform.python_version()}
    for dist in ("brian2", "numpy", "pygenn", "brian2cuda", "brian2genn_bridge"):
        try:
            result[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            result[dist] = None
    if result["brian2genn_bridge"] is None:
        init = os.path.join(REPO, "brian2genn_bridge", "__init__.py")
        try:
            with open(init) as f:
                for line in f:
                    if line.startswith("__version__"):
                        result["brian2genn_bridge"] = line.split("=", 1)[1].strip().strip("\"'")
        except OSError:
            pass
    gxx = _run_quiet([os.environ.get("CXX", "g++"), "--version"])
    result["cxx"] = gxx.splitlines()[0] if gxx else None
    nvcc = _run_quiet(["nvcc", "--version"]) or _run_quiet(
        [os.path.join(os.environ.get("CUDA_PATH", "/usr/local/cuda"), "bin", "nvcc"),
         "--version"])
    result["nvcc"] = nvcc.splitlines()[-1] if nvcc else None
    commit = _run_quiet(["git", "-C", REPO, "rev-parse", "--short", "HEAD"])
    if commit:
        dirty = _run_quiet(["git", "-C", REPO, "status", "--porcelain",
                            "--untracked-files=no", "brian2genn_bridge"])
        commit += "+dirty" if dirty else ""
    result["git_commit"] = commit
    return result


def _tag(cfg: dict) -> str:
    parts = [cfg["model"], str(cfg["size"])]
    if cfg.get("variant"):
        parts.append(cfg["variant"])
    if cfg.get("shape"):
        parts.append(cfg["shape"])
    parts += [cfg["backend"], f"f{cfg['float']}"]
    if cfg["backend"] == "cpp_standalone":
        parts.append(f"t{cfg['threads']}")
    parts.append("mon" if cfg["monitor"] else "nomon")
    if cfg.get("network_seed") is not None:
        parts.append(f"net{cfg['network_seed']}")
    parts += [f"{name}{value}" for name, value in sorted(cfg.get("genn_prefs", {}).items())]
    if cfg.get("kernel_timers"):
        parts.append("kt")
    return "_".join(parts)


def _truncate_log(path: str) -> None:
    try:
        size = os.path.getsize(path)
        if size <= _LOG_LIMIT:
            return
        with open(path, "rb") as f:
            head = f.read(_LOG_LIMIT // 4)
            f.seek(size - 3 * _LOG_LIMIT // 4)
            tail = f.read()
        with open(path, "wb") as f:
            f.write(head + b"\n[... log truncated ...]\n" + tail)
    except OSError:
        pass


def _log_tail(path: str, n_chars: int = 1500) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - n_chars))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _remaining(deadline) -> float:
    return float("inf") if deadline is None else deadline - time.time()


def run_child(cfg: dict, timeout: float, log_path: str) -> dict:
    """Run one configuration in a fresh process; its result dict, or an
    ``error`` for a crash, a kill or a timeout."""
    os.makedirs(os.path.dirname(cfg["result_path"]), exist_ok=True)
    if os.path.exists(cfg["result_path"]):
        os.remove(cfg["result_path"])
    cfg_path = cfg["result_path"] + ".cfg.json"
    with open(cfg_path, "w") as f:
        json.dump(cfg, f)
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    started = time.perf_counter()
    with open(log_path, "ab" if cfg["repeat"] else "wb") as log:
        log.write(f"\n===== {_tag(cfg)} repeat={cfg['repeat']} "
                  f"{_dt.datetime.now().isoformat(timespec='seconds')}\n".encode())
        log.flush()
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", cfg_path],
                                stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=env,
                                start_new_session=True)
        timed_out = False
        try:
            proc.wait(timeout=max(1.0, timeout))
        except subprocess.TimeoutExpired:
            timed_out = True
        # the child leads its own process group: this ends what is left of
        # it and of the compilers / simulation binaries it started (which
        # outlive a child killed for memory), nothing else
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    wall = time.perf_counter() - started
    _truncate_log(log_path)
    result = None
    if os.path.exists(cfg["result_path"]):
        try:
            with open(cfg["result_path"]) as f:
                result = json.load(f)
        except (OSError, ValueError):
            result = None
    if result is None:
        result = {}
    if timed_out:
        result["error"] = f"timeout after {timeout:.0f} s"
    elif result.get("error") is None and proc.returncode != 0:
        if proc.returncode < 0:
            sig = signal.Signals(-proc.returncode).name
            hint = " (out of memory?)" if proc.returncode == -signal.SIGKILL else ""
            result["error"] = f"child killed by {sig}{hint}"
        else:
            result["error"] = f"child exited with status {proc.returncode}"
    if result.get("error") and not result.get("error_log_tail"):
        result["error_log_tail"] = _log_tail(log_path)
    result["t_wall_process"] = wall
    result["returncode"] = proc.returncode
    for path in (cfg_path,):
        try:
            os.remove(path)
        except OSError:
            pass
    return result


_RESULT_FIELDS = ("neurons", "synapses", "spikes", "t_import", "t_python", "t_build",
                  "t_synapses_init", "t_sim", "t_copy_back", "t_run", "t_total",
                  "t_results_load", "rates", "error")


def _synapse_count(synapses) -> int | None:
    """The number of synapses of a Synapses; where GeNN made them, counted in
    its model without reading them into Brian's arrays (``None`` where only
    the GPU holds them)."""
    from brian2.devices.device import get_device
    device = get_device()
    if hasattr(device, "created_synapse_count"):
        count = device.created_synapse_count(synapses)
        if count is not None or synapses.name in device.pending_creations():
            return count
    return int(len(synapses))


def run_configuration(cfg: dict, args, base: dict) -> dict:
    """One configuration (plus its repeat run): its JSON record."""
    build_dir = cfg["build_dir"]
    shutil.rmtree(build_dir, ignore_errors=True)
    record = dict(base)
    record.update({k: cfg[k] for k in ("model", "size", "variant", "shape", "backend",
                                       "float", "threads", "duration", "monitor", "seed",
                                       "network_seed", "kernel_timers", "connect_on_gpu")})
    record["genn_prefs"] = cfg.get("genn_prefs")
    record["timestamp"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    for key in _RESULT_FIELDS:
        record.setdefault(key, None)
    log_path = os.path.join(args.logdir, _tag(cfg) + ".log")
    record["log"] = os.path.relpath(log_path, REPO) if log_path.startswith(REPO) else log_path

    remaining = _remaining(args.deadline) - _DEADLINE_MARGIN
    if remaining < max(args.min_start, 1.0):
        record["error"] = (f"skipped: only {max(remaining, 0):.0f} s of the time budget left "
                           f"(needs {args.min_start:.0f} s)")
        record["skipped"] = True
        return record
    timeout = min(args.timeout, remaining)
    result = run_child(dict(cfg, repeat=False), timeout, log_path)
    record.update(result)
    record["timeout"] = timeout
    if args.repeat_run and cfg["backend"].startswith("genn"):
        remaining = _remaining(args.deadline) - _DEADLINE_MARGIN
        if record.get("error"):
            record["second_run_error"] = "not run: the first run failed"
        elif remaining < 10:
            record["second_run_error"] = "skipped: time budget exhausted"
        else:
            # the cached model skips compilation, so the repeat should take
            # less than the first run: cap its limit instead of letting it
            # eat the whole budget
            first = record.get("t_wall_process") or args.timeout
            limit = min(args.timeout, remaining, max(30.0, 1.2 * first))
            second = run_child(dict(cfg, repeat=True), limit, log_path)
            for key in ("t_python", "t_build", "t_synapses_init", "t_sim", "t_copy_back",
                        "t_run", "t_total", "error", "genn_timings"):
                record[f"second_run_{key}"] = second.get(key)
            record["second_run_spikes"] = second.get("spikes")
            if second.get("error"):
                record["second_run_error_log_tail"] = second.get("error_log_tail")
    if not args.keep_work:
        shutil.rmtree(build_dir, ignore_errors=True)
    return record


def _fmt(value, unit="s") -> str:
    if value is None:
        return "-"
    return f"{value:.3g}{unit}"


def progress_line(rec: dict) -> str:
    head = f"[{rec['model']} {rec['size']}" + (f" {rec['variant']}" if rec.get("variant") else "")
    head += f" {rec['shape']}" if rec.get("shape") else ""
    head += f"] {rec['backend']} f{rec['float']}"
    if rec["backend"] == "cpp_standalone":
        head += f" {rec['threads']}thr"
    head += " mon" if rec["monitor"] else " nomon"
    if rec.get("error"):
        err = str(rec["error"]).strip().splitlines()
        return f"{head}: FAILED ({err[0][:160] if err else 'error'})"
    text = (f"{head}: neurons {rec.get('neurons')} synapses {rec.get('synapses')} "
            f"spikes {rec.get('spikes')} | sim {_fmt(rec.get('t_sim'))} "
            f"run() {_fmt(rec.get('t_run'))} build {_fmt(rec.get('t_build'))} "
            f"syn-init {_fmt(rec.get('t_synapses_init'))} total {_fmt(rec.get('t_total'))}")
    if "second_run_t_run" in rec or "second_run_error" in rec:
        if rec.get("second_run_error"):
            text += f" | 2nd run FAILED ({str(rec['second_run_error']).splitlines()[0][:80]})"
        else:
            text += (f" | 2nd run() {_fmt(rec.get('second_run_t_run'))} "
                     f"(build {_fmt(rec.get('second_run_t_build'))})")
    if rec.get("rates"):
        text += " | rates " + " ".join(f"{k}={v:.3g}Hz" for k, v in rec["rates"].items())
    if rec.get("kernel_times"):
        text += " | kernels " + " ".join(f"{k}={v:.3g}s" for k, v in rec["kernel_times"].items())
    return text


def _run_and_store(cfg: dict, args, base: dict) -> dict:
    """Run one configuration, append its record to ``--out`` and print it."""
    tag = _tag(cfg)
    cfg["build_dir"] = os.path.abspath(os.path.join(args.workdir, cfg["model"], tag))
    cfg["result_path"] = os.path.abspath(os.path.join(args.workdir, "results_tmp", tag + ".json"))
    record = run_configuration(cfg, args, base)
    with open(args.out, "a") as f:
        f.write(json.dumps(record) + "\n")
    print(progress_line(record), flush=True)
    return record


def main(model: str, argv=None) -> int:
    assert model in MODELS
    args = parse_args(model, argv)
    sizes = [_size_value(model, s) for s in args.sizes]
    gpu = gpu_info()
    base = {"gpu": gpu["name"], "gpu_memory": gpu.get("memory"),
            "gpu_driver": gpu.get("driver"), **machine_info(),
            "versions": versions(), "label": args.label}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)) or ".", exist_ok=True)
    n_ok = n_failed = 0
    for size in sizes:
        for fl in args.floats:
            for n_shape, shape in enumerate(args.shapes):
                for backend in args.backends:
                    pygenn = backend.startswith("pygenn")
                    if pygenn and n_shape > 0:
                        continue  # the hand-written model has no Brian script shape
                    cfg = {"model": model, "size": size, "variant": args.variant,
                           "shape": None if pygenn else shape, "backend": backend, "float": fl,
                           "threads": args.threads if backend == "cpp_standalone" else None,
                           "duration": args.duration, "monitor": not args.no_monitor,
                           "seed": args.seed, "network_seed": args.network_seed,
                           "kernel_timers": (args.kernel_timers
                                             and backend.startswith(("genn", "pygenn")))}
                    if backend.startswith("genn") and args.genn_pref:
                        cfg["genn_prefs"] = dict(pref.split("=", 1) for pref in args.genn_pref)
                    if backend.startswith("genn") and args.connect_on_gpu:
                        cfg.setdefault("genn_prefs", {})["synapse_creation"] = "'genn'"
                    cfg["connect_on_gpu"] = bool(backend.startswith("genn")
                                                 and args.connect_on_gpu)
                    record = _run_and_store(cfg, args, base)
                    n_failed += bool(record.get("error"))
                    n_ok += not record.get("error")
    print(f"{model}: {n_ok} configuration(s) succeeded, {n_failed} failed or skipped; "
          f"results appended to {args.out}", flush=True)
    return 0


# ============================================================ child process
class BenchmarkError(RuntimeError):
    pass


def _bench_timer_code(path: str) -> dict:
    """C++ lines timing the phases of a standalone binary (cpp_standalone and
    brian2cuda): main start -> just before the network run -> just after it
    -> end of main (after results are written)."""
    sync = "\n#ifdef __CUDACC__\ncudaDeviceSynchronize();\n#endif\n"
    return {
        "before_start": "std::chrono::steady_clock::time_point _bench_t0 = "
                        "std::chrono::steady_clock::now(), _bench_t1 = _bench_t0, "
                        "_bench_t2 = _bench_t0;",
        "before_network_run": sync + "_bench_t1 = std::chrono::steady_clock::now();",
        "after_network_run": sync + "_bench_t2 = std::chrono::steady_clock::now();",
        "after_end": (
            "{\n"
            f"    std::ofstream _bench_f({json.dumps(path)});\n"
            "    const std::chrono::steady_clock::time_point _bench_t3 = "
            "std::chrono::steady_clock::now();\n"
            "    _bench_f.precision(9);\n"
            "    _bench_f << std::chrono::duration<double>(_bench_t1 - _bench_t0).count() << ' '\n"
            "             << std::chrono::duration<double>(_bench_t2 - _bench_t1).count() << ' '\n"
            "             << std::chrono::duration<double>(_bench_t3 - _bench_t2).count()"
            " << std::endl;\n"
            "}"),
    }


def _setup_device(cfg: dict):
    """Import what the back-end needs, set preferences and the device."""
    import numpy as np
    from brian2 import prefs, set_device

    backend = cfg["backend"]
    build_dir = cfg["build_dir"]
    prefs.core.default_float_dtype = np.float32 if cfg["float"] == 32 else np.float64
    # Brian's default is `make -j` without a limit: one compiler per code
    # object at once, hundreds for the microcircuit's 64 Synapses, which
    # exhausts the memory of a small machine
    prefs.devices.cpp_standalone.extra_make_args_unix = ["-j", str(os.cpu_count() or 1)]
    if backend in ("genn-cuda", "genn-cpu"):
        if backend == "genn-cuda":
            try:
                from pygenn import cuda_backend  # noqa: F401
            except ImportError as exc:
                raise BenchmarkError(f"genn-cuda: this pygenn has no CUDA backend ({exc})")
        import brian2genn_bridge  # noqa: F401  (registers the 'genn' device)
        set_device("genn", directory=build_dir,
                   backend="cuda" if backend == "genn-cuda" else "single_threaded_cpu")
        for name, value in cfg.get("genn_prefs", {}).items():
            prefs[f"devices.genn.{name}"] = ast.literal_eval(value)
        if cfg.get("kernel_timers"):
            prefs.devices.genn.kernel_timing = True
        return
    if backend == "brian2cuda":
        try:
            import brian2cuda  # noqa: F401  (registers 'cuda_standalone')
        except Exception as exc:  # ImportError, or a version clash inside it
            raise BenchmarkError(f"brian2cuda not importable: {type(exc).__name__}: {exc}")
        # the preferences .gpu/env.sh lists for brian2cuda 1.0b1 on CUDA 13
        prefs.codegen.cpp.extra_compile_args_gcc = [
            a if not a.startswith("-std=") else "-std=c++17"
            for a in prefs.codegen.cpp.extra_compile_args_gcc]
        prefs.devices.cuda_standalone.cuda_backend.detect_gpus = False
        prefs.devices.cuda_standalone.cuda_backend.gpu_id = 0
        prefs.devices.cuda_standalone.cuda_backend.compute_capability = float(
            os.environ.get("BENCH_CUDA_COMPUTE_CAPABILITY", "9.0"))
        prefs.devices.cuda_standalone.cuda_backend.cuda_path = os.environ.get(
            "BENCH_CUDA_PATH", "/usr/local/cuda")
        set_device("cuda_standalone", directory=build_dir, build_on_run=True)
    elif backend == "cpp_standalone":
        prefs.devices.cpp_standalone.openmp_threads = int(cfg["threads"] or 0)
        set_device("cpp_standalone", directory=build_dir, build_on_run=True)
    else:
        raise BenchmarkError(f"unknown backend {backend!r}")
    # phase timers inside the generated binary
    from brian2 import get_device

    device = get_device()

    prefs.codegen.cpp.headers = list(prefs.codegen.cpp.headers) + ["<chrono>", "<fstream>"]
    for slot, code in _bench_timer_code(os.path.join(build_dir, "bench_timers.txt")).items():
        device.insert_code(slot, code)


def _wrap_timed(obj, name: str, store: dict) -> None:
    original = getattr(obj, name)

    def timed(*args, **kwds):
        start = time.perf_counter()
        try:
            return original(*args, **kwds)
        finally:
            store[name] = store.get(name, 0.0) + time.perf_counter() - start

    setattr(obj, name, timed)


def _child_run(cfg: dict, out: dict) -> None:
    t_import = time.perf_counter()
    import brian2
    from brian2 import second, seed

    out["versions_child"] = {"brian2": brian2.__version__}
    _setup_device(cfg)
    from brian2 import get_device

    device = get_device()  # the device itself (brian2.device is a proxy)

    from benchmarks import models

    seed(cfg["seed"])
    standalone = cfg["backend"] in ("cpp_standalone", "brian2cuda")
    wrapped = {}
    if standalone:
        _wrap_timed(device, "run", wrapped)
        _wrap_timed(device, "compile_source", wrapped)
    duration = cfg["duration"] * second
    T0 = time.perf_counter()
    out["t_import"] = T0 - t_import
    model = _build_model(cfg, duration)
    T1 = time.perf_counter()
    out["neurons"] = models.count_neurons(model)
    out["model_info"] = model["info"]
    out["model_timings"] = model["timings"]
    T1b = time.perf_counter()
    model["network"].run(duration, report=None)
    T2 = time.perf_counter()
    if cfg["monitor"]:
        out["rates"] = models.mean_rates(model, duration)
        out["spikes"] = models.total_spikes(model)
    T3 = time.perf_counter()
    counts = {name: _synapse_count(s) for name, s in model["synapses"].items()}
    out["synapses_per_group"] = counts
    out["synapses"] = (None if None in counts.values()
                       else int(sum(counts.values())))
    if "observables" in model:
        out["observables"] = model["observables"]()
    out["t_results_load"] = T3 - T2
    out["t_total"] = (T1 - T0) + (T3 - T1b)
    mt = model["timings"]
    if not standalone:
        from brian2genn_bridge import genn_device

        tm = dict(genn_device.timings)
        if not tm:
            raise BenchmarkError("genn_device.timings is empty after run()")
        out["genn_timings"] = tm
        synapse_python = mt.get("connect", 0.0) + mt.get("init_synapses", 0.0)
        out["t_python"] = (T1 - T0) - synapse_python + tm.get("python_setup", 0.0)
        out["t_build"] = tm.get("build")
        out["t_synapses_init"] = synapse_python + tm.get("load", 0.0) + tm.get("synapses_init", 0.0)
        out["t_sim"] = tm.get("simulation")
        out["t_copy_back"] = tm.get("copy_back")
        out["t_run"] = T2 - T1b
        if cfg.get("kernel_timers"):
            out["kernel_times"] = _genn_kernel_times(device, tm)
    else:
        timers = device.timers
        compile_t = timers["compile"]
        run_binary = timers.get("run_binary") or 0.0
        device_run = wrapped.get("run", 0.0)
        bench = None
        path = os.path.join(cfg["build_dir"], "bench_timers.txt")
        if os.path.exists(path):
            with open(path) as f:
                values = [float(v) for v in f.read().split()]
            if len(values) == 3:
                bench = dict(zip(("init", "loop", "end"), values))
        out["device_timers"] = {"compile_make": compile_t.get("make"),
                                "compile_clean": compile_t.get("clean"),
                                "compile_source": wrapped.get("compile_source"),
                                "run_binary": run_binary, "device_run": device_run,
                                "last_run_time": getattr(device, "_last_run_time", None)}
        out["binary_timers"] = bench
        t_run = T2 - T1b
        out["t_python"] = T1 - T0
        out["t_run"] = t_run
        out["t_build"] = t_run - device_run
        out["t_compile"] = wrapped.get("compile_source")
        out["t_codegen"] = out["t_build"] - (wrapped.get("compile_source") or 0.0)
        out["t_sim"] = getattr(device, "_last_run_time", None)
        if bench:
            out["t_synapses_init"] = bench["init"]
            out["t_sim_synced"] = bench["loop"]
            out["t_copy_back"] = bench["end"] + (device_run - run_binary)
            out["t_binary_overhead"] = run_binary - sum(bench.values())
        else:
            out["t_copy_back"] = device_run - run_binary


def _build_model(cfg: dict, duration) -> dict:
    """The Brian objects of the configuration's model (`benchmarks.models` dict)."""
    from benchmarks import models

    if cfg["model"] == "cobahh":
        return models.build_cobahh(cfg["size"], variant=cfg["variant"], monitor=cfg["monitor"],
                                   network_seed=cfg["network_seed"])
    if cfg["model"] == "mbody":
        return models.build_mbody(cfg["size"], monitor=cfg["monitor"], duration=duration,
                                  seed=cfg["seed"], network_seed=cfg["network_seed"])
    if cfg["model"] == "microcircuit":
        from benchmarks.microcircuit import build_microcircuit

        return build_microcircuit(cfg["size"], shape=cfg["shape"], monitor=cfg["monitor"],
                                  network_seed=cfg["network_seed"])
    from benchmarks.plasticity import build_stdp

    return build_stdp(cfg["size"], monitor=cfg["monitor"], network_seed=cfg["network_seed"])


def _genn_kernel_times(device, timings: dict) -> dict:
    """GeNN's kernel timers of the genn device's run, named as PyGeNN names
    them: the loop's kernels from ``device.timings`` (``kernel_*``), the
    initialisation kernels from the loaded PyGeNN model."""
    kernels = {name[len("kernel_"):]: seconds for name, seconds in timings.items()
               if name.startswith("kernel_")}
    genn_model = device.loaded_model.model
    kernels["init"] = float(genn_model.init_time)
    kernels["init_sparse"] = float(genn_model.init_sparse_time)
    return kernels


def _child_run_pygenn(cfg: dict, out: dict) -> None:
    """A ``pygenn-*`` configuration: the hand-written PyGeNN model, its phases
    stored in the fields of the genn device's (see benchmarks/README.md)."""
    import importlib

    t_import = time.perf_counter()
    if cfg["backend"] == "pygenn-cuda":
        try:
            from pygenn import cuda_backend  # noqa: F401
        except ImportError as exc:
            raise BenchmarkError(f"pygenn-cuda: this pygenn has no CUDA backend ({exc})")
    if cfg["model"] not in PYGENN_MODELS:
        raise BenchmarkError(f"there is no hand-written PyGeNN version of {cfg['model']}")
    module = importlib.import_module(f"benchmarks.pygenn_models.{PYGENN_MODELS[cfg['model']]}")
    T0 = time.perf_counter()
    out["t_import"] = T0 - t_import
    result = module.run(cfg["size"], duration=cfg["duration"], float_bits=cfg["float"],
                        backend=cfg["backend"], build_dir=cfg["build_dir"],
                        kernel_timing=bool(cfg.get("kernel_timers")))
    tm = result["timings"]
    out["pygenn_timings"] = tm
    out["t_python"] = tm["model"]
    out["t_build"] = tm["build"]
    out["t_synapses_init"] = tm["load"]
    out["t_sim"] = tm["simulation"]
    out["t_copy_back"] = tm["download"]
    out["t_results_load"] = tm["download"]
    out["t_run"] = tm["build"] + tm["load"] + tm["simulation"] + tm["download"]
    out["t_total"] = out["t_python"] + out["t_run"]
    for key in ("neurons", "synapses", "synapses_per_group", "spikes", "rates",
                "kernel_times", "observables"):
        if key in result:
            out[key] = result[key]


def child_main(cfg_path: str) -> int:
    with open(cfg_path) as f:
        cfg = json.load(f)
    out = {"error": None}
    try:
        if cfg["backend"].startswith("pygenn"):
            _child_run_pygenn(cfg, out)
        else:
            _child_run(cfg, out)
    except BaseException as exc:  # noqa: BLE001  (record everything, incl. SystemExit)
        message = (str(exc) if isinstance(exc, BenchmarkError)
                   else f"{type(exc).__name__}: {exc}").strip()
        out["error"] = message[:2000]
        out["traceback"] = traceback.format_exc()[-4000:]
        traceback.print_exc()
    tmp = cfg["result_path"] + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f, default=_json_default)
    os.replace(tmp, cfg["result_path"])
    return 0 if out["error"] is None else 1


def _json_default(value):
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
    except ImportError:
        pass
    return str(value)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(child_main(sys.argv[2]))
    print("usage: benchmarks/cobahh/run.py or benchmarks/mbody/run.py (see --help)",
          file=sys.stderr)
    sys.exit(2)
