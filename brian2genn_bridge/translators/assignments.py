"""Which variables code assigns to: one answer for every translator (a leaf
module). Brian's abstract code and the generated GeNN code both hold one
statement per line, its target first; conditional writes of generated code
put the statement on the line after its ``if``."""

from __future__ import annotations

import re

__all__ = ["written_variables", "assigned_names"]

#: ``name = ...``, ``name += ...`` (not ``==``): the variables a statement writes
_WRITTEN = re.compile(r"^\s*(\w+)\s*(?:\+|-|\*|/|//|%|\*\*)?=(?!=)", re.MULTILINE)


def written_variables(code: str) -> set[str]:
    """The names that the statements of ``code`` (Brian's abstract code, or
    GeNN code with one statement per line) assign to."""
    return set(_WRITTEN.findall(code))


def assigned_names(code: str, names) -> set[str]:
    """The ``names`` that ``code`` assigns to (anywhere in a line)."""
    return {name for name in names if re.search(rf"\b{name}\s*[-+*/]?=(?!=)", code)}
