"""In-memory vector index over every stored sentence.

Up to ``ann_threshold`` sentences it is one float32 matrix searched exactly. Past that, it becomes a
FAISS inverted-file index of 8-bit scalar-quantised vectors (IVF-SQ8): a quarter of the memory, and
a search that scans only the ``probes`` clusters nearest the claim instead of every row. Retrieval
recomputes the exact cosine of each hit from the stored float32 vector, so only the ranking of near
ties is approximate (``make bench`` reports recall against exact search).

Documents are added and removed in place; nothing is rebuilt when a document arrives.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection
from dataclasses import dataclass

import faiss
import numpy as np
import numpy.typing as npt

from app.ml.embedder import Vectors

# Training points per IVF cluster: FAISS warns below 39, and more buys little.
_TRAINING_POINTS_PER_CLUSTER = 40


@dataclass(frozen=True, slots=True)
class Hit:
    """A sentence found by similarity search."""

    document_id: int
    sentence_index: int
    similarity: float


def clusters_for(rows: int) -> int:
    """IVF cluster count for ``rows`` vectors: about the square root, the usual balance of scan costs."""
    return max(1, int(math.sqrt(rows)))


def training_rows(expected_rows: int) -> int:
    """How many sample vectors :meth:`VectorIndex.train` wants for a corpus of ``expected_rows``."""
    return min(expected_rows, clusters_for(expected_rows) * _TRAINING_POINTS_PER_CLUSTER)


class _Column:
    """A growable int64 array: appends copy only the new values (capacity doubles when full)."""

    def __init__(self) -> None:
        self._data = np.zeros(1024, dtype=np.int64)
        self.size = 0

    def append(self, values: npt.NDArray[np.int64]) -> None:
        if self.size + len(values) > len(self._data):
            grown = np.zeros(max(2 * len(self._data), self.size + len(values)), dtype=np.int64)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : self.size + len(values)] = values
        self.size += len(values)

    def view(self) -> npt.NDArray[np.int64]:
        return self._data[: self.size]

    def keep(self, mask: npt.NDArray[np.bool_]) -> None:
        kept = self.view()[mask]
        self._data[: len(kept)] = kept
        self.size = len(kept)

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)


class VectorIndex:
    """Normalised sentence vectors with their ``(document_id, sentence_index)`` keys.

    Each document is held at most once, whoever adds it first (its ingestion or the sync with
    other instances, see index_sync.py). All methods are thread-safe.
    """

    def __init__(self, dimension: int, ann_threshold: int = 100_000, probes: int = 128) -> None:
        self.dimension = dimension
        self.ann_threshold = ann_threshold
        self.probes = probes
        self._lock = threading.Lock()
        self._known: set[int] = set()
        # Row r of the index is the sentence (documents[r], sentences[r]); document -1 marks a removed row.
        self._documents = _Column()
        self._sentences = _Column()
        self._live = 0
        # Exact mode: float32 rows (capacity doubles when full). Approximate mode: the FAISS index.
        self._vectors: Vectors = np.zeros((1024, dimension), dtype=np.float32)
        self._ivf: faiss.IndexIVFScalarQuantizer | None = None

    def __len__(self) -> int:
        return self._live

    @property
    def approximate(self) -> bool:
        """Whether searches go through the IVF index (the corpus outgrew ``ann_threshold``)."""
        return self._ivf is not None

    def train(self, sample: Vectors, expected_rows: int) -> None:
        """Switch an empty index to IVF-SQ8 for a corpus of about ``expected_rows``, trained on ``sample``.

        Start-up calls this before loading a corpus above the threshold, so no float32 copy of it is
        ever held; ``sample`` should be spread over the whole corpus (see :func:`training_rows`).
        """
        with self._lock:
            if self._documents.size:
                raise ValueError("train() is for an empty index; a growing one switches by itself")
            self._ivf = self._trained_ivf(sample, clusters_for(expected_rows))

    def add(self, document_ids: npt.ArrayLike, sentence_indices: npt.ArrayLike, vectors: Vectors) -> None:
        """Append the rows of documents not indexed yet (rows of indexed documents are ignored)."""
        documents = np.asarray(document_ids, dtype=np.int64)
        sentences = np.asarray(sentence_indices, dtype=np.int64)
        if vectors.shape != (documents.shape[0], self.dimension) or sentences.shape != documents.shape:
            raise ValueError("vectors, document ids and sentence indices must have matching lengths")
        with self._lock:
            new = ~np.isin(documents, np.fromiter(self._known, dtype=np.int64, count=len(self._known)))
            if not new.any():
                return
            documents, sentences = documents[new], sentences[new]
            rows = np.ascontiguousarray(vectors[new], dtype=np.float32)
            first = self._documents.size
            if self._ivf is not None:
                self._ivf.add_with_ids(rows, np.arange(first, first + len(rows), dtype=np.int64))
            else:
                self._append_exact(rows)
            self._documents.append(documents)
            self._sentences.append(sentences)
            self._live += len(rows)
            self._known.update(int(i) for i in np.unique(documents))
            if self._ivf is None and self._live > self.ann_threshold:
                self._switch_to_ivf()

    def remove_document(self, document_id: int) -> None:
        with self._lock:
            if document_id not in self._known:
                return
            self._known.discard(document_id)
            rows = np.flatnonzero(self._documents.view() == document_id)
            self._live -= len(rows)
            if self._ivf is not None:
                # Row ids are FAISS ids, so rows stay where they are: the removed ones become tombstones.
                self._ivf.remove_ids(faiss.IDSelectorBatch(rows.astype(np.int64)))
                self._documents.view()[rows] = -1
                return
            keep = self._documents.view() != document_id
            kept = self._vectors[: self._documents.size][keep]
            self._vectors[: len(kept)] = kept
            self._documents.keep(keep)
            self._sentences.keep(keep)

    def document_ids(self) -> set[int]:
        with self._lock:
            return set(self._known)

    def memory_bytes(self) -> int:
        """Bytes held by the vectors (or the IVF index) and the row keys."""
        with self._lock:
            keys = self._documents.nbytes + self._sentences.nbytes
            if self._ivf is None:
                return keys + int(self._vectors.nbytes)
            codes = self._ivf.ntotal * self._ivf.sa_code_size() + self._ivf.ntotal * 8  # codes and their ids
            return keys + codes + self._ivf.nlist * self.dimension * 4  # and the cluster centres

    def search(self, queries: Vectors, k: int, document_ids: Collection[int] | None = None) -> list[list[Hit]]:
        """Top-``k`` sentences for each query row, optionally only within ``document_ids``."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        with self._lock:
            documents, sentences = self._documents.view(), self._sentences.view()
            rows: npt.NDArray[np.int64] | None = None
            if document_ids is not None:
                rows = np.flatnonzero(np.isin(documents, np.fromiter(document_ids, dtype=np.int64)))
            available = self._live if rows is None else len(rows)
            if available == 0:
                return [[] for _ in range(len(queries))]
            k = min(k, available)
            if self._ivf is not None:
                scores, found = self._search_ivf(queries, k, rows)
            else:
                scores, found = self._search_exact(queries, k, rows)
            return [
                [
                    Hit(int(documents[row]), int(sentences[row]), float(score))
                    for score, row in zip(score_row, row_ids, strict=True)
                    if row >= 0
                ]
                for score_row, row_ids in zip(scores, found, strict=True)
            ]

    def _search_exact(
        self, queries: Vectors, k: int, rows: npt.NDArray[np.int64] | None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        vectors = self._vectors[: self._documents.size]
        candidates = vectors if rows is None else vectors[rows]
        scores = queries @ candidates.T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        top_scores = np.take_along_axis(scores, top, axis=1)
        order = np.argsort(-top_scores, axis=1)
        top, top_scores = np.take_along_axis(top, order, axis=1), np.take_along_axis(top_scores, order, axis=1)
        return top_scores, (top if rows is None else rows[top])

    def _search_ivf(
        self, queries: Vectors, k: int, rows: npt.NDArray[np.int64] | None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        assert self._ivf is not None
        parameters = faiss.SearchParametersIVF()
        if rows is None:
            parameters.nprobe = min(self.probes, self._ivf.nlist)
        else:
            # Within chosen documents every cluster is scanned, so none of their sentences is missed.
            selector = faiss.IDSelectorBatch(rows)
            parameters.sel, parameters.nprobe = selector, self._ivf.nlist
        scores, found = self._ivf.search(queries, k, params=parameters)
        return scores, found

    def _append_exact(self, rows: Vectors) -> None:
        size = self._documents.size
        if size + len(rows) > len(self._vectors):
            grown = np.zeros((max(2 * len(self._vectors), size + len(rows)), self.dimension), dtype=np.float32)
            grown[:size] = self._vectors[:size]
            self._vectors = grown
        self._vectors[size : size + len(rows)] = rows

    def _switch_to_ivf(self) -> None:
        """Move the exact rows into a new IVF index trained on a sample of them (the corpus outgrew exact)."""
        size = self._documents.size
        live = np.flatnonzero(self._documents.view() >= 0)
        sample = np.random.default_rng(0).choice(live, training_rows(len(live)), replace=False)
        ivf = self._trained_ivf(self._vectors[np.sort(sample)], clusters_for(len(live)))
        ivf.add_with_ids(self._vectors[:size][live], live.astype(np.int64))
        self._ivf = ivf
        self._vectors = np.zeros((0, self.dimension), dtype=np.float32)

    def _trained_ivf(self, sample: Vectors, clusters: int) -> faiss.IndexIVFScalarQuantizer:
        clusters = max(1, min(clusters, len(sample)))
        quantizer = faiss.IndexFlatIP(self.dimension)
        ivf = faiss.IndexIVFScalarQuantizer(
            quantizer, self.dimension, clusters, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        ivf.train(np.ascontiguousarray(sample, dtype=np.float32))
        return ivf  # the FAISS wrapper keeps the quantizer alive with the index
