"""Schema migrations with Alembic: applied at start-up (by every instance, safely) and by `make migrate`."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect, text

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The revision whose schema `SQLModel.metadata.create_all` produced before migrations existed.
BASELINE_REVISION = "0001"
# Key of the PostgreSQL advisory lock that serialises instances migrating at the same time.
_ADVISORY_LOCK_KEY = 7_346_112_090


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision; several instances starting at once migrate one by one."""
    with _migration_lock(engine) as connection:
        tables = set(inspect(connection).get_table_names())
        if "documents" in tables and "alembic_version" not in tables:
            logger.info("database created before migrations: marking it as revision %s", BASELINE_REVISION)
            command.stamp(alembic_config(connection), BASELINE_REVISION)
            connection.commit()
        with foreign_keys_off(connection):
            command.upgrade(alembic_config(connection), "head")


@contextmanager
def foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Run migrations with SQLite's foreign keys off, then check them and commit.

    SQLite alters a table by copying it and dropping the original; with foreign keys on, that drop
    would cascade to the rows that refer to it (the sentences of every document). The pragma has no
    effect inside a transaction, so this needs a connection with none open. Other databases: a commit.
    """
    if connection.dialect.name != "sqlite":
        yield
        connection.commit()
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("SQLite foreign keys cannot be turned off inside a transaction; migrate on a new connection")
    try:
        yield
        orphans = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if orphans:
            raise RuntimeError(f"migration left rows whose parent is gone (table, rowid, parent): {orphans[:5]}")
        connection.commit()
    finally:
        connection.rollback()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection holding a lock that other instances migrating the same database wait for."""
    backend = engine.url.get_backend_name()
    database = engine.url.database
    with engine.connect() as connection:
        if backend == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_LOCK_KEY})
                connection.commit()
        elif backend == "sqlite" and database not in (None, "", ":memory:"):
            with open(f"{database}.migrate-lock", "a") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                try:
                    yield connection
                finally:
                    fcntl.flock(lock_file, fcntl.LOCK_UN)
        else:
            yield connection
