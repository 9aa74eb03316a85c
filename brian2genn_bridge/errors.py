"""The error for a Brian feature that the device does not support (a leaf
module: every translator raises it)."""

__all__ = ["unsupported", "HostSynapsesNeeded"]


def unsupported(obj, feature: str, workaround: str) -> NotImplementedError:
    """The error raised for a Brian feature the device does not support."""
    return NotImplementedError(
        f"{type(obj).__name__} '{obj.name}': {feature} is not supported by the "
        f"GeNN device. Workaround: {workaround}"
    )


class HostSynapsesNeeded(Exception):
    """Raised by a translator for a `Synapses` whose synapses GeNN was to
    make when the model is loaded (`synapse_creation`), where the
    translation needs them in Brian's arrays (e.g. a StateMonitor records
    them, or the code reads ``N_incoming``): the device makes them on the
    host and translates the network again."""

    def __init__(self, synapses, reason: str):
        super().__init__(f"Synapses '{synapses.name}': {reason}")
        self.synapses = synapses
        self.reason = reason
