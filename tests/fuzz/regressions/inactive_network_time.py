# Fuzz failure "mismatch: NeuronGroup.t": a run in which every object is inactive
# (active = False) left the clocks where they were; Brian's loop runs those steps with
# nothing to do, so time goes on.

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
    o['g0'] = NeuronGroup(1, '''dv/dt = (I + ge + Isyn - v - a)/(10*ms) : 1
da/dt = -a/(30*ms) : 1
dge/dt = -ge/(5*ms) : 1
I : 1
Isyn : 1
vt : 1''', threshold='v > vt', reset='v = 0; a += 0.2', method='euler', refractory='2*ms', name='g0')
    o['g0'].ge = [0.0]
    o['g0'].vt = [1.1]
    o['g1'] = NeuronGroup(1, '''dv/dt = (I + ge + Isyn - v)/tau : 1 (unless refractory)
dge/dt = -ge/(5*ms) : 1
I : 1
Isyn : 1
tau : second (constant)''', threshold='v > 1', reset='v = 0', method='exact', refractory='2*ms', name='g1')
    o['g1'].v = [0.55]
    o['g1'].tau = [4.0]*ms
    o['ratemonitor'] = PopulationRateMonitor(o['g0'], name='ratemonitor')
    return o


def script():
    seed(360)
    defaultclock.dt = 0.1*ms
    o = build(0)
    net = Network(*o.values())
    results = {}
    phase = 0
    net.run(5*ms)
    o['g1'].active = False
    net.run(5*ms)
    o['g0'].active = False
    o['g0'].vt = np.resize([0.6], len(o['g0']))
    net.remove(o['ratemonitor'])
    net.run(5*ms)
    o['spikemonitor'] = SpikeMonitor(o['g0'], name='spikemonitor')
    net.add(o['spikemonitor'])
    net.remove(o['spikemonitor'])
    o['g0'].active = False
    net.run(10*ms)
    collect(o, results, phase)
    return results
