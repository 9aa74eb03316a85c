"""The GeNN side: a `~brian2genn_bridge.model.ModelDescription` becomes a
built and loaded PyGeNN model (`simulation.GeNNSimulation`), with its
populations and synapse groups (`synapse_groups`), its build
(`building`) and a check of its memory (`memory`).

Modules here import the model description and leaf helpers, never a
translator: what to build is decided before, in `brian2genn_bridge.translators`.
"""
