"""In-memory vector index over every stored sentence: one matrix, exact cosine top-k."""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.ml.embedder import Vectors


@dataclass(frozen=True, slots=True)
class Hit:
    """A sentence found by similarity search."""

    document_id: int
    sentence_index: int
    similarity: float


class VectorIndex:
    """Normalised sentence vectors with their ``(document_id, sentence_index)`` keys.

    Each document is held at most once, whoever adds it first (its ingestion or the sync with
    other instances, see index_sync.py).
    """

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._lock = threading.Lock()
        self._vectors: Vectors = np.zeros((0, dimension), dtype=np.float32)
        self._documents: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._sentences: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._known: set[int] = set()

    def __len__(self) -> int:
        return int(self._documents.shape[0])

    def add(self, document_ids: npt.ArrayLike, sentence_indices: npt.ArrayLike, vectors: Vectors) -> None:
        """Append the rows of documents not indexed yet (rows of indexed documents are ignored).

        Arrays are replaced, not mutated, so concurrent searches see a consistent view.
        """
        documents = np.asarray(document_ids, dtype=np.int64)
        sentences = np.asarray(sentence_indices, dtype=np.int64)
        if vectors.shape != (documents.shape[0], self.dimension) or sentences.shape != documents.shape:
            raise ValueError("vectors, document ids and sentence indices must have matching lengths")
        with self._lock:
            new = ~np.isin(documents, np.fromiter(self._known, dtype=np.int64, count=len(self._known)))
            self._vectors = np.concatenate([self._vectors, vectors[new].astype(np.float32, copy=False)])
            self._documents = np.concatenate([self._documents, documents[new]])
            self._sentences = np.concatenate([self._sentences, sentences[new]])
            self._known.update(int(i) for i in np.unique(documents[new]))

    def remove_document(self, document_id: int) -> None:
        with self._lock:
            keep = self._documents != document_id
            self._vectors = self._vectors[keep]
            self._documents = self._documents[keep]
            self._sentences = self._sentences[keep]
            self._known.discard(document_id)

    def arrays(self) -> tuple[Vectors, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The current vectors, document ids and sentence indices (a consistent view; do not modify)."""
        return self._vectors, self._documents, self._sentences

    def document_ids(self) -> set[int]:
        with self._lock:
            return set(self._known)

    def search(self, queries: Vectors, k: int, document_ids: Collection[int] | None = None) -> list[list[Hit]]:
        """Top-``k`` sentences for each query row, optionally only within ``document_ids``."""
        vectors, documents, sentences = self._vectors, self._documents, self._sentences
        if document_ids is not None:
            mask = np.isin(documents, np.fromiter(document_ids, dtype=np.int64))
            vectors, documents, sentences = vectors[mask], documents[mask], sentences[mask]
        if len(documents) == 0:
            return [[] for _ in range(len(queries))]
        scores = queries @ vectors.T
        k = min(k, len(documents))
        results: list[list[Hit]] = []
        for row in scores:
            top = np.argpartition(-row, k - 1)[:k]
            top = top[np.argsort(-row[top])]
            results.append([Hit(int(documents[i]), int(sentences[i]), float(row[i])) for i in top])
        return results
