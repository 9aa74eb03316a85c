"""The jinja2 environment of the GeNN code-string templates."""

import os

from jinja2 import Environment, FileSystemLoader, StrictUndefined

__all__ = ["render", "PER_NEURON_MARKER"]

#: the line of the ``stateupdate`` template between Brian's scalar statements
#: (shared variables, loop invariants) and its per-neuron statements
PER_NEURON_MARKER = "// per-neuron statements"

_ENV = Environment(
    loader=FileSystemLoader(os.path.join(os.path.dirname(__file__), os.pardir, "templates")),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=StrictUndefined,
    keep_trailing_newline=False,
)


def render(template: str, **context) -> str:
    """Render ``templates/genn_<template>.cpp`` with ``context``."""
    return _ENV.get_template(f"genn_{template}.cpp").render(**context).strip()
