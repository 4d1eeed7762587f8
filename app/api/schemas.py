"""Request and response models of the HTTP API; field names are a contract with client tools."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

VerdictName = Literal["supported", "contradicted", "unknown"]

SEED_CLAIM = "NATO gave Ukraine a membership timetable"


def _storable(value: str, what: str) -> str:
    """Refuse NUL characters and unpaired surrogates: neither the databases nor the tokenizer take them."""
    if "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value):
        raise ValueError(f"{what} must be text without NUL characters or unpaired surrogates")
    return value


def _not_blank(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"{what} must contain text, not only whitespace")
    return _storable(value, what).strip()


def _document_scope(ids: Any) -> Any:
    # Runs before the list is validated, so that an empty one gets these words rather than pydantic's.
    if isinstance(ids, list) and not ids:
        raise ValueError("document_ids must name at least one document; leave it out to check against the whole corpus")
    return ids


def _claim_text(value: str, what: str) -> str:
    value = _not_blank(value, what)
    if not any(char.isalnum() for char in value):
        raise ValueError(f"{what} must contain words: it has no letters or digits")
    return value


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable error code.", examples=["document_not_found"])
    message: str = Field(description="What went wrong and how to fix it.")
    details: list[dict[str, Any]] | None = Field(default=None, description="Per-field problems for invalid requests.")


class ErrorResponse(BaseModel):
    """The one error shape of every route."""

    error: ErrorBody


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyResponse(BaseModel):
    status: Literal["ready", "starting", "failed", "unavailable"]
    documents: int | None = Field(default=None, description="Documents in the corpus.")
    sentences: int | None = Field(default=None, description="Sentences in the in-memory index.")
    startup_seconds: float | None = Field(default=None, description="Seconds the models and corpus took to load.")
    detail: str | None = None


class DocumentCreate(BaseModel):
    """A news article to add to the reference corpus."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Germany pledges long-term aid to Ukraine",
                    "text": "Germany has committed 12 billion euros in military aid to Ukraine through 2032. "
                    "The first 3.2 billion euros are for 2023.",
                    "source_url": "https://example.org/news/germany-ukraine-aid",
                    "published_at": "2023-07-12T09:00:00Z",
                }
            ]
        }
    )

    title: str = Field(min_length=1, max_length=500, description="Headline of the article.")
    text: str = Field(min_length=1, description="Full article text (at most 500,000 characters by default).")
    source_url: str | None = Field(default=None, max_length=2_000, description="Where the article was published.")
    published_at: datetime | None = Field(
        default=None, description="Publication time, ISO 8601; without an offset it is taken as UTC."
    )

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        return _not_blank(value, "title")

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must contain text, not only whitespace")
        return _storable(value, "text")

    @field_validator("published_at")
    @classmethod
    def _published_at_in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        try:
            return (value if value.utcoffset() is not None else value.replace(tzinfo=UTC)).astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("published_at is out of range once converted to UTC") from exc

    @field_validator("source_url")
    @classmethod
    def _source_url_storable(cls, value: str | None) -> str | None:
        return None if value is None else _storable(value, "source_url")


class DocumentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    sentence_count: int = Field(description="Sentences the article was split into.")
    source_url: str | None = None
    published_at: datetime | None = None
    created_at: datetime


class SentenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    index: int = Field(description="Position of the sentence in the document, from 0.")
    start: int = Field(
        description="Offset of the first character in the document text, in Unicode code points (not UTF-16 units)."
    )
    end: int = Field(description="Offset after the last character: text == document.text[start:end].")
    text: str


class DocumentDetail(DocumentSummary):
    text: str
    sentences: list[SentenceOut]


class DocumentPage(BaseModel):
    items: list[DocumentSummary]
    total: int = Field(description="Documents in the corpus.")
    offset: int
    limit: int


class CheckRequest(BaseModel):
    """One claim to check against the corpus."""

    claim: str = Field(description="The claim, as a sentence (at most 2,000 characters by default).")
    document_ids: list[int] | None = Field(
        default=None,
        min_length=1,
        description="Only check against these documents; omitted = the whole corpus (an empty list is an error).",
    )
    top_k: int | None = Field(
        default=None, ge=1, description="Sentences to retrieve (default 5, at most 20 by default)."
    )

    @field_validator("claim")
    @classmethod
    def _claim_not_blank(cls, value: str) -> str:
        return _claim_text(value, "claim")

    @field_validator("document_ids", mode="before")
    @classmethod
    def _scope_not_empty(cls, ids: Any) -> Any:
        return _document_scope(ids)


class BatchCheckRequest(BaseModel):
    """Several claims checked in one call; results come back in input order."""

    claims: list[str] = Field(min_length=1, description="Claims to check (at most 64 by default).")
    document_ids: list[int] | None = Field(
        default=None, min_length=1, description="Limit all claims to these documents; omitted = the whole corpus."
    )
    top_k: int | None = Field(default=None, ge=1)

    @field_validator("claims")
    @classmethod
    def _claims_not_blank(cls, values: list[str]) -> list[str]:
        return [_claim_text(value, f"claim {position}") for position, value in enumerate(values)]

    @field_validator("document_ids", mode="before")
    @classmethod
    def _scope_not_empty(cls, ids: Any) -> Any:
        return _document_scope(ids)


class Scores(BaseModel):
    supported: float = Field(ge=0, le=1)
    contradicted: float = Field(ge=0, le=1)
    unknown: float = Field(ge=0, le=1)


class Evidence(BaseModel):
    document_id: int
    document_title: str
    sentence_index: int = Field(description="The retrieved sentence (from 0).")
    sentence_indices: list[int] = Field(description="All sentences the passage spans (with context).")
    text: str = Field(description="The passage: exactly document.text[start:end].")
    start: int
    end: int
    similarity: float = Field(description="Cosine similarity between claim and passage embeddings.")


class DecisiveSpanOut(BaseModel):
    text: str = Field(description="The deciding words, e.g. the number the article states.")
    start: int = Field(description="Offset in the document text: text == document.text[start:end].")
    end: int


class PartResult(BaseModel):
    """The verdict on one part of a compound claim."""

    claim: str = Field(description="The part, as checked.")
    verdict: VerdictName
    confidence: float = Field(ge=0, le=1)
    evidence: list[Evidence] = Field(description="The passage this part's verdict rests on.")
    explanation: str
    decisive_span: DecisiveSpanOut | None = None


class CheckResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "claim": SEED_CLAIM,
                    "verdict": "contradicted",
                    "confidence": 0.7201,
                    "scores": {"supported": 0.14, "contradicted": 0.7201, "unknown": 0.1399},
                    "evidence": [
                        {
                            "document_id": 1,
                            "document_title": "G7 to announce long-term security guarantees for Ukraine "
                            "in message to Russia",
                            "sentence_index": 1,
                            "sentence_indices": [1],
                            "text": "At the NATO summit, Ukrainian President Volodymyr Zelenskiy was meeting "
                            "with the leaders of the alliance’s 31 nations after they said on Tuesday that "
                            "Ukraine’s future lay within the organization but rejected his request for a "
                            "timetable for membership.",
                            "start": 233,
                            "end": 484,
                            "similarity": 0.7061,
                        }
                    ],
                    "explanation": "Sentence 2 of “G7 to announce long-term security guarantees for Ukraine in "
                    "message to Russia” contradicts the claim: it says 'rejected'.",
                    "decisive_span": {"text": "rejected", "start": 432, "end": 440},
                    "parts": [],
                    "model_versions": {
                        "embedder": "onnx-fp32:all-MiniLM-L6-v2",
                        "verifier": "nli-engine:nli-minilm-l6@8e87ec33ddca+onnx-fp32",
                    },
                    "checked_at": "2026-11-29T10:00:00Z",
                    "latency_ms": 55.1,
                }
            ]
        }
    )

    id: int = Field(description="Id of the audit record of this check.")
    claim: str
    verdict: VerdictName
    confidence: float = Field(ge=0, le=1, description="How sure the verifier is of the verdict.")
    scores: Scores
    evidence: list[Evidence] = Field(description="Passages considered; evidence[0] is the one the verdict rests on.")
    explanation: str = Field(description="Why, in words a journalist can read.")
    decisive_span: DecisiveSpanOut | None = Field(default=None, description="The words in evidence[0] that decide.")
    parts: list[PartResult] = Field(
        default_factory=list,
        description="For a compound claim, each part with its own verdict; empty when the claim is one fact.",
    )
    model_versions: dict[str, str]
    checked_at: datetime
    latency_ms: float


class BatchCheckResponse(BaseModel):
    results: list[CheckResponse]


class CitedPassage(BaseModel):
    """Where a passage of a past check lies; its text is ``document.text[start:end]`` (``GET /documents/{id}``)."""

    document_id: int = Field(description="The document; it may have been deleted since.")
    sentence_indices: list[int] = Field(description="All sentences the passage spans (with context).")
    sentence_index: int | None = Field(default=None, description="The retrieved sentence (from 0).")
    start: int | None = None
    end: int | None = None
    similarity: float | None = None


class PartRecord(BaseModel):
    """What the service answered for one part of a compound claim."""

    claim: str
    verdict: VerdictName
    confidence: float = Field(ge=0, le=1)
    evidence: list[CitedPassage] = Field(description="The passage this part's verdict rested on.")
    explanation: str
    decisive_span: DecisiveSpanOut | None = None


class CheckRecordOut(BaseModel):
    """An audit record: what the service answered for a claim, with the model versions that answered.

    Records written before schema revision 0004 (2026-12-07) hold no explanation, decisive span or parts
    (``null``), and their evidence only the document and sentence ids.
    """

    model_config = ConfigDict(from_attributes=True)

    id: int
    claim: str
    verdict: VerdictName
    confidence: float = Field(ge=0, le=1)
    scores: Scores
    evidence: list[CitedPassage] = Field(
        description="Passages considered; evidence[0] is the one the verdict rested on."
    )
    explanation: str | None
    decisive_span: DecisiveSpanOut | None
    parts: list[PartRecord] | None
    document_scope: list[int] | None = Field(description="The documents the check was limited to; null: the corpus.")
    model_versions: dict[str, str]
    latency_ms: float
    checked_at: datetime = Field(validation_alias="created_at")

    @field_validator("latency_ms")
    @classmethod
    def _as_answered(cls, value: float) -> float:
        return round(value, 2)  # as the answer gave it; the record keeps the unrounded time

    @field_validator("checked_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        # SQLite hands stored times back without their zone; they were written in UTC.
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class CheckRecordPage(BaseModel):
    items: list[CheckRecordOut] = Field(description="Newest first.")
    total: int = Field(description="Records that match the filter.")
    offset: int
    limit: int
