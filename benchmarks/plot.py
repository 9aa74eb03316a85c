#!/usr/bin/env python
"""Figures from the benchmark JSON-lines files (needs matplotlib).

    python benchmarks/plot.py                       # benchmarks/results/*.jsonl -> benchmarks/results/plots/
    python benchmarks/plot.py $OUT/*.jsonl --outdir $OUT/plots

For each model (and COBAHH variant, and monitor setting) one log-log figure
in the style of the Brian2GeNN paper: simulation-loop time and whole-run time
(objects + connect + run() + reading monitors) against the number of
neurons, one line per back-end and float precision; the reference points of
shared/reference/benchmarks.md (H200, float32, monitor on, 1 s) are drawn as
open symbols. Plus one stacked-bar figure per model with the phases of every
configuration (and of the genn repeat runs).
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import results_io  # noqa: E402

#: shared/reference/benchmarks.md, measured on one H200, float32, SpikeMonitor
#: on, 1 s: (model, variant, neurons, backend, sim, whole run())
REFERENCE = [
    ("cobahh", "paper", 100_000, "cpp_standalone", 19.5, 28.5),
    ("cobahh", "paper", 100_000, "brian2cuda", 0.97, 108.8),
    ("mbody", None, 100_200, "cpp_standalone", 14.2, 19.5),
    ("mbody", None, 100_200, "brian2cuda", 0.98, 31.6),
]

COLORS = {"genn-cuda": "tab:green", "genn-cpu": "tab:olive",
          "cpp_standalone": "tab:blue", "brian2cuda": "tab:red"}
PHASES = [("t_python", "Python set-up", "tab:gray"),
          ("t_build", "code generation + compilation", "tab:orange"),
          ("t_synapses_init", "synapse creation + initialisation", "tab:purple"),
          ("t_sim", "simulation loop", "tab:green"),
          ("t_copy_back", "copy back / write results", "tab:blue"),
          ("t_results_load", "reading monitors", "tab:cyan"),
          ("_other", "other", "lightgray")]


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        sys.exit("plot.py needs matplotlib: pip install matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _groups(records):
    groups = {}
    for rec in records:
        key = (rec.get("model"), rec.get("variant"), bool(rec.get("monitor")),
               rec.get("duration"))
        groups.setdefault(key, []).append(rec)
    return groups


def _name(model, variant, monitor, duration) -> str:
    name = model + (f"_{variant}" if variant else "")
    name += "_monitor" if monitor else "_nomonitor"
    if duration not in (None, 1, 1.0):
        name += f"_{duration:g}s"
    return name


def plot_times(plt, records, outdir, reference=True) -> list[str]:
    written = []
    for (model, variant, monitor, duration), recs in sorted(
            _groups([r for r in records if results_io.ok(r)]).items(),
            key=lambda kv: tuple(str(x) for x in kv[0])):
        machines = {results_io.machine(r) for r in recs}
        series = {}
        for rec in recs:
            label = results_io.series_label(rec)
            if len(machines) > 1:
                label += f" [{rec.get('gpu') or rec.get('host')}]"
            series.setdefault(label, []).append(rec)
        fig, axes = plt.subplots(1, 2, figsize=(12, 5))
        for label, rs in sorted(series.items()):
            rs = sorted(rs, key=lambda r: r.get("neurons") or 0)
            x = [r["neurons"] for r in rs]
            style = dict(color=COLORS.get(rs[0]["backend"], "black"),
                         linestyle="-" if rs[0].get("float") == 32 else "--", marker="o")
            axes[0].plot(x, [r["t_sim"] for r in rs], label=label, **style)
            axes[1].plot(x, [r.get("t_total") or r.get("t_run") for r in rs], label=label,
                         **style)
            second = [(r["neurons"], r["second_run_t_total"]) for r in rs
                      if r.get("second_run_t_total") and not r.get("second_run_error")]
            if second:
                axes[1].plot(*zip(*second), label=label + " (2nd run, cached)",
                             color=style["color"], linestyle=":", marker="s")
        if reference and monitor and duration in (1, 1.0) and (
                model == "mbody" or variant == "paper"):
            for m, v, n, backend, sim, whole in REFERENCE:
                if m == model and (v is None or v == variant):
                    kw = dict(marker="D", markersize=9, markerfacecolor="none",
                              markeredgecolor=COLORS[backend], linestyle="none")
                    axes[0].plot([n], [sim], label=f"reference H200: {backend}", **kw)
                    axes[1].plot([n], [whole], label=f"reference H200: {backend} run()", **kw)
        title = model.upper() if model == "cobahh" else "Mbody"
        if variant:
            title += f" ({variant})"
        title += f", {'SpikeMonitor' if monitor else 'no monitor'}, {duration:g} s"
        gpus = sorted({r.get("gpu") for r in recs if r.get("gpu")})
        if gpus:
            title += " — " + ", ".join(gpus)
        for ax, what in zip(axes, ("simulation loop", "whole run (objects + connect + run())")):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("number of neurons")
            ax.set_ylabel("wall-clock time (s)")
            ax.set_title(what)
            ax.grid(True, which="both", alpha=0.3)
        axes[1].legend(fontsize=7, loc="best")
        fig.suptitle(title)
        fig.tight_layout()
        path = os.path.join(outdir, _name(model, variant, monitor, duration) + "_times.png")
        fig.savefig(path, dpi=120)
        plt.close(fig)
        written.append(path)
    return written


def _phase_values(rec, prefix=""):
    values = {}
    for key, _, _ in PHASES[:-1]:
        values[key] = max(0.0, rec.get(prefix + key) or 0.0)
    total = rec.get(prefix + "t_total")
    values["_other"] = max(0.0, (total or 0.0) - sum(values.values()))
    return values


def plot_phases(plt, records, outdir) -> list[str]:
    written = []
    by_model = {}
    for rec in records:
        if results_io.ok(rec):
            by_model.setdefault(rec["model"], []).append(rec)
    for model, recs in sorted(by_model.items()):
        recs = sorted(recs, key=results_io.sort_key)
        bars = []
        for rec in recs:
            label = f"{rec.get('variant') + ' ' if rec.get('variant') else ''}" \
                    f"{rec['size']} {results_io.series_label(rec)}" \
                    f"{'' if rec.get('monitor') else ' no-mon'}"
            bars.append((label, _phase_values(rec)))
            if rec.get("second_run_t_total") and not rec.get("second_run_error"):
                bars.append((label + " (2nd run)", _phase_values(rec, "second_run_")))
        fig, ax = plt.subplots(figsize=(13, 1.5 + 0.35 * len(bars)))
        y = list(range(len(bars)))
        left = [0.0] * len(bars)
        for key, name, color in PHASES:
            widths = [v[key] for _, v in bars]
            ax.barh(y, widths, left=left, color=color, label=name)
            left = [a + b for a, b in zip(left, widths)]
        ax.set_yticks(y)
        ax.set_yticklabels([b[0] for b in bars], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("wall-clock time (s)")
        gpus = sorted({r.get("gpu") for r in recs if r.get("gpu")})
        ax.set_title(f"{'COBAHH' if model == 'cobahh' else 'Mbody'}: phases of the whole "
                     f"script" + (" — " + ", ".join(gpus) if gpus else ""))
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.grid(True, axis="x", alpha=0.3)
        fig.tight_layout()
        path = os.path.join(outdir, f"{model}_phases.png")
        fig.savefig(path, dpi=120)
        plt.close(fig)
        written.append(path)
    return written


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="*", help="JSON-lines files, globs or directories "
                   "(default: benchmarks/results/*.jsonl)")
    p.add_argument("--outdir", default=os.path.join(results_io.HERE, "results", "plots"))
    p.add_argument("--no-reference", action="store_true",
                   help="leave out the reference points of benchmarks.md")
    args = p.parse_args(argv)
    plt = _pyplot()
    records = results_io.load(args.files)
    if not any(results_io.ok(r) for r in records):
        print("no successful benchmark records found; nothing to plot")
        return 0
    os.makedirs(args.outdir, exist_ok=True)
    written = plot_times(plt, records, args.outdir, reference=not args.no_reference)
    written += plot_phases(plt, records, args.outdir)
    for path in written:
        print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
