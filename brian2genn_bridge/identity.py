"""Identities of model descriptions: what decides whether a loaded GeNN
model can run the network again, and where its code is built.

An identity is derived from every field of a description's dataclasses,
so that a field added later takes part without anyone remembering to list
it; a field leaves it only by an explicit, commented opt-out in its
metadata (``field(metadata=OPT_OUT)``). Every value has a rule:

- numbers, strings, ``None``, enums: themselves;
- numpy arrays (connectivity, delays, values given to GeNN only at load):
  their dtype, shape and, for the *load* identity, a checksum of their
  contents;
- Brian objects (groups, variables, monitors): a token of the object
  itself, unique for the life of the process, for the load identity (a new
  object with the same name has other values and connections); their class
  and name for the *code* identity;
- containers and dataclasses: their items.

Anything else raises `TypeError`: a new kind of value must be given a rule.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import itertools
import weakref
import zlib
from typing import Any

import numpy as np

from .parallel import parallel_map, slices

__all__ = ["OPT_OUT", "CONTENTS_OPT_OUT", "load_identity", "code_identity", "object_token"]

#: metadata of a dataclass field that is not part of any identity (say why
#: beside the field)
OPT_OUT = {"identity": False}
#: metadata of a field whose values are given to GeNN at every run: only its
#: code identity (sizes, names) is part of the load identity
CONTENTS_OPT_OUT = {"identity": "code"}

_tokens: "weakref.WeakKeyDictionary[Any, int]" = weakref.WeakKeyDictionary()
_counter = itertools.count()


def object_token(obj) -> int:
    """A number unique to ``obj`` for as long as the process runs (unlike
    ``id()``, never given to another object after this one is gone)."""
    if isinstance(obj, weakref.ProxyTypes):
        # Brian hands out weak proxies of its objects; the token is the referent's
        obj = _referent(obj)
    return _tokens.setdefault(obj, next(_counter))


def _referent(proxy):
    """The object behind a weak proxy, which offers no way to it but its
    bound methods (attribute access goes to the object: a method's
    ``__self__`` is the object)."""
    for name in dir(proxy):
        if not name.startswith("__"):
            owner = getattr(getattr(proxy, name, None), "__self__", None)
            if owner is not None and not isinstance(owner, (type, *weakref.ProxyTypes)):
                return owner
    raise TypeError(f"no identity for the weak proxy {proxy!r}")


def _array_checksum(values: np.ndarray) -> tuple:
    """CRC-32s of the bytes of ``values``, slice by slice over the host
    threads (``zlib`` releases the GIL): about a second per 10 GB on 16
    cores, where a run of such a network takes tens of seconds to set up."""
    data = np.ascontiguousarray(values).reshape(-1).view(np.uint8)
    return tuple(parallel_map(lambda start, stop: zlib.crc32(data[start:stop]),
                              slices(len(data))))


def _identity(value, contents: bool):
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if isinstance(value, enum.Enum):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        shape = (str(value.dtype), value.shape)
        return ("array", *shape, _array_checksum(value)) if contents else ("array", *shape)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple(
            (f.name, _identity(getattr(value, f.name),
                               contents and f.metadata.get("identity") != "code"))
            for f in dataclasses.fields(value) if f.metadata.get("identity", True)))
    if isinstance(value, (list, tuple)):
        return tuple(_identity(item, contents) for item in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(repr(_identity(item, contents)) for item in value))
    if isinstance(value, dict):
        return tuple(sorted((repr(_identity(key, contents)), _identity(item, contents))
                            for key, item in value.items()))
    if _is_brian_object(value):
        name = (value.__class__.__name__, getattr(value, "name", None))
        return ("brian", *name, object_token(value)) if contents else ("brian", *name)
    raise TypeError(f"no identity rule for a value of type {type(value).__name__}: "
                    "give it one in brian2genn_bridge/identity.py")


def _is_brian_object(value) -> bool:
    # __class__, not type(): Brian's weak proxies report their referent's class
    return value.__class__.__module__.split(".")[0] == "brian2"


def _digest(identity) -> str:
    return hashlib.sha1(repr(identity).encode()).hexdigest()[:16]


def load_identity(description) -> str:
    """Everything a loaded model holds: two descriptions with the same load
    identity run on the same loaded model, given Brian's current values of
    the variables they mirror (pushed at each run)."""
    return _digest(_identity(description, contents=True))


def code_identity(description) -> str:
    """What GeNN's generated code can depend on: the load identity without
    the contents of arrays and with Brian objects by class and name, so that
    a network rebuilt with the same names and sizes reuses compiled code."""
    return _digest(_identity(description, contents=False))
