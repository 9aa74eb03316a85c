"""Synapse groups that add to one variable share GeNN's input buffers.

A GeNN expert fuses the postsynaptic models of such groups (one input and one
dendritic delay buffer per target variable, not one per Synapses); the
device does so too. The input in flight then lives in one buffer for all of
them, and what reads it (carrying it into a rebuilt model, the check of
weights changed while it is in flight) must find it there.
"""

import pytest
from brian2 import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms
from pygenn import types

from utils import assert_same_values, run_both, run_with


def _two_delayed_inputs(change=None):
    def script():
        A = NeuronGroup(4, "dv/dt = (1.3 + 0.1*i - v)/(4*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact", name="fuse_a")
        B = NeuronGroup(3, "dv/dt = (1.2 + 0.1*i - v)/(3*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact", name="fuse_b")
        T = NeuronGroup(5, "dy/dt = -y/(5*ms) : 1", method="exact", name="fuse_t")
        SA = Synapses(A, T, "w : 1", on_pre="y_post += w", name="fuse_sa")
        SA.connect(condition="i != j")
        SA.w = "i + 0.1*j"
        SA.delay = "(1 + i + j) * 0.3*ms"
        SB = Synapses(B, T, "w : 1", on_pre="y_post += 10*w", name="fuse_sb")
        SB.connect()
        SB.w = "1 + i*j"
        SB.delay = "(2 + 2*i + j) * 0.45*ms"
        M = StateMonitor(T, "y", record=True, name="fuse_m")
        net = Network(A, B, T, SA, SB, M)
        net.run(10.05 * ms)
        if change == "rebuild":
            # a new model, with input of both Synapses in flight
            net.add(SpikeMonitor(A, name="fuse_spikes"))
        elif change == "remove":
            # Brian keeps fuse_sb's input in flight until it runs again
            net.remove(SB)
        elif change is not None:
            {"fuse_sa": SA, "fuse_sb": SB}[change].w = "2 + i*j"
        net.run(10 * ms)
        return M.y[:]
    return script


def _owns_buffers(group) -> bool:
    try:
        group._get_array("denDelayPtr", types.Uint32, (1,))
    except IndexError:
        return False
    return True


def test_two_delayed_inputs_to_one_variable_share_one_buffer():
    from brian2genn_bridge import genn_device

    reference, genn = run_both(_two_delayed_inputs())
    assert_same_values(reference, genn)
    groups = genn_device.loaded_model.synapse_groups
    assert sorted(_owns_buffers(g) for g in groups.values()) == [False, True]
    assert len({g.max_dendritic_delay_timesteps for g in groups.values()}) == 1


def test_fused_input_in_flight_survives_a_rebuild():
    reference, genn = run_both(_two_delayed_inputs("rebuild"))
    assert_same_values(reference, genn)


@pytest.mark.parametrize("changed", ["fuse_sa", "fuse_sb"])
def test_weight_change_in_flight_is_found_in_the_fused_buffer(changed):
    """Whichever group GeNN keeps the buffer with, a change of the other's
    weights while input is in flight is the named error."""
    with pytest.raises(NotImplementedError, match=rf"Synapses '{changed}': \['w'\] changed"):
        run_with("genn", _two_delayed_inputs(changed))


def test_fused_input_of_a_removed_synapses_is_not_implemented():
    """The input in flight of a removed Synapses shares a buffer with that of
    one still there: it cannot be held back as Brian does, so the rebuild is
    refused before anything runs."""
    with pytest.raises(NotImplementedError, match=r"'fuse_t.Isyn_y' of \['fuse_sb'\], no "
                                                  "longer in the network"):
        run_with("genn", _two_delayed_inputs("remove"))
