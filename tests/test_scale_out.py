"""Several instances on one database: documents added or deleted through one are used by the others."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from app.db import repository
from app.pipeline.index import VectorIndex
from app.pipeline.index_sync import IndexSync

SYNC_SECONDS = 0.5
ARTICLE = {
    "title": "Harbour strike",
    "text": "Dock workers in Rotterdam ended a nine-day strike on Friday. They accepted a 6 percent pay rise.",
}
CLAIM = "Rotterdam dock workers accepted a 6 percent pay rise"


def _wait_for(condition: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``condition`` held; fails after ``timeout``."""
    started = time.perf_counter()
    while not condition():
        assert time.perf_counter() - started < timeout, "not synchronised in time"
        time.sleep(0.05)
    return time.perf_counter() - started


def _cited_documents(client: TestClient) -> set[int]:
    evidence = client.post("/check", json={"claim": CLAIM, "top_k": 3}).json()["evidence"]
    return {passage["document_id"] for passage in evidence}


def test_a_document_added_on_one_instance_is_used_by_the_other(make_client: Callable[..., Any]) -> None:
    with make_client(index_sync_seconds=SYNC_SECONDS) as first, make_client(index_sync_seconds=SYNC_SECONDS) as second:
        created = first.post("/documents", json=ARTICLE).json()
        delay = _wait_for(lambda: created["id"] in _cited_documents(second), timeout=SYNC_SECONDS * 4 + 5)
        assert delay <= SYNC_SECONDS * 4 + 5
        assert second.get("/ready").json()["documents"] == 2
        assert second.get("/ready").json()["sentences"] == first.get("/ready").json()["sentences"]

        assert second.delete(f"/documents/{created['id']}").status_code == 204
        _wait_for(lambda: first.get("/ready").json()["documents"] == 1, timeout=SYNC_SECONDS * 4 + 5)
        assert created["id"] not in _cited_documents(first)


def test_the_same_text_posted_to_two_instances_at_once_is_stored_once(make_client: Callable[..., Any]) -> None:
    with make_client(index_sync_seconds=SYNC_SECONDS) as first, make_client(index_sync_seconds=SYNC_SECONDS) as second:
        articles = [
            {"title": f"Article {i}", "text": f"Story number {i} happened on day {i}. It was notable."}
            for i in range(6)
        ]
        results: list[tuple[int, int]] = []
        lock = threading.Lock()

        def post(client: TestClient, article: dict[str, str]) -> None:
            response = client.post("/documents", json=article)
            with lock:
                results.append((response.status_code, response.json()["id"]))

        threads = [
            threading.Thread(target=post, args=(client, article))
            for article in articles
            for client in (first, second, first, second)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(status for status, _ in results).count(201) == len(articles)
        assert {status for status, _ in results} <= {200, 201}
        assert len({document_id for _, document_id in results}) == len(articles)
        assert first.get("/documents").json()["total"] == 1 + len(articles)
        expected_sentences = 15 + 2 * len(articles)
        for client in (first, second):
            _wait_for(lambda c=client: c.get("/ready").json()["sentences"] == expected_sentences, timeout=10)
        # No document is indexed twice: every sentence of the corpus appears once in each index.
        time.sleep(SYNC_SECONDS * 2)
        assert first.get("/ready").json()["sentences"] == second.get("/ready").json()["sentences"] == expected_sentences


def test_the_index_holds_a_document_once_whether_ingestion_or_sync_adds_it_first() -> None:
    index = VectorIndex(3)
    vectors = np.eye(3, dtype=np.float32)[:2]
    index.add([7, 7], [0, 1], vectors)
    index.add([7, 7, 8], [0, 1, 0], np.eye(3, dtype=np.float32))  # 7 again (ignored) and a new 8
    assert len(index) == 3
    assert index.document_ids() == {7, 8}
    index.remove_document(7)
    assert index.document_ids() == {8}
    index.add([7, 7], [0, 1], vectors)
    assert len(index) == 3
    [hits] = index.search(np.eye(3, dtype=np.float32)[:1], k=5)
    assert sorted((hit.document_id, hit.sentence_index) for hit in hits) == [(7, 0), (7, 1), (8, 0)]


def test_a_document_ingested_while_a_sync_reads_the_database_stays_indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    index = VectorIndex(3)
    index.add([7], [0], np.eye(3, dtype=np.float32)[:1])
    stored = {7}

    def read_before_the_commit_of_8(_session: object) -> set[int]:
        if 8 not in index.document_ids():
            index.add([8], [0], np.eye(3, dtype=np.float32)[1:2])  # ingestion stores and indexes 8 meanwhile
        return set(stored)

    monkeypatch.setattr(repository, "all_document_ids", read_before_the_commit_of_8)
    sync = IndexSync(create_engine("sqlite://"), index, interval_seconds=0)
    assert sync.run_once().removed == 0
    assert index.document_ids() == {7, 8}
    # Once the index held 8 before a read that does not have it, 8 was deleted: the next round drops it.
    assert sync.run_once().removed == 1
    assert index.document_ids() == {7}
