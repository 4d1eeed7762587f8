"""Checking claims against the corpus."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.api.deps import CheckerDep, SettingsDep
from app.api.errors import error_responses
from app.api.schemas import (
    SEED_CLAIM,
    BatchCheckRequest,
    BatchCheckResponse,
    CheckRequest,
    CheckResponse,
    DecisiveSpanOut,
    Evidence,
    PartResult,
    Scores,
)
from app.core.config import Settings
from app.core.errors import InputTooLong, TooManyClaims, TopKTooLarge
from app.pipeline.checker import CheckOutcome
from app.pipeline.verdicts import Passage, Verdict, Verification

router = APIRouter(prefix="/check", tags=["check"])

_CHECK_EXAMPLES = {
    "contradicted": {
        "summary": "A claim the seed article contradicts",
        "value": {"claim": SEED_CLAIM},
    },
    "number": {
        "summary": "A changed number",
        "value": {"claim": "Germany committed 20 billion euros in military aid to Ukraine"},
    },
    "supported": {
        "summary": "A claim the seed article supports",
        "value": {"claim": "Poland and Romania are expected to join the framework", "top_k": 5},
    },
    "unknown": {
        "summary": "A claim the corpus says nothing about",
        "value": {"claim": "The European Central Bank raised interest rates"},
    },
}


def _validated_top_k(top_k: int | None, settings: Settings) -> int:
    if top_k is None:
        return settings.default_top_k
    if top_k > settings.max_top_k:
        raise TopKTooLarge(top_k, settings.max_top_k)
    return top_k


def _check_lengths(claims: list[str], settings: Settings) -> None:
    for position, claim in enumerate(claims):
        if len(claim) > settings.max_claim_chars:
            name = "claim" if len(claims) == 1 else f"claim {position}"
            raise InputTooLong(name, len(claim), settings.max_claim_chars)


def _evidence(passages: list[Passage]) -> list[Evidence]:
    return [
        Evidence(
            document_id=p.document_id,
            document_title=p.document_title,
            sentence_index=p.sentence_index,
            sentence_indices=list(p.sentence_indices),
            text=p.text,
            start=p.start,
            end=p.end,
            similarity=round(p.similarity, 4),
        )
        for p in passages
    ]


def _span(verification: Verification) -> DecisiveSpanOut | None:
    span = verification.decisive_span
    return DecisiveSpanOut(text=span.text, start=span.start, end=span.end) if span else None


def _response(outcome: CheckOutcome, versions: dict[str, str]) -> CheckResponse:
    verification = outcome.verification
    return CheckResponse(
        id=outcome.id,
        claim=outcome.claim,
        verdict=verification.verdict.value,
        confidence=verification.confidence,
        scores=Scores(**{verdict.value: verification.scores.get(verdict, 0.0) for verdict in Verdict}),
        evidence=_evidence(verification.evidence),
        explanation=verification.explanation,
        decisive_span=_span(verification),
        parts=[
            PartResult(
                claim=part.claim or "",
                verdict=part.verdict.value,
                confidence=part.confidence,
                evidence=_evidence(part.evidence[:1]),
                explanation=part.explanation,
                decisive_span=_span(part),
            )
            for part in verification.parts
        ],
        model_versions=versions,
        checked_at=outcome.checked_at,
        latency_ms=round(outcome.latency_ms, 2),
    )


@router.post(
    "",
    response_model=CheckResponse,
    summary="Check one claim",
    responses=error_responses(400, 404, 413, 422, 503, 504),
)
def check_claim(
    payload: Annotated[CheckRequest, Body(openapi_examples=_CHECK_EXAMPLES)],
    checker: CheckerDep,
    settings: SettingsDep,
) -> CheckResponse:
    """Say whether the corpus supports, contradicts or says nothing about the claim, citing the passage."""
    _check_lengths([payload.claim], settings)
    top_k = _validated_top_k(payload.top_k, settings)
    [outcome] = checker.check([payload.claim], top_k, payload.document_ids)
    return _response(outcome, checker.model_versions)


@router.post(
    "/batch",
    response_model=BatchCheckResponse,
    summary="Check several claims",
    responses=error_responses(400, 404, 413, 422, 503, 504),
)
def check_batch(payload: BatchCheckRequest, checker: CheckerDep, settings: SettingsDep) -> BatchCheckResponse:
    """Check many claims in one call (model work batched); results keep the input order."""
    if len(payload.claims) > settings.max_batch_claims:
        raise TooManyClaims(len(payload.claims), settings.max_batch_claims)
    _check_lengths(payload.claims, settings)
    top_k = _validated_top_k(payload.top_k, settings)
    outcomes = checker.check(payload.claims, top_k, payload.document_ids)
    return BatchCheckResponse(results=[_response(o, checker.model_versions) for o in outcomes])
