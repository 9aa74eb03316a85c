"""Host-side cost per simulation step of the genn device, and where the
simulation loop of a COBAHH run spends its time.

    python benchmarks/step_overhead.py [--backend cuda] [--size 100000] [--steps 100000]

1. A one-neuron model (no synapses, with a SpikeMonitor, so that GeNN's
   spike recording is in use) stepped ``--steps`` times through the device's
   ``GeNNSimulation.step``, PyGeNN's ``model.step_time()`` and its runtime
   object's ``step_time()``, each followed by a copy from the device (which
   waits for the queued steps): the cost of one step when the device has
   almost nothing to compute.
2. COBAHH (``benchmarks/models.py``, float32, SpikeMonitor) of ``--size``
   neurons for ``--duration`` seconds, with the device's simulation time split
   into stepping (the Python calls that queue the steps), pulling the spike
   recordings (on CUDA: waiting for the queued steps, then the copy), and
   decoding them into the monitor; then the decoding of one full recording
   window by the device (``genn.spike_bits.set_bits``) and by the decoder it
   replaced, on the same buffer.

``--profile`` adds a second COBAHH run with GeNN's kernel timers (a separate
model: compiled again; every step then waits for its kernels).
"""

import argparse
import functools
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import numpy as np  # noqa: E402


class _Clock(dict):
    """Seconds spent in wrapped functions, by label."""

    def wrap(self, owner, name: str, label: str) -> None:
        function = owner.__dict__[name]
        static = isinstance(function, staticmethod)
        function = function.__func__ if static else function

        @functools.wraps(function)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self[label] = self.get(label, 0.0) + time.perf_counter() - start

        setattr(owner, name, staticmethod(timed) if static else timed)


def _sync(simulation) -> None:
    """Wait for the queued steps: a copy from the device waits for them."""
    population = next(iter(simulation.populations.values()))
    next(iter(population.vars.values())).pull_from_device()


def tiny_model(args) -> dict:
    """us per step of a one-neuron model through three stepping paths."""
    from brian2 import Network, NeuronGroup, SpikeMonitor, device, ms, set_device, start_scope

    set_device("genn", directory=args.directory, backend=args.backend)
    start_scope()
    group = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="exact", name="tiny")
    network = Network(group, SpikeMonitor(group, name="tiny_spikes"))
    network.run(1 * ms)  # builds and loads the model
    simulation = device._simulation
    model = simulation.model

    def model_step_time(n):
        step_time = model.step_time
        for _ in range(n):
            step_time()

    def runtime_step_time(n):
        step_time = model._runtime.step_time
        for _ in range(n):
            step_time()

    paths = {"GeNNSimulation.step": simulation.step, "model.step_time": model_step_time,
             "model._runtime.step_time": runtime_step_time}
    results = {}
    for name, stepper in paths.items():
        best = np.inf
        for _ in range(3):
            start = time.perf_counter()
            stepper(args.steps)
            _sync(simulation)
            best = min(best, time.perf_counter() - start)
        results[name] = 1e6 * best / args.steps
        print(f"tiny model  {name:26s} {results[name]:8.3f} us/step")
    return results


def _previous_decoder(words, recording_steps, first_step, n_steps):
    """The device's spike decoding before genn.spike_bits.set_bits (for comparison)."""
    steps = first_step + np.arange(n_steps)
    rows = words[steps % recording_steps]
    row, word = np.nonzero(rows)
    values = rows[row, word]
    bits = (values[:, None] >> np.arange(32, dtype=np.uint32)) & 1
    r, b = np.nonzero(bits)
    return steps[row[r]], (word[r] * 32 + b).astype(np.int32)


def cobahh(args, profile: bool) -> dict:
    """Time split of the simulation loop of one COBAHH run."""
    from brian2 import device, prefs, second, seed, set_device
    from pygenn import GeNNModel

    from benchmarks import models
    from brian2genn_bridge import device as device_module
    from brian2genn_bridge import runtime

    clock = _Clock()
    clock.wrap(runtime.GeNNSimulation, "step", "stepping calls")
    clock.wrap(GeNNModel, "pull_recording_buffers_from_device", "pull recordings")
    clock.wrap(runtime.GeNNSimulation, "recorded_spikes", "recorded_spikes")
    clock.wrap(device_module.GeNNDevice, "_collect", "collect")

    prefs.core.default_float_dtype = np.float32
    prefs.devices.genn.kernel_timing = profile
    set_device("genn", directory=args.directory, backend=args.backend)
    seed(1234)
    model = models.build_cobahh(int(args.size))
    model["network"].run(args.duration * second)
    steps = int(round(args.duration / float(models.DT / second)))
    simulation = device._simulation
    timings = dict(device.timings)
    results = {"steps": steps, "recording_steps": simulation.recording_steps,
               "spikes": int(models.total_spikes(model)),
               "simulation_s": timings["simulation"], **clock}
    results["decode (recorded_spikes - pull)"] = (clock.get("recorded_spikes", 0.0)
                                                  - clock.get("pull recordings", 0.0))
    results.update({k: v for k, v in timings.items() if k.startswith("kernel_")})
    label = "cobahh profile" if profile else "cobahh"
    for name, value in results.items():
        if isinstance(value, float):
            print(f"{label:15s} {name:32s} {value:9.4f} s  {1e6 * value / steps:9.2f} us/step")
        else:
            print(f"{label:15s} {name:32s} {value}")
    if not profile:
        # both decoders on the same (last) host copy of the recording buffer
        population = next(iter(simulation._spike_words))
        words = simulation._spike_words[population].view
        window = min(simulation.recording_steps, steps)
        for name, decoder in (("decode window, device", None),
                              ("decode window, previous", _previous_decoder)):
            start = time.perf_counter()
            if decoder is None:
                simulation._recordings_pulled = True
                simulation.recorded_spikes(population, 0, window)
            else:
                decoder(words, simulation.recording_steps, 0, window)
            results[name] = time.perf_counter() - start
            print(f"{label:15s} {name:32s} {results[name]:9.4f} s  ({window} steps)")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="cuda")
    parser.add_argument("--size", type=float, default=100000)
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--steps", type=int, default=100000,
                        help="steps of the one-neuron model")
    parser.add_argument("--directory", default="genn_step_overhead")
    parser.add_argument("--profile", action="store_true",
                        help="also run COBAHH with GeNN's kernel timers")
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()

    import brian2genn_bridge  # noqa: F401
    from brian2 import device

    results = {"backend": args.backend, "size": args.size, "tiny": tiny_model(args)}
    device.reinit()
    results["cobahh"] = cobahh(args, profile=False)
    if args.profile:
        device.reinit()
        results["cobahh_profile"] = cobahh(args, profile=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
