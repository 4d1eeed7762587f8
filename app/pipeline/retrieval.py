"""Candidate passages for a claim: the nearest sentences, each with its previous sentence as context,
and the best few sentences of the top document joined, for claims that combine facts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

import numpy as np
from sqlmodel import Session

from app.db import repository
from app.db.tables import Document, Sentence
from app.ml.embedder import Embedder, Vectors
from app.pipeline.index import Hit, VectorIndex
from app.pipeline.verdicts import Passage, PassageKind

# Sentences joined into the combined premise (in document order).
COMBINED_SENTENCES = 3
# Above the exact-search threshold, this many times top_k candidates are re-ranked by exact cosine.
RERANK_POOL = 10


class Retriever:
    """Cosine top-k over the index, widened to windows so "it" and "the alliance" can be resolved."""

    def __init__(self, embedder: Embedder, index: VectorIndex) -> None:
        self._embedder = embedder
        self._index = index

    def candidates(
        self,
        session: Session,
        claim_vectors: Vectors,
        top_k: int,
        document_ids: Collection[int] | None = None,
    ) -> list[list[Passage]]:
        """Passages for each claim row (sentences, windows, a combined premise), best similarity first."""
        if self._index.approximate:
            hits = self._reranked(session, claim_vectors, top_k, document_ids)
        else:
            hits = self._index.search(claim_vectors, top_k, document_ids)
        keys = {(hit.document_id, hit.sentence_index) for claim_hits in hits for hit in claim_hits}
        sentences = repository.sentences_around(session, keys, radius=1)
        documents = repository.documents_by_id(session, {document_id for document_id, _ in keys})

        per_claim: list[list[Passage]] = []
        unembedded: list[tuple[int, Passage]] = []  # windows stored before they were embedded at ingestion
        for row, claim_hits in enumerate(hits):
            claim = claim_vectors[row]
            passages = []
            windows = []
            for hit in claim_hits:
                sentence = sentences.get((hit.document_id, hit.sentence_index))
                document = documents.get(hit.document_id)
                if sentence is None or document is None:
                    continue  # deleted while we searched
                # Hits carry exact cosines (re-ranked from the stored vectors when the index is approximate).
                passages.append(_sentence_passage(document, sentence, hit.similarity))
                previous = sentences.get((hit.document_id, hit.sentence_index - 1))
                if previous is None:
                    continue
                window = _window_passage(document, previous, sentence)
                if sentence.window_embedding is None:
                    unembedded.append((row, window))
                else:
                    windows.append(replace(window, similarity=_similarity(sentence.window_embedding, claim)))
            passages.sort(key=lambda p: p.similarity, reverse=True)
            combined = _combined_passage(passages, documents)
            per_claim.append([*passages, *windows, combined] if combined else [*passages, *windows])

        if unembedded:
            window_vectors = self._embedder.encode([window.text for _, window in unembedded])
            for (row, window), vector in zip(unembedded, window_vectors, strict=True):
                similarity = float(np.dot(vector, claim_vectors[row]))
                per_claim[row].append(replace(window, similarity=similarity))
        for passages in per_claim:
            passages.sort(key=lambda p: p.similarity, reverse=True)
        return per_claim

    def _reranked(
        self, session: Session, claim_vectors: Vectors, top_k: int, document_ids: Collection[int] | None
    ) -> list[list[Hit]]:
        """The approximate index's best ``RERANK_POOL * top_k``, re-ranked by exact cosine, cut to ``top_k``.

        Its 8-bit vectors reorder near ties; the stored float32 vectors of a wider pool put them back.
        """
        pools = self._index.search(claim_vectors, top_k * RERANK_POOL, document_ids)
        keys = {(hit.document_id, hit.sentence_index) for pool in pools for hit in pool}
        embeddings = repository.embeddings_of(session, keys)
        hits = []
        for claim, pool in zip(claim_vectors, pools, strict=True):
            exact = [
                Hit(hit.document_id, hit.sentence_index, _similarity(embedding, claim))
                for hit in pool
                if (embedding := embeddings.get((hit.document_id, hit.sentence_index))) is not None
            ]
            hits.append(sorted(exact, key=lambda hit: hit.similarity, reverse=True)[:top_k])
        return hits


def _similarity(embedding: bytes, claim: Vectors) -> float:
    return float(np.dot(np.frombuffer(embedding, dtype="<f4"), claim))


def _sentence_passage(document: Document, sentence: Sentence, similarity: float) -> Passage:
    assert document.id is not None
    return Passage(
        document_id=document.id,
        document_title=document.title,
        sentence_index=sentence.index,
        sentence_indices=(sentence.index,),
        start=sentence.start,
        end=sentence.end,
        text=sentence.text,
        similarity=similarity,
    )


def _window_passage(document: Document, previous: Sentence, sentence: Sentence) -> Passage:
    """The window ending at ``sentence``; its similarity is filled in by the caller."""
    assert document.id is not None
    return Passage(
        document_id=document.id,
        document_title=document.title,
        sentence_index=sentence.index,
        sentence_indices=(previous.index, sentence.index),
        start=previous.start,
        end=sentence.end,
        text=document.text[previous.start : sentence.end],
        similarity=0.0,
        kind=PassageKind.WINDOW,
    )


def _combined_passage(sentences: list[Passage], documents: dict[int, Document]) -> Passage | None:
    """The top document's best sentences in document order, cited as the span that covers them."""
    if not sentences:
        return None
    best = sentences[0]
    members = sorted(
        [p for p in sentences if p.document_id == best.document_id][:COMBINED_SENTENCES],
        key=lambda p: p.sentence_index,
    )
    if len(members) < 2:
        return None
    start, end = members[0].start, members[-1].end
    return Passage(
        document_id=best.document_id,
        document_title=best.document_title,
        sentence_index=best.sentence_index,
        sentence_indices=tuple(p.sentence_index for p in members),
        start=start,
        end=end,
        text=documents[best.document_id].text[start:end],
        similarity=best.similarity,
        kind=PassageKind.COMBINED,
        combined_text=" ".join(p.text for p in members),
    )
