"""Alembic environment: migrates the connection the service hands over, or FACTCHECK_DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

from app.db import tables  # noqa: F401  (registers the tables on the metadata)

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite can only alter tables by copying them, which batch mode does.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from app.core.config import Settings
    from app.db.engine import make_engine
    from app.db.migrate import foreign_keys_off

    if config.config_file_name is not None:  # the alembic command line (make migrate): its log set-up
        fileConfig(config.config_file_name, disable_existing_loggers=False)

    engine = make_engine(Settings().database_url)
    try:
        with engine.connect() as new_connection, foreign_keys_off(new_connection):
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
