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
included), and recall@5 of the index against exact float32 search over every stored vector (1.0 by
construction below the exact-search threshold). Then the service is started on that database and
timed until /ready.
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
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, insert

from app.db.engine import make_engine
from app.db.migrate import upgrade_to_head
from app.db.tables import Document, Sentence
from app.ml.embedder import Embedder
from app.pipeline.sentences import split_sentences

import nli_data
from service_process import Service

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench"
SENTENCES_PER_DOCUMENT = 20
BASE_SENTENCES = 20_000
NOISE = 0.01
# Bump when the way corpora are generated changes, so cached databases are rebuilt.
GENERATOR_VERSION = 2


def resident_mb() -> float:
    """Resident memory of this process in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def base_corpus(shared: Path, embedder: Embedder, count: int) -> tuple[list[str], np.ndarray]:
    """The first ``count`` BBC sentences and their embeddings (cached)."""
    texts_path, vectors_path = WORK / f"base-sentences-{count}.json", WORK / f"base-vectors-{count}.npy"
    if texts_path.is_file() and vectors_path.is_file():
        return json.loads(texts_path.read_text()), np.load(vectors_path)
    texts: list[str] = []
    for row in nli_data.read_jsonl(shared / "nli-data" / "bbc_news" / "articles.jsonl"):
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


def build_database(size: int, texts: list[str], vectors: np.ndarray, folder: Path = WORK) -> Path:
    """A SQLite database in ``folder`` holding ``size`` sentences (reused when already built)."""
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
            document_rows, sentence_rows = [], []
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
    print(flush=True)
    engine.dispose()
    partial.rename(path)
    return path


def exact_top(engine: Engine, claim_vectors: np.ndarray, k: int) -> list[set[tuple[int, int]]]:
    """Exact top-``k`` keys per claim over every stored float32 vector (the recall reference)."""
    from sqlmodel import Session

    from app.db import repository

    best: list[list[tuple[float, tuple[int, int]]]] = [[] for _ in claim_vectors]
    with Session(engine) as session:
        for documents, sentences, embeddings in repository.iter_embedding_chunks(session, 50_000):
            scores = claim_vectors @ np.frombuffer(b"".join(embeddings), dtype="<f4").reshape(len(embeddings), -1).T
            for row, claim_scores in enumerate(scores):
                top = np.argpartition(-claim_scores, k - 1)[:k]
                pool = best[row] + [(float(claim_scores[i]), (documents[i], sentences[i])) for i in top]
                best[row] = sorted(pool, reverse=True)[:k]
    return [{key for _, key in rows} for rows in best]


def worker(database: Path, claims: list[str], rounds: int) -> dict[str, float]:
    """Run in a fresh process: fill the index from ``database`` and time retrieval for ``claims``."""
    from sqlmodel import Session

    from app.core.config import Settings
    from app.pipeline.corpus import Corpus
    from app.pipeline.index import VectorIndex
    from app.pipeline.retrieval import Retriever

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
    found = [{(h.document_id, h.sentence_index) for h in hits} for hits in index.search(claim_vectors, 5)]
    reference = exact_top(engine, claim_vectors, 5)
    recall = statistics.mean(len(f & r) / len(r) for f, r in zip(found, reference, strict=True))
    return {
        "sentences": loaded,
        "approximate_index": int(index.approximate),
        "index_load_s": round(load_seconds, 2),
        "index_memory_mb": round(index_mb, 1),
        "index_bytes_mb": round(index.memory_bytes() / 2**20, 1),
        "search_p50_ms": round(statistics.median(search_ms), 2),
        "candidates_p50_ms": round(statistics.median(candidates_ms), 2),
        "recall_at_5": round(recall, 3),
    }


def measure(sizes: list[int], claims: list[str], rounds: int, shared: Path) -> dict[str, dict[str, float]]:
    """Build (or reuse) each corpus and measure it in its own process."""
    texts, vectors = base_corpus(shared, Embedder(), min(BASE_SENTENCES, max(sizes)))
    results = {}
    for size in sizes:
        database = build_database(size, texts, vectors)
        command = [sys.executable, __file__, "--worker", str(database), "--rounds", str(rounds), "--claims",
                   json.dumps(claims)]  # fmt: skip
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
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--shared", default=None)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, json.loads(args.claims), args.rounds)))
        return
    claims = json.loads(args.claims) or ["NATO gave Ukraine a membership timetable"]
    sizes = [int(s) for s in args.sizes.split(",")]
    print(json.dumps(measure(sizes, claims, args.rounds, nli_data.shared_dir(args.shared)), indent=2))


if __name__ == "__main__":
    main()
