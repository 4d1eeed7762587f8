"""Engine creation for SQLite (embedded default) and server databases."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

logger = logging.getLogger(__name__)


def make_engine(database_url: str) -> Engine:
    """Create an engine; SQLite gets its folder created, foreign keys on and WAL for concurrent reads."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        # pool_pre_ping: connections broken by a database restart are replaced, so the service recovers alone.
        # connect_timeout: an unreachable server fails a request in seconds (503) instead of hanging it.
        connect_args: dict[str, Any] = (
            {"options": "-c timezone=UTC", "connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
        )
        return create_engine(database_url, pool_pre_ping=True, connect_args=connect_args)
    in_memory = url.database in (None, "", ":memory:")
    if not in_memory and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(database_url, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                # Switching modes needs a moment alone with the file and does not wait for it; the
                # connection that holds the file sets WAL, and the mode persists in the file.
                logger.debug("journal mode left to the connection holding the database")
        cursor.close()

    return engine
