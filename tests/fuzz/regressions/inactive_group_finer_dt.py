# fuzz failure: TypeError: '…' not supported between instances of '…' and '…'
# the GeNN device raised:
# Traceback (most recent call last):
#   File "/work/main/tests/fuzz/compare.py", line 118, in check_source
#     results = run_with("genn", script, float_dtype=float_dtype, preferences={
#               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#   File "/work/main/tests/utils.py", line 118, in run_with
#     results = _to_numpy(script())
#                         ^^^^^^^^
#   File "<fuzz script>", line 49, in script
#     net.run(5*ms)
#   File "/work/main/.venv/lib/python3.11/site-packages/brian2/core/base.py", line 344, in device_override_decorated_function
#     return getattr(curdev, name)(*args, **kwds)
#            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#   File "/work/main/brian2genn_bridge/device.py", line 302, in network_run
#     description = self._describe(model_objects, options)
#                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#   File "/work/main/brian2genn_bridge/device.py", line 401, in _describe
#     description = describe_network(objects, options, self.pending_creations())
#            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#   File "/work/main/brian2genn_bridge/translators/network.py", line 299, in describe_network
#     description.neurons.append(translate_neuron_group(
#                                ^^^^^^^^^^^^^^^^^^^^^^^
#   File "/work/main/brian2genn_bridge/translators/neurons.py", line 200, in translate_neuron_group
#     tick=f"(int64_t)round(t / dt) % {every} == 0" if every > 1 else "",
#                                                      ^^^^^^^^^
# TypeError: '>' not supported between instances of 'NoneType' and 'int'

from brian2 import *
import numpy as np

# an inactive group that a monitor records, with a dt finer than the active groups'
# (GeNN's step): a TypeError in the translation, now a named NotImplementedError


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
    o['g0'] = NeuronGroup(8, '''dv/dt = (I + ge + Isyn - v - a)/(10*ms) : 1
da/dt = -a/(30*ms) : 1
dge/dt = -ge/(5*ms) : 1
I : 1
Isyn : 1
vt : 1''', threshold='v > vt', reset='v = 0; a += 0.2', method='euler', refractory='2*ms', name='g0')
    o['g0'].I = [1.25, 1.15, 0.0, 1.35, 1.55, 1.05, 1.55, 1.05]
    o['g0'].vt = [0.6, 0.85, 0.85, 0.9, 0.9, 0.6, 0.9, 0.6]
    o['g1'] = NeuronGroup(3, '''dv/dt = (I + ge + Isyn + v*v - v)/(8*ms) : 1
dge/dt = -ge/(3*ms) : 1
I : 1
Isyn : 1''', threshold='v > 1', reset='v = -0.5', method='rk2', dt=0.2*ms, name='g1')
    o['g1'].ge = [0.0, 0.0, 0.0]
    o['sg'] = SpikeGeneratorGroup(2, [], []*ms, name='sg')
    o['spikemonitor'] = SpikeMonitor(o['sg'], name='spikemonitor')
    o['spikemonitor_1'] = SpikeMonitor(o['g0'], name='spikemonitor_1')
    o['ratemonitor'] = PopulationRateMonitor(o['g1'], name='ratemonitor')
    return o


def script():
    seed(486)
    defaultclock.dt = 0.1*ms
    o = build(0)
    net = Network(*o.values())
    results = {}
    phase = 0
    net.run(5*ms)
    o['g1'].active = False
    defaultclock.dt = 0.5*ms
    net.run(5*ms)
    collect(o, results, phase)
    return results
