"""Where the simulation loop of the genn device spends its time, with GeNN's
kernel timers (``prefs.devices.genn.kernel_timing``): one benchmark model and size, float32.

    python benchmarks/profile_genn.py cobahh 100000 [--backend cuda]
"""

import argparse
import ast
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import numpy as np  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["cobahh", "mbody"])
    parser.add_argument("size", type=float)
    parser.add_argument("--backend", default="cuda")
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--directory", default="genn_profile")
    parser.add_argument("--parallelism", choices=["auto", "presynaptic", "postsynaptic"],
                        default="auto", help="for every Synapses of the model")
    parser.add_argument("--threads-per-spike", type=int, default=0)
    parser.add_argument("--synapses", nargs="+", default=None, metavar="NAME",
                        help="apply --parallelism/--threads-per-spike to these Synapses "
                             "of the model only (default: all)")
    parser.add_argument("--genn-pref", action="append", default=[], metavar="NAME=VALUE",
                        help="set prefs.devices.genn.NAME (a Python literal), e.g. "
                             "--genn-pref cuda_presynaptic_block_size=512")
    args = parser.parse_args()

    import brian2genn_bridge  # noqa: F401
    from brian2 import device, prefs, second, seed, set_device
    from brian2genn_bridge import configure_synapses

    from benchmarks import models

    prefs.core.default_float_dtype = np.float32
    prefs.devices.genn.kernel_timing = True
    for setting in args.genn_pref:
        name, _, value = setting.partition("=")
        prefs[f"devices.genn.{name}"] = ast.literal_eval(value)
    set_device("genn", directory=args.directory, backend=args.backend)
    seed(1234)
    duration = args.duration * second
    if args.model == "cobahh":
        model = models.build_cobahh(int(args.size))
    else:
        model = models.build_mbody(args.size, duration=duration)
    for name, synapses in model["synapses"].items():
        if args.synapses is not None and name not in args.synapses:
            continue
        configure_synapses(synapses, parallelism=args.parallelism,
                           threads_per_spike=args.threads_per_spike or None)
    start = time.perf_counter()
    model["network"].run(duration)
    total = time.perf_counter() - start
    steps = int(round(args.duration / float(models.DT / second)))
    for phase, seconds in device.timings.items():
        print(f"{phase:28s} {seconds:9.4f} s  {1e6 * seconds / steps:9.2f} us/step")
    print(f"{'run() here':28s} {total:9.4f} s; rates {models.mean_rates(model)}")


if __name__ == "__main__":
    main()
