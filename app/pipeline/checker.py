"""Checking claims: embed, retrieve, verify, and record every answer for audit."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from app.core.errors import DocumentNotFound
from app.db import repository
from app.db.tables import CheckRecord
from app.ml.embedder import Embedder
from app.pipeline.claims import split_claim
from app.pipeline.retrieval import Retriever
from app.pipeline.verdicts import DecisiveSpan, Passage, Verification, Verifier, combine_parts


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """A verified claim as recorded in the audit log."""

    id: int
    claim: str
    verification: Verification
    latency_ms: float
    checked_at: datetime


def _cited(passage: Passage) -> dict[str, Any]:
    """A passage as the audit record keeps it: where it is, not its text (``GET /documents/{id}`` has that)."""
    return {
        "document_id": passage.document_id,
        "sentence_index": passage.sentence_index,
        "sentence_indices": list(passage.sentence_indices),
        "start": passage.start,
        "end": passage.end,
        "similarity": round(passage.similarity, 4),
    }


def _span(span: DecisiveSpan | None) -> dict[str, Any] | None:
    return {"text": span.text, "start": span.start, "end": span.end} if span else None


class Checker:
    """Runs claims through retrieval and the configured verifier, many claims per model call."""

    def __init__(self, engine: Engine, embedder: Embedder, retriever: Retriever, verifier: Verifier) -> None:
        self._engine = engine
        self._embedder = embedder
        self._retriever = retriever
        self._verifier = verifier
        self.model_versions = {"embedder": embedder.version, "verifier": verifier.version}

    def check(self, claims: Sequence[str], top_k: int, document_ids: Sequence[int] | None = None) -> list[CheckOutcome]:
        """Verify ``claims`` against the corpus (or only ``document_ids``), in input order."""
        started = time.perf_counter()
        scope = sorted(set(document_ids)) if document_ids is not None else None
        # The records keep their values after the commit: reading them back would cost a SELECT each.
        with Session(self._engine, expire_on_commit=False) as session:
            if scope is not None:
                missing = repository.missing_document_ids(session, scope)
                if missing:
                    raise DocumentNotFound(missing)
            verifications = self._verify(session, claims, top_k, scope)
            latency_ms = (time.perf_counter() - started) * 1000 / len(claims)
            records = [
                CheckRecord(
                    claim=claim,
                    verdict=verification.verdict.value,
                    confidence=verification.confidence,
                    scores={k.value: v for k, v in verification.scores.items()},
                    evidence=[_cited(p) for p in verification.evidence],
                    document_scope=scope,
                    model_versions=self.model_versions,
                    latency_ms=latency_ms,
                    explanation=verification.explanation,
                    decisive_span=_span(verification.decisive_span),
                    parts=[
                        {
                            "claim": part.claim or "",
                            "verdict": part.verdict.value,
                            "confidence": part.confidence,
                            "evidence": [_cited(p) for p in part.evidence[:1]],
                            "explanation": part.explanation,
                            "decisive_span": _span(part.decisive_span),
                        }
                        for part in verification.parts
                    ],
                )
                for claim, verification in zip(claims, verifications, strict=True)
            ]
            repository.add_check_records(session, records)
            return [
                CheckOutcome(
                    id=record.id or 0,
                    claim=record.claim,
                    verification=verification,
                    latency_ms=latency_ms,
                    checked_at=record.created_at,
                )
                for record, verification in zip(records, verifications, strict=True)
            ]

    def _verify(
        self, session: Session, claims: Sequence[str], top_k: int, scope: Sequence[int] | None
    ) -> list[Verification]:
        """Split compound claims, then embed, retrieve and verify every part in one batch."""
        parts_per_claim = [split_claim(claim) for claim in claims]
        parts = [part for claim_parts in parts_per_claim for part in claim_parts]
        vectors = self._embedder.encode(parts)
        candidates = self._retriever.candidates(session, vectors, top_k, scope)
        # Each part with the compound claim it comes from: a value one part states is not another value
        # in the slot of the next ("quit the Conservatives and joined Labour").
        wholes = [
            claim if len(claim_parts) > 1 else ""
            for claim, claim_parts in zip(claims, parts_per_claim, strict=True)
            for _ in claim_parts
        ]
        verified = iter(self._verifier.verify(list(zip(parts, candidates, strict=True)), wholes))
        results = []
        for claim, claim_parts in zip(claims, parts_per_claim, strict=True):
            answers = [replace(next(verified), claim=part) for part in claim_parts]
            results.append(replace(answers[0], claim=claim) if len(answers) == 1 else combine_parts(answers))
        return results
