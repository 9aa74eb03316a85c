"""Translation of Brian's GSL integration (``method='gsl'``, ``'gsl_rkf45'``,
``'gsl_rkck'``) into GeNN neuron sim code.

GeNN code cannot call the GNU Scientific Library, so the sim code does what
GSL's ``gsl_odeiv2_driver_apply`` does for Brian's GSL state updater: in each
time step, every neuron integrates its equations from ``t`` to ``t + dt`` in
adaptive steps of the same embedded Runge-Kutta pair, with GSL's step-size
control (``gsl_odeiv2_control_scaled``: the absolute error of each variable
against its ``absolute_error``), at most ``dt`` per step and ``max_steps``
steps. As in Brian's generated code, the expressions that Brian's code
generation hoists out of the loop over neurons (loop invariants, shared
variables) are evaluated at the start of the time step, the others at the
time of each stage. The step size that a neuron's last step proposed starts
its next time step (``use_last_timestep``).

Brian's checks of the ``method_options`` and their errors are the same as
with Brian's own devices; options that have no meaning here raise
`NotImplementedError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction as F

import numpy as np
from brian2.synapses.synapses import Synapses
from brian2.units.fundamentalunits import fail_for_dimension_mismatch
from brian2.utils.stringtools import word_substitute

from ..model import GeNNVariable
from ..codeobject import GeNNCodeObject
from .names import genn_identifier
from .templates import PER_NEURON_MARKER
from .functions import double_literal

__all__ = ["is_gsl", "prepare_gsl_state_update", "gsl_state_update", "GSLIntegration"]


@dataclass(frozen=True)
class EmbeddedPair:
    """An explicit Runge-Kutta pair: the stages' times ``nodes`` and
    coefficients ``a``, the weights of the solution ``b`` and of the error
    estimate ``error`` (``b`` minus the embedded method's weights), and the
    ``order`` that GSL's step-size control uses for the pair."""

    nodes: tuple
    a: tuple
    b: tuple
    error: tuple
    order: int


#: GSL's ``rkf45`` (Runge-Kutta-Fehlberg 4(5), the fifth-order solution)
#: and ``rkck`` (Cash-Karp 4(5)) pairs
PAIRS = {
    "rkf45": EmbeddedPair(
        nodes=(F(0), F(1, 4), F(3, 8), F(12, 13), F(1), F(1, 2)),
        a=((), (F(1, 4),), (F(3, 32), F(9, 32)),
           (F(1932, 2197), F(-7200, 2197), F(7296, 2197)),
           (F(439, 216), F(-8), F(3680, 513), F(-845, 4104)),
           (F(-8, 27), F(2), F(-3544, 2565), F(1859, 4104), F(-11, 40))),
        b=(F(16, 135), F(0), F(6656, 12825), F(28561, 56430), F(-9, 50), F(2, 55)),
        error=(F(1, 360), F(0), F(-128, 4275), F(-2197, 75240), F(1, 50), F(2, 55)),
        order=5),
    "rkck": EmbeddedPair(
        nodes=(F(0), F(1, 5), F(3, 10), F(3, 5), F(1), F(7, 8)),
        a=((), (F(1, 5),), (F(3, 40), F(9, 40)), (F(3, 10), F(-9, 10), F(6, 5)),
           (F(-11, 54), F(5, 2), F(-70, 27), F(35, 27)),
           (F(1631, 55296), F(175, 512), F(575, 13824), F(44275, 110592), F(253, 4096))),
        b=(F(37, 378), F(0), F(250, 621), F(125, 594), F(0), F(512, 1771)),
        error=(F(37, 378) - F(2825, 27648), F(0), F(250, 621) - F(18575, 48384),
               F(125, 594) - F(13525, 55296), F(-277, 14336), F(512, 1771) - F(1, 4)),
        order=5),
}

#: GSL's step-size control: safety factor, and the error ratios above which
#: a step is repeated with a smaller size and below which the size grows
_SAFETY, _DECREASE_ABOVE, _INCREASE_BELOW = 0.9, 1.1, 0.5

#: rejected tries of one step before the integration counts as failed
#: (each shrinks the step at least by the safety factor)
_MAX_REJECTIONS = 200

#: the statement of Brian's state updater that sets ``not_refractory``
#: (for refractoriness that is a condition, in Brian's conditional write)
_REFRACTORY = re.compile(r"^\s*if\s*\(!not_refractory\)\s*\n\s*not_refractory\s*=.*\n"
                         r"\s*else\s*\n\s*not_refractory\s*=.*$"
                         r"|^\s*not_refractory\s*=.*$", re.MULTILINE)


@dataclass
class GSLIntegration:
    """What the GeNN code needs of a Brian GSL state updater."""

    integrator: str
    #: the integrated variables, with their absolute errors (base units)
    scales: dict[str, float]
    #: the variables whose derivative is zero while the neuron is refractory
    unless_refractory: set[str]
    max_steps: int
    use_last_timestep: bool
    #: the group's dt: GSL's first and largest step
    dt_start: float
    #: adaptive steps (GSL's ``gsl_odeiv2_driver_apply``), else one step of
    #: dt that fails if its error estimate is too large
    #: (``gsl_odeiv2_driver_apply_fixed_step``)
    adaptable_timestep: bool = True

    @property
    def failure_message(self) -> str:
        """Brian's message when the integration fails."""
        if self.adaptable_timestep:
            return ("GSL integrator failed to integrate the equations. This means that the "
                    "desired error cannot be achieved with the given maximum number of "
                    "steps. Try using a larger error or a larger number of steps.")
        return ("GSL integrator failed to integrate the equations. This means that the "
                "size of the timestep results in an error larger than that set by "
                "absolute_error.")


def is_gsl(runner) -> bool:
    """Whether ``runner`` (a state updater) integrates with GSL."""
    return isinstance(getattr(runner, "gsl_integration", None), GSLIntegration)


def prepare_gsl_state_update(container, updater, unsupported) -> str:
    """Do for the GeNN device what Brian's ``GSLContainer.__call__`` does
    for its own: check the method options and mark ``updater`` as a GSL
    state updater; return its abstract code (``_gsl_<var>_f<n> = ...``).

    ``unsupported`` builds the `NotImplementedError` for a feature.
    """
    group = updater.group
    options = container.method_options
    diff_vars = container.needed_variables
    scales = _absolute_errors(group, diff_vars, options)
    if container.integrator not in PAIRS:
        raise unsupported(group, f"GSL's '{container.integrator}' integrator",
                          f"use method='gsl_rkf45' (or one of {sorted(PAIRS)}).")
    for option in ("save_failed_steps", "save_step_count"):
        if options[option]:
            raise unsupported(group, f"the GSL method option {option}=True",
                              f"leave {option} False.")
    if isinstance(group, Synapses):
        raise unsupported(group, "GSL integration of synaptic equations",
                          "use a method such as 'rk4' or 'exponential_euler'.")
    flags = container.variable_flags
    updater.gsl_integration = GSLIntegration(
        integrator=container.integrator, scales=scales,
        unless_refractory={var for var in diff_vars
                           if "unless refractory" in flags.get(var, ())},
        max_steps=int(options["max_steps"]),
        use_last_timestep=bool(options["use_last_timestep"]),
        dt_start=float(updater.clock.dt_),
        adaptable_timestep=bool(options["adaptable_timestep"]))
    updater.codeobj_class = GeNNCodeObject
    updater.method_options = options
    updater.needed_variables = ["t", "dt"] + list(diff_vars)
    return container.abstract_code


def _absolute_errors(group, diff_vars, options) -> dict[str, float]:
    """The absolute error of each integrated variable, checked as Brian's
    GSL code generator checks it (same errors)."""
    default = options["absolute_error"]
    per_variable = options["absolute_error_per_variable"]
    if not isinstance(default, float):
        raise TypeError("The absolute_error key in method_options should be a float. "
                        f"Was type {type(default)}")
    if per_variable is None:
        per_variable = {}
    elif not isinstance(per_variable, dict):
        raise TypeError("The absolute_error_per_variable key in method_options should "
                        "either be None or a dictionary containing the error for each "
                        f"individual state variable. Was type {type(per_variable)}")
    for var, error in per_variable.items():
        if var not in diff_vars:
            what = "not being integrated" if var in group.variables else "does not exist"
            raise KeyError(f"absolute_error specified for variable that {what}: {var}")
        fail_for_dimension_mismatch(error, group.variables[var],
                                    f"Unit of absolute_error_per_variable for variable "
                                    f"{var} does not match unit of variable itself")
    return {var: float(per_variable.get(var, default)) for var in diff_vars}


def gsl_state_update(group, runner, code: str, time: str, dt: float
                     ) -> tuple[str, list[GeNNVariable], str]:
    """GeNN code of the GSL state update ``runner`` of ``group``.

    Parameters
    ----------
    code
        The GeNN code of Brian's state update: scalar statements, the
        per-neuron marker and the statements that compute the derivatives.
    time
        GeNN's expression of the group's ``t`` in the code.
    dt
        The group's dt (s).

    Returns
    -------
    code, variables, failure_flag
        The sim code, the GeNN variables it adds (the last step size, the
        flag of a failed integration) and the name of the flag.
    """

    gsl = runner.gsl_integration
    pair = PAIRS[gsl.integrator]
    shared_code, _, derivatives = code.rpartition(PER_NEURON_MARKER)
    # refractoriness starts and ends at time steps, as with Brian's other
    # methods: it is evaluated once, at the start of the step
    refractory = [match.group(0).strip() for match in _REFRACTORY.finditer(derivatives)]
    derivatives = _REFRACTORY.sub("", derivatives)
    if time != "t":
        derivatives = derivatives.replace(time, "bgsl_tt")
    derivatives = word_substitute(derivatives, {"t": "bgsl_tt"})
    names = {var: genn_identifier(var) for var in gsl.scales}
    adaptive = gsl.adaptable_timestep
    # a fixed step is the first try of an adaptive one, with a step of dt
    # and no second try
    use_last_timestep = gsl.use_last_timestep and adaptive
    lines = [shared_code.strip(),
             f"// GSL's {gsl.integrator} pair with "
             f"{'adaptive steps' if adaptive else 'one step of dt'} (translators/integration.py)",
             *refractory,
             f"const double bgsl_t1 = {time} + {double_literal(dt)};",
             f"double bgsl_t = {time};",
             "double bgsl_hnext = "
             + ("bgslh;" if use_last_timestep else f"{double_literal(gsl.dt_start)};"),
             "int bgsl_steps = 0;",
             "int bgsl_rejected = 0;",
             "while (bgsl_t < bgsl_t1) {"]
    body = ["const bool bgsl_final = bgsl_t + bgsl_hnext >= bgsl_t1;",
            "const double bgsl_h = bgsl_final ? bgsl_t1 - bgsl_t : bgsl_hnext;"]
    for var, name in names.items():
        body.append(f"const scalar bgsl_y0_{var} = {name};")
    for stage, node in enumerate(pair.nodes):
        block = [f"{names[var]} = bgsl_y0_{var} + bgsl_h * ({_weighted(pair.a[stage], var)});"
                 for var in names if stage > 0]
        block.append(f"const double bgsl_tt = bgsl_t + {_literal(node)} * bgsl_h;")
        block.append(derivatives.strip())
        for var in names:
            value = genn_identifier(f"_gsl_{var}_f{list(names).index(var)}")
            if var in gsl.unless_refractory:
                value = f"(not_refractory ? {value} : 0)"
            block.append(f"bgsl_k{stage}_{var} = {value};")
        body += [f"scalar bgsl_k{stage}_{var} = 0;" for var in names]
        body += ["{", *_indented(block), "}"]
    body.append("double bgsl_rmax = 0;")
    for var, name in names.items():
        body.append(f"bgsl_rmax = fmax(bgsl_rmax, fabs(bgsl_h * ({_weighted(pair.error, var)}))"
                    f" / {double_literal(gsl.scales[var])});")
    body += [f"if (bgsl_rmax > {_DECREASE_ABOVE}) {{",
             "    // the error is too large: try again with a smaller step",
             *[f"    {name} = bgsl_y0_{var};" for var, name in names.items()],
             f"    bgsl_hnext = bgsl_h * fmax({_SAFETY} * pow(bgsl_rmax, "
             f"{-1.0 / pair.order!r}), 0.2);",
             "    bgsl_rejected++;",
             f"    if (bgsl_rejected > {_MAX_REJECTIONS if adaptive else 0}) {{",
             "        bgslfailed = 1;",
             "        break;",
             "    }",
             "}",
             "else {",
             *[f"    {name} = bgsl_y0_{var} + bgsl_h * ({_weighted(pair.b, var)});"
               for var, name in names.items()],
             "    bgsl_t = bgsl_final ? bgsl_t1 : bgsl_t + bgsl_h;",
             "    bgsl_hnext = bgsl_h;",
             f"    if (bgsl_rmax < {_INCREASE_BELOW}) {{",
             f"        bgsl_hnext = bgsl_h * fmin(fmax({_SAFETY} * pow(bgsl_rmax, "
             f"{-1.0 / (pair.order + 1)!r}), 1.0), 5.0);",
             "    }",
             f"    bgsl_hnext = fmin(bgsl_hnext, {double_literal(gsl.dt_start)});",
             "    bgsl_steps++;",
             f"    if (bgsl_steps >= {gsl.max_steps} && bgsl_t < bgsl_t1) {{",
             "        bgslfailed = 1;",
             "        break;",
             "    }",
             "}"]
    lines += _indented(body)
    lines.append("}")
    if use_last_timestep:
        lines.append("bgslh = bgsl_hnext;")
    variables = [GeNNVariable("bgslh", "double", np.full(len(group), gsl.dt_start)),
                 GeNNVariable("bgslfailed", "uint8_t", np.zeros(len(group), dtype=np.uint8))]
    return "\n".join(line for line in lines if line), variables, "bgslfailed"


def _weighted(weights, var: str) -> str:
    """``w0*k0 + w1*k1 + ...`` for the stages' derivatives of ``var``."""
    terms = [f"{_literal(w)} * bgsl_k{stage}_{var}" for stage, w in enumerate(weights) if w]
    return " + ".join(terms) or "0"


def _literal(value: F) -> str:
    return double_literal(float(value))


def _indented(lines: list[str]) -> list[str]:
    return ["    " + line for block in lines for line in block.splitlines()]
