#!/usr/bin/env python
"""Side-by-side summary of the back-ends of each model configuration, against
the hand-written PyGeNN version: loop and whole-script times (and their ratio
to pygenn on the same kind of processor), rates per population, GeNN's kernel
times.

    python benchmarks/compare.py results/microcircuit.jsonl results/stdp.jsonl
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import results_io  # noqa: E402

#: the pygenn back-end a row is compared with
_PYGENN_OF = {"genn-cuda": "pygenn-cuda", "brian2cuda": "pygenn-cuda",
              "pygenn-cuda": "pygenn-cuda", "genn-cpu": "pygenn-cpu",
              "pygenn-cpu": "pygenn-cpu", "cpp_standalone": "pygenn-cpu"}


def _label(rec: dict) -> str:
    label = rec.get("backend", "?")
    if rec.get("shape"):
        label += f"/{rec['shape']}"
    if rec.get("backend") == "cpp_standalone":
        label += f"/{rec.get('threads')}t"
    return label


def _ratio(value, reference) -> str:
    if value is None or not reference:
        return "–"
    return f"{value / reference:.2f}"


def _num(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}g}"


def summarise(records: list[dict]) -> str:
    """One block per (machine, model, size, float, duration)."""
    blocks: dict[tuple, list[dict]] = {}
    for rec in sorted(records, key=results_io.sort_key):
        key = (results_io.machine(rec), rec.get("model"), rec.get("size"), rec.get("float"),
               rec.get("duration"))
        blocks.setdefault(key, []).append(rec)
    lines = []
    for (machine, model, size, fl, duration), recs in blocks.items():
        lines.append(f"== {model} size {size}, float{fl}, {duration} s simulated — {machine}")
        pygenn = {r["backend"]: r for r in recs
                  if r.get("backend", "").startswith("pygenn") and results_io.ok(r)}
        lines.append(f"  {'back-end':<28}{'sim':>9}{'total':>9}{'sim/pygenn':>12}"
                     f"{'total/pygenn':>14}{'synapses':>12}  error")
        for rec in recs:
            reference = pygenn.get(_PYGENN_OF.get(rec.get("backend"), ""))
            lines.append(
                f"  {_label(rec):<28}{_num(rec.get('t_sim')):>9}{_num(rec.get('t_total')):>9}"
                f"{_ratio(rec.get('t_sim'), reference and reference.get('t_sim')):>12}"
                f"{_ratio(rec.get('t_total'), reference and reference.get('t_total')):>14}"
                f"{rec.get('synapses') or '–':>12}  {str(rec.get('error') or '')[:60]}")
        populations = list(dict.fromkeys(p for r in recs for p in (r.get("rates") or {})))
        if populations:
            lines.append("  rates (Hz):")
            lines.append(f"  {'back-end':<28}" + "".join(f"{p:>8}" for p in populations))
            for rec in recs:
                if rec.get("rates"):
                    lines.append(f"  {_label(rec):<28}" + "".join(
                        f"{_num(rec['rates'].get(p)):>8}" for p in populations))
        kernels = [r for r in recs if r.get("kernel_times")]
        if kernels:
            names = list(dict.fromkeys(k for r in kernels for k in r["kernel_times"]))
            lines.append("  GeNN kernel times (s):")
            lines.append(f"  {'back-end':<28}" + "".join(f"{n[:12]:>13}" for n in names))
            for rec in kernels:
                lines.append(f"  {_label(rec):<28}" + "".join(
                    f"{_num(rec['kernel_times'].get(n)):>13}" for n in names))
        observed = [r for r in recs if r.get("observables")]
        for rec in observed:
            lines.append(f"  {_label(rec):<28}" + " ".join(
                f"{k} {_num(v, 4)}" for k, v in rec["observables"].items()))
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", help="JSON-lines files, globs or directories")
    args = p.parse_args(argv)
    print(summarise(results_io.load(results_io.expand(args.files))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
