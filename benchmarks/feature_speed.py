#!/usr/bin/env python
"""Brian's speed tests (`brian2.tests.features.speed`) with Brian's
`run_speed_tests`, for the GeNN device against C++ standalone and numpy.

Usage (on the GPU machine; ``--genn cpu`` without one)::

    .venv/bin/python benchmarks/feature_speed.py [--genn cuda cpu]
        [--others cpp_standalone numpy] [--sizes 3] [-k TEXT] [--once]
        [--out results.jsonl]

Each test runs, for each size ``n`` of its ``n_range`` (the first
``--sizes`` of them) and each configuration, in a fresh process, twice
(Brian's ``run_twice``: the second run is timed, so GeNN's compiled model is
cached) unless ``--once``. The time is the device's ``_last_run_time``: the
simulation loop for GeNN (``device.timings['simulation']``), the run for C++
standalone (from its own timer), the ``run()`` call for numpy. All in float64
with Brian's default preferences (C++ standalone: ``-O3 -ffast-math
-march=native``, one thread). Brian's harness is made to run by
``tests/features/feature_harness.py``. Prints a table (seconds) and writes
one JSON object per test, size and configuration to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FEATURES = os.path.join(REPO, "tests", "features")
for path in (REPO, FEATURES):
    if path not in sys.path:
        sys.path.insert(0, path)

GENN = {"cuda": "GeNNCUDAConfiguration", "cpu": "GeNNCPUConfiguration"}
OTHERS = {"cpp_standalone": "CPPStandaloneConfiguration", "numpy": "NumpyConfiguration"}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--genn", nargs="*", choices=sorted(GENN), default=["cuda"],
                   help="GeNN backends (default: cuda)")
    p.add_argument("--others", nargs="*", choices=sorted(OTHERS),
                   default=["cpp_standalone", "numpy"],
                   help="Brian configurations to compare with (default: both)")
    p.add_argument("--sizes", type=int, default=None,
                   help="only the first SIZES sizes of each test's n_range (default: all)")
    p.add_argument("-k", dest="keyword", default=None,
                   help="only tests whose 'category: name' contains this text")
    p.add_argument("--once", action="store_true",
                   help="run each configuration once, not twice (no warm GeNN cache)")
    p.add_argument("--out", default=None, help="JSON-lines file to append the results to")
    p.add_argument("--directory", default=None,
                   help="working directory (GeNN and C++ standalone builds; default: temp)")
    return p.parse_args(argv)


def configurations(args):
    """Configuration classes in the order of the table's columns."""
    import genn_configuration
    from brian2.tests.features import base

    return ([getattr(genn_configuration, GENN[b]) for b in args.genn]
            + [getattr(base, OTHERS[o]) for o in args.others])


def speed_tests(keyword: str | None):
    from brian2.tests.features import speed

    tests = [getattr(speed, name) for name in speed.__all__]
    return [t for t in tests if not keyword or keyword.lower() in t.fullname().lower()]


def _keeping_errors(results, errors: dict):
    """Brian's ``base.results`` that also keeps the last line of each failed
    test's traceback in `errors` (Brian's `run_speed_tests` drops it)."""

    def results_keeping_errors(configuration, feature, n=None, **kwds):
        outcome = results(configuration, feature, n, **kwds)
        if isinstance(outcome[1], Exception):
            lines = (outcome[0] or str(outcome[1])).strip().splitlines()
            errors[configuration.name, feature.fullname(), n] = lines[-1] if lines else ""
        return outcome

    return results_keeping_errors


def rows(results, args, errors: dict) -> list[dict]:
    """One record per test, size and configuration: the time (None where
    the test failed) and the error."""
    records = []
    for test in results.speed_tests:
        for n in test.n_range[slice(args.sizes)]:
            for configuration in results.configurations:
                seconds = results.full_results.get((configuration.name, test.fullname(), n,
                                                    "All"), math.nan)
                records.append({"test": test.fullname(), "n": n,
                                "configuration": configuration.name,
                                "seconds": None if math.isnan(seconds) else float(seconds),
                                "error": errors.get((configuration.name, test.fullname(), n)),
                                "run_twice": not args.once})
    return records


def table(records, names) -> str:
    """Markdown table: a row per test and size, a column per configuration."""
    lines = ["| test | n | " + " | ".join(names) + " |",
             "|---|---:|" + "---:|" * len(names)]
    by_row: dict[tuple, dict] = {}
    for r in records:
        by_row.setdefault((r["test"], r["n"]), {})[r["configuration"]] = r["seconds"]
    for (test, n), times in by_row.items():
        cells = ["failed" if times.get(c) is None else f"{times[c]:.3g}" for c in names]
        lines.append(f"| {test} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    out = os.path.abspath(args.out) if args.out else None
    workdir = args.directory or tempfile.mkdtemp(prefix="feature_speed_")
    os.makedirs(workdir, exist_ok=True)
    # GeNN builds of every test process go here; C++ standalone builds in
    # ./cpp_standalone of the working directory (Brian's configuration)
    os.environ["BRIAN2GENN_BRIDGE_FEATURE_DIRECTORY"] = os.path.join(workdir, "genn")
    os.chdir(workdir)

    from brian2.tests.features.base import run_speed_tests
    from feature_harness import patched_brian_harness

    from brian2.tests.features import base

    configs = configurations(args)
    errors: dict[tuple, str] = {}
    with patched_brian_harness():
        # restored with Brian's own at the end of the block
        base.results = _keeping_errors(base.results, errors)
        results = run_speed_tests(configurations=configs, speed_tests=speed_tests(args.keyword),
                                  run_twice=not args.once, n_slice=slice(args.sizes))
    records = rows(results, args, errors)
    print("\nseconds (GeNN: simulation loop; C++ standalone: run; numpy: run() call)\n")
    print(table(records, [c.name for c in configs]))
    for r in records:
        if r["error"]:
            print(f"{r['configuration']}, {r['test']}, n={r['n']}: {r['error']}")
    if out:
        with open(out, "a") as f:
            for record in records:
                f.write(json.dumps({**record, "host": platform.node()}) + "\n")
    return 0 if all(r["seconds"] is not None for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
