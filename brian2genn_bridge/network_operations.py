"""When the `NetworkOperation` objects of a network run between GeNN's steps.

GeNN runs all code of one Brian time step together, so Python can run only
between two of Brian's steps: a network operation runs there when it is the
first object of its step in Brian's order (``when='start'`` and an order
before the other objects of that slot: at the boundary before its step) or
the last (``when='end'`` after the others: at the boundary after its step).
The device then splits the run at those boundaries into parts that it
simulates as consecutive runs (which give Brian's results exactly): before an
operation, what GeNN holds is pulled into Brian's arrays when Python reads
it; what the operation writes is pushed before the next part.
"""

from __future__ import annotations

from dataclasses import dataclass

from brian2.core.operations import NetworkOperation
from brian2.groups.group import CodeRunner

from .translators.expressions import clock_steps

__all__ = ["OperationSchedule", "network_operations"]


def network_operations(objects) -> list[NetworkOperation]:
    """The active network operations among ``objects`` (in Brian's order)."""
    return [obj for obj in objects if isinstance(obj, NetworkOperation)]


@dataclass
class _Placed:
    operation: NetworkOperation
    #: runs every ``every`` steps of the simulation clock
    every: int
    #: at the boundary after its step (``'end'``), else before it
    after_step: bool


class OperationSchedule:
    """The boundaries between Brian's steps where network operations run.

    Parameters
    ----------
    objects
        The network's active objects in Brian's order.
    dt
        The simulation clock's time step (s).

    Raises
    ------
    NotImplementedError
        For an operation that runs between other objects of its step, or on
        a clock whose dt is not a multiple of the simulation's.
    """

    def __init__(self, objects, dt: float):
        operations = network_operations(objects)
        # the objects that run code (groups themselves do not)
        others = [index for index, obj in enumerate(objects)
                  if isinstance(obj, CodeRunner) and not isinstance(obj, NetworkOperation)]
        self.placed: list[_Placed] = []
        for operation in operations:
            position = objects.index(operation)
            every = clock_steps(operation.clock.dt_, dt)
            if every is None:
                raise NotImplementedError(
                    f"NetworkOperation '{operation.name}': a dt ({operation.clock.dt}) that "
                    "is not a multiple of the network's smallest dt is not supported by the "
                    "GeNN device. Workaround: use a multiple of it.")
            first = all(index > position for index in others)
            last = all(index < position for index in others)
            if not (first or last):
                before = next(objects[index] for index in reversed(others)
                              if index < position)
                raise NotImplementedError(
                    f"NetworkOperation '{operation.name}' in the '{operation.when}' slot "
                    f"(order {operation.order}) runs between objects that the GeNN device "
                    f"runs in one step of GeNN (e.g. after '{before.name}'), which Python "
                    "cannot interrupt. Workaround: run it at the start of the time step, "
                    "before all other objects (when='start', order=-100), or at its end, "
                    "after them (when='end', order=100).")
            self.placed.append(_Placed(operation, every, after_step=last and not first))

    def __bool__(self) -> bool:
        return bool(self.placed)

    def boundaries(self, first_step: int, stop_step: int) -> list[int]:
        """Brian's steps in ``[first_step, stop_step]`` before which
        operations run (an operation of the ``'end'`` slot of step n runs
        before step n + 1)."""
        steps = set()
        for placed in self.placed:
            first = -(-first_step // placed.every) * placed.every
            steps.update(step + placed.after_step
                         for step in range(first, stop_step, placed.every))
        return sorted(steps)

    def at(self, step: int, after_step: bool) -> list[NetworkOperation]:
        """The operations, in Brian's order, that run at the end of Brian's
        ``step`` (``after_step``), or at its start."""
        return [placed.operation for placed in self.placed
                if placed.after_step == after_step and step % placed.every == 0]
