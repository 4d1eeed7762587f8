"""The similarity verifier (the default): its rules, and thresholds read from the tuned parameters file."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.config import Settings
from app.pipeline.similarity_verifier import SimilarityVerifier
from app.pipeline.verdicts import Passage, PassageKind, Verdict
from app.runtime import build_verifier

CLAIM = "Germany committed 12 billion euros to Ukraine."


def sentence(text: str, similarity: float) -> Passage:
    return Passage(7, "Aid article", 0, (0,), 100, 100 + len(text), text, similarity, PassageKind.SENTENCE)


def verdict(verifier: SimilarityVerifier, passage: Passage) -> Verdict:
    return verifier.verify([(CLAIM, [passage])])[0].verdict


def test_a_close_passage_without_conflicts_supports_and_a_loose_one_does_not() -> None:
    verifier = SimilarityVerifier(relevant_similarity=0.5, polarity_similarity=0.55, support_similarity=0.6)
    text = "Germany has committed 12 billion euros in aid to Ukraine."
    assert verdict(verifier, sentence(text, 0.8)) is Verdict.SUPPORTED
    assert verdict(verifier, sentence(text, 0.55)) is Verdict.UNKNOWN  # relevant, not close enough
    assert verdict(verifier, sentence(text, 0.4)) is Verdict.UNKNOWN  # not relevant


def test_a_relevant_passage_with_another_number_contradicts() -> None:
    verifier = SimilarityVerifier(relevant_similarity=0.5, polarity_similarity=0.55, support_similarity=0.6)
    answer = verifier.verify([(CLAIM, [sentence("Germany has committed 20 billion euros to Ukraine.", 0.7)])])[0]
    assert answer.verdict is Verdict.CONTRADICTED
    assert "20 billion euros" in answer.explanation


def test_thresholds_come_from_the_tuned_parameters_file(tmp_path: Path) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"baseline": {"relevant_similarity": 0.4, "polarity_similarity": 0.45,
                                               "support_similarity": 0.5}}))  # fmt: skip
    verifier = build_verifier(Settings(verifier="similarity", verdict_params=params))
    assert isinstance(verifier, SimilarityVerifier)
    assert (verifier.relevant_similarity, verifier.polarity_similarity, verifier.support_similarity) == (0.4, 0.45, 0.5)
    # Without a file (or without a baseline in it) the built-in defaults apply.
    default = SimilarityVerifier.load(tmp_path / "missing.json")
    assert (default.relevant_similarity, default.support_similarity) == (SimilarityVerifier().relevant_similarity, 0.7)


def test_the_shipped_parameters_file_has_the_tuned_baseline() -> None:
    shipped = json.loads(Settings().verdict_params.read_text())["baseline"]
    verifier = SimilarityVerifier.load(Settings().verdict_params)
    assert verifier.support_similarity == shipped["support_similarity"]


def test_the_similarity_only_baseline_never_contradicts_and_ignores_conflicts() -> None:
    verifier = SimilarityVerifier(relevant_similarity=0.6, support_similarity=0.6, explicit_checks=False)
    changed = sentence("Germany has committed 20 billion euros to Ukraine.", 0.8)
    assert verdict(verifier, changed) is Verdict.SUPPORTED  # close enough: the changed number is not seen
    assert verdict(verifier, sentence("Germany has committed 20 billion euros.", 0.5)) is Verdict.UNKNOWN
    assert verifier.version == "similarity-only-v1"
