"""GeNN implementations of Brian's default functions.

GeNN's code strings have no support code, so a Brian function is either a
C99 maths function of the same or another name, or an expression inlined at
the call site. Both are registered through Brian's own function
implementation mechanism for the ``'genn'`` target: a renamed function has
``code=None`` and a ``name``; an inlined one has the code dictionary
``{"genn_inline": template}``, where ``{0}``, ``{1}``, ... stand for the
rendered arguments.

A function that needs data (a `TimedArray`'s values) declares it in its
implementation's namespace; the translators turn every namespace entry into
an extra global parameter (EGP) of the population that calls the function,
named by `egp_name`, and push its values at every run.
"""

import re
from typing import Any, Callable

import numpy as np
from brian2.core.functions import DEFAULT_FUNCTIONS, Function, FunctionImplementation
from brian2.input.binomial import BinomialFunction
from brian2.input.timedarray import TimedArray, _find_K
from brian2.utils.stringtools import word_substitute

__all__ = ["GENN_TARGET", "FLOAT_ONLY", "INTEGER_VARIANT", "inline_template",
           "hoist_samplers", "hoist_calls", "register_default_functions",
           "double_literal", "function_data", "function_namespace", "egp_name"]

#: The class name of the GeNN code object, used as the implementation key.
GENN_TARGET = "genn"

#: Functions that keep their name in GeNN (the C99 maths library).
_SAME_NAME = [
    "sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "log10",
    "expm1", "log1p", "sqrt", "ceil", "floor",
]

#: Functions that GeNN knows under another name.
_RENAMED = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "abs": "fabs"}

#: GeNN names of the functions above, which GeNN (and CUDA device code)
#: defines for float and double only: an integer argument is converted to
#: double, as C++ and numpy do.
FLOAT_ONLY = frozenset(_SAME_NAME) | frozenset(_RENAMED.values())

#: The GeNN function for integer arguments where it is another one: Brian's
#: ``abs`` of an integer is an integer.
INTEGER_VARIANT = {"fabs": "abs"}

#: Functions inlined at the call site. Arguments are parenthesised by the
#: renderer, so the templates need no further protection.
_INLINED = {
    # Brian's rand() is uniform on [0, 1); GeNN's CUDA generator gives (0, 1]
    "rand": "gennrand_uniform()",
    "randn": "gennrand_normal()",
    # one type for all three: CUDA device code has no fmax(double, int)
    "clip": "fmin(fmax((scalar)({0}), (scalar)({1})), (scalar)({2}))",
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
    return {"genn_inline": f"((scalar){_BINOMIAL_CALL}({int(n)}, {float(p)!r}))"}, {}

def egp_name(namespace_key: str) -> str:
    """GeNN name of the extra global parameter holding a function's data.

    Brian's namespace keys (``'_timedarray_values'``) may start with ``_``,
    which GeNN rejects; the number of leading underscores is kept in the
    name so that distinct keys stay distinct.
    """
    stripped = namespace_key.lstrip("_")
    return f"egp{len(namespace_key) - len(stripped)}_{stripped}"


def double_literal(value: float) -> str:
    """A literal that stays double in float models (GeNN's ``d`` suffix)."""
    text = repr(float(value))
    if "e" not in text and "." not in text:
        text += ".0"
    return text + "d"


def _timedarray_index(dt: float, n_values: int, owner) -> str:
    """GeNN expression of a `TimedArray`'s clipped time index at time ``{0}``.

    As Brian's numpy implementation (the reference): the time is upsampled
    by ``K`` so that grids of the group and the array align despite rounding;
    ``rint`` rounds half to even like ``np.round``; clipping before the
    truncation gives the same index as clipping after it.
    """
    K = _find_K(owner.clock.dt_, dt)
    epsilon = double_literal(dt / K)
    return (f"(int)fmin(fmax(rint({{0}} / {epsilon}) / {K}, 0.0d), "
            f"{double_literal(n_values - 1)})")


def _genn_timedarray_1d(values: np.ndarray, dt: float, name: str) -> Callable:
    """GeNN implementation of a 1-d `TimedArray` (see `TimedArray.implementations`)."""
    egp = egp_name(f"{name}_values")

    def code(owner) -> dict[str, str]:
        return {"genn_inline": f"{egp}[{_timedarray_index(dt, len(values), owner)}]"}

    return code


def _genn_timedarray_2d(values: np.ndarray, dt: float, name: str) -> Callable:
    """GeNN implementation of a 2-d `TimedArray`, ``values[time, {1}]``.

    An index ``{1}`` outside the columns gives NaN, as Brian's C++ target
    (and never reads outside the array).
    """
    egp = egp_name(f"{name}_values")
    rows, cols = values.shape

    def code(owner) -> dict[str, str]:
        index = f"{_timedarray_index(dt, rows, owner)} * {cols} + (int){{1}}"
        return {"genn_inline": f"(({{1}} < 0 || {{1}} >= {cols}) ? (0.0 / 0.0) : {egp}[{index}])"}

    return code


def register_default_functions() -> None:
    """Register the GeNN implementations of Brian's default functions and of
    `TimedArray` (for those created from now on).

    ``poisson`` is a marker call that `hoist_samplers` replaces by a
    variable drawn before the statement: GeNN 5.4 has no Poisson generator,
    and exact samplers need a loop, which an expression cannot hold.
    """
    TimedArray.implementations[GENN_TARGET] = (_genn_timedarray_1d, _genn_timedarray_2d)
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
    DEFAULT_FUNCTIONS["poisson"].implementations.add_implementation(
        GENN_TARGET, code={"genn_inline": _POISSON_CALL + "({0})"}, name="poisson")
    # Brian asks this table for each target when it creates a BinomialFunction
    BinomialFunction.implementations[GENN_TARGET] = _binomial_code


def _genn_implementation(function: Function):
    """The GeNN implementation of ``function``.

    Raises
    ------
    NotImplementedError
        If the function has no GeNN implementation at all.
    """
    implementations = function.implementations
    if GENN_TARGET not in implementations._implementations:
        name = getattr(function, "name", None) or getattr(function.pyfunc, "__name__", "?")
        template = _inlined_cpp_function(function)
        if template is not None:
            return FunctionImplementation(name=name, code={"genn_inline": template})
        raise NotImplementedError(
            f"Function '{name}' has no implementation for the GeNN device "
            "(GeNN code strings cannot contain support code). Workaround: "
            "rewrite the expression with Brian's default functions, give its C++ "
            "implementation the form 'double name(double x, ...) { return ...; }', or add a "
            "GeNN implementation with "
            f"{name}.implementations.add_implementation('genn', "
            "code={'genn_inline': '...{0}...'})."
        )
    return implementations._implementations[GENN_TARGET]


#: the calls that mark a Poisson and a binomial draw in rendered code
#: (`hoist_samplers`)
_POISSON_CALL = "bpoisson_draw"
_BINOMIAL_CALL = "bbinomial_draw"


def hoist_samplers(lines: list[str]) -> list[str]:
    """Replace each ``poisson(lam)`` call and each exact binomial draw (of a
    `BinomialFunction`) in the lines of rendered code by a variable drawn
    (`templates/genn_poisson.cpp`, `templates/genn_binomial.cpp`) just
    before the statement: their samplers need loops, which an expression
    cannot hold."""
    from .templates import render

    lines = hoist_calls(lines, _POISSON_CALL, "bpoisson",
                        lambda name, lam: render("poisson", name=name, lam=lam))
    return hoist_calls(lines, _BINOMIAL_CALL, "bbinomial",
                       lambda name, arguments: render("binomial", name=name,
                                                      **_binomial_constants(arguments)))


def _binomial_constants(arguments: str) -> dict:
    """The constants of numpy's binomial inversion (Brian's C++ and Cython
    implementation) for the literal arguments ``"n, p"``."""
    n_text, p_text = arguments.split(",")
    n, p = int(n_text), float(p_text)
    reverse = p > 0.5
    p = 1.0 - p if reverse else p
    q = 1.0 - p
    return dict(n=n, p=repr(p), q=repr(q), qn=repr(float(np.exp(n * np.log(q)))),
                bound=repr(float(min(n, n * p + 10.0 * np.sqrt(n * p * q + 1)))),
                reverse=reverse)


def hoist_calls(lines: list[str], call: str, prefix: str,
                draw: Callable[[str, str], str]) -> list[str]:
    """Replace each call of ``call`` in the lines of rendered code by a
    variable ``<prefix>_<k>``, computed by the statements
    ``draw(name, argument)`` just before the call's statement.

    A statement in a branch of Brian's conditional write (``if (...)``,
    ``else`` lines without braces) gets its draw before the ``if``.
    """
    result: list[str] = []
    count = 0
    for line in lines:
        while call + "(" in line:
            start = line.index(call + "(")
            end = _closing_parenthesis(line, start + len(call))
            name = f"{prefix}_{count}"
            count += 1
            sample = draw(name, line[start + len(call) + 1:end])
            line = line[:start] + name + line[end + 1:]
            at = len(result)
            if at >= 2 and result[at - 1].strip() == "else":
                at -= 2  # the if branch
            if at >= 1 and result[at - 1].strip().startswith("if"):
                at -= 1
            result[at:at] = sample.splitlines()
        result.append(line)
    return result


def _closing_parenthesis(text: str, opening: int) -> int:
    depth = 0
    for position in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[position], 0)
        if depth == 0:
            return position
    raise ValueError(f"unbalanced parentheses in {text!r}")


#: a C++ function whose body is one return statement (support code of a
#: user's `Function` for Brian's C++ targets)
_RETURN_ONLY = re.compile(r"^\s*(?:(?:inline|static)\s+)*(?P<type>[\w:]+)\s+\w+\s*"
                          r"\((?P<params>[^)]*)\)\s*\{\s*return\s+(?P<expr>[^;{}]+);\s*\}\s*$")


#: parameter types of an inlined C++ function (all are GeNN types)
_ARGUMENT_TYPES = {"double", "float", "int", "bool", "unsigned int", "int32_t", "uint32_t",
                   "int64_t", "uint64_t"}


def _inlined_cpp_function(function: Function) -> str | None:
    """An inlining template made from ``function``'s C++ implementation, if
    that is one function whose body returns an expression.

    GeNN code has no support code, but such a function is an expression of
    its arguments: the call is replaced by the expression with the
    arguments, cast to the parameters' types, in place of the parameters.
    """
    implementation = function.implementations._implementations.get("cpp")
    if implementation is None or implementation.dependencies or implementation.dynamic:
        return None
    code = implementation.get_code(None)
    support_code = code.get("support_code", "") if isinstance(code, dict) else code
    if not isinstance(support_code, str) or (isinstance(code, dict) and any(
            value for key, value in code.items() if key != "support_code")):
        return None
    match = _RETURN_ONLY.match(support_code)
    if match is None:
        return None
    params, types = [], []
    for part in match.group("params").split(","):
        if part.strip():
            *words, name = part.replace("const ", " ").split()
            params.append(name)
            types.append(" ".join(words))
    if not all(ctype in _ARGUMENT_TYPES for ctype in types + [match.group("type")]):
        return None
    expr = match.group("expr").strip()
    if any(name.startswith("_") for name in re.findall(r"\b[A-Za-z_]\w*\b", expr)):
        return None
    # braces are str.format's; the expression has none (see _RETURN_ONLY).
    # Arguments and result take the function's types, as in a call: exp()
    # of an integer, say, is not defined in CUDA device code
    arguments = {param: f"(({ctype})({{{k}}}))"
                 for k, (param, ctype) in enumerate(zip(params, types))}
    return f"(({match.group('type')})({word_substitute(expr, arguments)}))"


def inline_template(function: Function, owner=None) -> str | None:
    """Return the inlining template of ``function`` for GeNN, if it has one.

    ``owner`` is the object whose code calls the function (dynamic
    implementations such as `TimedArray`'s depend on its clock).

    Raises
    ------
    NotImplementedError
        If the function has no GeNN implementation at all.
    """
    code = _genn_implementation(function).get_code(owner)
    if isinstance(code, dict) and "genn_inline" in code:
        return code["genn_inline"]
    return None


def function_data(codeobjs) -> dict[str, np.ndarray]:
    """``EGP name -> values`` of the data that the functions called by
    ``codeobjs`` read (the values of `TimedArray`s), current at the call."""
    data = {}
    for codeobj in codeobjs:
        for var in codeobj.variables.values():
            if isinstance(var, Function):
                for name, values in function_namespace(var, codeobj.owner).items():
                    data[name] = np.asarray(values).reshape(-1)
    return data


def function_namespace(function: Function, owner) -> dict[str, Any]:
    """The data (``egp name -> values``) that ``function``'s GeNN code
    reads when called from the code of ``owner``."""
    namespace = _genn_implementation(function).get_namespace(owner) or {}
    return {egp_name(key): value for key, value in namespace.items()}
