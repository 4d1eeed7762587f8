"""Alembic migrations on the backend under test: they build exactly the tables the code declares."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect
from sqlmodel import Session, SQLModel, select

from app.db import repository, tables
from app.db.engine import make_engine
from app.db.migrate import alembic_config, upgrade_to_head

ARTICLE = {"title": "Budget vote", "text": "Parliament approved the 2027 budget on Thursday. The vote was 301 to 212."}


def test_migrations_build_the_declared_schema_and_downgrade_cleanly(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
            assert MigrationContext.configure(connection).get_current_revision() == "0004"
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


def test_a_document_posted_after_the_newest_was_deleted_gets_a_new_id(make_client: Callable[..., Any]) -> None:
    with make_client() as client:
        newest = client.post("/documents", json=ARTICLE).json()["id"]
        assert client.delete(f"/documents/{newest}").status_code == 204
        again = client.post("/documents", json={**ARTICLE, "text": ARTICLE["text"] + " It passed."}).json()["id"]
        assert again != newest


@pytest.mark.parametrize("versioned", [True, False], ids=["at-0002", "made-before-migrations"])
def test_upgrading_keeps_every_row_and_the_cascade(database_url: str, versioned: bool) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            command.upgrade(alembic_config(connection), "0002")
            connection.commit()
        with Session(engine) as session:
            for n in (1, 2):
                document = tables.Document(title=f"Doc {n}", text="One. Two.", content_hash=str(n) * 64)
                session.add(document)
                session.flush()
                assert document.id is not None
                session.add_all(
                    tables.Sentence(document_id=document.id, index=i, start=0, end=3, text="One.", embedding=b"\0" * 8)
                    for i in range(2)
                )
            session.commit()
            # An audit record as revision 0002 stored it (the table model now has columns it lacks).
            session.connection().exec_driver_sql(
                "INSERT INTO checks (claim, verdict, confidence, scores, evidence, model_versions, latency_ms, "
                "created_at) VALUES ('Old claim', 'unknown', 0.5, '{}', '[]', '{}', 9.0, '2026-11-29 10:00:00')"
            )
            session.commit()
        if not versioned:  # start-up stamps such a database first, then upgrades it
            with engine.connect() as connection:
                connection.exec_driver_sql("DROP TABLE alembic_version")
                connection.commit()

        upgrade_to_head(engine)  # 0003 copies the documents table on SQLite

        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(tables.Sentence)).one() == 4
            [second] = session.exec(select(tables.Document).where(tables.Document.title == "Doc 2")).all()
            session.delete(second)
            session.commit()
            # foreign keys are on again after the migration: the document's sentences went with it
            assert session.exec(select(func.count()).select_from(tables.Sentence)).one() == 2
            session.add(tables.Document(title="Doc 3", text="Three.", content_hash="3" * 64))
            session.commit()
            ids = session.exec(select(tables.Document.id).order_by(tables.Document.id)).all()
        assert ids == [1, 3]  # id 2 was not handed out again
        with Session(engine) as session:
            [record] = repository.list_checks(session, 0, 10)[0]
            assert record.claim == "Old claim"
            assert (record.explanation, record.parts, record.decisive_span) == (None, None, None)
    finally:
        engine.dispose()
