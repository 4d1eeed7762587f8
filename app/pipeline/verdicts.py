"""The verifier interface: (claim, candidate passages) -> verdict, scores, chosen evidence, explanation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Verdict(StrEnum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Passage:
    """A contiguous slice of a document: one sentence, or a sentence with its neighbour for context.

    ``text == document.text[start:end]``; ``sentence_index`` is the retrieved sentence.
    """

    document_id: int
    document_title: str
    sentence_index: int
    sentence_indices: tuple[int, ...]
    start: int
    end: int
    text: str
    similarity: float

    @property
    def is_window(self) -> bool:
        return len(self.sentence_indices) > 1


@dataclass(frozen=True, slots=True)
class Verification:
    """A verifier's answer for one claim; ``evidence[0]`` is the passage the verdict rests on."""

    verdict: Verdict
    confidence: float
    scores: dict[Verdict, float]
    evidence: list[Passage]
    explanation: str
    details: dict[str, str] = field(default_factory=dict)


class Verifier(Protocol):
    """Decides claims against their candidate passages, many claims at a time so work can be batched."""

    version: str

    def verify(self, items: Sequence[tuple[str, Sequence[Passage]]]) -> list[Verification]: ...
