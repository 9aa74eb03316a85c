"""Translation of Brian's abstract code into GeNN code strings.

Built on Brian's C++ code generator: statements, loop-invariant
optimisation, conditional writes and boolean simplification are Brian's.
Only what GeNN's language rejects is rewritten:

* no support code: function calls are inlined or renamed
  (see `.functions`), ``%``, ``//`` and ``**`` become maths calls;
* no identifiers starting with ``_``: Brian's internal names such as
  ``_lio_1``, ``_cond`` or ``_v`` are renamed;
* no array loads and stores: GeNN code reads and writes variables by name,
  so Brian's ``_ptr_array_...[_idx]`` lines are not emitted;
* loop invariants of constants are evaluated at translation (see
  `.folding`): GeNN has no place for code that runs once per step;
* constants are written as literals and Brian's indices become GeNN's
  built-in names (``i`` is ``id``; in synapses ``id_pre``/``id_post``).
"""

import ast
import re
from types import SimpleNamespace
from typing import Callable

import numpy as np
from brian2.codegen.generators.cpp_generator import CPPCodeGenerator
from brian2.core.functions import Function
from brian2.core.preferences import prefs
from brian2.core.variables import ArrayVariable, Constant, Subexpression
from brian2.parsing.bast import brian_ast
from brian2.parsing.rendering import CPPNodeRenderer
from brian2.synapses.synapses import Synapses
from brian2.utils.stringtools import stripped_deindented_lines, word_substitute

from ..schedule import AFTER_THRESHOLDS
from .link_names import SOURCES, code_home, is_linked, link_name, synapses_side
from .names import GENN_RESERVED, genn_identifier
from .folding import fold_constant_statements
from .functions import (FLOAT_ONLY, GENN_TARGET, INTEGER_VARIANT, double_literal,
                        hoist_samplers, inline_template)
from .random_numbers import hoist_random_draws

__all__ = ["GeNNCodeGenerator", "GeNNNodeRenderer", "genn_identifier", "genn_literal",
           "GENN_RESERVED", "SYNAPSE_COUNTS", "AFTER_THRESHOLDS", "brian_step",
           "part_conditions", "in_previous_step", "clock_steps", "clock_time"]

#: Brian's numbers of synapses per target and per source neuron of a Synapses
SYNAPSE_COUNTS = ("N_incoming", "N_outgoing")


#: a C cast to a type that may also be a Brian name (``(scalar)(x)``), or an
#: identifier: casts are followed by what they cast, parenthesised names of
#: variables never are
_CAST_OR_IDENTIFIER = re.compile(
    r"(?P<cast>\(\s*(?:(?:un)?signed\s+)?(?:scalar|double|float|int|char|short|long|bool"
    r"|u?int(?:8|16|32|64)_t)\s*\)(?=\s*[\w(.]))|\b[_A-Za-z]\w*\b")


def genn_literal(value) -> str:
    """Render a constant as a GeNN literal."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    value = float(value)
    if np.isinf(value):
        return "(1.0 / 0.0)" if value > 0 else "(-1.0 / 0.0)"
    text = repr(value)
    if "e" not in text and "." not in text:
        text += ".0"
    return text if value >= 0 else f"({text})"


class GeNNNodeRenderer(CPPNodeRenderer):
    """Render Brian expressions in GeNN's C-like language.

    Parameters
    ----------
    functions
        The functions the code may call, by the names it calls them.
    owner
        The object whose code this is: dynamic function implementations
        (`TimedArray`) depend on its clock.
    variables
        The variables (and typed temporaries) the code refers to, for the
        types of function arguments.
    hoist
        Called as ``hoist(code, dtype)`` for an argument that must be
        evaluated once before the statement; returns the name to use.
    """

    def __init__(self, functions: dict[str, Function], owner=None, auto_vectorise=None,
                 variables: dict | None = None,
                 hoist: Callable[[str, str], str] | None = None):
        super().__init__(auto_vectorise=auto_vectorise)
        self.functions = functions
        self.owner = owner
        self.variables = variables or {}
        self.hoist = hoist

    def render_BinOp(self, node):
        op = node.op.__class__.__name__
        left, right = self.render_node(node.left), self.render_node(node.right)
        if op == "Pow":
            return f"pow({left}, {right})"
        if op == "Mod":
            # Python's modulo takes the sign of the divisor
            return f"(({left}) - ({right}) * floor((double)({left}) / ({right})))"
        if op == "FloorDiv":
            return f"floor((double)({left}) / ({right}))"
        if op == "Div":
            # true division also for integer operands
            return (f"(scalar){self.render_element_parentheses(node.left)}"
                    f" / {self.render_element_parentheses(node.right)}")
        return super().render_BinOp(node)

    def render_Call(self, node):
        if len(node.keywords):
            raise ValueError("Keyword arguments not supported.")
        name = node.func.id
        args = [f"({self.render_node(arg)})" for arg in node.args]
        function = self.functions.get(name)
        if function is None:
            return f"{name}({', '.join(args)})"
        template = inline_template(function, self.owner)
        if template is not None:
            for k, arg in enumerate(node.args):
                # a template may use an argument more than once; one that
                # draws random numbers must still draw them once
                if template.count(f"{{{k}}}") > 1 and self._draws(arg):
                    args[k] = self._hoisted(args[k], arg)
            return template.format(*args)
        impl = function.implementations[GENN_TARGET]
        genn_name = impl.name or name
        if genn_name in FLOAT_ONLY:
            integer = [self._dtype(arg) != "float" for arg in node.args]
            if all(integer) and genn_name in INTEGER_VARIANT:
                genn_name = INTEGER_VARIANT[genn_name]
            else:
                args = [f"(double){arg}" if is_integer else arg
                        for arg, is_integer in zip(args, integer)]
        return f"{genn_name}({', '.join(args)})"

    def _dtype(self, node: ast.AST) -> str:
        """Brian's type (``'boolean'``, ``'integer'`` or ``'float'``) of an
        expression; unknown names count as float, as in Brian."""
        return brian_ast(ast.unparse(node), self.variables).dtype

    def _draws(self, node: ast.AST) -> bool:
        """Whether the expression calls a function that is not stateless
        (``rand``, ``randn``, ``poisson``, ...)."""
        return any(isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)
                   and not getattr(self.functions.get(sub.func.id), "stateless", True)
                   for sub in ast.walk(node))

    def _hoisted(self, code: str, node: ast.AST) -> str:
        if self.hoist is None:
            raise ValueError(f"'{ast.unparse(node)}' must be evaluated once, before its "
                             "statement, but this expression is rendered on its own")
        return self.hoist(code, self._dtype(node))

    def render_Name(self, node):
        if node.id == "inf":
            return "(1.0 / 0.0)"
        return node.id


class GeNNCodeGenerator(CPPCodeGenerator):
    """Brian's C++ generator, emitting GeNN code strings.

    Neuron variables read by synaptic code are spelled ``<name>_pre`` and
    ``<name>_post``, the names of the GeNN neuron variable references.
    """

    class_name = GENN_TARGET

    def __init__(self, *args, **kwds):
        super().__init__(*args, **kwds)
        self.c_data_type = genn_data_type
        #: Brian's types of the code's temporaries (``:=``), for `GeNNNodeRenderer`
        self.temporaries: dict[str, SimpleNamespace] = {}
        #: definitions of arguments evaluated before the current statement
        self.hoisted: list[str] = []

    @staticmethod
    def get_array_name(var, access_data=True):
        # GeNN code addresses variables by name, never through arrays
        return var.name

    def translate_expression(self, expr):
        # Calls keep the names under which the code refers to the functions
        # (Brian substitutes implementation names such as a TimedArray's own
        # name here); `GeNNNodeRenderer.render_Call` spells them for GeNN.
        functions = {name: var for name, var in self.variables.items()
                     if isinstance(var, Function)}
        return GeNNNodeRenderer(functions, self.owner,
                                variables={**self.variables, **self.temporaries},
                                hoist=self._hoist).render_expr(expr).strip()

    def _hoist(self, code: str, dtype: str) -> str:
        name = f"_argument_{sum(n.startswith('_argument_') for n in self.temporaries)}"
        # Brian's float type, as its generator reads it (see `genn_ctype`)
        numpy_dtype = {"boolean": np.dtype(bool), "integer": np.dtype(np.int32)}.get(
            dtype, np.dtype(prefs["core.default_float_dtype"]))
        self.hoisted.append(f"const {self.c_data_type(numpy_dtype)} {name} = {code};")
        self.temporaries[name] = SimpleNamespace(dtype=numpy_dtype, scalar=False)
        return name

    def translate_to_statements(self, statements, conditional_write_vars):
        # Brian's, with the arguments that `_hoist` evaluates before their
        # statement (and before the condition of a conditional write)
        lines = []
        for stmt in statements:
            self.hoisted = []
            line = self.translate_statement(stmt)
            lines.extend(self.hoisted)
            if stmt.op == ":=":
                self.temporaries[stmt.var] = SimpleNamespace(dtype=stmt.dtype, scalar=False)
            if stmt.var in conditional_write_vars:
                lines.append(f"if({conditional_write_vars[stmt.var]})")
                lines.append(f"    {line}")
            else:
                lines.append(line)
        return lines

    def translate_one_statement_sequence(self, statements, scalar=False):
        if scalar:
            # GeNN runs them for every neuron (synapse), not once per step
            statements = fold_constant_statements(statements, self.variables, self.owner)
        _, _, _, conditional_write = self.arrays_helper(statements)
        lines = hoist_samplers(self.translate_to_statements(statements, conditional_write))
        lines = hoist_random_draws(lines)
        return self._to_genn_names("\n".join(stripped_deindented_lines("\n".join(lines))))

    def translate_statement_sequence(self, sc_statements, ve_statements):
        scalar_code, vector_code = {}, {}
        for block in sc_statements:
            scalar_code[block] = self.translate_one_statement_sequence(
                sc_statements[block], scalar=True)
            vector_code[block] = self.translate_one_statement_sequence(
                ve_statements[block], scalar=False)
        return scalar_code, vector_code, self.determine_keywords()

    def determine_keywords(self):
        # Fail early, with the function's name, for functions GeNN cannot call
        for var in self.variables.values():
            if isinstance(var, Function):
                inline_template(var, self.owner)
        return {}

    def _to_genn_names(self, code: str) -> str:
        # in one pass: a spelling may contain names that are Brian names too
        # (a slower clock's t is an expression of GeNN's t and dt)
        def spelling(match: re.Match) -> str:
            return match.group(0) if match.group("cast") else self.genn_name(match.group(0))

        return _CAST_OR_IDENTIFIER.sub(spelling, code)

    def genn_name(self, name: str) -> str:
        """Return the GeNN spelling of the Brian identifier ``name``."""
        var = self.variables.get(name)
        if var is None or isinstance(var, (Function, Subexpression)):
            # locals of the generated code and C keywords
            return genn_identifier(name) if name.startswith("_") else name
        if isinstance(var, Constant):
            return genn_literal(var.value)
        if not isinstance(var, ArrayVariable):
            return genn_identifier(name)
        index = self.variable_indices.get(name, "_idx")
        if var.name in ("t", "dt", "timestep") and var.scalar:
            # also under reference names, e.g. a monitor's '_source_I_group_t'
            return self.time_name(var.name, var.owner)
        role = {"_presynaptic_idx": "pre", "_postsynaptic_idx": "post"}.get(index)
        if var.name == "delay" and isinstance(var.owner, Synapses):
            if var.scalar:
                # the same for every synapse; GeNN counts it in steps of
                # the model, and the code is made anew for each run
                return double_literal(float(np.asarray(var.get_value()).reshape(-1)[0]))
            raise NotImplementedError(
                f"Synapses '{var.owner.name}': reading the delay of each synapse in its "
                "code is not supported by the GeNN device. Workaround: store the delay "
                "in a synaptic variable as well (e.g. 'd : second', S.d = S.delay) and "
                "read that.")
        if var.name in SYNAPSE_COUNTS and isinstance(var.owner, Synapses):
            # Brian's per-neuron counts of the Synapses' connections: a
            # read-only copy per synapse in GeNN (see `synapses._population`)
            return var.name
        # Brian's neuron indices are GeNN's built-in ids, which are unsigned:
        # as Brian's int32, i - 5 and i - j are negative where they should be
        if var.name == "i" and var.read_only and not var.scalar:
            genn_id = {"pre": "id_pre", "post": "id_post"}.get(role, "id")
            return f"((int32_t){genn_id})"
        if var.name in ("_synaptic_pre", "_synaptic_post"):
            return f"((int32_t)id{var.name[len('_synaptic'):]})"
        if role is not None:
            side = synapses_side(self.owner, role)
            if is_linked(var, side):
                raise NotImplementedError(
                    f"Synapses '{getattr(self.owner, 'name', '')}': reading a linked "
                    f"variable ('{var.owner.name}.{var.name}') of its {role}synaptic "
                    f"group '{side.name}' is not supported by the GeNN device. "
                    f"Workaround: connect the Synapses to '{var.owner.name}', or copy "
                    "the value into a variable of the group.")
            return f"{var.name}_{role}"
        if (isinstance(var.owner, SOURCES) and not var.scalar
                and synapses_side(self.owner, "pre") is not None):
            # a Synapses' code reading a third group's variable (a link of
            # the Synapses): GeNN's synapse code reads only the synapse
            # group's own, its source's and its target's variables (the
            # device's message names the Synapses and its code object)
            raise NotImplementedError(
                "reading the variable "
                f"'{var.owner.name}.{var.name}' of a group other than its pre- and "
                "postsynaptic groups (through a linked variable) is not supported by the "
                "GeNN device. Workaround: link the variable in the pre- or postsynaptic "
                "NeuronGroup and read it there ('x_pre', 'x_post'), or run the network "
                "with Brian's runtime or cpp_standalone device.")
        if is_linked(var, code_home(self.owner)):
            # another group's variable: an input of this group (`.links`)
            return link_name(var, index)
        # references (e.g. a monitor's _source_v) use the variable's own name
        return genn_identifier(var.name)

    def time_name(self, name: str, clock) -> str:
        """GeNN spelling of the variable ``t``, ``dt`` or ``timestep`` (Brian's
        ``t_in_timesteps``) of Brian's ``clock`` (see `clock_time`).

        GeNN step m runs Brian's step m up to its thresholds and completes
        Brian's step m - 1 (its synapses, resets and 'end' slot): code of
        those parts sees Brian's time of step m - 1 (`in_previous_step`).
        """
        from brian2.devices.device import get_device

        # the device's GeNN time step, set while it prepares a run
        simulation_dt = getattr(get_device(), "simulation_dt", None)
        if simulation_dt is not None and clock_steps(clock.dt_, simulation_dt) is None:
            raise NotImplementedError(
                f"Clock '{clock.name}' with dt={clock.dt}: a dt that is not an integer "
                f"multiple of the network's smallest ({simulation_dt} s) is not supported "
                "by the GeNN device. Workaround: use integer multiples of the smallest dt.")
        t, _ = clock_time(clock.dt_, simulation_dt)
        if name == "dt":
            # a literal: a GeNN step can be a fraction of Brian's (see
            # `ModelDescription.substeps`)
            return double_literal(clock.dt_)
        if self.template_name in ("synapses", "reset"):
            t = in_previous_step(t)
        if name == "timestep":
            # Brian's clock computes t = timestep * dt
            return f"((int64_t)round({t} / {double_literal(clock.dt_)}))"
        return t


#: Brian's time of the step before GeNN's current one, bit for bit: Brian's
#: clock computes ``t = timestep * dt`` (as GeNN does), which ``t - dt``
#: misses by a rounding error now and then
PREVIOUS_TIME = "((double)((int64_t)round(t / dt) - 1) * dt)"


def clock_steps(clock_dt: float, simulation_dt: float) -> int | None:
    """GeNN steps of ``simulation_dt`` per step of a clock with ``clock_dt``,
    or ``None`` if that is not a whole number."""
    ratio = clock_dt / simulation_dt
    steps = int(round(ratio))
    return steps if steps >= 1 and abs(ratio - steps) <= 1e-6 * ratio else None


def clock_time(clock_dt: float, simulation_dt: float | None) -> tuple[str, str]:
    """GeNN expressions of Brian's ``t`` and ``dt`` of a clock with
    ``clock_dt`` in the current GeNN step (of ``simulation_dt``, ``None``
    for the clock's own).

    A clock that ticks every k GeNN steps (its dt an integer multiple k of
    GeNN's) holds the time of its next tick between two ticks (Brian
    advances a clock right after its objects ran): Brian's ``t`` is
    ``ceil(step / k)`` ticks, times the clock's dt as Brian multiplies them.
    """
    k = 1 if simulation_dt is None else clock_steps(clock_dt, simulation_dt)
    if k == 1:
        return "t", "dt"
    dt = double_literal(clock_dt)
    return f"((double)(((int64_t)round(t / dt) + {k - 1}) / {k}) * {dt})", dt


def brian_step(substeps: int, previous: bool = False) -> str:
    """GeNN expression of Brian's time step (an ``int64_t``) in a model with
    ``substeps`` GeNN steps per Brian step; ``previous`` for code that
    completes Brian's step in the GeNN step after (see `in_previous_step`)."""
    time = "(t - dt)" if previous else "t"
    scale = "dt" if substeps == 1 else f"({substeps} * dt)"
    return f"(int64_t)round({time} / {scale})"


def part_conditions(substeps: int) -> tuple[str, str]:
    """GeNN conditions under which neuron code runs the two parts of Brian's
    steps: completing the step before (synapses, resets, 'end' slot), and
    the step up to its thresholds.

    With one GeNN step per Brian step both run in every step but the ones
    the dynamic parameter ``bphase`` (`runtime.Phase`) marks: a run's first
    step (2: second part only) and its finishing step (1: first part only).
    With two, odd GeNN steps run the first part, even ones the second.
    """
    if substeps == 1:
        return "bphase != 2", "bphase != 1"
    parity = f"(int64_t)round(t / dt) % {substeps}"
    return f"{parity} == 1", f"{parity} == 0"


def in_previous_step(code: str) -> str:
    """GeNN code of a Brian step, for running in the next GeNN step (code of
    Brian's slots after 'thresholds' other than synapses and resets, whose
    templates the generator knows): ``t`` becomes `PREVIOUS_TIME`."""
    return word_substitute(code, {"t": PREVIOUS_TIME})


def genn_ctype(var) -> str:
    """GeNN type of a Brian variable; the model's float type is ``scalar``."""
    # Brian's own preference, read as Brian's code generation reads it (in
    # `Network.before_run`, before a run's `RunOptions` exist): the types
    # of the generated code and of GeNN's variables must agree
    if np.dtype(var.dtype) == np.dtype(prefs["core.default_float_dtype"]):
        return "scalar"
    return genn_data_type(var.dtype)


def genn_data_type(dtype) -> str:
    """GeNN type name of a numpy dtype (as `c_data_type`, with ``bool``)."""
    if dtype is bool or np.dtype(dtype) == np.bool_:
        return "bool"
    dtype = np.dtype(dtype)
    return {np.float32: "float", np.float64: "double", np.int8: "int8_t",
            np.int16: "int16_t", np.int32: "int32_t", np.int64: "int64_t",
            np.uint8: "uint8_t", np.uint16: "uint16_t", np.uint32: "uint32_t",
            np.uint64: "uint64_t"}[dtype.type]
