"""Main demo: a Brian 2 script, unchanged but for two lines, on GeNN.

A sparse random network of leaky integrate-and-fire neurons with
conductance-based excitation and inhibition (after Brian's CUBA/COBA
examples), driven by Poisson input. Runs on CUDA when a GPU is usable,
otherwise on GeNN's single-threaded CPU backend (a log line says so).
"""

from brian2 import *

import brian2genn_bridge  # noqa: F401

set_device("genn")

N = 4000
taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
El, Vt, Vr = -60 * mV, -50 * mV, -60 * mV
eqs = """dv/dt = (ge*(0*mV - v) + gi*(-80*mV - v) + (El - v))/taum : volt (unless refractory)
         dge/dt = -ge/taue : 1
         dgi/dt = -gi/taui : 1"""
P = NeuronGroup(N, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                method="exponential_euler")
P.v = "El + rand()*(Vt - El)"
exc, inh = P[:3200], P[3200:]
Ce = Synapses(exc, P, on_pre="ge += 0.02")
Ci = Synapses(inh, P, on_pre="gi += 0.1")
Ce.connect(p=0.02)
Ci.connect(p=0.02)
drive = PoissonGroup(200, rates=40 * Hz)
Cd = Synapses(drive, P, on_pre="ge_post += 0.3")
Cd.connect(p=0.1)

spikes = SpikeMonitor(P)
rate = PopulationRateMonitor(P)
trace = StateMonitor(P, "v", record=[0, 1, 2])
run(1 * second, report="text")

print(f"{spikes.num_spikes} spikes, mean rate {spikes.num_spikes / N / second:.2f}")
print(f"excitatory {np.mean(spikes.count[:3200]):.2f} spikes/neuron, "
      f"inhibitory {np.mean(spikes.count[3200:]):.2f} spikes/neuron")
print("phases of the run (s):", ", ".join(f"{name} {seconds:.3f}"
                                          for name, seconds in device.timings.items()))
