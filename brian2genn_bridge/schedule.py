"""Brian's schedule as the device maps it onto GeNN's time steps (a leaf
module: the model description and the translators both use it)."""

__all__ = ["AFTER_THRESHOLDS"]

#: Brian's slots after 'thresholds': their code of Brian's step m runs in
#: GeNN step m + 1, before that step's own part up to the thresholds (see
#: ``templates/genn_neuron_sim.cpp``)
AFTER_THRESHOLDS = frozenset(["before_synapses", "synapses",
                              "after_synapses", "before_resets", "resets", "after_resets",
                              "before_end", "end"])
