"""Retrieval at corpus scale: synthetic corpora of 10k to 1M sentences in a scratch SQLite database.

Sentences are real BBC news sentences (../shared/nli-data/bbc_news), split by the service's own
splitter and embedded once with the service's embedder (cached under build/bench/). Larger corpora
repeat them with a little Gaussian noise on each vector (cosine to the original about 0.98), so every
row is distinct while the texts and the geometry stay news-like. Documents have 20 sentences each. A
window vector (previous sentence + this one) is stored as the normalised mean of the two sentence
vectors: a stand-in that costs nothing to make, which is all a speed measurement needs.

Each size is measured in a fresh process (`--worker`) with the service's index settings: the time to
fill the index from the database, the resident memory that adds (and the bytes the index itself
holds), per-claim latency of the index search and of the whole candidate retrieval (database reads
and, above the exact-search threshold, the exact re-ranking included), and the recall@5 of retrieval
against exact float32 search over every stored vector (1.0 by construction below the threshold;
above it, also for other IVF probe counts). Because larger corpora are noisy copies of 20k sentences,
a second figure counts a copy of the same sentence as found (`sentence_recall_at_5`). Recall is
measured for the seed-article claims (whose closest rows, past the seed article's own sentences, are
weak and nearly tied) and for claims the BBC corpus covers (`corpus_claims_`: the first two thirds of
corpus sentences).

Recall against exact search does not say whether the sentence that decides a claim is found. So the
last documents of every corpus are real articles, embedded for real: the seed article and the
held-out BBC articles of the dev claims (tests/data/dev_claims.jsonl). `dev_evidence_recall_at_5` is
the share of the deciding sentences of the dev claims that retrieval returns (the figure the default
probe count is chosen on), `seed_evidence_recall_at_5` the same for the seed claims (reported only),
each beside the same share for exact search (`_exact`).
Then the service is started on that database and timed until /ready.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, insert

from app.db.engine import make_engine
from app.db.migrate import upgrade_to_head
from app.db.tables import Document, Sentence
from app.ml.embedder import Embedder
from app.pipeline.sentences import SentenceSpan, split_sentences, window_texts

import evaluation
import nli_data
from service_process import Service

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench"
SENTENCES_PER_DOCUMENT = 20
BASE_SENTENCES = 20_000
NOISE = 0.01
# Bump when the way corpora are generated changes, so cached databases are rebuilt.
GENERATOR_VERSION = 5
# IVF cluster counts scanned per claim, measured beside the configured one when the index is approximate.
PROBE_SWEEP = (8, 16, 32, 64, 128, 256, 512)


def resident_mb() -> float:
    """Resident memory of this process in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def base_corpus(shared: Path, embedder: Embedder, count: int) -> tuple[list[str], np.ndarray]:
    """The first ``count`` BBC sentences, the dev claims' articles left out, and their embeddings (cached)."""
    texts_path, vectors_path = WORK / f"base-sentences-{count}-v2.json", WORK / f"base-vectors-{count}-v2.npy"
    if texts_path.is_file() and vectors_path.is_file():
        return json.loads(texts_path.read_text()), np.load(vectors_path)
    # Those articles are added once, for real (see real_documents): copies of them would stand in for them.
    dev_articles = {json.loads(line)["article"] for line in evaluation.DEV_CLAIMS.read_text().splitlines()}
    texts: list[str] = []
    for row in nli_data.read_jsonl(shared / "nli-data" / "bbc_news" / "articles.jsonl"):
        if row["id"] in dev_articles:
            continue
        texts.extend(span.text for span in split_sentences(row["text"]))
        if len(texts) >= count:
            break
    texts = texts[:count]
    print(f"embedding {len(texts)} BBC sentences once (cached in {WORK})", flush=True)
    vectors = embedder.encode(texts)
    WORK.mkdir(parents=True, exist_ok=True)
    texts_path.write_text(json.dumps(texts))
    np.save(vectors_path, vectors)
    return texts, vectors


@dataclass(frozen=True)
class RealDocument:
    """An article with the embeddings the service would store for it."""

    title: str
    text: str
    spans: list[SentenceSpan]
    vectors: np.ndarray
    window_vectors: np.ndarray

    @classmethod
    def embed(cls, title: str, text: str, embedder: Embedder) -> RealDocument:
        spans = split_sentences(text)
        encoded = embedder.encode([span.text for span in spans] + window_texts(text, spans))
        return cls(title, text, spans, encoded[: len(spans)], encoded[len(spans) :])


# A claim, the position of its article among the real documents, and the sentences that decide it.
Evidence = tuple[str, int, list[int]]


def real_documents(shared: Path, embedder: Embedder) -> tuple[list[RealDocument], dict[str, list[Evidence]]]:
    """The seed article and the dev claims' BBC articles, with the claims each set holds evidence for."""
    documents = [RealDocument.embed(*evaluation.seed_article(), embedder)]
    seed_rows = [json.loads(line) for line in evaluation.SEED_CLAIMS.read_text(encoding="utf-8").splitlines()]
    evidence: dict[str, list[Evidence]] = {"seed": [(r["claim"], 0, r["evidence"]) for r in seed_rows if r["evidence"]]}
    articles = {row["id"]: row for row in nli_data.read_jsonl(shared / "nli-data" / "bbc_news" / "articles.jsonl")}
    dev_rows = [json.loads(line) for line in evaluation.DEV_CLAIMS.read_text(encoding="utf-8").splitlines()]
    positions: dict[str, int] = {}
    for row in dev_rows:
        if row["article"] not in positions:
            article = articles[row["article"]]
            positions[row["article"]] = len(documents)
            documents.append(RealDocument.embed(article["title"], article["text"], embedder))
    evidence["dev"] = [(r["claim"], positions[r["article"]], r["evidence"]) for r in dev_rows if r["evidence"]]
    return documents, evidence


def build_database(
    size: int, texts: list[str], vectors: np.ndarray, real: list[RealDocument], folder: Path = WORK
) -> Path:
    """A SQLite database in ``folder``: ``size`` sentences, then the ``real`` documents (reused when built)."""
    path = folder / f"corpus-{size}-{len(texts)}-v{GENERATOR_VERSION}.db"
    if path.is_file():
        return path
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    upgrade_to_head(engine)
    rng = np.random.default_rng(size)
    started = time.perf_counter()
    chunk_documents = 2_500
    documents = size // SENTENCES_PER_DOCUMENT
    with engine.begin() as connection:
        for first in range(0, documents, chunk_documents):
            document_rows: list[dict[str, Any]] = []
            sentence_rows: list[dict[str, Any]] = []
            for number in range(first, min(first + chunk_documents, documents)):
                rows = [(number * SENTENCES_PER_DOCUMENT + i) % len(texts) for i in range(SENTENCES_PER_DOCUMENT)]
                offsets, start = [], 0
                for row in rows:
                    offsets.append((start, start + len(texts[row])))
                    start += len(texts[row]) + 1
                text = " ".join(texts[row] for row in rows)
                noisy = vectors[rows] + rng.normal(0, NOISE, (len(rows), vectors.shape[1])).astype(np.float32)
                noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
                windows = noisy[1:] + noisy[:-1]
                windows /= np.linalg.norm(windows, axis=1, keepdims=True)
                document_rows.append(
                    {
                        "id": number + 1,
                        "title": f"Synthetic document {number + 1}",
                        "text": text,
                        "content_hash": hashlib.sha256(f"{number}:{text}".encode()).hexdigest(),
                        "sentence_count": len(rows),
                    }
                )
                sentence_rows.extend(
                    {
                        "document_id": number + 1,
                        "index": i,
                        "start": begin,
                        "end": end,
                        "text": texts[row],
                        "embedding": noisy[i].astype("<f4").tobytes(),
                        "window_embedding": windows[i - 1].astype("<f4").tobytes() if i else None,
                    }
                    for i, (row, (begin, end)) in enumerate(zip(rows, offsets, strict=True))
                )
            connection.execute(insert(Document), document_rows)
            connection.execute(insert(Sentence), sentence_rows)
            done = min(first + chunk_documents, documents) * SENTENCES_PER_DOCUMENT
            print(f"\r  building {size:,}-sentence corpus: {done:,} rows ({time.perf_counter() - started:.0f} s)",
                  end="", flush=True)  # fmt: skip
        for offset, document in enumerate(real):
            document_id = documents + 1 + offset
            digest = hashlib.sha256(document.text.encode()).hexdigest()
            connection.execute(
                insert(Document),
                [{"id": document_id, "title": document.title, "text": document.text, "content_hash": digest,
                  "sentence_count": len(document.spans)}],
            )  # fmt: skip
            connection.execute(
                insert(Sentence),
                [
                    {
                        "document_id": document_id,
                        "index": span.index,
                        "start": span.start,
                        "end": span.end,
                        "text": span.text,
                        "embedding": document.vectors[span.index].astype("<f4").tobytes(),
                        "window_embedding": (
                            document.window_vectors[span.index - 1].astype("<f4").tobytes() if span.index else None
                        ),
                    }
                    for span in document.spans
                ],
            )
    print(flush=True)
    engine.dispose()
    partial.rename(path)
    return path


def exact_top(engine: Engine, claim_vectors: np.ndarray, k: int) -> list[set[tuple[int, int]]]:
    """Exact top-``k`` keys per claim over every stored float32 vector (the recall reference)."""
    from sqlmodel import Session

    from app.db import repository
    from app.pipeline.corpus import stored_vectors

    best: list[list[tuple[float, tuple[int, int]]]] = [[] for _ in claim_vectors]
    with Session(engine) as session:
        for documents, sentences, embeddings in repository.iter_embedding_chunks(session, 50_000):
            scores = claim_vectors @ stored_vectors(embeddings, claim_vectors.shape[1]).T
            for row, claim_scores in enumerate(scores):
                top = np.argpartition(-claim_scores, k - 1)[:k]
                pool = best[row] + [(float(claim_scores[i]), (documents[i], sentences[i])) for i in top]
                best[row] = sorted(pool, reverse=True)[:k]
    return [{key for _, key in rows} for rows in best]


def worker(
    database: Path,
    claims: list[str],
    corpus_claims: list[str],
    evidence: dict[str, list[Evidence]],
    first_real_id: int,
    rounds: int,
    base_texts: int,
) -> dict[str, float]:
    """Run in a fresh process: fill the index from ``database`` and time retrieval for ``claims``."""
    from sqlmodel import Session

    from app.core.config import Settings
    from app.pipeline.corpus import Corpus
    from app.pipeline.index import VectorIndex
    from app.pipeline.retrieval import Retriever
    from app.pipeline.verdicts import PassageKind

    settings = Settings()
    embedder = Embedder()
    claim_vectors = embedder.encode(claims)
    engine = make_engine(f"sqlite:///{database}")
    gc.collect()
    before = resident_mb()
    index = VectorIndex(embedder.dimension, settings.ann_threshold, settings.ann_probes)
    corpus = Corpus(engine, embedder, index)
    started = time.perf_counter()
    loaded = corpus.load_index()
    load_seconds = time.perf_counter() - started
    gc.collect()
    index_mb = resident_mb() - before
    retriever = Retriever(embedder, index)
    search_ms, candidates_ms = [], []
    with Session(engine) as session:
        retriever.candidates(session, claim_vectors[:1], 5)  # warm-up
        for n in range(rounds):
            vector = claim_vectors[n % len(claims)][None, :]
            began = time.perf_counter()
            index.search(vector, 5)
            search_ms.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            retriever.candidates(session, vector, 5)
            candidates_ms.append((time.perf_counter() - began) * 1000)
    results = {
        "sentences": loaded,
        "approximate_index": int(index.approximate),
        "index_load_s": round(load_seconds, 2),
        "index_memory_mb": round(index_mb, 1),
        "index_bytes_mb": round(index.memory_bytes() / 2**20, 1),
        "search_p50_ms": round(statistics.median(search_ms), 2),
        "candidates_p50_ms": round(statistics.median(candidates_ms), 2),
    }
    query_sets = {"": claim_vectors, "corpus_claims_": embedder.encode(corpus_claims)}
    references = {name: exact_top(engine, vectors, 5) for name, vectors in query_sets.items()}
    # The real articles are the corpus's last documents; their deciding sentences are what verdicts need.
    deciding = {
        name: [{(first_real_id + offset, i) for i in indices} for _, offset, indices in rows]
        for name, rows in evidence.items()
    }
    evidence_vectors = {name: embedder.encode([claim for claim, _, _ in rows]) for name, rows in evidence.items()}
    for name, vectors in evidence_vectors.items():
        exact = exact_top(engine, vectors, 5)
        results[f"{name}_evidence_recall_at_5_exact"] = round(recall(exact, deciding[name]), 3)
    for probes in PROBE_SWEEP if index.approximate else (index.probes,):
        index.probes = probes
        suffix = "" if probes == settings.ann_probes else f"_probes{probes}"
        for name, vectors in query_sets.items():
            began = time.perf_counter()
            with Session(engine) as session:
                found = [
                    {(p.document_id, p.sentence_index) for p in passages if p.kind is PassageKind.SENTENCE}
                    for passages in (retriever.candidates(session, vector[None, :], 5)[0] for vector in vectors)
                ]
            if suffix and not name:
                results[f"candidates_mean_ms{suffix}"] = round((time.perf_counter() - began) * 1000 / len(vectors), 2)
            results[f"{name}recall_at_5{suffix}"] = round(recall(found, references[name]), 3)
            results[f"{name}sentence_recall_at_5{suffix}"] = round(recall(found, references[name], base_texts), 3)
        for name, vectors in evidence_vectors.items():
            with Session(engine) as session:
                found = [
                    {(p.document_id, p.sentence_index) for p in passages if p.kind is PassageKind.SENTENCE}
                    for passages in retriever.candidates(session, vectors, 5)
                ]
            results[f"{name}_evidence_recall_at_5{suffix}"] = round(recall(found, deciding[name]), 3)
    index.probes = settings.ann_probes
    return results


def recall(
    found: list[set[tuple[int, int]]], reference: list[set[tuple[int, int]]], base_texts: int | None = None
) -> float:
    """Share of the exact top 5 found. With ``base_texts``, a row counts as its base sentence: any noisy
    copy of the same sentence (same text, cosine about 0.98 to it) stands for another."""

    def base(keys: set[tuple[int, int]]) -> set[int]:
        assert base_texts is not None
        return {((document - 1) * SENTENCES_PER_DOCUMENT + index) % base_texts for document, index in keys}

    if base_texts is None:
        return statistics.mean(len(f & r) / len(r) for f, r in zip(found, reference, strict=True))
    return statistics.mean(len(base(f) & base(r)) / len(base(r)) for f, r in zip(found, reference, strict=True))


def claims_about(texts: list[str], count: int) -> list[str]:
    """Claims the corpus covers: the first two thirds of ``count`` of its sentences, spread evenly."""
    claims = []
    for text in texts[:: max(1, len(texts) // count)][:count]:
        words = text.split()
        claims.append(" ".join(words[: max(6, 2 * len(words) // 3)]))
    return claims


def measure(sizes: list[int], claims: list[str], rounds: int, shared: Path) -> dict[str, dict[str, float]]:
    """Build (or reuse) each corpus and measure it in its own process."""
    embedder = Embedder()
    texts, vectors = base_corpus(shared, embedder, min(BASE_SENTENCES, max(sizes)))
    real, evidence = real_documents(shared, embedder)
    results = {}
    for size in sizes:
        database = build_database(size, texts, vectors, real)
        command = [sys.executable, __file__, "--worker", str(database), "--rounds", str(rounds), "--claims",
                   json.dumps(claims), "--corpus-claims", json.dumps(claims_about(texts[:size], len(claims))),
                   "--evidence", json.dumps(evidence), "--first-real-id", str(size // SENTENCES_PER_DOCUMENT + 1),
                   "--base-texts", str(len(texts))]  # fmt: skip
        output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
        results[str(size)] = json.loads(output.strip().splitlines()[-1])
        service = Service(f"sqlite:///{database}", seeds_dir="")
        results[str(size)]["service_startup_s"] = round(service.wait_ready(600), 2)
        service.terminate()
        print(f"  {size:,} sentences: {results[str(size)]}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", type=Path, help="measure this database (internal)")
    parser.add_argument("--claims", default="[]")
    parser.add_argument("--corpus-claims", default="[]", help="claims the corpus covers (internal)")
    parser.add_argument("--evidence", default="{}", help="claims with their deciding sentences (internal)")
    parser.add_argument("--first-real-id", type=int, default=0, help="id of the first real article (internal)")
    parser.add_argument("--base-texts", type=int, default=BASE_SENTENCES, help="distinct sentences (internal)")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--shared", default=None)
    args = parser.parse_args()
    if args.worker:
        claims, corpus_claims = json.loads(args.claims), json.loads(args.corpus_claims)
        evidence = {name: [(c, o, i) for c, o, i in rows] for name, rows in json.loads(args.evidence).items()}
        results = worker(args.worker, claims, corpus_claims, evidence, args.first_real_id, args.rounds, args.base_texts)
        print(json.dumps(results))
        return
    claims = json.loads(args.claims) or ["NATO gave Ukraine a membership timetable"]
    sizes = [int(s) for s in args.sizes.split(",")]
    print(json.dumps(measure(sizes, claims, args.rounds, nli_data.shared_dir(args.shared)), indent=2))


if __name__ == "__main__":
    main()
