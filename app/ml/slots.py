"""Model slots: at most a fixed number of model calls run at once; the others wait their turn.

Each forward pass already spreads over every core (torch's intra-op threads), so on a small machine
concurrent requests that all ran the model at once would only share the cores out and thrash them.
The HTTP handling, database reads and writes of those requests still run concurrently.
"""

from __future__ import annotations

import threading
from types import TracebackType


class ModelSlots:
    """A bounded semaphore used as ``with slots: model(...)``."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("at least one model slot is needed")
        self.slots = slots
        self._semaphore = threading.BoundedSemaphore(slots)

    def __enter__(self) -> None:
        self._semaphore.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._semaphore.release()
