# Fuzz failure "mismatch: NeuronGroup.lastspike": a network built anew in the same process
# with the names of the last one (as a sweep does in a loop) got the spikes and input that
# the old model had in flight, carried by name; Brian's new objects start with nothing in
# flight. Now only what belongs to the same Brian objects is carried.

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
    o['g0'] = NeuronGroup(1, '''dv/dt = (I + ge + Isyn + v*v - v)/(8*ms) : 1 (unless refractory)
dge/dt = -ge/(3*ms) : 1
I : 1
Isyn : 1''', threshold='v > 1', reset='v = -0.5', method='rk2', refractory='2*ms', name='g0')
    o['g0'].v = [0.75]
    o['s0'] = Synapses(o['g0'], o['g0'], '''w : 1
Isyn_post = w : 1 (summed)''', on_pre='v_post += w', on_post='w = w + 0.01', name='s0')
    o['s0'].connect()
    o['s0'].w = np.resize([1.05, 0.1], len(o['s0']))
    o['s0'].delay = np.resize([2.0, 3.0], len(o['s0']))*ms
    o['ratemonitor'] = PopulationRateMonitor(o['g0'], name='ratemonitor')
    return o


def script():
    seed(171)
    defaultclock.dt = 0.1*ms
    o = build(0)
    net = Network(*o.values())
    results = {}
    phase = 0
    net.run(30*ms)
    o['statemonitor'] = StateMonitor(o['g0'], ['Isyn'], record=[0], name='statemonitor')
    net.add(o['statemonitor'])
    collect(o, results, phase)
    phase += 1
    o = build(phase)
    net = Network(*o.values())
    o['statemonitor_1'] = StateMonitor(o['s0'], ['w'], record=True, dt=0.5*ms, name='statemonitor_1')
    net.add(o['statemonitor_1'])
    net.run(5*ms)
    net.run(20*ms)
    net.run(30*ms)
    collect(o, results, phase)
    return results
