#!/usr/bin/env python
"""The spike-train check of README.md: run a benchmark model with a network
seed on one device and save its spike trains, or compare two saved runs.

    PYTHONPATH=. python benchmarks/spike_trains.py run genn|cpp 32|64 cobahh|mbody NETWORK_SEED OUT.npz BUILD_DIR
    python benchmarks/spike_trains.py compare A.npz B.npz

``run`` builds COBAHH N = 4000 (paper variant) or Mbody scale 1 as the
harness does with its default ``--seed 1234`` (``brian2.seed`` and the Mbody
PN pattern) and ``--network-seed NETWORK_SEED``, and runs 1 s on the genn
device (single-threaded CPU backend) or cpp_standalone (2 OpenMP threads).
``compare`` prints, per monitor, whether the two runs have the same
(time step, neuron) pairs and the first pair where they differ.
"""

import sys

import numpy as np


def run(device: str, float_bits: int, model_name: str, network_seed: int, out: str,
        build_dir: str) -> None:
    from brian2 import prefs, second, seed, set_device

    import brian2genn_bridge  # noqa: F401  (registers the 'genn' device)
    from benchmarks import models

    prefs.core.default_float_dtype = np.float32 if float_bits == 32 else np.float64
    if device == "genn":
        set_device("genn", directory=build_dir, backend="single_threaded_cpu")
    else:
        prefs.devices.cpp_standalone.openmp_threads = 2
        set_device("cpp_standalone", directory=build_dir, build_on_run=True)
    seed(1234)
    if model_name == "mbody":
        model = models.build_mbody(1, duration=1 * second, seed=1234, network_seed=network_seed)
    else:
        model = models.build_cobahh(4000, network_seed=network_seed)
    model["network"].run(1 * second, report=None)
    arrays = {}
    for name, monitor in model["monitors"].items():
        arrays[f"{name}.i"] = np.asarray(monitor.i[:])
        arrays[f"{name}.t"] = np.asarray(monitor.t[:])
    np.savez(out, **arrays)
    print(models.mean_rates(model))


def compare(path_a: str, path_b: str, dt: float = 1e-4) -> None:
    a, b = np.load(path_a), np.load(path_b)
    for name in sorted({key.rsplit(".", 1)[0] for key in a.files}):
        # (time step, neuron) pairs; within a step the order is irrelevant
        pairs = []
        for run_arrays in (a, b):
            steps = np.round(run_arrays[f"{name}.t"] / dt).astype(np.int64)
            pairs.append(sorted(zip(steps.tolist(), run_arrays[f"{name}.i"].tolist())))
        first = next(((p, q) for p, q in zip(*pairs) if p != q), None)
        print(f"{name}: {len(pairs[0])} vs {len(pairs[1])} spikes, "
              f"identical: {pairs[0] == pairs[1]}, first difference (step, i): {first}")


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6],
            sys.argv[7])
    else:
        compare(sys.argv[2], sys.argv[3])
