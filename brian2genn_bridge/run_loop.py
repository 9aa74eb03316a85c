"""The stepping of a run (`RunLoop`, a part of `GeNNDevice`): Brian's steps
in parts between the network operations, each part in windows of the
recording buffers whose recordings go into the monitors, GeNN's start and
finishing steps, the host-side samples of synaptic StateMonitors, reports,
and `Network.stop` or Ctrl+C ending a run after a whole Brian step."""

from __future__ import annotations

import time

from brian2.core.network import Network
from brian2.units import second

from .genn.simulation import Phase
from .network_operations import OperationSchedule
from .recordings import SampleAssembler, SynapticSampler, records_spikes_only

__all__ = ["RunLoop", "set_clocks"]


class RunLoop:
    """The run loop of `GeNNDevice`, whose state it uses: ``_recorder``
    (moves the recordings into the monitors), ``_bindings``, ``_stale`` and
    ``_touched`` (which Brian variables GeNN holds, which of them Python
    must pull, which it wrote), and `ValueExchange`'s ``_push_values`` and
    ``_check_delayed_effects``."""

    def _run_parts(self, simulation, description, operations: OperationSchedule, net,
                   first_step: int, n_steps: int, report_callback, report_period: float,
                   t_start, duration) -> tuple[float, int]:
        """Simulate Brian's steps ``[first_step, first_step + n_steps)`` in
        parts between the boundaries where network operations run (see
        `network_operations`), running them there with Brian's semantics:
        what they read of GeNN's values is pulled, what they write pushed,
        and a `Network.stop` ends the run after the step it came in (that
        step's 'end' operations included). Returns what `_simulate` does:
        when the loop ended and Brian's step reached."""
        stop = first_step + n_steps
        points = sorted({first_step, stop, *operations.boundaries(first_step, stop)})
        started = time.perf_counter()
        step, loop_end = first_step, started
        part_report = _part_report(report_callback, first_step, n_steps, started)
        if report_callback and len(points) > 2:
            report_callback(0 * second, 0.0, t_start, duration)
        try:
            for boundary in points:
                if boundary > step:
                    loop_end, reached = self._simulate_part(
                        simulation, description, step, boundary - step,
                        part_report(step, boundary - step) if len(points) > 2
                        else report_callback,
                        report_period, t_start, duration, net)
                    if reached < boundary:  # Ctrl+C
                        return loop_end, reached
                    step = reached
                if step > first_step and self._operate(operations.at(step - 1, True), net,
                                                       simulation, description, step - 1):
                    return loop_end, step
                if step < stop and self._operate(operations.at(step, False), net,
                                                 simulation, description, step):
                    # Brian completes the step in which the stop came
                    loop_end, step = self._simulate_part(simulation, description, step, 1,
                                                         None, report_period, t_start,
                                                         duration, net)
                    self._operate(operations.at(step - 1, True), net, simulation,
                                  description, step - 1)
                    return loop_end, step
            return loop_end, step
        finally:
            if report_callback and len(points) > 2:
                report_callback((time.perf_counter() - started) * second,
                                (step - first_step) / n_steps if n_steps else 1.0,
                                t_start, duration)

    def _simulate_part(self, simulation, description, first_step: int, n_steps: int,
                       report_callback, report_period: float, t_start, duration,
                       net) -> tuple[float, int]:
        """`_simulate` Brian's steps ``[first_step, first_step + n_steps)`` as
        a run of its own; GeNN's values are Brian's from then on (pulled
        when Python reads them)."""
        simulation.timestep = first_step * description.substeps
        result = self._simulate(simulation, description, first_step, n_steps,
                                report_callback, report_period, t_start, duration, net)
        self._stale = {var for var, parts in self._bindings.items()
                       if not all(genn_var.read_only for _, genn_var in parts.values())}
        return result

    def _operate(self, operations: list, net, simulation, description, step: int) -> bool:
        """Run network ``operations`` at Brian's ``step`` (its clocks and
        ``t`` at that step), then push what they wrote; returns whether they
        asked the network to stop."""
        if not operations:
            return False
        set_clocks(net, step, description.dt)
        for operation in operations:
            operation.run()
        structural = sorted(f"{getattr(var.owner, 'name', '?')}.{var.name}"
                            for var in self._touched
                            if var.name == "delay" or var.name.startswith("_"))
        if structural:
            raise NotImplementedError(
                f"Network operations {[op.name for op in operations]} changed {structural} "
                "during a run: the GeNN device gives delays and connections to GeNN when the "
                "model is loaded. Workaround: change them between runs (run in several "
                "parts).")
        self._check_delayed_effects()
        self._push_values(simulation, description, full=False)
        self._touched = set()
        return bool(net._stopped or Network._globally_stopped)

    def _simulate(self, simulation, description, first_step, n_steps, report,
                  report_period, t_start, duration, net) -> tuple[float, int]:
        """Step the model through Brian's steps ``[first_step, first_step +
        n_steps)``, in chunks that fit the recording buffers, moving each
        chunk's recordings into the monitors. With one GeNN step per Brian
        step, a finishing step completes the last of them; with two
        (`ModelDescription.substeps`), the last odd step does.

        Returns the `time.perf_counter` at which the last step had run (the
        recordings of the last chunk are moved into the monitors after it,
        as other devices copy their monitors back after their loop), and
        Brian's step where the run ended: ``first_step + n_steps``, or an
        earlier one where Brian's stop was requested (`Network.stop`, or
        Ctrl+C, which Brian's signal handler turns into a stop while
        ``Network._globally_running``), checked every 200 GeNN steps; the
        run then ends after a whole Brian step, with its recordings, as
        Brian's runtime device does.

        With CUDA, where spike recordings are all a network records (the
        usual SpikeMonitors), a chunk's spikes are moved into the monitors
        while the GPU runs the next chunk: GeNN's steps do not change their
        copy on the host, unlike the buffers of recorded values, which the
        device reads from GeNN's.

        StateMonitors of Synapses are sampled on the host (GeNN's synapse
        code cannot run at Brian's 'start' or 'end' slot), so a network with
        such monitors is stepped one GeNN step at a time, pulling the
        recorded synaptic variables after each: only these networks pay that
        per-step cost.
        """
        if n_steps == 0:
            return time.perf_counter(), first_step
        report_callback = report
        started = time.perf_counter()
        if report_callback:
            report_callback(0 * second, 0.0, t_start, duration)
        run = (first_step, first_step + n_steps)
        substeps = description.substeps
        # GeNN steps: with one per Brian step, a run's first step is a start
        # step and a finishing step follows its last (see `runtime.Phase`)
        genn_first = first_step * substeps
        genn_stop = run[1] * substeps + (1 if substeps == 1 else 0)
        regular_stop = genn_stop - 1 if substeps == 1 else genn_stop
        self._recorder.assembler = SampleAssembler(description.synaptic_recordings)
        sampler = (SynapticSampler(simulation, description, run, self._host_value,
                                   self._recorder.assembler)
                   if any(rec.variables or not rec.neuron_variables
                          for rec in description.synaptic_recordings) else None)
        if sampler and substeps > 1:
            # Brian's 'start' of the first step: before the run's first GeNN step
            sampler.after_step(genn_first - 1)
        # chunks whose recordings are moved while the next chunk runs
        overlap = (sampler is None and simulation.recordings_survive_steps
                   and records_spikes_only(description))
        Network._globally_running = True
        try:
            return self._windows(simulation, description, sampler, overlap, run, genn_first,
                                 genn_stop, regular_stop, report_callback, report_period,
                                 started, t_start, duration, net)
        finally:
            Network._globally_running = False

    def _windows(self, simulation, description, sampler, overlap, run, step, genn_stop,
                 regular_stop, report_callback, report_period, started, t_start, duration,
                 net) -> tuple[float, int]:
        """The loop of `_simulate` over the windows of the recording buffers."""
        substeps = description.substeps
        genn_first = window_start = step
        n_steps = run[1] - run[0]
        next_report = started + report_period
        pending = None
        while window_start < genn_stop:
            window_end = min(window_start + simulation.recording_steps, genn_stop)
            self._recorder.start_window(simulation, description, window_start, run)
            if step == genn_first and substeps == 1:
                self._start_step(simulation)
                if sampler:
                    sampler.after_step(step)
                step += 1
            while step < min(window_end, regular_stop):
                block = min(min(window_end, regular_stop) - step, 200)
                _advance(simulation, sampler, step, block)
                step += block
                if (net._stopped or Network._globally_stopped) and step < regular_stop:
                    # blocks end on Brian's steps (200 is a multiple of substeps)
                    regular_stop = step
                    genn_stop = window_end = step + (1 if substeps == 1 else 0)
                    run = (run[0], step // substeps)
                    if sampler:
                        sampler.run = run
                if report_callback and time.perf_counter() > next_report:
                    elapsed = time.perf_counter() - started
                    report_callback(elapsed * second,
                                    (step - genn_first) / (genn_stop - genn_first),
                                    t_start, duration)
                    next_report = time.perf_counter() + report_period
            if window_end > regular_stop:
                simulation.set_phase(Phase.COMPLETE)
                _advance(simulation, sampler, regular_stop, 1)
                simulation.set_phase(Phase.FULL)
                simulation.finished = True
                step += 1
            if pending:
                self._recorder.collect(simulation, description, *pending, run)
            simulation.wait()
            loop_end = time.perf_counter()
            if overlap:
                pending = (window_start, window_end)
            else:
                self._recorder.collect(simulation, description, window_start, window_end,
                                       run)
                if sampler:
                    sampler.collect()
                self._recorder.assembler.flush()
            window_start = window_end
        if pending:
            self._recorder.collect(simulation, description, *pending, run)
        if report_callback:
            report_callback((time.perf_counter() - started) * second,
                            (run[1] - run[0]) / n_steps, t_start, duration)
        return loop_end, run[1]

    @staticmethod
    def _start_step(simulation) -> None:
        """A run's first step: Brian's step before it is complete (done by the
        previous run's finishing step, or never existed)."""
        if simulation.finished:
            # the finishing step did this step's spike propagation
            simulation.rewind_queues()
            simulation.set_skip_spikes(True)
            simulation.clear_events()
        simulation.set_phase(Phase.START)
        simulation.step(1)
        simulation.set_phase(Phase.FULL)
        if simulation.finished:
            simulation.set_skip_spikes(False)


def _advance(simulation, sampler: SynapticSampler | None, step: int, n: int) -> None:
    """Run GeNN steps ``[step, step + n)``; one at a time with a ``sampler``,
    which samples after each."""
    if sampler is None:
        simulation.step(n)
        return
    for genn_step in range(step, step + n):
        simulation.step(1)
        sampler.after_step(genn_step)


def set_clocks(net, step: int, dt: float) -> None:
    """Brian's clocks (and the network's ``t``) at Brian's ``step`` of the
    simulation clock (of time step ``dt``), as Brian's loop leaves them:
    each at its first tick not before that time."""
    time_reached = step * dt
    for clock in net._clocks:
        timestep = int(clock._calc_timestep(time_reached))
        clock.variables["timestep"].set_value(timestep)
        clock.variables["t"].set_value(timestep * clock.dt_)
    net.t_ = time_reached


def _part_report(report_callback, first_step: int, n_steps: int, started: float):
    """The report callback of the part of a run (see `RunLoop._run_parts`)
    that simulates Brian's steps ``[part_first, part_first + part_steps)``,
    ``part_report(part_first, part_steps)``: it reports the progress of the
    whole run of ``n_steps`` from ``first_step`` (and not each part's
    beginning and end)."""
    if report_callback is None:
        return lambda part_first, part_steps: None

    def part_report(part_first: int, part_steps: int):
        def report(elapsed, completed, t_start, duration):
            if 0.0 < completed < 1.0:
                done = part_first - first_step + completed * part_steps
                report_callback((time.perf_counter() - started) * second, done / n_steps,
                                t_start, duration)
        return report

    return part_report
