# Fuzz failure "mismatch: PopulationRateMonitor.rate": a rate differs in the last bit
# (3333.333... for one spike of 3 neurons in 0.1 ms). Brian's numpy template computes
# count / dt / N; the GeNN device (translators/monitors.py, append_rates) count / N / dt.

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
    o['g0'] = NeuronGroup(3, '''dv/dt = (I + ge + Isyn - v - a)/(10*ms) : 1
da/dt = -a/(30*ms) : 1
dge/dt = -ge/(5*ms) : 1
I : 1
Isyn : 1
vt : 1''', threshold='v > vt', reset='v = 0; a += 0.2', method='euler', name='g0')
    o['g0'].v = [0.0, 0.0, 0.65]
    o['g0'].vt = [0.6, 0.6, 0.6]
    o['ratemonitor'] = PopulationRateMonitor(o['g0'], name='ratemonitor')
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
    return results
