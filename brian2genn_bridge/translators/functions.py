"""GeNN implementations of Brian's default functions.

GeNN's code strings have no support code, so a Brian function is either a
C99 maths function of the same or another name, or an expression inlined at
the call site. Both are registered through Brian's own function
implementation mechanism for the ``'genn'`` target: a renamed function has
``code=None`` and a ``name``; an inlined one has the code dictionary
``{"genn_inline": template}``, where ``{0}``, ``{1}``, ... stand for the
rendered arguments.
"""

import numpy as np
from brian2.core.functions import DEFAULT_FUNCTIONS, Function
from brian2.input.binomial import BinomialFunction

__all__ = ["GENN_TARGET", "inline_template", "register_default_functions"]

#: The class name of the GeNN code object, used as the implementation key.
GENN_TARGET = "genn"

#: Functions that keep their name in GeNN (the C99 maths library).
_SAME_NAME = [
    "sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "log10",
    "expm1", "log1p", "sqrt", "ceil", "floor",
]

#: Functions that GeNN knows under another name.
_RENAMED = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "abs": "fabs"}

#: Functions inlined at the call site. Arguments are parenthesised by the
#: renderer, so the templates need no further protection.
_INLINED = {
    # Brian's rand() is uniform on [0, 1); GeNN's CUDA generator gives (0, 1]
    "rand": "gennrand_uniform()",
    "randn": "gennrand_normal()",
    "clip": "fmin(fmax({0}, {1}), {2})",
    "sign": "(({0} > 0) - ({0} < 0))",
    "int": "((int32_t){0})",
    "exprel": "(fabs({0}) < 1e-16 ? 1.0 : ({0} > 717.0 ? (1.0 / 0.0) : expm1({0}) / {0}))",
    # same rounding guard as Brian's C++ implementation
    "timestep": "((int64_t)(({0} + 1e-3 * {1}) / {1}))",
}


def _binomial_code(n: int, p: float, use_normal: bool, name: str) -> tuple[dict, dict]:
    """GeNN code of a `BinomialFunction` (the sampler behind `PoissonInput`),
    with Brian's choice between the exact and the normal-approximated draw."""
    if use_normal:
        loc, scale = float(n * p), float(np.sqrt(n * p * (1 - p)))
        return {"genn_inline": f"({loc!r} + {scale!r} * gennrand_normal())"}, {}
    return {"genn_inline": f"((scalar)gennrand_binomial({int(n)}u, {float(p)!r}))"}, {}


def register_default_functions() -> None:
    """Register the GeNN implementations of Brian's default functions.

    ``poisson`` has none: GeNN 5.4 has no Poisson generator, and the device
    raises `NotImplementedError` where a model uses it.
    """
    for name in _SAME_NAME:
        DEFAULT_FUNCTIONS[name].implementations.add_implementation(
            GENN_TARGET, code=None, name=name
        )
    for name, genn_name in _RENAMED.items():
        DEFAULT_FUNCTIONS[name].implementations.add_implementation(
            GENN_TARGET, code=None, name=genn_name
        )
    for name, template in _INLINED.items():
        DEFAULT_FUNCTIONS[name].implementations.add_implementation(
            GENN_TARGET, code={"genn_inline": template}, name=name
        )
    # Brian asks this table for each target when it creates a BinomialFunction
    BinomialFunction.implementations[GENN_TARGET] = _binomial_code


def inline_template(function: Function) -> str | None:
    """Return the inlining template of ``function`` for GeNN, if it has one.

    Raises
    ------
    NotImplementedError
        If the function has no GeNN implementation at all.
    """
    implementations = function.implementations
    if GENN_TARGET not in implementations._implementations:
        name = getattr(function, "name", None) or getattr(function.pyfunc, "__name__", "?")
        raise NotImplementedError(
            f"Function '{name}' has no implementation for the GeNN device "
            "(GeNN code strings cannot contain support code). Workaround: "
            "rewrite the expression with Brian's default functions, or add a "
            "GeNN implementation with "
            f"{name}.implementations.add_implementation('genn', "
            "code={'genn_inline': '...{0}...'})."
        )
    impl = implementations._implementations[GENN_TARGET]
    code = impl.get_code(None)
    if isinstance(code, dict) and "genn_inline" in code:
        return code["genn_inline"]
    return None
