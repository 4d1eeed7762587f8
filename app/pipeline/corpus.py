"""The reference corpus: ingestion (split, embed, store atomically) and the in-memory index it feeds."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.db import repository
from app.db.tables import Document, Sentence
from app.ml.embedder import Embedder, Vectors
from app.pipeline.index import VectorIndex, training_rows
from app.pipeline.sentences import split_sentences, window_texts

logger = logging.getLogger(__name__)


def stored_vectors(embeddings: Sequence[bytes], dimension: int) -> Vectors:
    """Stored float32 little-endian embeddings as one (rows, dimension) matrix."""
    return np.frombuffer(b"".join(embeddings), dtype="<f4").reshape(len(embeddings), dimension)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IngestResult:
    document: Document
    created: bool


class Corpus:
    """Adds, removes and indexes documents; the database is the source of truth, the index a cache."""

    def __init__(self, engine: Engine, embedder: Embedder, index: VectorIndex) -> None:
        self._engine = engine
        self._embedder = embedder
        self.index = index

    def load_index(self) -> int:
        """Fill the index from stored embeddings, read in bulk (nothing is re-embedded); returns the count.

        A corpus above the index's exact-search threshold is loaded straight into the compressed IVF
        index, trained first on a sample spread over the corpus, so it is never held in float32.
        """
        with Session(self._engine) as session:
            total = repository.count_sentences(session)
            if total > self.index.ann_threshold:
                every = max(1, total // training_rows(total))
                sample = stored_vectors(repository.sample_embeddings(session, every), self.index.dimension)
                logger.info("training the IVF index for %d sentences on %d of them", total, len(sample))
                self.index.train(sample, expected_rows=total)
            loaded, step = 0, max(100_000, total // 10)
            for documents, sentences, embeddings in repository.iter_embedding_chunks(session):
                self.index.add(documents, sentences, stored_vectors(embeddings, self.index.dimension))
                loaded += len(documents)
                if loaded // step > (loaded - len(documents)) // step:
                    logger.info("index: %d of %d sentences loaded", loaded, total)
        return loaded

    def ingest(
        self,
        title: str,
        text: str,
        source_url: str | None = None,
        published_at: datetime | None = None,
    ) -> IngestResult:
        """Store a document unless identical text is already stored; embeds only what is new."""
        digest = content_hash(text)
        with Session(self._engine) as session:
            existing = repository.find_document_by_hash(session, digest)
            if existing is not None:
                return IngestResult(existing, created=False)
            spans = split_sentences(text)
            # Sentences and their windows (previous sentence + this one) in one model call.
            windows = window_texts(text, spans)
            encoded = self._embedder.encode([span.text for span in spans] + windows)
            vectors, window_vectors = encoded[: len(spans)], [None, *encoded[len(spans) :]]
            document = Document(
                title=title,
                text=text,
                content_hash=digest,
                source_url=source_url,
                published_at=published_at,
                sentence_count=len(spans),
            )
            rows = [
                Sentence(
                    document_id=0,
                    index=span.index,
                    start=span.start,
                    end=span.end,
                    text=span.text,
                    embedding=vector.astype("<f4").tobytes(),
                    window_embedding=None if window is None else window.astype("<f4").tobytes(),
                )
                for span, vector, window in zip(spans, vectors, window_vectors, strict=True)
            ]
            try:
                document = repository.add_document(session, document, rows)
            except IntegrityError:
                # Another request stored the same text between our lookup and our insert.
                session.rollback()
                existing = repository.find_document_by_hash(session, digest)
                if existing is None:
                    raise
                return IngestResult(existing, created=False)
            assert document.id is not None
            self.index.add([document.id] * len(spans), [span.index for span in spans], vectors)
            return IngestResult(document, created=True)

    def delete(self, document_id: int) -> bool:
        with Session(self._engine) as session:
            deleted = repository.delete_document(session, document_id)
        if deleted:
            self.index.remove_document(document_id)
        return deleted

    def ingest_folder(self, folder: Path) -> list[IngestResult]:
        """Load every ``*.txt`` article in ``folder``: headline on the first line, body below it."""
        results = []
        for path in sorted(folder.glob("*.txt")):
            title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
            if not body.strip():
                logger.warning("seed %s has no body below its headline; skipped", path.name)
                continue
            result = self.ingest(title.strip(), body.strip())
            logger.info("seed %s: %s document %s", path.name, "added" if result.created else "kept", result.document.id)
            results.append(result)
        return results
