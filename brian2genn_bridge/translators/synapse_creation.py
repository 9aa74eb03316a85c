"""Synapses and initial values that GeNN makes when the model is loaded
(``prefs.devices.genn.synapse_creation``): Brian's ``connect`` generator
and string initialisers of synaptic variables as GeNN's sparse-connectivity
and variable-initialisation code.

Connectivity made this way is statistically Brian's, not draw for draw:
GeNN draws from the counter-based generator of `random_numbers` (a hash of
the seed, the row and the draw's position), seeded from numpy's generator
when the network is first translated, so ``seed()`` repeats it exactly on
every backend.

Translated (otherwise the device makes the synapses on the host, as Brian
does): generators over the presynaptic index (``j=...``, ``p=``,
``condition=``), with ``range`` or ``sample(..., p=...)`` whose arguments
are expressions of ``i`` and constants, conditions and results of ``i``,
``j``, the loop variable, constants and ``rand()``/``randn()``, a constant
``n``, ``skip_if_invalid``; initial values of ``i``, ``j``, constants and
random numbers. The conditions that Brian checks (indices in range) are
checked here, on the host, for every row, so that Brian's errors are raised
at ``connect``.
"""

from __future__ import annotations

import ast
import math
import re
import zlib
from dataclasses import dataclass

import numpy as np
from brian2.core.variables import Constant
from brian2.parsing.sympytools import str_to_sympy, sympy_to_str

from ..model import SynapseCreation
from ..subgroups import source_range
from .templates import render

__all__ = ["NotTranslatable", "connect_rule", "initial_value_code", "binomial_quantile",
           "creation_seed", "host_initial_values", "delay_upper_bound", "VALUE_LINE",
           "constant_initial"]

#: probability that some row of a Synapses needs more slots than GeNN's rows
#: have (`binomial_quantile`); such a row would keep the first ones
_OVERFLOW_PROBABILITY = 1e-12

#: the largest number of row slots (presynaptic neurons times the longest
#: row) that a generator without a probability (``range`` with a condition,
#: whose rows hold up to all candidates) may reserve in GeNN
_MAX_BOUND_SLOTS = 1 << 31


#: the last line of a variable's initialisation code: ``value = (ctype)(expression);``
VALUE_LINE = re.compile(r"value = \(([\w ]+)\)\((.*)\);")


def constant_initial(code: str) -> float | None:
    """The value that a variable's initialisation ``code`` sets, where it is
    a constant (as `genn_literal` writes it), else ``None``."""
    match = VALUE_LINE.fullmatch(code.strip())
    if match is None:
        return None
    text = match.group(2)
    if text in ("true", "false"):
        return float(text == "true")
    try:
        # genn_literal writes negative numbers in parentheses
        return float(text.strip("()"))
    except ValueError:
        return None


class NotTranslatable(Exception):
    """What GeNN's initialisation cannot make (the device makes it on the
    host, as Brian does); the message says why."""


def creation_seed() -> np.ndarray:
    """A seed for GeNN's draws of one `Synapses`, from numpy's (Brian's)
    generator: given to GeNN at load, in an array so that a new seed is no
    new build."""
    return np.array([np.random.randint(0, 2 ** 32, dtype=np.uint64)], dtype=np.uint32)


# ----------------------------------------------------------------- expressions
_FUNCTIONS = {"exp": "exp", "log": "log", "log10": "log10", "sqrt": "sqrt", "abs": "fabs",
              "sin": "sin", "cos": "cos", "tan": "tan", "sinh": "sinh", "cosh": "cosh",
              "tanh": "tanh", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
              "floor": "floor", "ceil": "ceil"}
_NUMPY = {"exp": np.exp, "log": np.log, "log10": np.log10, "sqrt": np.sqrt, "abs": np.abs,
          "sin": np.sin, "cos": np.cos, "tan": np.tan, "sinh": np.sinh, "cosh": np.cosh,
          "tanh": np.tanh, "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan,
          "floor": np.floor, "ceil": np.ceil}
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
            ast.NotEq: "!="}


class _Params:
    """The numbers of one initialisation code as GeNN parameters (``bc0``,
    ``bc1``, ...): GeNN merges groups whose code differs only in them, so
    that the 64 groups of a cortical microcircuit compile as a few (with the
    numbers in the code, each was compiled on its own: 5x the build time)."""

    def __init__(self):
        self.values: list[float] = []

    def add(self, value: float) -> str:
        """The parameter that holds ``value``."""
        self.values.append(float(value))
        return f"bc{len(self.values) - 1}"

    def integer(self, value: int, ctype: str = "unsigned int") -> str:
        """The parameter that holds the integer ``value``, as ``ctype``."""
        return f"(({ctype}){self.add(value)})"

    def array(self) -> np.ndarray:
        return np.array(self.values, dtype=np.float64)


class _Expression:
    """A Brian expression (of ``i``, ``j``, a loop variable, constants,
    ``rand()``, ``randn()`` and the functions above) as GeNN code in
    double precision, with the random draws it makes as statements before
    it (`draws`), and as a numpy function of the indices (`evaluate`).

    ``names``: the GeNN expressions of the index names; ``variables``:
    Brian's variables of the code (constants are taken from them).
    """

    def __init__(self, code: str, names: dict[str, str], variables: dict, salt: str,
                 params: "_Params | None" = None):
        self.code = code
        self._params = params if params is not None else _Params()
        self._names = names
        self._variables = variables
        self._salt = salt
        self.draws: list[str] = []
        try:
            # Brian's code generation computes the sympy form of an expression
            # (terms reordered, divisions by constants as products): the same
            # arithmetic gives the same values (initial values of i and j)
            code = sympy_to_str(str_to_sympy(code))
        except Exception:  # noqa: BLE001 (sympy's errors: the expression as written)
            pass
        try:
            tree = ast.parse(code.strip(), mode="eval").body
        except SyntaxError as error:
            raise NotTranslatable(f"cannot parse {code!r}") from error
        self._tree = tree
        self.genn = self._render(tree)

    @property
    def uses_random(self) -> bool:
        return bool(self.draws)

    def uses(self, name: str) -> bool:
        return any(isinstance(node, ast.Name) and node.id == name
                   for node in ast.walk(self._tree))

    def _constant(self, name: str) -> float:
        var = self._variables.get(name)
        if isinstance(var, Constant):
            return float(np.asarray(var.get_value()))
        raise NotTranslatable(f"'{name}' is not an index or a constant")

    def _draw(self, kind: str) -> str:
        name = f"bdraw_{self._salt}{len(self.draws)}"
        self.draws.append(render("synapse_creation", kind=kind, name=name))
        return name

    def _render(self, node) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float)):
            if isinstance(node.value, bool):
                return "true" if node.value else "false"
            return self._params.add(float(node.value))
        if isinstance(node, ast.Name):
            if node.id in self._names:
                return self._names[node.id]
            if node.id in ("True", "False"):
                return node.id.lower()
            return self._params.add(self._constant(node.id))
        if isinstance(node, ast.BinOp):
            left, right = self._render(node.left), self._render(node.right)
            if type(node.op) in _BINARY:
                return f"({left} {_BINARY[type(node.op)]} {right})"
            if isinstance(node.op, ast.Pow):
                return f"pow({left}, {right})"
            if isinstance(node.op, ast.FloorDiv):
                return f"floor({left} / {right})"
            if isinstance(node.op, ast.Mod):
                # Python's modulo: the sign of the divisor
                return f"({left} - floor({left} / {right}) * {right})"
        if isinstance(node, ast.UnaryOp):
            operand = self._render(node.operand)
            if isinstance(node.op, ast.USub):
                return f"(-{operand})"
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(node.op, ast.Not):
                return f"(!{operand})"
        if isinstance(node, ast.BoolOp):
            op = " && " if isinstance(node.op, ast.And) else " || "
            return "(" + op.join(self._render(v) for v in node.values) + ")"
        if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            operands = [self._render(node.left), *(self._render(c) for c in node.comparators)]
            pairs = [f"({a} {_COMPARE[type(op)]} {b})"
                     for a, op, b in zip(operands, node.ops, operands[1:])]
            return pairs[0] if len(pairs) == 1 else "(" + " && ".join(pairs) + ")"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            name, args = node.func.id, [self._render(a) for a in node.args]
            if name in ("rand", "randn") and not args:
                return self._draw("uniform" if name == "rand" else "normal")
            if name in _FUNCTIONS and len(args) == 1:
                return f"{_FUNCTIONS[name]}({args[0]})"
            if name == "clip" and len(args) == 3:
                return f"fmin(fmax({args[0]}, {args[1]}), {args[2]})"
            if name == "int" and len(args) == 1:
                return f"trunc({args[0]})"
            if name == "float" and len(args) == 1:
                return f"((double)({args[0]}))"
        raise NotTranslatable(f"{ast.unparse(node)!r} in {self.code!r}")

    def evaluate(self, values: dict[str, np.ndarray], draws: "_HostDraws | None" = None):
        """The expression's values for index ``values`` (numpy arrays), with
        GeNN's random numbers from ``draws`` (the same ones, drawn in the
        same order: the tree is walked as `_render` walked it)."""
        if self.uses_random and draws is None:
            raise NotTranslatable(f"random numbers in {self.code!r}")
        self._draws = draws
        return self._evaluate(self._tree, values)

    def _evaluate(self, node, values):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id in values:
                return values[node.id].astype(float)
            return self._constant(node.id)
        if isinstance(node, ast.BinOp):
            a, b = self._evaluate(node.left, values), self._evaluate(node.right, values)
            with np.errstate(all="ignore"):
                return {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
                        ast.Div: np.true_divide, ast.Pow: np.power,
                        ast.FloorDiv: np.floor_divide, ast.Mod: np.mod}[type(node.op)](a, b)
        if isinstance(node, ast.UnaryOp):
            operand = self._evaluate(node.operand, values)
            return {ast.USub: np.negative, ast.UAdd: np.positive,
                    ast.Not: np.logical_not}[type(node.op)](operand)
        if isinstance(node, ast.BoolOp):
            parts = [self._evaluate(v, values) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            result = parts[0]
            for part in parts[1:]:
                result = combine(result, part)
            return result
        if isinstance(node, ast.Compare):
            operands = [self._evaluate(node.left, values),
                        *(self._evaluate(c, values) for c in node.comparators)]
            result = True
            for a, op, b in zip(operands, node.ops, operands[1:]):
                result = np.logical_and(result, {ast.Lt: np.less, ast.LtE: np.less_equal,
                                                 ast.Gt: np.greater, ast.GtE: np.greater_equal,
                                                 ast.Eq: np.equal,
                                                 ast.NotEq: np.not_equal}[type(op)](a, b))
            return result
        if isinstance(node, ast.Call):
            name = node.func.id
            if name in ("rand", "randn") and not node.args:
                return self._draws.uniform() if name == "rand" else self._draws.normal()
            args = [self._evaluate(a, values) for a in node.args]
            if name in _NUMPY:
                return _NUMPY[name](args[0])
            if name == "clip":
                return np.clip(*args)
            if name == "int":
                return np.trunc(args[0])
            if name == "float":
                return args[0]
        raise NotTranslatable(f"{ast.unparse(node)!r} evaluated on the host")


class _HostDraws:
    """GeNN's random numbers of the initialisation of a variable
    (``templates/genn_synapse_creation.cpp``) for the synapses ``pre``,
    ``post`` (absolute indices), computed on the host: the stream of each
    synapse keyed by the seed, the salt and its pre and post indices."""

    def __init__(self, seed: int, salt: int, pre: np.ndarray, post: np.ndarray):
        key = np.full(len(pre), np.uint32(seed) ^ np.uint32(salt), dtype=np.uint32)
        key = _mix(key)
        with np.errstate(over="ignore"):
            key = _mix(key + pre.astype(np.uint32) * np.uint32(2246822519))
            self._key = _mix(key + post.astype(np.uint32) * np.uint32(3266489917))
        self._count = 0

    def _word(self) -> np.ndarray:
        with np.errstate(over="ignore"):
            word = self._key + np.uint32((self._count * 2654435769) & 0xFFFFFFFF)
        self._count += 1
        return _mix(_mix(word))

    def uniform(self) -> np.ndarray:
        return self._word().astype(np.float64) * 2.3283064365386963e-10

    def normal(self) -> np.ndarray:
        a, b = self.uniform(), self.uniform()
        return np.sqrt(-2.0 * np.log(1.0 - a)) * np.cos(6.283185307179586 * b)


def _mix(x: np.ndarray) -> np.ndarray:
    """C. Wellons' lowbias32 hash, in uint32 arithmetic (as GeNN's code)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint32(16))
        x = x * np.uint32(2146121005)
        x = x ^ (x >> np.uint32(15))
        x = x * np.uint32(2221713035)
        return x ^ (x >> np.uint32(16))


def host_initial_values(synapses, name: str, code: str, variables: dict, seed: int,
                        pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    """The values that GeNN's initialisation of ``name`` to ``code`` (see
    `initial_value_code`) gave the synapses ``pre``, ``post`` (absolute
    indices), computed on the host: the same random numbers."""
    pre_start, post_start = source_range(synapses.source)[0], source_range(synapses.target)[0]
    expression = _Expression(code, {"i": "", "j": "", "N_pre": "", "N_post": ""}, variables,
                             name)
    values = {"i": pre - pre_start, "j": post - post_start,
              "N_pre": np.full(len(pre), len(synapses.source)),
              "N_post": np.full(len(pre), len(synapses.target))}
    draws = _HostDraws(seed, zlib.crc32(f"{synapses.name}/{name}".encode()), pre, post)
    return np.broadcast_to(np.asarray(expression.evaluate(values, draws), dtype=float),
                           (len(pre),)).copy()


def delay_upper_bound(code: str, variables: dict) -> float:
    """The largest delay (seconds) that ``code`` sets: its upper bound where it
    is ``clip(expression, low, high)`` with constant bounds (``low`` not
    negative), its value where it is a constant. GeNN reserves that many
    steps of its dendritic delay buffers before it makes the delays.

    Raises
    ------
    NotTranslatable
        For delays without such a bound.
    """
    tree = ast.parse(code.strip(), mode="eval").body
    constant = _Expression("0", {}, variables, "bound")
    if (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name)
            and tree.func.id == "clip" and len(tree.args) == 3):
        try:
            low, high = (float(constant._evaluate(arg, {})) for arg in tree.args[1:])
        except (NotTranslatable, AttributeError, KeyError, TypeError) as error:
            raise NotTranslatable(f"delays {code!r} without constant bounds") from error
        if low < 0:
            raise NotTranslatable(f"delays {code!r} that may be negative")
        return high
    raise NotTranslatable(f"delays {code!r} without an upper bound (write them as "
                          "clip(..., low, high))")


# ------------------------------------------------------------------ connect
def binomial_quantile(n: int, p: float, probability: float) -> int:
    """The smallest ``k`` such that a binomial variable of ``n`` trials of
    probability ``p`` exceeds ``k`` with at most ``probability``: the row
    length GeNN reserves for ``sample(n, p=p)``."""
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return int(n)
    mean, sd = n * p, math.sqrt(n * p * (1 - p))
    first = int(mean)
    last = int(min(n, mean + 20 * sd + 60))
    k = np.arange(first, last + 1, dtype=float)
    lgamma = np.vectorize(math.lgamma)
    log_pmf = (math.lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
               + k * math.log(p) + (n - k) * math.log1p(-p))
    # P(X > k) for each k: the sum of the pmf above it
    above = np.cumsum(np.exp(log_pmf)[::-1])[::-1] - np.exp(log_pmf)
    fine = np.flatnonzero(above <= probability)
    return int(k[fine[0]]) if len(fine) else int(last)


@dataclass
class _Iterator:
    """The candidates of each row: ``range(low, high, step)``, each kept
    with probability ``p`` for ``sample``."""

    low: _Expression
    high: _Expression
    step: _Expression | None
    p: _Expression | None


def _integer_sizes(values, what: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        raise NotTranslatable(f"{what} is not an integer")
    return values.astype(np.int64)


def connect_rule(synapses, template_kwds: dict, update_code: str, variables: dict,
                 seed: np.ndarray) -> SynapseCreation:
    """GeNN's row-building code of the ``connect`` generator described by
    Brian's ``template_kwds`` (of the ``synapses_create_generator``
    template), with ``n`` from the template's ``update_code``.

    Raises
    ------
    NotTranslatable
        For a generator that GeNN's initialisation cannot make as Brian
        does; Brian's own errors (indices out of range) are left to Brian.
    """
    if template_kwds.get("outer_index") != "i":
        raise NotTranslatable("a generator over the postsynaptic index (i=...)")
    if template_kwds.get("multisynaptic_index"):
        raise NotTranslatable("a multisynaptic index")
    func, kwds = template_kwds["iterator_func"], template_kwds["iterator_kwds"]
    if func not in ("range", "sample") or kwds.get("sample_size") == "fixed":
        raise NotTranslatable(f"'{func}' with a fixed size")
    n_copies = re.fullmatch(r"\s*_n\s*=\s*(\d+)\s*", update_code.strip().splitlines()[-1])
    if n_copies is None or int(n_copies.group(1)) < 1:
        raise NotTranslatable("a number of synapses per pair that is not a constant")
    copies = int(n_copies.group(1))
    n_pre = len(synapses.source)
    n_post = len(synapses.target)
    # GeNN's rows are those of the groups that subgroups are part of
    pre_start, pre_stop = source_range(synapses.source)
    post_start = source_range(synapses.target)[0]
    inner = template_kwds["inner_variable"]
    params = _Params()
    pre_range = (params.integer(pre_start), params.integer(pre_stop))
    outer = {"i": f"((double)(id_pre - {pre_range[0]}))", "N_pre": params.add(n_pre),
             "N_post": params.add(n_post)}
    iterator = _Iterator(*(
        _Expression(kwds[key], outer, variables, key, params) if kwds.get(key) is not None
        else None for key in ("low", "high", "step", "p")))
    if iterator.low is None:
        iterator.low = _Expression("0", outer, variables, "low", params)
    rows = {"i": np.arange(n_pre)}
    low = _integer_sizes(iterator.low.evaluate(rows) + np.zeros(n_pre), "range's start")
    high = _integer_sizes(iterator.high.evaluate(rows) + np.zeros(n_pre), "range's stop")
    step = (_integer_sizes(iterator.step.evaluate(rows) + np.zeros(n_pre), "range's step")
            if iterator.step is not None else np.ones(n_pre, dtype=np.int64))
    if np.any(step <= 0):
        raise NotTranslatable("a range with a step that is not positive")
    candidates = np.maximum(0, -(-(high - low) // step))
    p = (np.clip(iterator.p.evaluate(rows) + np.zeros(n_pre), 0, 1)
         if iterator.p is not None else None)
    names = {**outer, inner: "((double)bk)"}
    element = _Expression(template_kwds["element"], names, variables, "element", params)
    if element.uses_random:
        raise NotTranslatable("random numbers in the generator's result")
    skip = bool(template_kwds.get("skip_if_invalid"))
    if element.code.strip() == inner:
        valid = bool(np.all((candidates == 0) | ((low >= 0) & (low + (candidates - 1) * step
                                                              < n_post))))
    elif not element.uses(inner):
        value = element.evaluate(rows) + np.zeros(n_pre)
        valid = bool(np.all((candidates == 0) | ((value >= 0) & (value < n_post))))
    else:
        valid = False
    if not valid and not skip:
        # Brian raises an error at connect (or GeNN would have to)
        raise NotTranslatable("result indices outside the target group")
    condition = (_Expression(template_kwds["if_expression"], {**names, "j": "((double)bj)"},
                             variables, "condition", params)
                 if template_kwds.get("if_expression") not in (None, "True") else None)
    if p is None:
        longest = int(candidates.max(initial=0))
        if condition is not None and n_pre * longest > _MAX_BOUND_SLOTS:
            raise NotTranslatable(f"rows of up to {longest} candidates each")
    else:
        longest = binomial_quantile(int(candidates.max(initial=0)), float(p.max(initial=0)),
                                    _OVERFLOW_PROBABILITY / max(n_pre, 1))
    salt = params.integer(zlib.crc32(f"{synapses.name}/connect".encode()), "uint32_t")
    code = render("synapse_creation", kind="row", salt=salt, sample=p is not None,
                  low=iterator.low.genn, high=iterator.high.genn,
                  step=iterator.step.genn if iterator.step is not None else "1.0",
                  p=iterator.p.genn if iterator.p is not None else "1.0",
                  p_draws=iterator.p.draws if iterator.p is not None else [],
                  element=element.genn, condition=condition.genn if condition else None,
                  condition_draws=condition.draws if condition else [],
                  check=not valid, copies=copies,
                  max_row=params.integer(longest * copies), pre_start=pre_range[0],
                  pre_stop=pre_range[1], post_start=params.integer(post_start),
                  n_post=params.integer(n_post, "int"))
    return SynapseCreation(row_code=code, max_row_length=max(longest * copies, 1),
                           copies=copies, seed=seed, params=params.array())


def initial_value_code(synapses, name: str, ctype: str, code: str, variables: dict,
                       creation: SynapseCreation) -> tuple[str, np.ndarray]:
    """GeNN's initialisation code of the synaptic variable ``name`` set to
    the Brian expression ``code`` for all synapses of a `Synapses` whose
    synapses GeNN makes (``creation``), and the values of its parameters
    (`_Params`).

    Raises
    ------
    NotTranslatable
        For expressions that read other variables (of the synapses, or of
        the pre- or postsynaptic neurons).
    """
    pre_start, post_start = source_range(synapses.source)[0], source_range(synapses.target)[0]
    params = _Params()
    names = {"i": f"((double)(id_pre - {params.integer(pre_start)}))",
             "j": f"((double)(id_post - {params.integer(post_start)}))",
             "N_pre": params.add(len(synapses.source)),
             "N_post": params.add(len(synapses.target))}
    expression = _Expression(code, names, variables, name, params)
    if expression.uses_random and creation.multapses:
        # a pair's synapses would draw the same numbers (the stream is the pair's)
        raise NotTranslatable("random initial values of a pair connected several times")
    salt = params.integer(zlib.crc32(f"{synapses.name}/{name}".encode()), "uint32_t")
    return (render("synapse_creation", kind="value", salt=salt, draws=expression.draws,
                   value=expression.genn, ctype=ctype), params.array())
