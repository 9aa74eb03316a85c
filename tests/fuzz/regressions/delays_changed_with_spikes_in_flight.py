# Fuzz failure "mismatch: NeuronGroup.Isyn": per-synapse delays of a plastic Synapses
# (one GeNN group per delay value) changed between runs while spikes were in flight;
# the device dropped them with a warning (Brian delivers them with their old delays).
# Now a NotImplementedError before the new model is built.

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
    o['g0'] = NeuronGroup(5, '''dv/dt = (I + ge + Isyn + v*v - v)/(8*ms) : 1
dge/dt = -ge/(3*ms) : 1
I : 1
Isyn : 1''', threshold='v > 1', reset='v = -0.5', method='rk2', refractory='2*ms', name='g0')
    o['g0'].v = [0.0, 0.3, 0.0, 0.95, 0.0]
    o['s0'] = Synapses(o['g0'][0:2], o['g0'], '''w : 1
dapre/dt = -apre/(10*ms) : 1 (event-driven)
dapost/dt = -apost/(10*ms) : 1 (event-driven)
Isyn_post = w : 1 (summed)''', on_pre='ge_post += w; apre += 0.1; w = clip(w + apost, 0, 1)', on_post='apost -= 0.1; w = clip(w + apre, 0, 1)', name='s0')
    o['s0'].connect(j='i + k for k in range(-1, 2)', skip_if_invalid=True)
    o['s0'].w = np.resize([0.0, 0.9, 0.75], len(o['s0']))
    o['s0'].delay = np.resize([0.25, 2.0, 0.0], len(o['s0']))*ms
    o['statemonitor'] = StateMonitor(o['s0'], ['w'], record=True, name='statemonitor')
    return o


def script():
    seed(281)
    defaultclock.dt = 0.1*ms
    o = build(0)
    net = Network(*o.values())
    results = {}
    phase = 0
    net.run(20*ms)
    o['s0'].delay = 2.0*ms
    net.run(20*ms)
    o['g0'].ge = np.resize([0.45, 0.1, 0.8], len(o['g0']))
    o['ratemonitor'] = PopulationRateMonitor(o['g0'], name='ratemonitor')
    net.add(o['ratemonitor'])
    net.remove(o['statemonitor'])
    net.run(5*ms)
    collect(o, results, phase)
    return results
