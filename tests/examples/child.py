"""Run one of Brian's example scripts on one device and save what its
monitors recorded (a pickle for ``run.py`` to compare).

Usage (``run.py`` calls it, one fresh process per example and device)::

    python tests/examples/child.py EXAMPLE.py --device runtime|genn --result FILE
        [--duration-scale X] [--max-duration S] [--backend B] [--directory D] [--float 64|32] [--dry]

Before the script runs: matplotlib is a no-op stub (``mpl_stub``), the device
is set (runtime with the numpy target, or ``'genn'`` in ``--directory`` on
``--backend``), numpy's and Brian's seed are fixed, and

- ``set_device`` calls of the script (``'cpp_standalone'`` in several
  examples) keep the chosen device: the runtime and GeNN devices run eagerly,
  so ``build_on_run`` and ``device.build()`` change nothing;
- `Network.run` (which the magic ``run()`` calls) runs ``duration * scale``,
  at most ``--max-duration`` (``--dry``: nothing), and remembers the
  monitors of each network it runs;
- the script runs as ``__main__`` in a fresh working directory that links
  the files beside it (data files, helper modules), with its folder on
  ``sys.path``.

The result holds each remembered monitor's recordings (by name), the number
of runs, whether the GeNN device simulated, and the exception that stopped
the script, if any (its type, first line, whether it is or wraps a
`NotImplementedError`, and whether it was raised in this package).
"""

from __future__ import annotations

import argparse
import builtins
import os
import pickle
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SEED = 4217


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("example")
    parser.add_argument("--device", choices=("runtime", "genn"), required=True)
    parser.add_argument("--result", required=True, help="pickle file to write")
    parser.add_argument("--duration-scale", type=float, default=1.0)
    parser.add_argument("--max-duration", type=float, default=None,
                        help="seconds: at most this long a run (after the scale)")
    parser.add_argument("--backend", default="single_threaded_cpu")
    parser.add_argument("--directory", default=None, help="GeNN build directory")
    parser.add_argument("--float", choices=("64", "32"), default="64",
                        help="default float type of the GeNN run (the reference: 64)")
    parser.add_argument("--dry", action="store_true",
                        help="run() simulates nothing (to check the script around it)")
    return parser.parse_args(argv)


def prepare_brian(args):
    """Import brian2 behind the matplotlib stub and set the device."""
    os.environ["MPLBACKEND"] = "Agg"
    sys.path.insert(0, HERE)
    import mpl_stub
    mpl_stub.install()
    import numpy as np
    import brian2
    from brian2 import prefs, seed, set_device

    if args.device == "genn":
        sys.path.insert(0, REPO)
        import brian2genn_bridge  # noqa: F401  (registers the device)
        directory = os.path.abspath(args.directory or tempfile.mkdtemp(prefix="genn-example-"))
        set_device("genn", directory=directory, backend=args.backend)
        _keep_genn_options(directory, args.backend)
        prefs.core.default_float_dtype = np.float32 if args.float == "32" else np.float64
    else:
        set_device("runtime")
        prefs.codegen.target = "numpy"
        prefs.core.default_float_dtype = np.float64
    np.random.seed(SEED)
    seed(SEED)
    return brian2


def _keep_genn_options(directory: str, backend: str) -> None:
    """A script's ``device.activate()`` (after ``device.reinit()``) keeps
    the build directory and backend (the defaults are a shared directory and
    the GPU where there is one)."""
    from brian2.devices.device import all_devices

    genn = all_devices["genn"]
    activate = genn.activate

    def activate_here(build_on_run=True, **kwds):
        kwds["directory"] = kwds.get("directory") or directory
        kwds["backend"] = kwds.get("backend") or backend
        return activate(build_on_run=build_on_run, **kwds)

    genn.activate = activate_here


def keep_device(brian2) -> list:
    """Make the script's ``set_device`` calls keep the device set here;
    returns the devices they asked for."""
    # (the attribute ``brian2.devices.device`` is Brian's device proxy)
    device_module = sys.modules["brian2.devices.device"]
    asked: list = []

    def set_device(device, build_on_run=True, **kwargs):
        asked.append(device if isinstance(device, str) else type(device).__name__)

    for module in (brian2, device_module, sys.modules.get("brian2.devices")):
        if module is not None and hasattr(module, "set_device"):
            module.set_device = set_device
    return asked


class RunRecorder:
    """Wraps `Network.run`: scaled durations, the monitors of each network
    run, the wall time of each run."""

    def __init__(self, brian2, scale: float, longest: float | None, dry: bool):
        self.brian2 = brian2
        self.scale = scale
        self.longest = longest
        self.dry = dry
        self.monitors: dict = {}
        self.run_seconds: list[float] = []
        self._install()

    def _install(self) -> None:
        from brian2 import Network

        original = Network.run
        recorder = self

        def run(net, *args, level=0, **kwargs):
            recorder.remember(net)
            if recorder.dry:
                return None
            if args:
                args = (recorder.duration(args[0]),) + args[1:]
            else:
                kwargs["duration"] = recorder.duration(kwargs["duration"])
            started = time.perf_counter()
            try:
                # one more frame between the caller and Brian's namespace lookup
                return original(net, *args, level=level + 1, **kwargs)
            finally:
                recorder.run_seconds.append(time.perf_counter() - started)

        Network.run = run

    def duration(self, duration):
        """What a run of ``duration`` simulates here."""
        from brian2 import second

        duration = duration * self.scale
        if self.longest is not None and duration > self.longest * second:
            return self.longest * second
        return duration

    def remember(self, net) -> None:
        from brian2 import EventMonitor, PopulationRateMonitor, StateMonitor

        for obj in net.objects:
            if isinstance(obj, (EventMonitor, PopulationRateMonitor, StateMonitor)):
                self.monitors[obj.name] = obj


def monitor_data(monitor) -> dict:
    """Plain numpy copies of what a monitor recorded."""
    import numpy as np
    from brian2 import EventMonitor, PopulationRateMonitor

    data: dict = {"type": type(monitor).__name__, "dt": float(monitor.clock.dt_)}
    if isinstance(monitor, EventMonitor):
        data["count"] = int(monitor.num_events)
        data["i"] = np.array(monitor.i[:])
        data["t"] = np.array(monitor.t_[:])
        names = [v for v in monitor.record_variables if v not in ("i", "t")]
    elif isinstance(monitor, PopulationRateMonitor):
        data["rate"] = np.array(monitor.rate_[:])
        data["t"] = np.array(monitor.t_[:])
        data["N"] = int(len(monitor.source))
        names = []
    else:
        data["t"] = np.array(monitor.t_[:])
        names = list(monitor.record_variables)
    data["variables"] = {name: np.array(getattr(monitor, name + "_")[:]) for name in names}
    return data


def describe_error(error: BaseException) -> dict:
    """Type and first line of the exception, or of the `NotImplementedError`
    it wraps (Brian wraps errors of code generation in a
    `BrianObjectException`)."""
    chain, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    not_implemented = next((e for e in chain if isinstance(e, NotImplementedError)), None)
    shown = not_implemented or error
    frames = traceback.extract_tb(shown.__traceback__)
    in_package = any(os.sep + "brian2genn_bridge" + os.sep in frame.filename
                     for frame in frames)
    lines = str(shown).strip().splitlines()
    return {"type": type(shown).__name__, "line": lines[0] if lines else "",
            "not_implemented": not_implemented is not None, "in_package": in_package,
            "traceback": "".join(traceback.format_exception(error))[-4000:]}


def working_directory(example: str) -> str:
    """A fresh directory that links the files beside the example."""
    folder = os.path.dirname(os.path.abspath(example))
    work = tempfile.mkdtemp(prefix="example-")
    for name in os.listdir(folder):
        os.symlink(os.path.join(folder, name), os.path.join(work, name))
    return work


def run_example(args) -> dict:
    brian2 = prepare_brian(args)
    asked = keep_device(brian2)
    recorder = RunRecorder(brian2, args.duration_scale, args.max_duration, args.dry)
    path = os.path.abspath(args.example)
    with open(path) as handle:
        source = handle.read()
    sys.path.insert(0, os.path.dirname(path))
    sys.argv = [path]
    os.chdir(working_directory(path))
    result: dict = {"error": None}
    started = time.perf_counter()
    try:
        namespace = {"__name__": "__main__", "__file__": path, "__builtins__": builtins}
        exec(compile(source, path, "exec"), namespace)
    except SystemExit as stop:
        if stop.code not in (None, 0):
            result["error"] = describe_error(stop)
    except Exception as error:  # noqa: BLE001  (every failure is an outcome)
        result["error"] = describe_error(error)
    result["seconds"] = time.perf_counter() - started
    result["run_seconds"] = recorder.run_seconds
    result["runs"] = len(recorder.run_seconds)
    result["set_device_calls"] = asked
    if args.device == "genn":
        from brian2.devices.device import all_devices
        result["genn_ran"] = bool(all_devices["genn"].has_been_run)
    result["monitors"] = {}
    for name, monitor in recorder.monitors.items():
        try:
            result["monitors"][name] = monitor_data(monitor)
        except Exception as error:  # noqa: BLE001
            result["monitors"][name] = {"type": type(monitor).__name__,
                                        "unreadable": describe_error(error)["line"]}
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    result = run_example(args)
    with open(args.result, "wb") as handle:
        pickle.dump(result, handle)
    if result["error"]:
        print(result["error"]["traceback"], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
