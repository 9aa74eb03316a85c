"""Run Brian's example scripts on Brian's runtime device (numpy target, the
reference) and on the ``'genn'`` device, and compare what their monitors
recorded.

Usage::

    python tests/examples/run.py [--examples DIR] [-j N] [--timeout S]
        [--duration-scale X] [--max-duration S] [--backend B] [--float 64|32] [--out DIR]
        [--only PATH ...] [-k TEXT ...] [--budget S] [--resume] [--list]
    python tests/examples/run.py --table OUT/results.jsonl [--output notes/examples.md]

The examples are those of the installed brian2's source (``get_examples.py``
puts them in ``tests/examples/brian_examples/``). Each example runs in a
fresh process per device (``child.py``: matplotlib stubbed, the device chosen
before the script, ``run()`` durations times ``--duration-scale`` and at most
``--max-duration`` seconds): GeNN first, then the reference unless GeNN
stopped at a `NotImplementedError`; ``-j`` examples at a time. Each finished
example appends a JSON line to ``OUT/results.jsonl``; ``--resume`` leaves out
the examples already there, and ``--budget`` ends a run in time (the
examples it cut are not recorded, for ``--resume``).

Comparison of every SpikeMonitor/EventMonitor (count, i, t and recorded
variables), PopulationRateMonitor (rates) and StateMonitor (times and
recorded variables), by monitor name: equal spike counts and indices, times
within a tenth of dt, values within ``--rtol`` of each value (and of the
largest, for values near zero). Examples that use random numbers
(`uses_random_numbers`) and do not match so are compared statistically:
each monitor's number of events (or, for rates, of spikes the rates stand
for) within 10 % + 3 sqrt(n) of the reference's n.

Outcomes: ``match``, ``statistical match``, ``differs`` (with the numbers),
``not implemented`` (the `NotImplementedError`'s first line), ``error`` (GeNN
run failed: type and first line), ``reference error`` (the example does not
run on the runtime device here), ``timeout``, ``skipped`` (with the reason).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import math
import os
import pickle
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_EXAMPLES = os.path.join(HERE, "brian_examples")

#: examples left out whatever is installed, and why
SKIPPED = {
    "advanced/modelfitting_sbi.py": "needs sbi and torch",
    "advanced/opencv_movie.py": "needs OpenCV, Cython and a movie downloaded from the internet",
    "advanced/float_32_64_benchmark.py": "a benchmark that switches itself between the "
                                         "cpp_standalone and cython devices and reads "
                                         "their profiling information",
    "frompapers/Diehl_Cook_2015.py": "needs the MNIST data set (downloaded) and progressbar",
    "frompapers/Graupner_Brunel_2012.py": "runs its simulations in a multiprocessing pool",
    "frompapers/Maass_Natschlaeger_Markram_2002.py": "runs its simulations in a "
                                                     "multiprocessing pool",
    "multiprocessing/01_using_cython.py": "multiprocessing example",
    "multiprocessing/02_using_standalone.py": "multiprocessing example",
    "multiprocessing/03_standalone_joblib.py": "multiprocessing example (joblib)",
    "standalone/standalone_multiple_processes.py": "multiprocessing, and cpp_standalone's "
                                                   "device.run(run_args=...)",
    "standalone/standalone_multiplerun.py": "cpp_standalone's device.run(run_args=...) "
                                            "(runs a built project again with new values)",
    "frompapers/Stimberg_et_al_2019/example_3_bisection_standalone.py":
        "cpp_standalone's device.run(run_args=...) (example_3_bisection.py is the same "
        "model with store/restore)",
}

#: helper modules of examples, not examples
HELPERS = ("frompapers/Brette_2012/params.py", "frompapers/Stimberg_et_al_2018/plot_utils.py")

#: examples that need a module which may be missing (skipped where it is)
REQUIRES = {
    "compartmental/hh_with_spikes.py": ["scipy"],
    "frompapers/Platkiewicz_Brette_2011.py": ["scipy"],
    "frompapers/Tsodyks_Uziel_Markram_2000.py": ["scipy"],
}

#: random numbers in Brian code (rand(), randn(), xi, Poisson inputs, ...)
#: or numpy's generator
RANDOM = re.compile(r"\brandn?\(|\bxi(_\w+)?\b|Poisson(Group|Input)|\bpoisson\(|binomial|"
                    r"np\.random|numpy\.random|\brnd\.")


# ------------------------------------------------------------ examples
def find_examples(folder: str) -> list[str]:
    """Example scripts (paths relative to ``folder``), sorted."""
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            if name.endswith(".py"):
                path = os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/")
                if path not in HELPERS:
                    found.append(path)
    return sorted(found)


def missing_modules(example: str) -> list[str]:
    import importlib.util
    return [name for name in REQUIRES.get(example, [])
            if importlib.util.find_spec(name) is None]


def skip_reason(example: str) -> str | None:
    if example in SKIPPED:
        return SKIPPED[example]
    missing = missing_modules(example)
    if missing:
        return f"needs {', '.join(missing)} (not installed)"
    return None


def uses_random_numbers(source: str) -> bool:
    return bool(RANDOM.search(source))


def select(examples: list[str], only: list[str] | None, keywords: list[str] | None) -> list[str]:
    if only:
        unknown = [name for name in only if name not in examples]
        if unknown:
            raise SystemExit(f"unknown examples: {', '.join(unknown)}")
        examples = [name for name in examples if name in only]
    if keywords:
        examples = [name for name in examples
                    if any(key.lower() in name.lower() for key in keywords)]
    return examples


# ------------------------------------------------------------ comparison
def _close(expected: np.ndarray, values: np.ndarray, rtol: float) -> bool:
    expected, values = np.asarray(expected, dtype=float), np.asarray(values, dtype=float)
    if expected.shape != values.shape:
        return False
    scale = float(np.nanmax(np.abs(expected))) if expected.size else 0.0
    return bool(np.allclose(values, expected, rtol=rtol, atol=rtol * scale, equal_nan=True))


def _max_difference(expected, values) -> str:
    expected, values = np.asarray(expected, dtype=float), np.asarray(values, dtype=float)
    if expected.shape != values.shape:
        return f"shape {values.shape} vs {expected.shape}"
    if not expected.size:
        return "empty"
    scale = float(np.nanmax(np.abs(expected))) or 1.0
    return f"max |diff| {float(np.nanmax(np.abs(values - expected))) / scale:.3g} of max |value|"


def compare_exactly(reference: dict, genn: dict, rtol: float) -> list[str]:
    """Differences between two monitors' recordings (empty: they match)."""
    problems = []
    dt = reference.get("dt", 1e-4)
    if "count" in reference:
        if reference["count"] != genn["count"]:
            return [f"{genn['count']} events vs {reference['count']}"]
        if not np.array_equal(reference["i"], genn["i"]):
            problems.append("indices differ")
        if np.any(np.abs(np.asarray(reference["t"]) - np.asarray(genn["t"])) > dt / 10):
            problems.append("times differ")
    elif "rate" in reference:
        if not _close(reference["rate"], genn["rate"], rtol):
            problems.append(f"rates: {_max_difference(reference['rate'], genn['rate'])}")
    if "count" not in reference:
        if len(reference["t"]) != len(genn["t"]):
            return [f"{len(genn['t'])} samples vs {len(reference['t'])}"]
        if np.any(np.abs(np.asarray(reference["t"]) - np.asarray(genn["t"])) > dt / 10):
            problems.append("sample times differ")
    for name, expected in reference["variables"].items():
        values = genn["variables"].get(name)
        if values is None:
            problems.append(f"{name} not recorded")
        elif not _close(expected, values, rtol):
            problems.append(f"{name}: {_max_difference(expected, values)}")
    return problems


def event_number(monitor: dict) -> float:
    """Events a monitor counted, or the spikes its rates stand for."""
    if "count" in monitor:
        return float(monitor["count"])
    if "rate" in monitor:
        return float(np.sum(monitor["rate"]) * monitor["dt"] * monitor["N"])
    return math.nan


def compare_statistically(reference: dict, genn: dict) -> str | None:
    """None where the numbers of events agree within 10 % + 3 sqrt(n)."""
    expected, value = event_number(reference), event_number(genn)
    if math.isnan(expected):
        return None
    if abs(value - expected) <= 0.1 * expected + 3 * math.sqrt(expected):
        return None
    return f"{value:.6g} events vs {expected:.6g}"


def compare(reference: dict, genn: dict, random: bool, rtol: float) -> tuple[str, str]:
    """Outcome and details for two finished runs of one example."""
    ref_monitors, genn_monitors = reference["monitors"], genn["monitors"]
    names = sorted(set(ref_monitors) | set(genn_monitors))
    missing = [n for n in names if n not in ref_monitors or n not in genn_monitors]
    if missing:
        return "differs", f"monitors only on one device: {', '.join(missing)}"
    unreadable = [n for n in names if "unreadable" in genn_monitors[n]
                  or "unreadable" in ref_monitors[n]]
    if unreadable:
        return "error", f"unreadable monitors: {', '.join(unreadable)}"
    counts = _counts(ref_monitors, genn_monitors)
    if reference["runs"] != genn["runs"]:
        return "differs", f"{genn['runs']} runs vs {reference['runs']}; {counts}"
    exact = {n: compare_exactly(ref_monitors[n], genn_monitors[n], rtol) for n in names}
    exact = {n: p for n, p in exact.items() if p}
    if not names:
        return "match", "ran; no monitors to compare"
    if not exact:
        return "match", counts
    exact_text = "; ".join(f"{n}: {', '.join(p)}" for n, p in exact.items())
    if not random:
        return "differs", exact_text
    statistical = {n: compare_statistically(ref_monitors[n], genn_monitors[n]) for n in names}
    statistical = {n: p for n, p in statistical.items() if p}
    if statistical:
        return "differs", "statistical: " + "; ".join(f"{n}: {p}" for n, p in
                                                      statistical.items())
    traces = [n for n in names if "count" not in ref_monitors[n]
              and "rate" not in ref_monitors[n]]
    note = " (traces not compared)" if traces else ""
    return "statistical match", counts + note


def _counts(ref_monitors: dict, genn_monitors: dict) -> str:
    """'name genn events/reference events' for the event monitors, and the
    names of the state monitors (with their variables)."""
    events, traces = [], []
    for name in sorted(ref_monitors):
        expected = event_number(ref_monitors[name])
        if not math.isnan(expected):
            events.append(f"{name} {event_number(genn_monitors[name]):.6g}/{expected:.6g}")
        else:
            traces.append(f"{name} ({', '.join(ref_monitors[name]['variables'])})")
    parts = []
    if events:
        parts.append("events genn/ref: " + ", ".join(events))
    if traces:
        parts.append("traces: " + ", ".join(traces))
    return "; ".join(parts)


def outcome_of(reference: dict | None, genn: dict | None, random: bool,
               rtol: float) -> tuple[str, str]:
    """The example's outcome (decided by the GeNN run first)."""
    if genn is None:
        return "timeout", "GeNN run did not finish"
    genn_error = genn["error"]
    if genn_error and genn_error["not_implemented"]:
        where = "" if genn_error["in_package"] else " (raised by Brian, not the device)"
        return "not implemented", genn_error["line"] + where
    if reference is None:
        return "timeout", "reference run did not finish"
    if reference["error"]:
        return "reference error", (f"{reference['error']['type']}: "
                                   f"{reference['error']['line']}")
    if genn_error:
        return "error", f"{genn_error['type']}: {genn_error['line']}"
    if reference["runs"] and not genn.get("genn_ran"):
        return "error", "the script's runs did not run on the GeNN device"
    if not reference["runs"]:
        return "match", "no run() in the script: it ran without error on both devices"
    return compare(reference, genn, random, rtol)


# ------------------------------------------------------------ running
class Runner:
    """Runs examples in child processes and appends results (JSON lines)."""

    def __init__(self, args):
        self.args = args
        self.folder = os.path.abspath(args.examples)
        self.out = os.path.abspath(args.out)
        os.makedirs(os.path.join(self.out, "logs"), exist_ok=True)
        self.results_file = os.path.join(self.out, "results.jsonl")
        self.lock = threading.Lock()
        #: no example starts after this, and none runs past it
        self.budget_end = time.perf_counter() + (args.budget or math.inf)

    def child(self, example: str, device: str, result: str, timeout: float) -> dict | None:
        """One device's run of the example (None: it timed out or died
        without a result)."""
        args = self.args
        log = os.path.join(self.out, "logs", example.replace("/", "__") + f".{device}.log")
        command = [sys.executable, os.path.join(HERE, "child.py"),
                   os.path.join(self.folder, example), "--device", device, "--result", result,
                   "--duration-scale", str(args.duration_scale), "--backend", args.backend,
                   *(["--max-duration", str(args.max_duration)] if args.max_duration else []),
                   "--float", args.float if device == "genn" else "64",
                   "--directory", os.path.join(self.out, "genn", example.replace("/", "__"))]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [REPO] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        with open(log, "w") as handle:
            process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT,
                                       env=env, start_new_session=True)
            try:
                process.wait(timeout=max(timeout, 1.0))
            except subprocess.TimeoutExpired:
                # the child's own process group: GeNN's compiler runs below it
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return None
        if not os.path.exists(result):
            return {"error": {"type": f"exit code {process.returncode}",
                              "line": f"no result (see {os.path.relpath(log, self.out)})",
                              "not_implemented": False, "in_package": False},
                    "monitors": {}, "runs": 0, "seconds": math.nan}
        with open(result, "rb") as handle:
            return pickle.load(handle)

    def run_one(self, example: str) -> dict | None:
        """The example's result (None: the run's --budget ended first)."""
        started = time.perf_counter()
        record = {"example": example, "duration_scale": self.args.duration_scale,
                  "max_duration": self.args.max_duration,
                  "backend": self.args.backend, "float": self.args.float}
        reason = skip_reason(example)
        if reason:
            return dict(record, outcome="skipped", details=reason)
        if started >= self.budget_end:
            return None
        with open(os.path.join(self.folder, example)) as handle:
            random = uses_random_numbers(handle.read())
        deadline = min(started + self.args.timeout, self.budget_end)
        with tempfile.TemporaryDirectory(prefix="examples-") as scratch:
            # GeNN first: after a NotImplementedError the reference is not needed
            genn = self.child(example, "genn", os.path.join(scratch, "genn.pkl"),
                              deadline - time.perf_counter())
            reference = None
            stopped = genn is not None and (genn["error"] or {}).get("not_implemented")
            if genn is not None and not stopped:
                reference = self.child(example, "runtime", os.path.join(scratch, "ref.pkl"),
                                       deadline - time.perf_counter())
            outcome, details = outcome_of(reference, genn, random, self.args.rtol)
        if outcome == "timeout":
            if deadline < started + self.args.timeout:
                return None  # cut by the budget: left for --resume
            details += f" within {self.args.timeout:g} s"
        return dict(record, outcome=outcome, details=details, random=random,
                    runs=(reference or genn or {}).get("runs"),
                    reference_seconds=(reference or {}).get("seconds"),
                    genn_seconds=(genn or {}).get("seconds"),
                    wall_seconds=time.perf_counter() - started)

    def write(self, record: dict) -> None:
        with self.lock:
            with open(self.results_file, "a") as handle:
                handle.write(json.dumps(record) + "\n")
            print(f"{record['outcome']:18} {record['example']}  {record['details'][:160]}",
                  flush=True)

    def run(self, examples: list[str]) -> None:
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.args.jobs) as pool:
            futures = [pool.submit(self.run_one, example) for example in examples]
            for future in concurrent.futures.as_completed(futures):
                if future.result() is not None:
                    self.write(future.result())


def done_examples(results_file: str) -> set[str]:
    if not os.path.exists(results_file):
        return set()
    with open(results_file) as handle:
        return {json.loads(line)["example"] for line in handle if line.strip()}


# ------------------------------------------------------------ table
def read_results(path: str) -> list[dict]:
    """The last result of each example in a JSON-lines file."""
    records: dict[str, dict] = {}
    with open(path) as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                records[record["example"]] = record
    return [records[name] for name in sorted(records)]


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _seconds(value) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.1f}"


def markdown_table(records: list[dict]) -> str:
    """Summary counts and a row per example."""
    counts: dict[str, int] = {}
    for record in records:
        counts[record["outcome"]] = counts.get(record["outcome"], 0) + 1
    settings = sorted({(r.get("backend"), r.get("float"), r.get("duration_scale"),
                        r.get("max_duration") or math.inf)
                       for r in records if r["outcome"] != "skipped"})
    lines = [", ".join(f"{n} {o}" for o, n in sorted(counts.items())) + f" (of {len(records)})",
             "",
             "Run with: " + "; ".join(f"backend {b}, float{f}, durations x{s:g}"
                                      + (f" (at most {m:g} s)" if m < math.inf else "")
                                      for b, f, s, m in settings),
             "",
             "| example | outcome | details | runs | ref s | genn s |",
             "|---|---|---|---:|---:|---:|"]
    for record in records:
        runs = record.get("runs")
        lines.append(f"| `{record['example']}` | {record['outcome']} | "
                     f"{_cell(record['details'])} | {'–' if runs is None else runs} | "
                     f"{_seconds(record.get('reference_seconds'))} | "
                     f"{_seconds(record.get('genn_seconds'))} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------ main
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", default=DEFAULT_EXAMPLES,
                        help="folder of Brian's examples (default: %(default)s)")
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds for one example, both devices (default: %(default)s)")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds for the whole run: examples cut by it are not "
                             "recorded (run again with --resume)")
    parser.add_argument("--duration-scale", type=float, default=1.0,
                        help="run() simulates duration times this")
    parser.add_argument("--max-duration", type=float, default=None,
                        help="seconds: at most this long each run() (after the scale)")
    parser.add_argument("--backend", default="single_threaded_cpu",
                        help="GeNN backend (single_threaded_cpu, cuda)")
    parser.add_argument("--float", choices=("64", "32"), default="64",
                        help="default float type of the GeNN runs")
    parser.add_argument("--rtol", type=float, default=1e-9,
                        help="relative tolerance for traces (default: %(default)s)")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "brian-examples"),
                        help="results.jsonl, logs/ and GeNN builds (default: %(default)s)")
    parser.add_argument("--only", nargs="+", help="these examples (paths as --list prints)")
    parser.add_argument("-k", nargs="+", dest="keywords",
                        help="examples whose path contains one of these")
    parser.add_argument("--resume", action="store_true",
                        help="leave out the examples already in OUT/results.jsonl")
    parser.add_argument("--list", action="store_true", help="list the examples and stop")
    parser.add_argument("--table", metavar="RESULTS_JSONL",
                        help="print the markdown table of a results file and stop")
    parser.add_argument("--output", help="with --table: also write the table to this file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.table:
        table = markdown_table(read_results(args.table))
        print(table, end="")
        if args.output:
            with open(args.output, "w") as handle:
                handle.write(table)
        return 0
    if not os.path.isdir(args.examples):
        raise SystemExit(f"no examples in {args.examples}: run tests/examples/get_examples.py")
    examples = select(find_examples(args.examples), args.only, args.keywords)
    if args.list:
        for example in examples:
            reason = skip_reason(example)
            print(example + (f"  (skipped: {reason})" if reason else ""))
        return 0
    runner = Runner(args)
    if args.resume:
        done = done_examples(runner.results_file)
        examples = [name for name in examples if name not in done]
    print(f"{len(examples)} examples, -j {args.jobs}, backend {args.backend}, "
          f"float{args.float}, durations x{args.duration_scale:g}, at most "
          f"{args.max_duration or math.inf:g} s; results: "
          f"{runner.results_file} ({datetime.datetime.now():%H:%M:%S})", flush=True)
    runner.run(examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
