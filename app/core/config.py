"""Service settings, read from the environment (prefix ``FACTCHECK_``) with laptop-friendly defaults."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Literal

from limits import parse as parse_rate_limit
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def hash_api_key(key: str) -> str:
    """The only form in which an API key is kept: its sha256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


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
    verifier: str = Field(
        default="nli",
        description="Which verifier decides: 'nli' (the verdict engine, the default; see README) or 'similarity'.",
    )
    nli_model: Path = Field(
        default=PROJECT_ROOT / "models" / "nli-minilm-l6",
        description="Folder of the NLI cross-encoder (sentence-transformers CrossEncoder format).",
    )
    verdict_params: Path = Field(
        default=PROJECT_ROOT / "models" / "verdict-engine.json",
        description="Thresholds and calibration of the verdict engine, tuned by scripts/tune_verdicts.py.",
    )
    nli_batch_size: int = Field(default=32, ge=1, description="Pairs per NLI forward pass.")
    default_top_k: int = Field(default=5, ge=1, le=50, description="Passages retrieved per claim.")
    max_top_k: int = Field(default=20, ge=1, le=200, description="Upper bound a request may ask for.")
    max_claim_chars: int = Field(default=2_000, ge=1)
    max_document_chars: int = Field(default=500_000, ge=1)
    max_batch_claims: int = Field(default=64, ge=1)
    embed_batch_size: int = Field(default=64, ge=1)
    ann_threshold: int = Field(
        default=100_000,
        ge=1,
        description="Sentences up to which search is exact (float32); above, a compressed FAISS IVF index.",
    )
    # 128 of the 1,000 clusters of a 1M corpus: on the dev claims' articles in `make bench`'s 1M corpus the
    # deciding sentence is found as often as with 256 (32 found less), in under a quarter of the 50 ms budget.
    ann_probes: int = Field(
        default=128, ge=1, description="IVF clusters scanned per claim above the threshold (more: slower, fuller)."
    )
    inference_backend: Literal["torch", "onnx", "onnx-int8", "bf16"] = Field(
        default="onnx",
        description="How the models run: 'onnx' (ONNX Runtime, float32: torch's numbers, faster), 'torch' "
        "(the reference), 'onnx-int8' (the NLI model in int8: its work halved on CPUs with AMX or AVX512-VNNI, "
        "verdicts move a little), or 'bf16' (the NLI model in torch with bfloat16 products: fast only on CPUs "
        "with AMX or AVX512-BF16; see README).",
    )
    onnx_cache_dir: Path = Field(
        default=PROJECT_ROOT / "build" / "onnx",
        description="Where the ONNX exports of the models are kept (made on first use).",
    )
    model_slots: int = Field(
        default=1,
        ge=1,
        description="Model calls run at once (each uses every core); further requests wait their turn.",
    )
    torch_threads: int | None = Field(default=None, ge=1, description="CPU threads for inference.")

    @field_validator("seeds_dir", "embedding_model", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        return None if value == "" else value

    api_keys: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="Comma-separated API keys (sent as X-API-Key); kept only as sha256 hashes. Empty = open.",
    )
    admin_api_keys: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="Comma-separated keys allowed to add and delete documents; set = writes need one of them.",
    )
    rate_limit: str | None = Field(
        default=None, description="Requests per key (or client address when open), e.g. '60/minute'; unset = none."
    )
    redis_url: str | None = Field(default=None, description="Redis URL for rate-limit counters shared by instances.")
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1, description="Largest request body accepted.")
    inference_timeout_seconds: float = Field(
        default=60.0, gt=0, description="Longest a check or an ingestion may take before the client gets 504."
    )
    index_sync_seconds: float = Field(
        default=2.0, ge=0, description="How often the index picks up documents other instances added or deleted."
    )
    log_level: str = Field(default="INFO", description="Level of the JSON logs.")
    log_claims: bool = Field(default=False, description="Log claim text at INFO in the access log.")
    database_wait_seconds: float = Field(
        default=2.0, gt=0, description="Pause between start-up attempts while the database is unreachable."
    )

    @field_validator("api_keys", "admin_api_keys", mode="before")
    @classmethod
    def _hash_keys(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple | set | frozenset):
            return frozenset(hash_api_key(str(key).strip()) for key in value if str(key).strip())
        return value

    @field_validator("rate_limit", "redis_url", mode="before")
    @classmethod
    def _blank_means_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("rate_limit")
    @classmethod
    def _valid_rate_limit(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_rate_limit(value)
            except ValueError as exc:
                raise ValueError(f"{value!r} is not a rate limit like '60/minute'") from exc
        return value

    @property
    def auth_enabled(self) -> bool:
        return bool(self.api_keys or self.admin_api_keys)
