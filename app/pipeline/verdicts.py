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


class PassageKind(StrEnum):
    SENTENCE = "sentence"
    WINDOW = "window"  # a retrieved sentence with the one before it, for "it" and "the alliance"
    COMBINED = "combined"  # the best few sentences of a document, for claims that join facts


@dataclass(frozen=True, slots=True)
class Passage:
    """A contiguous slice of a document: ``text == document.text[start:end]``.

    ``sentence_index`` is the retrieved sentence; a combined passage's span covers its sentences,
    and ``premise`` holds only those sentences, which is what a model reads.
    """

    document_id: int
    document_title: str
    sentence_index: int
    sentence_indices: tuple[int, ...]
    start: int
    end: int
    text: str
    similarity: float
    kind: PassageKind = PassageKind.SENTENCE
    combined_text: str | None = None

    @property
    def premise(self) -> str:
        return self.combined_text if self.combined_text is not None else self.text


@dataclass(frozen=True, slots=True)
class DecisiveSpan:
    """The words inside the cited passage that decide, e.g. the number; offsets index the document."""

    text: str
    start: int
    end: int

    @classmethod
    def find(cls, passage: Passage, words: str) -> DecisiveSpan | None:
        position = passage.text.find(words)
        if position < 0:
            return None
        return cls(words, passage.start + position, passage.start + position + len(words))


@dataclass(frozen=True, slots=True)
class Verification:
    """A verifier's answer for one claim (or claim part); ``evidence[0]`` is what the verdict rests on."""

    verdict: Verdict
    confidence: float
    scores: dict[Verdict, float]
    evidence: list[Passage]
    explanation: str
    decisive_span: DecisiveSpan | None = None
    claim: str | None = None
    parts: list[Verification] = field(default_factory=list)
    # Which rule of the verifier decided (e.g. "slot", "support"); calibration can depend on it.
    basis: str | None = None


def split_scores(verdict: Verdict, confidence: float) -> dict[Verdict, float]:
    """``confidence`` for ``verdict`` and the rest split between the other two, summing to 1 at 4 decimals."""
    first, second = (v for v in Verdict if v is not verdict)
    half = round((1.0 - confidence) / 2, 4)
    return {verdict: confidence, first: half, second: round(1.0 - confidence - half, 4)}


class Verifier(Protocol):
    """Decides claims against their candidate passages, many claims at a time so work can be batched."""

    version: str

    def verify(
        self, items: Sequence[tuple[str, Sequence[Passage]]], wholes: Sequence[str] | None = None
    ) -> list[Verification]:
        """Verdicts for ``(claim, candidate passages)`` items, in order. ``wholes``, when given, holds for
        each item the compound claim it is a part of, or "" for a claim of one part."""
        ...


def combine_parts(parts: Sequence[Verification]) -> Verification:
    """A compound claim is contradicted if any part is, unknown if any part is, else supported."""

    def said_of(position: int) -> str:
        part = parts[position]
        return f"Part {position + 1} of {len(parts)}, “{part.claim}”: {part.explanation}"

    for verdict in (Verdict.CONTRADICTED, Verdict.UNKNOWN):
        deciding = [i for i, p in enumerate(parts) if p.verdict is verdict]
        if deciding:
            position = max(deciding, key=lambda i: parts[i].confidence)
            chosen, explanation = parts[position], said_of(position)
            break
    else:
        chosen = min(parts, key=lambda p: p.confidence)  # only as sure as its weakest part
        # Each part's own explanation, named, so that the reader sees which sentence states which part.
        explanation = "Every part is supported. " + " ".join(said_of(i) for i in range(len(parts)))
    evidence = list(chosen.evidence[:1])
    for part in (chosen, *parts):
        for passage in part.evidence:
            if passage not in evidence:
                evidence.append(passage)
    return Verification(
        verdict=chosen.verdict,
        confidence=chosen.confidence,
        scores=chosen.scores,
        evidence=evidence,
        explanation=explanation,
        decisive_span=chosen.decisive_span,
        parts=list(parts),
        basis=chosen.basis,
    )
