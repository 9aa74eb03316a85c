"""Brian's spike queues under the GeNN device, for `Network.store` and
`Network.restore`.

GeNN keeps the spikes in flight in its own queues (delay slots of the
source populations, dendritic delay buffers), which Python cannot read or
write. Brian stores a pathway's spike queue with the network's state; under
the GeNN device that state also records where GeNN's queues were (see
`GeNNDevice.queue_position`), so that a restore can tell whether GeNN's
queues still match: untouched since the store, empty (the model is loaded
again), or not restorable (`NotImplementedError` at the next run).
"""

from __future__ import annotations

from typing import Any

__all__ = ["TrackedSpikeQueue"]


class TrackedSpikeQueue:
    """Brian's spike queue of one pathway, with GeNN's queue position in its
    stored state.

    Parameters
    ----------
    queue
        The queue Brian's runtime device makes (`RuntimeDevice.spike_queue`);
        every attribute but the state goes to it.
    device
        The GeNN device, which tracks its model's queues.
    """

    def __init__(self, queue, device):
        self._queue = queue
        self._device = device

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)

    def _full_state(self) -> dict:
        return {"brian": self._queue._full_state(), "genn": self._device.queue_position()}

    def _restore_from_full_state(self, state: dict | None) -> None:
        # None: stored before the queue existed, i.e. with nothing in flight
        self._queue._restore_from_full_state(None if state is None else state["brian"])
        self._device.restore_queues(None if state is None else state["genn"])
