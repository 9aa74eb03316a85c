"""brian2genn_bridge: run Brian 2 networks on GPUs with GeNN 5.

Usage::

    from brian2 import *
    import brian2genn_bridge
    set_device('genn')
"""

from . import preferences  # noqa: F401  (registers prefs.devices.genn)
from .translators.functions import register_default_functions

register_default_functions()

from .device import GeNNDevice, genn_device  # noqa: E402
from .options import configure_synapses  # noqa: E402

__all__ = ["GeNNDevice", "genn_device", "configure_synapses"]
__version__ = "0.1.0"
