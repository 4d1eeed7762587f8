"""Database tables: documents, their sentences with embeddings, and the audit log of checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Document(SQLModel, table=True):
    """An article of the reference corpus."""

    __tablename__ = "documents"
    # SQLite would otherwise give a new document the id of a deleted newest one (revision 0003).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    title: str
    text: str
    # sha256 of the text: posting identical text again finds the stored document.
    content_hash: str = Field(index=True, unique=True, max_length=64)
    source_url: str | None = None
    published_at: datetime | None = None
    sentence_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class Sentence(SQLModel, table=True):
    """One sentence of a document, with exact offsets and its normalised embedding."""

    __tablename__ = "sentences"
    __table_args__ = (UniqueConstraint("document_id", "index"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True, ondelete="CASCADE")
    index: int
    start: int
    end: int
    text: str
    # float32 little-endian bytes; read in bulk at start-up so nothing is embedded twice.
    embedding: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # The same for the window from the previous sentence's start to this sentence's end, which retrieval
    # compares with claims ("it", "the alliance" resolved); None for a first sentence, and for rows
    # stored before schema revision 0002 (embedded on demand).
    window_embedding: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class CheckRecord(SQLModel, table=True):
    """What the service answered for one claim, kept so a newsroom can audit it."""

    __tablename__ = "checks"

    id: int | None = Field(default=None, primary_key=True)
    claim: str
    verdict: str = Field(index=True)
    confidence: float
    scores: dict[str, float] = Field(sa_column=Column(JSON, nullable=False))
    evidence: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    document_scope: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    model_versions: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    latency_ms: float
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # The answer's words (revision 0004; null in older records): the explanation, the span inside the
    # cited passage that decides, and each part of a compound claim with its verdict and explanation.
    explanation: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decisive_span: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    parts: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
