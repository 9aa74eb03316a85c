# Fuzz failure "mismatch: NeuronGroup.Isyn": a summed variable (and on_pre statements) of
# an active Synapses on a group made inactive between runs: Brian still computes them, the
# device applied them in the group's neuron code, which an inactive group does not run (the
# variable stayed at 0). Now a NotImplementedError before the build.

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
    o['g0'] = NeuronGroup(3, '''dv/dt = (I + ge + Isyn + v*v - v)/(8*ms) : 1
dge/dt = -ge/(3*ms) : 1
I : 1
Isyn : 1''', threshold='v > 1', reset='v = -0.5', method='rk2', name='g0')
    o['g0'].ge = [0.3, 0.05, 1.2]
    o['g1'] = NeuronGroup(5, '''dv/dt = (I + ge + Isyn + v*v - v)/(8*ms) : 1 (unless refractory)
dge/dt = -ge/(3*ms) : 1
I : 1
Isyn : 1''', threshold='v > 1', reset='v = -0.5', method='rk2', refractory='0.5*ms', name='g1')
    o['g1'].v = [0.45, 0.45, 1.15, 1.15, 0.4]
    o['sg'] = SpikeGeneratorGroup(4, [2, 2, 3, 0, 2, 3, 1, 2], [5.0, 8.0, 8.0, 17.0, 19.0, 19.0, 20.0, 21.0]*ms, name='sg')
    o['s0'] = Synapses(o['sg'], o['g1'][2:5], '''w : 1
Isyn_post = w : 1 (summed)''', on_pre='v_post += w', delay=2.0*ms, name='s0')
    o['s0'].connect(j='i', n=2, skip_if_invalid=True)
    o['s0'].w = np.resize([1.05, 1.1], len(o['s0']))
    o['statemonitor'] = StateMonitor(o['s0'], ['w'], record=True, dt=0.2*ms, name='statemonitor')
    o['spikemonitor'] = SpikeMonitor(o['g1'], name='spikemonitor')
    o['statemonitor_1'] = StateMonitor(o['g0'], ['ge'], record=[0], dt=0.5*ms, name='statemonitor_1')
    return o


def script():
    seed(153)
    defaultclock.dt = 0.1*ms
    o = build(0)
    net = Network(*o.values())
    results = {}
    phase = 0
    net.run(10*ms)
    net.remove(o['statemonitor_1'])
    o['g1'].active = False
    net.run(5*ms)
    net.run(10*ms)
    collect(o, results, phase)
    phase += 1
    o = build(phase)
    net = Network(*o.values())
    net.run(5*ms)
    collect(o, results, phase)
    return results
