"""Model slots: at most a fixed number of model calls run at once; the others wait their turn.

Each forward pass already spreads over every core (torch's intra-op threads), so on a small machine
concurrent requests that all ran the model at once would only share the cores out and thrash them.
The HTTP handling, database reads and writes of those requests still run concurrently.

A request whose client has already been answered (a 504 after the inference timeout) gives up its
place: work running under ``abandonable()`` stops at its next model call instead of taking a slot
from requests that can still be answered. A model call that has started is not interrupted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType

from app.core.errors import WorkAbandoned

logger = logging.getLogger(__name__)

# Set while a request may be abandoned; worker threads see it too (they run in a copy of the context).
_abandoned: ContextVar[threading.Event | None] = ContextVar("factcheck_abandoned", default=None)
# How often a waiting call looks whether its request has been abandoned.
_POLL_SECONDS = 0.02


@contextmanager
def abandonable() -> Iterator[threading.Event]:
    """Model calls made inside this block, in this task or its worker threads, stop once the event is set."""
    event = threading.Event()
    token = _abandoned.set(event)
    try:
        yield event
    finally:
        _abandoned.reset(token)


class ModelSlots:
    """A bounded semaphore used as ``with slots: model(...)``."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("at least one model slot is needed")
        self.slots = slots
        self._semaphore = threading.BoundedSemaphore(slots)

    def __enter__(self) -> None:
        abandoned = _abandoned.get()
        if abandoned is None:
            self._semaphore.acquire()
            return
        while not self._semaphore.acquire(timeout=_POLL_SECONDS):
            if abandoned.is_set():
                self._skip()
        if abandoned.is_set():
            self._semaphore.release()
            self._skip()

    @staticmethod
    def _skip() -> None:
        logger.info("skipped the model work of a request already answered with a timeout")
        raise WorkAbandoned()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._semaphore.release()
