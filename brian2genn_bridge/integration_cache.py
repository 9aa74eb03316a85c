"""Integration code shared between groups with the same equations.

Brian integrates the equations of each group when a run is prepared
(`StateUpdateMethod.apply_stateupdater`); for ``method='exact'`` that is a
sympy solution of the linear system, about half a second to a few seconds
per group. Brian caches it by its arguments, among them the size of every
variable and the group's name (for its log messages only), so groups with
the same equations and different sizes (the populations of a cortical
model, E and I groups) each solve them again. The code depends on the
equations, the method and what kind of variable each name is, not on the
group's size or name: while a run is prepared, `shared_integration` answers
a call for one method that differs from an earlier one only in those from
the earlier one's result (Brian's choice among several methods still runs, and
logs its choice, for each group).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Iterator

from brian2.core.variables import Variable
from brian2.stateupdaters.base import StateUpdateMethod, UnsupportedEquationsException
from brian2.utils.caching import _hashable

__all__ = ["shared_integration"]

#: abstract code by `_call_key`, for the life of the process (as Brian's cache)
_CODE: dict[tuple, str | UnsupportedEquationsException] = {}


def _variable_key(var) -> object:
    """What of ``var`` the integration can depend on: Brian's cache identity
    (`CacheKey._state_tuple`, which leaves out the owner) without the size."""
    if not isinstance(var, Variable):
        return _hashable(var)
    ignored = var._cache_irrelevant_attributes | {"size"}
    return (type(var).__name__,) + tuple(
        (name, _variable_key(value)) for name, value in sorted(var.__dict__.items())
        if name not in ignored)


def _call_key(equations, variables, method, method_options) -> tuple:
    return (_hashable(equations),
            tuple((name, _variable_key(var)) for name, var in sorted(variables.items())),
            _hashable(method), _hashable(method_options))


@contextlib.contextmanager
def shared_integration() -> Iterator[None]:
    """Within this context, Brian's integration of a group's equations reuses
    the code of another group with the same equations, method and kinds of
    variables."""
    original = StateUpdateMethod.__dict__["apply_stateupdater"]
    brian_apply = original.__func__

    def apply_stateupdater(equations, variables, method, method_options=None,
                           group_name=None):
        if isinstance(method, Iterable) and not isinstance(method, str):
            # Brian's choice among methods (and its log message for this
            # group), which tries each through this function
            return brian_apply(equations, variables, method, method_options, group_name)
        try:
            key = _call_key(equations, variables, method, method_options)
        except TypeError:
            # an argument Brian's cache cannot key either
            return brian_apply(equations, variables, method, method_options, group_name)
        if key not in _CODE:
            try:
                _CODE[key] = brian_apply(equations, variables, method, method_options,
                                         group_name)
            except UnsupportedEquationsException as error:
                # a method that cannot integrate them fails the same way again
                _CODE[key] = error
        result = _CODE[key]
        if isinstance(result, UnsupportedEquationsException):
            raise result
        return result

    StateUpdateMethod.apply_stateupdater = staticmethod(apply_stateupdater)
    try:
        yield
    finally:
        StateUpdateMethod.apply_stateupdater = original
