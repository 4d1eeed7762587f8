"""Alembic migrations on the backend under test: they build exactly the tables the code declares."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

from app.db import tables
from app.db.engine import make_engine
from app.db.migrate import alembic_config, upgrade_to_head

ARTICLE = {"title": "Budget vote", "text": "Parliament approved the 2027 budget on Thursday. The vote was 301 to 212."}


def test_migrations_build_the_declared_schema_and_downgrade_cleanly(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
            assert MigrationContext.configure(connection).get_current_revision() == "0002"
            command.downgrade(alembic_config(connection), "base")
            connection.commit()
            assert set(inspect(connection).get_table_names()) == {"alembic_version"}
        upgrade_to_head(engine)  # and up again
        with engine.connect() as connection:
            assert {"documents", "sentences", "checks"} <= set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_instances_starting_together_migrate_once(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(3)]
    errors: list[BaseException] = []

    def migrate(engine: Any) -> None:
        try:
            upgrade_to_head(engine)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=migrate, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert errors == []


def test_a_database_made_before_migrations_is_adopted_with_its_data(
    database_url: str, make_client: Callable[..., Any]
) -> None:
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)  # what start-up did before migrations existed
    with Session(engine) as session:
        session.add(tables.Document(title="Old", text="Stored before migrations.", content_hash="0" * 64))
        session.commit()
    engine.dispose()
    with make_client() as client:
        titles = [d["title"] for d in client.get("/documents").json()["items"]]
        assert titles[0] == "Old"
        assert client.post("/documents", json=ARTICLE).status_code == 201
