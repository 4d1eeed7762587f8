"""Service settings, read from the environment (prefix ``FACTCHECK_``) with laptop-friendly defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Everything configurable about the service, in one place."""

    model_config = SettingsConfigDict(env_prefix="FACTCHECK_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'data' / 'factcheck.db'}",
        description="SQLAlchemy URL of the database holding documents, sentences and the check log.",
    )
    seeds_dir: Path | None = Field(
        default=PROJECT_ROOT / "seeds",
        description="Folder of .txt articles (headline on the first line) loaded at start-up; empty = none.",
    )
    embedding_model: str | None = Field(
        default=None,
        description="Folder of a sentence-transformers model; default: the bundled all-MiniLM-L6-v2.",
    )
    verifier: str = Field(default="auto", description="Which verifier decides: 'auto' or 'similarity'.")
    default_top_k: int = Field(default=5, ge=1, le=50, description="Passages retrieved per claim.")
    max_top_k: int = Field(default=20, ge=1, le=200, description="Upper bound a request may ask for.")
    max_claim_chars: int = Field(default=2_000, ge=1)
    max_document_chars: int = Field(default=500_000, ge=1)
    max_batch_claims: int = Field(default=64, ge=1)
    embed_batch_size: int = Field(default=64, ge=1)
    torch_threads: int | None = Field(default=None, ge=1, description="CPU threads for inference.")

    @field_validator("seeds_dir", "embedding_model", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        return None if value == "" else value
