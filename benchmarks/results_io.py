"""Reading the benchmark JSON-lines files (shared by plot.py and table.py)."""

from __future__ import annotations

import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GLOB = os.path.join(HERE, "results", "*.jsonl")

BACKEND_ORDER = ("genn-cuda", "pygenn-cuda", "brian2cuda", "genn-cpu", "pygenn-cpu",
                 "cpp_standalone")
BACKEND_LABELS = {"genn-cuda": "brian2genn_bridge (GeNN CUDA)",
                  "genn-cpu": "brian2genn_bridge (GeNN single-threaded CPU)",
                  "pygenn-cuda": "hand-written PyGeNN (CUDA)",
                  "pygenn-cpu": "hand-written PyGeNN (single-threaded CPU)",
                  "cpp_standalone": "Brian cpp_standalone (OpenMP)",
                  "brian2cuda": "brian2cuda"}


def expand(paths) -> list[str]:
    files = []
    for path in paths or [DEFAULT_GLOB]:
        if os.path.isdir(path):
            files.extend(sorted(glob.glob(os.path.join(path, "*.jsonl"))))
        else:
            matched = sorted(glob.glob(path))
            if matched:
                files.extend(matched)
            elif not glob.has_magic(path):
                files.append(path)  # reported as unreadable by load()
    return files


def load(paths=None, latest_only: bool = True) -> list[dict]:
    """All records of the files (globs and directories allowed); with
    ``latest_only`` only the newest record of each configuration on each
    machine."""
    records = []
    for path in expand(paths):
        try:
            with open(path) as f:
                for n, line in enumerate(f, 1):
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        print(f"warning: {path}:{n}: not JSON, ignored")
                        continue
                    rec["_file"] = path
                    records.append(rec)
        except OSError as exc:
            print(f"warning: cannot read {path}: {exc}")
    if not latest_only:
        return records
    # the newest record of each configuration, where a record of a
    # configuration that was skipped (time budget) never hides one that ran
    latest = {}
    for rec in records:
        key = config_key(rec)
        rank = (not rec.get("skipped"), rec.get("timestamp") or "")
        if key not in latest or rank >= latest[key][0]:
            latest[key] = (rank, rec)
    return [rec for _, rec in latest.values()]


def config_key(rec: dict) -> tuple:
    return (rec.get("host"), rec.get("gpu"), rec.get("model"), rec.get("variant"),
            rec.get("shape"), float(rec.get("size") or 0), rec.get("backend"), rec.get("float"),
            rec.get("threads"), bool(rec.get("monitor")), rec.get("duration"),
            rec.get("network_seed"))


def ok(rec: dict) -> bool:
    return not rec.get("error") and rec.get("t_sim") is not None


def machine(rec: dict) -> str:
    gpu = rec.get("gpu") or "no GPU"
    return f"{gpu}, {rec.get('cpu_cores')} CPU cores ({rec.get('host')})"


def sort_key(rec: dict) -> tuple:
    backend = rec.get("backend")
    order = BACKEND_ORDER.index(backend) if backend in BACKEND_ORDER else 99
    return (rec.get("model") or "", rec.get("variant") or "", not rec.get("monitor"),
            float(rec.get("size") or 0), rec.get("float") or 0, order, rec.get("shape") or "")


def series_label(rec: dict) -> str:
    label = rec["backend"]
    if rec.get("shape"):
        label += f" ({rec['shape']})"
    if rec["backend"] == "cpp_standalone":
        label += f" {rec.get('threads')} thr"
    label += f", float{rec.get('float')}"
    return label
