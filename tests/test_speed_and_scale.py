"""Speed and scale: the vector index (exact below its threshold, IVF-SQ8 above, with the same answers
where it matters), the stored window embeddings that spare retrieval from embedding anything but the
claim, and the model slots that make concurrent requests take turns for the CPU."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from sqlalchemy import update
from sqlmodel import Session

from app.db import repository
from app.db.engine import make_engine
from app.db.tables import Sentence
from app.pipeline.index import VectorIndex
from tests.conftest import CountingEmbedder

DIMENSION = 32
DOCUMENTS, PER_DOCUMENT = 60, 20


def unit_rows(rng: np.random.Generator, rows: int) -> np.ndarray:
    vectors = rng.standard_normal((rows, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def filled(ann_threshold: int, probes: int = 1_000) -> tuple[VectorIndex, np.ndarray]:
    """An index of DOCUMENTS x PER_DOCUMENT random unit vectors, document ids from 1."""
    vectors = unit_rows(np.random.default_rng(3), DOCUMENTS * PER_DOCUMENT)
    index = VectorIndex(DIMENSION, ann_threshold=ann_threshold, probes=probes)
    for number in range(DOCUMENTS):
        rows = slice(number * PER_DOCUMENT, (number + 1) * PER_DOCUMENT)
        index.add([number + 1] * PER_DOCUMENT, range(PER_DOCUMENT), vectors[rows])
    return index, vectors


def keys(hits: list[Any]) -> list[tuple[int, int]]:
    return [(hit.document_id, hit.sentence_index) for hit in hits]


def near(vectors: np.ndarray, rows: list[int]) -> np.ndarray:
    """Queries a little off the given stored rows."""
    noisy = vectors[rows] + 0.05 * unit_rows(np.random.default_rng(9), len(rows))
    return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def test_the_index_switches_to_ivf_past_its_threshold_and_finds_what_exact_search_finds() -> None:
    exact, vectors = filled(ann_threshold=10**9)
    ivf, _ = filled(ann_threshold=500)
    assert not exact.approximate and ivf.approximate
    assert len(ivf) == len(exact) == DOCUMENTS * PER_DOCUMENT
    assert ivf.memory_bytes() < exact.memory_bytes() / 2  # 8-bit codes instead of float32

    rows = [0, 77, 455, 1_199]
    queries = near(vectors, rows)
    for query_hits, exact_hits, row in zip(ivf.search(queries, 5), exact.search(queries, 5), rows, strict=True):
        expected = (row // PER_DOCUMENT + 1, row % PER_DOCUMENT)
        assert keys(query_hits)[0] == keys(exact_hits)[0] == expected
        assert set(keys(query_hits)) == set(keys(exact_hits))  # every cluster probed: same top 5
        assert abs(query_hits[0].similarity - exact_hits[0].similarity) < 0.02  # 8-bit rounding only


def test_few_probes_scan_part_of_the_ivf_index_but_still_find_near_duplicates() -> None:
    # Sentences about 30 topics, as news is: the clusters IVF relies on exist.
    rng = np.random.default_rng(5)
    topics = unit_rows(rng, 30)
    vectors = topics[rng.integers(0, 30, 3_000)] + 0.35 * unit_rows(rng, 3_000)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(DIMENSION, ann_threshold=500, probes=2)
    index.add(np.arange(3_000) // 10 + 1, np.arange(3_000) % 10, vectors)
    assert index.approximate
    rows = list(range(0, 3_000, 37))
    found = [keys(hits)[0] for hits in index.search(near(vectors, rows), 1)]
    assert found == [(row // 10 + 1, row % 10) for row in rows]


def test_ivf_removal_and_document_scope_behave_as_in_exact_search() -> None:
    for threshold in (10**9, 500):
        index, vectors = filled(ann_threshold=threshold, probes=1)
        index.remove_document(5)
        assert 5 not in index.document_ids() and len(index) == (DOCUMENTS - 1) * PER_DOCUMENT
        removed_row = 4 * PER_DOCUMENT + 3  # a sentence of document 5
        [hits] = index.search(near(vectors, [removed_row]), 10)
        assert all(hit.document_id != 5 for hit in hits)
        # Within a scope every sentence of it is reachable, even one far from the probed cluster.
        [scoped] = index.search(near(vectors, [removed_row]), 3, document_ids=[40, 41])
        assert {hit.document_id for hit in scoped} <= {40, 41} and len(scoped) == 3
        [only] = index.search(near(vectors, [41 * PER_DOCUMENT + 2]), 1, document_ids=[42])
        assert keys(only) == [(42, 2)]
        assert index.search(vectors[:1], 3, document_ids=[5]) == [[]]
        # A removed document can be added again.
        index.add([5] * 2, [0, 1], vectors[:2])
        assert 5 in index.document_ids()


def test_checks_agree_when_the_corpus_is_past_the_threshold(make_client: Callable[..., Any]) -> None:
    claims = ["Germany committed 20 billion euros in military aid to Ukraine", "Japan will send tanks to Ukraine"]
    with make_client() as client:
        exact = [client.post("/check", json={"claim": claim}).json() for claim in claims]
    # Restarted with a threshold below the seed article's 15 sentences: start-up trains an IVF index. Every
    # cluster is probed, so it must find what exact search finds (fewer probes may miss a candidate, and the
    # verdict engine reads them all: windows and the combined premise).
    with make_client(ann_threshold=10, ann_probes=64) as client:
        approximate = [client.post("/check", json={"claim": claim}).json() for claim in claims]
        assert client.get("/ready").json()["sentences"] == 15
    for before, after in zip(exact, approximate, strict=True):
        assert after["verdict"] == before["verdict"]
        assert after["evidence"][0]["sentence_index"] == before["evidence"][0]["sentence_index"]
        assert after["evidence"][0]["similarity"] == before["evidence"][0]["similarity"]  # exact cosine


def test_stored_vectors_of_thousands_of_documents_are_read_in_one_call(
    client: Any, seed_document: dict[str, Any], database_url: str
) -> None:
    # Re-ranking a batch of claims on a large corpus looks up rows of thousands of documents at once,
    # more OR terms than SQLite parses in one query (its expression tree is at most 1,000 deep).
    seed = [(seed_document["id"], i) for i in range(len(seed_document["sentences"]))]
    absent = [(document_id, 3) for document_id in range(100_000, 101_500)]
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = repository.embeddings_of(session, absent + seed)
    engine.dispose()
    assert set(found) == set(seed)
    assert all(len(embedding) == 384 * 4 for embedding in found.values())


def test_a_check_embeds_only_the_claim_because_windows_are_embedded_at_ingestion(
    make_client: Callable[..., Any], counting_embedder: CountingEmbedder
) -> None:
    claim = "Germany committed 20 billion euros in military aid to Ukraine"
    with make_client(embedder_override=counting_embedder) as client:
        counting_embedder.texts.clear()
        body = client.post("/check", json={"claim": claim}).json()
    assert counting_embedder.texts == [claim]
    assert any(len(item["sentence_indices"]) == 2 for item in body["evidence"])  # windows were compared


def test_rows_stored_without_window_embeddings_are_embedded_on_demand_with_the_same_result(
    make_client: Callable[..., Any], counting_embedder: CountingEmbedder, database_url: str
) -> None:
    claim = "Poland and Romania are expected to join the framework"
    with make_client(embedder_override=counting_embedder) as client:
        stored = client.post("/check", json={"claim": claim, "top_k": 5}).json()
    engine = make_engine(database_url)
    with Session(engine) as session:  # as a database from before schema revision 0002 has them
        session.exec(update(Sentence).values(window_embedding=None))  # type: ignore[call-overload]
        session.commit()
    engine.dispose()
    with make_client(embedder_override=counting_embedder) as client:
        counting_embedder.texts.clear()
        on_demand = client.post("/check", json={"claim": claim, "top_k": 5}).json()
    assert len(counting_embedder.texts) > 1  # the claim and its windows
    assert on_demand["verdict"] == stored["verdict"]
    similarity = {tuple(e["sentence_indices"]): e["similarity"] for e in stored["evidence"]}
    for evidence in on_demand["evidence"]:
        assert abs(evidence["similarity"] - similarity[tuple(evidence["sentence_indices"])]) < 1e-3


class OverlapEmbedder(CountingEmbedder):
    """The real embedder, slowed down, recording how many calls ever ran at the same time."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self._lock = threading.Lock()
        self.running = self.most_at_once = 0

    def encode(self, texts: Sequence[str]) -> Any:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(0.05)
            return super().encode(texts)
        finally:
            with self._lock:
                self.running -= 1


@pytest.mark.parametrize("slots", [1, 2])
def test_concurrent_checks_take_turns_for_the_model(make_client: Callable[..., Any], embedder: Any, slots: int) -> None:
    overlap = OverlapEmbedder(embedder)
    claims = [f"Germany committed {n} billion euros in military aid to Ukraine" for n in range(6)]
    with make_client(embedder_override=overlap, model_slots=slots) as client:
        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(lambda claim: client.post("/check", json={"claim": claim}).status_code, claims))
    assert statuses == [200] * 6
    assert overlap.most_at_once == slots
