"""The code object of the GeNN device.

A `GeNNCodeObject` is never executed by Brian: it carries the GeNN code
string that Brian's code generation produced for one run-time operation
(state update, threshold, reset, synaptic pathway, monitor), which the
translators assemble into GeNN models.
"""

import os

from brian2.codegen.codeobject import CodeObject
from brian2.codegen.runtime.numpy_rt import NumpyCodeObject
from brian2.codegen.templates import Templater
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from .connect import vectorisable

from .translators.expressions import GeNNCodeGenerator
from .translators.functions import GENN_TARGET

__all__ = ["GeNNCodeObject", "HostCodeObject", "GENN_TEMPLATES"]

_TEMPLATE_DIR = os.path.join(os.path.dirname(__file__), "templates")

#: Brian templates whose operations run inside GeNN. Every other template
#: (variable setting, synapse creation, ...) runs on the host with numpy.
GENN_TEMPLATES = frozenset(
    name[: -len(".cpp")]
    for name in os.listdir(_TEMPLATE_DIR)
    if name.endswith(".cpp") and not name.startswith("genn_")
)


class _GeNNTemplater(Templater):
    """Brian's templater for GeNN templates, falling back on numpy's.

    Brian resolves a template's variables (``USES_VARIABLES``) with the
    templater of the code object class before it knows where the code runs,
    so host templates must be found here too.
    """

    def __getattr__(self, item):
        if item in GENN_TEMPLATES:
            return super().__getattr__(item)
        return getattr(NumpyCodeObject.templater, item)


class GeNNCodeObject(CodeObject):
    """Holds the GeNN code of one Brian operation; Brian never runs it."""

    class_name = GENN_TARGET
    generator_class = GeNNCodeGenerator
    templater = _GeNNTemplater("brian2genn_bridge", ".cpp")

    #: `GeNNDevice.code_object` arguments (but the owner) that make the
    #: host version of this operation (a numpy code object)
    host_arguments: dict

    def __call__(self, **kwds):
        """Run the operation once on the host, with Brian's current values.

        Brian calls code objects directly only outside runs, e.g. in
        `StateMonitor.record_single_timestep`. The numpy code object is made
        anew at each call: making it reads the variables' values (through
        the device, which pulls them from GeNN first).
        """
        from brian2.devices.device import get_device

        return get_device().code_object(self.owner, **self.host_arguments)(**kwds)

    def compile_block(self, block):
        return None

    def run_block(self, block):
        return None


def _host_templater() -> Templater:
    """numpy's templater, with the templates of ``templates/host`` first;
    they extend numpy's own as ``numpy/<name>``."""
    templater = NumpyCodeObject.templater.derive(
        "brian2genn_bridge", templates_dir="templates/host",
        env_globals={"vectorisable": vectorisable})
    templater.env.loader = ChoiceLoader([
        templater.env.loader,
        PrefixLoader({"numpy": PackageLoader("brian2.codegen.runtime.numpy_rt", "templates")})])
    return templater


class HostCodeObject(NumpyCodeObject):
    """A numpy code object for operations that the GeNN device runs on the
    host (synapse creation), with faster templates where it has them."""

    templater = _host_templater()
