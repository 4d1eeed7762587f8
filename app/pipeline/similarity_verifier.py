"""First verifier: embedding similarity decides relevance, explicit checks decide contradiction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from app.pipeline.checks import Mismatch, find_mismatches
from app.pipeline.verdicts import DecisiveSpan, Passage, PassageKind, Verdict, Verification, split_scores

# Numbers and dates are specific enough to contradict at moderate similarity; negation cues are
# common in long news sentences, so they only count when the passage is about the same event.
_HARD_KINDS = {"number", "date"}


def _where(passage: Passage, capital: bool = False) -> str:
    return f"{'S' if capital else 's'}entence {passage.sentence_index + 1} of “{passage.document_title}”"


class SimilarityVerifier:
    """Supported only when a close passage shows no number, date, negation or antonym conflict.

    With ``explicit_checks`` off it is the similarity-only baseline of `make eval`: supported when
    the closest passage is close enough, unknown otherwise, never contradicted.
    """

    def __init__(
        self,
        # Defaults; `make tune` chooses them on tuning data ("baseline" in models/verdict-engine.json, see load).
        relevant_similarity: float = 0.6,
        polarity_similarity: float = 0.65,
        support_similarity: float = 0.7,
        explicit_checks: bool = True,
    ) -> None:
        self.relevant_similarity = relevant_similarity
        self.polarity_similarity = polarity_similarity
        self.support_similarity = support_similarity
        # Without the checks it is the similarity-only baseline: supported when close, never contradicted.
        self.explicit_checks = explicit_checks
        self.version = "similarity-checks-v1" if explicit_checks else "similarity-only-v1"

    @classmethod
    def load(cls, params_path: Path, explicit_checks: bool = True) -> SimilarityVerifier:
        """The verifier with the thresholds `make tune` chose for it, where ``params_path`` has them."""
        if not params_path.is_file():
            return cls(explicit_checks=explicit_checks)
        entry = "baseline" if explicit_checks else "similarity_only"
        thresholds = json.loads(params_path.read_text(encoding="utf-8")).get(entry) or {}
        return cls(**{name: float(value) for name, value in thresholds.items()}, explicit_checks=explicit_checks)

    def verify(
        self,
        items: Sequence[tuple[str, Sequence[Passage]]],
        wholes: Sequence[str] | None = None,  # noqa: ARG002 - the Verifier interface's
    ) -> list[Verification]:
        # Each part of a compound claim is judged alone here: this verifier is the fast baseline.
        return [self._verify_one(claim, passages) for claim, passages in items]

    def _confidence(self, similarity: float, threshold: float) -> float:
        # Heuristic, not calibrated: grows with the distance from the deciding threshold.
        return round(min(0.95, 0.5 + abs(similarity - threshold)), 4)

    def _verify_one(self, claim: str, passages: Sequence[Passage]) -> Verification:
        ranked = sorted(
            (p for p in passages if p.kind is not PassageKind.COMBINED), key=lambda p: p.similarity, reverse=True
        )
        if not ranked or ranked[0].similarity < self.relevant_similarity:
            best = f" (best similarity {ranked[0].similarity:.2f})" if ranked else ""
            confidence = self._confidence(ranked[0].similarity, self.relevant_similarity) if ranked else 0.95
            return Verification(
                verdict=Verdict.UNKNOWN,
                confidence=confidence,
                scores=split_scores(Verdict.UNKNOWN, confidence),
                evidence=ranked[:3],
                explanation=f"No passage in the corpus is close enough to the claim{best}.",
            )
        # Contradictions are judged sentence by sentence: a window's extra sentence could carry a
        # negation or number that belongs to another statement.
        for passage in ranked if self.explicit_checks else []:
            if passage.similarity < self.relevant_similarity:
                break
            if passage.kind is not PassageKind.SENTENCE:
                continue
            conflicts = self._conflicts(claim, passage)
            if conflicts:
                return self._contradicted(passage, conflicts, ranked)
        top = ranked[0]
        if top.similarity >= self.support_similarity and not (
            self.explicit_checks and find_mismatches(claim, top.text)
        ):
            confidence = self._confidence(top.similarity, self.support_similarity)
            checked = " and no number, date or negation differs" if self.explicit_checks else ""
            return Verification(
                verdict=Verdict.SUPPORTED,
                confidence=confidence,
                scores=split_scores(Verdict.SUPPORTED, confidence),
                evidence=ranked,
                explanation=f"{_where(top, capital=True)} closely matches the claim "
                f"(similarity {top.similarity:.2f}){checked}.",
            )
        confidence = self._confidence(top.similarity, self.support_similarity)
        return Verification(
            verdict=Verdict.UNKNOWN,
            confidence=confidence,
            scores=split_scores(Verdict.UNKNOWN, confidence),
            evidence=ranked,
            explanation=f"The closest passage, {_where(top)}, is on the topic (similarity "
            f"{top.similarity:.2f}) but does not state the claim closely enough to support it.",
        )

    def _conflicts(self, claim: str, passage: Passage) -> list[Mismatch]:
        conflicts = find_mismatches(claim, passage.text)
        if passage.similarity >= self.polarity_similarity:
            return conflicts
        return [c for c in conflicts if c.kind in _HARD_KINDS]

    def _contradicted(self, passage: Passage, conflicts: list[Mismatch], ranked: list[Passage]) -> Verification:
        confidence = self._confidence(passage.similarity, self.relevant_similarity)
        reasons = "; ".join(c.message for c in conflicts)
        return Verification(
            verdict=Verdict.CONTRADICTED,
            confidence=confidence,
            scores=split_scores(Verdict.CONTRADICTED, confidence),
            evidence=[passage, *(p for p in ranked if p is not passage)],
            explanation=f"{_where(passage, capital=True)} is about the same thing but {reasons}.",
            decisive_span=DecisiveSpan.find(passage, conflicts[0].passage_values[0]),
        )
