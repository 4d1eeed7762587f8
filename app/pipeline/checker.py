"""Checking claims: embed, retrieve, verify, and record every answer for audit."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from app.core.errors import DocumentNotFound
from app.db import repository
from app.db.tables import CheckRecord
from app.ml.embedder import Embedder
from app.pipeline.retrieval import Retriever
from app.pipeline.verdicts import Verification, Verifier


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """A verified claim as recorded in the audit log."""

    id: int
    claim: str
    verification: Verification
    latency_ms: float
    checked_at: datetime


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
        with Session(self._engine) as session:
            if scope is not None:
                missing = repository.missing_document_ids(session, scope)
                if missing:
                    raise DocumentNotFound(missing)
            vectors = self._embedder.encode(claims)
            candidates = self._retriever.candidates(session, vectors, top_k, scope)
            verifications = self._verifier.verify(list(zip(claims, candidates, strict=True)))
            latency_ms = (time.perf_counter() - started) * 1000 / len(claims)
            records = [
                CheckRecord(
                    claim=claim,
                    verdict=verification.verdict.value,
                    confidence=verification.confidence,
                    scores={k.value: v for k, v in verification.scores.items()},
                    evidence=[
                        {"document_id": p.document_id, "sentence_indices": list(p.sentence_indices)}
                        for p in verification.evidence
                    ],
                    document_scope=scope,
                    model_versions=self.model_versions,
                    latency_ms=latency_ms,
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
