"""Evaluation of Brian's loop-invariant statements of constants at translation.

Brian's code generation moves expressions that do not change from one
neuron (or synapse) to the next into scalar statements (``_lio_1 = ...``),
which its templates run once, before their loop. GeNN code has no place
before the loop: every neuron (synapse) would evaluate them again, each step
(for COBAHH, ten transcendental functions per neuron). The ones that depend
on constants and ``dt`` only are evaluated here instead, the way Brian's
runtime device evaluates them (its numpy rendering and the numpy
implementations of its functions, in float64, then cast to the statement's
type), and the code gets their values as literals.
"""

import numpy as np
from brian2.codegen.statements import Statement
from brian2.core.functions import DEFAULT_FUNCTIONS, Function
from brian2.core.variables import ArrayVariable, Constant
from brian2.parsing.rendering import NumpyNodeRenderer
from brian2.utils.stringtools import get_identifiers

__all__ = ["fold_constant_statements"]


def fold_constant_statements(statements: list[Statement], variables: dict,
                             owner=None) -> list[Statement]:
    """``statements`` with each floating-point definition (``:=``) whose
    value is fixed for the run replaced by one whose expression is that
    value.

    Fixed are numbers, `Constant` values, a clock's ``dt`` (a literal of
    the generated code as well), stateless default functions and
    definitions folded before. Others stay as they are.
    """
    namespace = {"inf": np.inf}
    folded = []
    for statement in statements:
        value = None
        if statement.op == ":=" and np.dtype(statement.dtype).kind == "f":
            value = _value(statement.expr, variables, namespace, owner)
        if value is not None:
            with np.errstate(over="ignore"):
                value = np.dtype(statement.dtype).type(value)
        # infinities and NaNs (also from overflow in the statement's type)
        # stay code: a literal cannot spell them
        if value is None or not np.isfinite(value):
            folded.append(statement)
            continue
        namespace[statement.var] = value
        folded.append(Statement(statement.var, statement.op, repr(float(value)),
                                statement.comment, statement.dtype,
                                constant=statement.constant,
                                subexpression=statement.subexpression,
                                scalar=statement.scalar))
    return folded


def _value(expr: str, variables: dict, namespace: dict, owner):
    """The value of ``expr`` as Brian's runtime device computes it, or
    ``None`` if it depends on something that is not fixed."""
    for name in get_identifiers(expr):
        if name in namespace:
            continue
        var = variables.get(name)
        if isinstance(var, Constant):
            namespace[name] = np.float64(var.value) if isinstance(
                var.value, float) else var.value
        elif (isinstance(var, ArrayVariable) and name == "dt" and var.scalar
              and hasattr(var.owner, "dt_")):
            namespace[name] = np.float64(var.owner.dt_)
        elif (isinstance(var, Function) and DEFAULT_FUNCTIONS.get(name) is var
              and var.stateless):
            namespace[name] = var.implementations["numpy"].get_code(owner)
        else:
            return None
    try:
        with np.errstate(all="ignore"):
            value = eval(NumpyNodeRenderer().render_expr(expr),  # noqa: S307
                         {"__builtins__": {}}, namespace)
    except (ArithmeticError, TypeError, ValueError):
        return None
    if isinstance(value, (bool, np.bool_)) or not np.isscalar(value):
        return None
    return float(value)
