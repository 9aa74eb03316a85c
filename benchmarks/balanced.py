"""A balanced random network (Brunel 2000, model A: excitatory and
inhibitory leaky integrate-and-fire neurons, delta synapses, external
Poisson drive) written as an ordinary Brian script, at the scale of the
multi-area model of macaque cortex (4e6 neurons, in-degree about 6,000,
2.4e10 synapses): what a GPU holds only if GeNN makes the synapses itself
(``prefs.devices.genn.synapse_creation``) and, beyond its memory, makes
them again at every spike (procedural connectivity).

    python benchmarks/balanced.py --neurons 4000000 --in-degree 6000 \
        --connectivity procedural --backend cuda --out results.jsonl

prints and appends one JSON record: the whole script's time (objects,
connect, run, spikes read back), the simulation's real-time factor, rates,
peak host memory (RSS) and, with CUDA, the GPU memory in use at the end
of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def _gpu_memory_mib() -> int | None:
    """GPU memory in use (MiB, all processes), from nvidia-smi."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=memory.used",
                              "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=20)
        return int(out.stdout.split()[0])
    except (OSError, ValueError, IndexError, subprocess.SubprocessError):
        return None


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--neurons", type=int, default=10_000)
    p.add_argument("--in-degree", type=int, default=1_000,
                   help="expected synapses onto each neuron (from the whole network)")
    p.add_argument("--duration", type=float, default=1.0, help="seconds of biological time")
    p.add_argument("--connectivity", default="sparse", choices=("sparse", "procedural"))
    p.add_argument("--synapse-creation", default="genn", choices=("genn", "host", "auto"))
    p.add_argument("--backend", default="cuda", choices=("cuda", "single_threaded_cpu"))
    p.add_argument("--float", type=int, default=32, choices=(32, 64))
    p.add_argument("--directory", default=os.path.join(HERE, "work", "balanced"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default=None, help="JSON-lines file to append the record to")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    import numpy as np
    from brian2 import (NeuronGroup, Network, PoissonInput, SpikeMonitor, Synapses,
                        ms, mV, prefs, seed, set_device)
    import brian2genn_bridge
    from brian2genn_bridge import configure_synapses, genn_device

    set_device("genn", directory=args.directory, backend=args.backend)
    prefs.core.default_float_dtype = np.float32 if args.float == 32 else np.float64
    prefs.devices.genn.synapse_creation = args.synapse_creation
    seed(args.seed)
    t_import = time.perf_counter()

    # Brunel (2000), model A in the asynchronous irregular state (g = 5,
    # nu_ext = 2 nu_thr), with the in-degree as a parameter: J = 0.1 mV at
    # Brunel's C_E = 4000, scaled so that J * C_E stays the same
    n = args.neurons
    n_exc = int(0.8 * n)
    c_exc = 0.8 * args.in_degree
    tau, theta, v_reset, refractory, delay = 20 * ms, 20 * mV, 10 * mV, 2 * ms, 1.5 * ms
    J = 0.1 * mV * 4000.0 / max(c_exc, 1.0)
    g = 5.0
    nu_thr = theta / (J * c_exc * tau)
    neurons = NeuronGroup(n, "dv/dt = -v/tau : volt (unless refractory)",
                          threshold="v > theta", reset="v = v_reset", refractory=refractory,
                          method="exact", name="neurons")
    neurons.v = "v_reset + rand() * (theta - v_reset)"
    exc, inh = neurons[:n_exc], neurons[n_exc:]
    p_connect = args.in_degree / n
    synapses = []
    for name, source, weight in (("exc", exc, J), ("inh", inh, -g * J)):
        S = Synapses(source, neurons, on_pre=f"v_post += {float(weight / mV)}*mV",
                     delay=delay, name=f"{name}_synapses")
        configure_synapses(S, connectivity=args.connectivity)
        S.connect(p=p_connect)
        synapses.append(S)
    drive = PoissonInput(neurons, "v", N=int(c_exc), rate=2 * nu_thr, weight=J)
    spikes = SpikeMonitor(neurons)
    net = Network(neurons, *synapses, drive, spikes)
    t_objects = time.perf_counter()
    net.run(args.duration * 1e3 * ms, report=None)
    t_run = time.perf_counter()
    counts = np.bincount(np.asarray(spikes.i[:]), minlength=n)
    t_end = time.perf_counter()

    timings = dict(genn_device.timings)
    record = {
        "model": "balanced", "neurons": n, "in_degree": args.in_degree,
        "expected_synapses": float(n) * args.in_degree, "connectivity": args.connectivity,
        "synapse_creation": args.synapse_creation, "backend": args.backend,
        "float": args.float, "duration": args.duration,
        "created_synapses": [genn_device.created_synapse_count(S) for S in synapses],
        "rate_exc": float(counts[:n_exc].mean() / args.duration),
        "rate_inh": float(counts[n_exc:].mean() / args.duration),
        "t_import": t_import - t0, "t_objects": t_objects - t_import,
        "t_run_call": t_run - t_objects, "t_spikes_read": t_end - t_run,
        "t_total": t_end - t0, "t_sim": timings.get("simulation"),
        "realtime_factor": (timings.get("simulation") or 0.0) / args.duration,
        "t_build": timings.get("build"), "t_load": timings.get("load"),
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20,
        "gpu_memory_mib": _gpu_memory_mib() if args.backend == "cuda" else None,
        "brian2genn_bridge": getattr(brian2genn_bridge, "__version__", None),
    }
    print(json.dumps(record), flush=True)
    if args.out:
        with open(args.out, "a") as f:
            f.write(json.dumps(record) + "\n")
    return record


if __name__ == "__main__":
    main()
