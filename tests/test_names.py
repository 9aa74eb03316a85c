"""Brian names that GeNN code gives another meaning (its built-ins such as
``Isyn`` or ``id_syn``, C types and keywords such as ``scalar`` or
``unsigned``) work as names of neuron, synaptic and shared variables, as a
synaptic target, in pre/post reads, as a summed variable and in monitors,
with the same results as Brian's runtime device."""

import numpy as np
import pytest
from brian2 import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms

from utils import assert_spikes_equal, run_both

#: (neuron variable, synaptic variable) pairs
NAMES = [("Isyn", "id_syn"), ("inSyn", "batch"), ("num_neurons", "addToPost"),
         ("scalar", "unsigned"), ("int64_t", "st"), ("timepoint", "set")]


def network(name, syn_name):
    def script():
        G = NeuronGroup(4, f"""d{name}/dt = (drive - {name})/(5*ms) : 1
                               drive : 1 (shared)
                               long : 1""",
                        threshold=f"{name} > 0.8", reset=f"{name} = 0; long += 1",
                        method="exact", name="names_source")
        G.drive = 1.2
        G.set_states({name: [0.0, 0.3, 0.6, 0.9]})
        H = NeuronGroup(3, f"{name} : 1", name="names_target")
        S = Synapses(G, H, f"{syn_name} : 1",
                     on_pre=f"{name}_post += {syn_name} * (1 + {name}_pre)",
                     name="names_syn")
        S.connect()
        setattr(S, syn_name, "0.1*i + 0.01*j")
        # a summed variable of that name, read from the source
        K = NeuronGroup(2, f"{name} : 1", name="names_summed")
        T = Synapses(G, K, f"{name}_post = 0.5 * {name}_pre : 1 (summed)",
                     name="names_summing")
        T.connect()
        spikes = SpikeMonitor(G, [name], name="names_spikes")
        states = StateMonitor(H, name, record=True, name="names_states")
        summed = StateMonitor(K, name, record=True, name="names_summed_states")
        Network(G, H, K, S, T, spikes, states, summed).run(10 * ms)
        return {"i": spikes.i[:], "t": spikes.t[:], "at_spike": getattr(spikes, name)[:],
                "trace": getattr(states, name)[:], "long": G.long[:],
                "summed": getattr(summed, name)[:]}
    return script


@pytest.mark.parametrize("name,syn_name", NAMES)
def test_genn_names_as_brian_names(name, syn_name):
    reference, genn = run_both(network(name, syn_name))
    assert len(reference["i"]) > 5
    assert_spikes_equal(reference["i"], reference["t"], genn["i"], genn["t"])
    np.testing.assert_allclose(genn["at_spike"], reference["at_spike"], rtol=1e-12)
    np.testing.assert_allclose(genn["trace"], reference["trace"], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(genn["long"], reference["long"])
    np.testing.assert_allclose(genn["summed"], reference["summed"], rtol=1e-12, atol=1e-15)
