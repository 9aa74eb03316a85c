# Fuzz failure "mismatch: Synapses.x" (shape of known bug 4): all objects built anew with
# the same names (same GeNN model key) after a run: the device keeps the loaded model and
# pushes only the variables Python touched, so the new Synapses' clock-driven x (never set
# from Python, zero in Brian) keeps the old model's values in GeNN.

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


def build():
    """All objects of the network, anew (same names every time)."""
    o = {}
    o['g0'] = NeuronGroup(5, '''dv/dt = (I + ge + Isyn - v)/tau : 1
dge/dt = -ge/(5*ms) : 1
I : 1
Isyn : 1
tau : second (constant)''', threshold='v > 1', reset='v = 0', method='exact', name='g0')
    o['g0'].v = [0.0, 0.0, 0.0, 0.0, 1.1]
    o['g0'].tau = [3.0, 3.0, 3.0, 3.0, 3.0]*ms
    o['s0'] = Synapses(o['g0'], o['g0'], '''w : 1
dx/dt = -x/(4*ms) : 1 (clock-driven)''', on_pre='x += w', name='s0')
    o['s0'].connect()
    o['s0'].w = np.resize([0.05], len(o['s0']))
    o['spikemonitor'] = SpikeMonitor(o['g0'], name='spikemonitor')
    return o


def script():
    seed(0)
    defaultclock.dt = 0.1*ms
    o = build()
    net = Network(*o.values())
    results = {}
    phase = 0
    net.run(5*ms)
    collect(o, results, phase)
    phase += 1
    o = build()
    net = Network(*o.values())
    net.run(5*ms)
    collect(o, results, phase)
    return results
