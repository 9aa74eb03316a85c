# Fuzz failure "free(): invalid next size (fast)" (a crash when the model was freed) and
# "mismatch: Synapses.w": on_post learning on sparse synapses with a pair connected
# several times. GeNN's columns for postsynaptic learning hold at most as many synapses
# as the source has neurons unless told otherwise (max_source_connections); a longer
# column was written past its arrays.

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
    o['g0'] = NeuronGroup(3, '''dv/dt = (I + ge + Isyn - v)/tau : 1 (unless refractory)
dge/dt = -ge/(5*ms) : 1
I : 1
Isyn : 1
tau : second (constant)''', threshold='v > 1', reset='v = 0', method='exact', refractory='2*ms', name='g0')
    o['g0'].ge = [1.0, 1.2, 0.5]
    o['g0'].I = [0.45, 0.15, 0.05]
    o['g0'].tau = [4.0, 6.0, 18.0]*ms
    o['sg'] = SpikeGeneratorGroup(2, [0, 0, 1, 0, 0, 0, 1, 1], [2.0, 4.0, 8.0, 10.0, 12.0, 24.0, 26.0, 27.0]*ms, name='sg')
    o['s1'] = Synapses(o['sg'], o['g0'][0:2], '''w : 1''', on_pre='v_post += w', on_post='w = w + 0.01', name='s1')
    o['s1'].connect(i=[0, 0, 1, 0, 1, 1, 0, 1, 0, 0], j=np.roll([1, 0, 0, 1, 0, 0, 1, 0, 1, 1], phase))
    o['s1'].w = np.resize([0.4, 0.1, 1.0, 1.2], len(o['s1']))
    o['s2'] = Synapses(o['sg'], o['g0'][1:3], '''w : 1
dx/dt = -x/(4*ms) : 1 (clock-driven)''', name='s2')
    o['s2'].connect(condition='i != j')
    o['s2'].w = np.resize([0.15], len(o['s2']))
    return o


def script():
    seed(342)
    defaultclock.dt = 0.1*ms
    o = build(0)
    net = Network(*o.values())
    results = {}
    phase = 0
    net.run(30*ms)
    collect(o, results, phase)
    return results
