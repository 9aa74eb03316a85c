"""Random numbers (``rand()``, ``randn()``, ``poisson()``, the binomial draws
of `PoissonInput`) in the code of neurons and synapses.

GeNN 5.4 has no random number generator in the code of synapse groups (its
code generation fails on the generator's identifier), and the seed of its
neurons' generator is compiled into the model (a new seed, a new build), or
taken from the operating system. Both draw from a counter-based generator
instead: each number is an integer hash of the run's seed, the group and
code part, the time step, the neuron or synapse and the draw's position in
the code, so no state is kept between steps and every thread of GeNN's
kernels draws independently of the others.

The seed, a dynamic parameter of each group, comes from numpy's generator
when the network is translated, so that Brian's ``seed()`` makes a run
repeat exactly, as it does for Brian's own devices (whose numbers differ
from these), and the same script gives the same numbers on the CPU and on
CUDA.
"""

from __future__ import annotations

import re
import zlib

import numpy as np
from brian2 import prefs

from ..model import SEED
from .functions import hoist_calls
from .names import genn_identifier
from .templates import render

__all__ = ["SEED", "uses_random", "hoist_random_draws", "with_stream_key", "synapse_index",
           "new_seed", "neuron_stream_key", "with_shared_stream"]


#: the calls of GeNN's generator that Brian's functions are rendered to
#: (`functions._INLINED`, ``templates/genn_poisson.cpp``)
_DRAWS = {"gennrand_uniform": "uniform", "gennrand_normal": "normal"}


def hoist_random_draws(lines: list[str]) -> list[str]:
    """Replace each call of GeNN's generator in the lines of a synaptic
    operation's code by a number of the counter-based generator, drawn just
    before its statement.

    The draws are statements of their own (GeNN code has no functions), so
    that the GeNN groups made from one `Synapses` object (one per
    postsynaptic target, which keep only their own target's ``addToPost``
    statements) all make the same draws, in the same order, and so draw the
    same numbers.
    """
    # code generation (`Network.before_run`): Brian's float type, as its
    # generator reads it (see `expressions.genn_ctype`)
    double = prefs["core.default_float_dtype"] == np.float64
    for call, kind in _DRAWS.items():
        lines = hoist_calls(lines, call, "bsyn" + kind,
                            lambda name, _argument, kind=kind: render(
                                "random", kind=kind, name=name, double=double))
    return lines


def uses_random(code: str) -> bool:
    """Whether the synaptic ``code`` draws random numbers."""
    return "bsyncount" in code


def synapse_index(connectivity: str) -> str:
    """The GeNN expression that tells a group's synapses apart.

    Bitmask and procedural groups have no synapse index (``id_syn``); their
    pre/post pairs are unique (bitmask) or are checked to be so
    (`synapses._check_random`).
    """
    if connectivity in ("sparse", "dense"):
        return "id_syn"
    return "(id_pre * num_post + id_post)"


def with_stream_key(code: str, family: str, part: str, connectivity: str) -> str:
    """``code`` (of one part, ``'pre'``, ``'post'`` or ``'dynamics'``, of the
    GeNN groups made from one family of synaptic pathways, named
    ``family``) preceded by the key of its synapse's stream in this time
    step, if it draws random numbers."""
    if not uses_random(code):
        return code
    # the parts of a group, and groups, draw from different streams
    salt = zlib.crc32(f"{family}/{part}".encode())
    key = render("random", kind="key", seed=SEED, salt=salt,
                 synapse=synapse_index(connectivity))
    return key + "\n" + code


def neuron_stream_key(code: str, group: str) -> str:
    """The sim ``code`` of the neuron population ``group`` preceded by the
    key of each neuron's stream in this time step, if it draws random
    numbers."""
    if not uses_random(code):
        return code
    key = render("random", kind="key", seed=SEED, salt=zlib.crc32(f"{group}/neurons".encode()),
                 synapse="id")
    return key + "\n" + code


def with_shared_stream(code: str, operation: str) -> str:
    """The shared statements of the operation ``operation`` (their
    ``code``), which every neuron runs on its copy of the group's shared
    variables, drawing from one stream for all neurons (the operation and
    the time step, not the neuron) so that every copy gets the same
    numbers; the neuron's own stream (`neuron_stream_key`) goes on after
    them."""
    if not uses_random(code):
        return code
    saved = genn_identifier(f"bshared_{operation}")
    key = render("random", kind="key", seed=SEED,
                 salt=zlib.crc32(f"{operation}/shared".encode()), synapse="0")
    # the neuron's key and count are declared already (`neuron_stream_key`)
    key = key.replace("uint32_t bsyncount =", "bsyncount =").replace(
        "uint32_t bsynkey =", "bsynkey =")
    # the draws' names, which the neuron's own statements use too
    code = re.sub(r"\bbsyn(uniform|normal)_", rf"{saved}_\1_", code)
    return "\n".join([f"const uint32_t {saved}_key = bsynkey;",
                      f"const uint32_t {saved}_count = bsyncount;", key.strip(), code.strip(),
                      f"bsynkey = {saved}_key;", f"bsyncount = {saved}_count;"])


def new_seed() -> int:
    """A seed for a group's draws, from numpy's (Brian's) generator."""
    return int(np.random.randint(0, 2 ** 32, dtype=np.uint64))
