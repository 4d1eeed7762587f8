"""The reference corpus: ingestion (split, embed, store atomically) and the in-memory index it feeds."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.db import repository
from app.db.tables import Document, Sentence
from app.ml.embedder import Embedder
from app.pipeline.index import VectorIndex
from app.pipeline.sentences import split_sentences

logger = logging.getLogger(__name__)


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
        """Fill the index from stored embeddings (nothing is re-embedded); returns the sentence count."""
        documents: list[int] = []
        sentences: list[int] = []
        blobs: list[bytes] = []
        with Session(self._engine) as session:
            for document_id, index, embedding in repository.iter_sentence_embeddings(session):
                documents.append(document_id)
                sentences.append(index)
                blobs.append(embedding)
        if blobs:
            vectors = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), self.index.dimension)
            self.index.add(documents, sentences, vectors)
        return len(blobs)

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
            vectors = self._embedder.encode([span.text for span in spans])
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
                )
                for span, vector in zip(spans, vectors, strict=True)
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
