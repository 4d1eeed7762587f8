"""Structured logs: one JSON object per line, each carrying the id of the request it belongs to."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

# Set by the request middleware; read by every log record made while serving that request.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send every log record (the service's and uvicorn's) to stderr as JSON.

    JSON escaping keeps client text (a claim, a header) from forging log lines. uvicorn's own access
    log is switched off: the service writes one access record per request with its request id instead.
    """
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
