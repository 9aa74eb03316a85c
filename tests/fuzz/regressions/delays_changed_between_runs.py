# Fuzz failure "mismatch: NeuronGroup.a" (known bug 3): per-synapse delays (all 0 at the
# first run) changed between runs; GeNN keeps simulating with the old delays.

from brian2 import *
import numpy as np


def collect(o, results, phase):
    """Recordings and final state of every object, under 'phase/name'."""
    for name, obj in o.items():
        values = obj.get_states(units=False)
        if isinstance(obj, Synapses) and hasattr(obj, "pre"):
            values["delay"] = np.asarray(obj.delay[:])
        values["__class__"] = type(obj).__name__
        results[f"{phase}/{name}"] = values


def build(phase):
    """All objects of the network, anew (same names every time; the i/j arrays
    of connect() rotated by the phase)."""
    o = {}
    o['g0'] = NeuronGroup(5, '''dv/dt = (I + ge + Isyn - v - a)/(10*ms) : 1 (unless refractory)
da/dt = -a/(30*ms) : 1
dge/dt = -ge/(5*ms) : 1
I : 1
Isyn : 1
vt : 1''', threshold='v > vt', reset='v = 0; a += 0.2', method='euler', refractory='0.5*ms', dt=0.2*ms, name='g0')
    o['g0'].a = [0.75, 0.0, 0.9, 1.0, 0.0]
    o['g0'].vt = [1.15, 1.05, 1.05, 0.8, 1.0]
    o['s0'] = Synapses(o['g0'][0:3], o['g0'], '''w : 1
Isyn_post = w : 1 (summed)''', on_pre='ge_post += w', on_post='w = w + 0.01', dt=0.2*ms, name='s0')
    o['s0'].connect()
    o['s0'].w = np.resize([0.6, 0.7], len(o['s0']))
    o['s0'].delay = np.resize([0.0, 0.0, 0.0], len(o['s0']))*ms
    o['statemonitor'] = StateMonitor(o['s0'], ['w'], record=True, name='statemonitor')
    o['ratemonitor'] = PopulationRateMonitor(o['g0'], name='ratemonitor')
    o['ratemonitor_1'] = PopulationRateMonitor(o['g0'], name='ratemonitor_1')
    return o


def script():
    seed(94)
    defaultclock.dt = 0.1*ms
    o = build(0)
    net = Network(*o.values())
    results = {}
    phase = 0
    net.run(20*ms)
    o['s0'].delay = np.resize([0.25, 1.5, 2.0, 0.5], len(o['s0']))*ms
    net.run(20*ms)
    collect(o, results, phase)
    return results
