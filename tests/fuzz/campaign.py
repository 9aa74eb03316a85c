"""A fuzzing campaign: many random scripts, each failure shrunk to a minimal
script and written to a directory; the campaign goes on after a failure and
looks for failures of other kinds (by `FuzzFailure.signature`).

Run through ``scripts/fuzz`` (``--help`` for the options). Several
campaigns can run side by side with different seeds; give each its own
``--out`` and ``--build`` directory.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, given, reject, seed, settings

import utils
from brian2 import BrianLogger

from .compare import CPU_RTOL, FuzzFailure, check_source
from .strategies import SHAPES, scripts


@dataclass
class Tally:
    """What a campaign ran and found."""

    scripts: int = 0                  # scripts run on both devices (shrinking included)
    shrinking: int = 0                # ... of them while shrinking a failure
    outcomes: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)    # (signature, file, source, message)

    def count(self, kind: str) -> None:
        self.outcomes[kind] = self.outcomes.get(kind, 0) + 1


def run_campaign(examples: int, start_seed: int, out: Path, exclude: frozenset,
                 max_runs: int, float_dtype, rtol: float, shrink_seconds: float,
                 ignore: tuple = (), log=print) -> Tally:
    """Run ``examples`` new scripts (not counting shrinking); write each
    distinct failure, shrunk (for at most about ``shrink_seconds``), to ``out``."""
    tally = Tally()
    # a crash of the process (GeNN code writing out of bounds, ...) leaves the
    # script that was running here
    running = out / f"running-{start_seed}.py"
    seen: set = set(ignore)      # signatures already known: not shrunk again
    state = {"failing": None, "shrinking": None, "generated": 0, "error": None}

    def attempt(spec) -> None:
        source = spec.render()
        if state["shrinking"] is not None:
            if time.perf_counter() - state["shrinking"] > shrink_seconds:
                # out of time: the smallest failure so far is the result (hypothesis
                # replays it at the end), every other candidate passes at once
                if source == state["failing"][1]:
                    raise state["error"]
                return
            tally.shrinking += 1
        else:
            state["generated"] += 1
        tally.scripts += 1
        running.write_text(source)
        try:
            outcome = check_source(source, float_dtype=float_dtype, rtol=rtol)
        except FuzzFailure as failure:
            tally.count("failure")
            if failure.signature in seen:
                return          # a kind already found: look for others
            state["failing"] = (failure.signature, source, str(failure))
            state["error"] = failure
            if state["shrinking"] is None:
                state["shrinking"] = time.perf_counter()
            raise
        tally.count(outcome.kind)
        if tally.scripts % 50 == 0:
            # a campaign stopped from outside still says how far it got
            log(f"{tally.scripts} run, outcomes {tally.outcomes}")
        if outcome.kind == "invalid":
            reject()

    round_ = 0
    while state["generated"] < examples:
        remaining = examples - state["generated"]
        test = settings(max_examples=remaining, deadline=None, database=None,
                        derandomize=False, report_multiple_bugs=False, print_blob=False,
                        phases=(Phase.generate, Phase.shrink),
                        suppress_health_check=list(HealthCheck))(
            given(scripts(exclude=exclude, max_runs=max_runs))(attempt))
        seed(start_seed * 1000 + round_)(test)
        round_ += 1
        state["failing"], state["shrinking"] = None, None
        started = time.perf_counter()
        try:
            test()
        except Exception as error:  # noqa: BLE001 (hypothesis re-raises the shrunk failure)
            if state["failing"] is None:
                raise           # not a failure of a script: a bug of the fuzzer
            signature, source, message = state["failing"]
            seen.add(signature)
            path = out / f"failure-{start_seed}-{len(tally.failures) + 1}.py"
            path.write_text(_regression_text(signature, source, message))
            tally.failures.append((signature, str(path), source, message))
            log(f"[seed {start_seed}] failure {len(tally.failures)} ({signature}), "
                f"shrunk in {time.perf_counter() - started:.0f} s: {path}")
            del error
        log(f"[seed {start_seed}] {state['generated']}/{examples} new scripts, "
            f"{tally.scripts} run in all, outcomes {tally.outcomes}")
    running.unlink(missing_ok=True)
    return tally


def _regression_text(signature: str, source: str, message: str) -> str:
    comment = "\n".join("# " + line for line in message.splitlines()[:40])
    return f"# fuzz failure: {signature}\n{comment}\n\n{source}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=200,
                        help="new scripts to run (shrinking not counted; default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"),
                        help="directory for the shrunk failing scripts")
    parser.add_argument("--build", type=Path, default=None,
                        help="GeNN build directory (default: a new temporary one)")
    parser.add_argument("--backend", default="single_threaded_cpu",
                        choices=("single_threaded_cpu", "cuda"))
    parser.add_argument("--rtol", type=float, default=None,
                        help="relative tolerance (of each array's scale) of floating-point "
                             "values; default compare.CPU_RTOL on the CPU backend, 1e-5 with "
                             "--backend cuda, which runs in float32")
    parser.add_argument("--exclude", default="",
                        help=f"comma-separated shapes to leave out: {', '.join(sorted(SHAPES))}")
    parser.add_argument("--max-runs", type=int, default=4,
                        help="most runs per script (default 4)")
    parser.add_argument("--shrink-seconds", type=float, default=120,
                        help="time to shrink each failure (default 120 s)")
    parser.add_argument("--ignore", action="append", default=[], metavar="SIGNATURE",
                        help="a failure signature already known (as printed in the "
                             "summary), not shrunk again; repeatable")
    parser.add_argument("--json", type=Path, default=None, help="write the summary here")
    parser.add_argument("--synapse-creation", default="host", choices=("host", "genn"),
                        help="prefs.devices.genn.synapse_creation of the GeNN device; 'genn' "
                             "also connects and sets weights in forms GeNN can make "
                             "(default 'host')")
    args = parser.parse_args(argv)

    os.environ["BRIAN2GENN_BRIDGE_TEST_BACKEND"] = args.backend
    os.environ["BRIAN2GENN_BRIDGE_FUZZ_SYNAPSE_CREATION"] = args.synapse_creation
    utils.GENN_BACKEND = args.backend
    cuda = args.backend == "cuda"
    float_dtype = np.float32 if cuda else np.float64
    rtol = args.rtol if args.rtol is not None else (1e-5 if cuda else CPU_RTOL)
    if args.build is not None:
        args.build.mkdir(parents=True, exist_ok=True)
        utils.set_genn_directory(args.build)
    args.out.mkdir(parents=True, exist_ok=True)
    exclude = frozenset(s for s in args.exclude.split(",") if s)
    faulthandler.enable()
    # Brian's warnings (NaN, dt mismatch, ...) are expected in random scripts
    BrianLogger.console_handler.setLevel("ERROR")

    started = time.perf_counter()
    tally = run_campaign(args.examples, args.seed, args.out, exclude, args.max_runs,
                         float_dtype, rtol, args.shrink_seconds, tuple(args.ignore),
                         log=lambda line: print(line, flush=True))
    seconds = time.perf_counter() - started
    print(f"\n== summary (seed {args.seed}, backend {args.backend}, rtol {rtol}, "
          f"{seconds:.0f} s)")
    print(f"scripts run: {tally.scripts} ({tally.scripts - tally.shrinking} new, "
          f"{tally.shrinking} while shrinking); outcomes: {tally.outcomes}")
    print(f"distinct failures: {len(tally.failures)}")
    for k, (signature, path, source, message) in enumerate(tally.failures, 1):
        print(f"\n-- failure {k}: {signature} ({path})\n{message}\n\n{source}")
    if args.json is not None:
        args.json.write_text(json.dumps(dict(
            seed=args.seed, backend=args.backend, rtol=rtol, seconds=seconds,
            scripts=tally.scripts, shrinking=tally.shrinking, outcomes=tally.outcomes,
            failures=[dict(signature=s, file=p) for s, p, _, _ in tally.failures]), indent=1))
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
