from __future__ import annotations

import pytest

from app.pipeline.claims import split_claim
from app.pipeline.verdicts import Passage, Verdict, Verification, combine_parts, split_scores


@pytest.mark.parametrize(
    ("claim", "parts"),
    [
        ("Germany pledged 12 billion euros and Japan will send tanks",
         ["Germany pledged 12 billion euros.", "Japan will send tanks."]),
        ("Poland is expected to join the framework and will send troops to Ukraine.",
         ["Poland is expected to join the framework.", "Poland will send troops to Ukraine."]),
        ("The Quad consists of the United States, Britain, France and Germany, and it has been negotiating for weeks.",
         ["The Quad consists of the United States, Britain, France and Germany.",
          "The Quad has been negotiating for weeks."]),
        ("Prices are rising; the central bank has raised rates",
         ["Prices are rising.", "the central bank has raised rates."]),
        # The subject carried into the second part keeps its letters and the verb its curly apostrophe.
        ("Erdoğan visited Ankara and signed a deal", ["Erdoğan visited Ankara.", "Erdoğan signed a deal."]),
        ("Poland is expected to join the framework and won’t send troops",
         ["Poland is expected to join the framework.", "Poland won’t send troops."]),
    ],
)  # fmt: skip
def test_compound_claims_split_into_atomic_parts(claim: str, parts: list[str]) -> None:
    assert split_claim(claim) == parts


@pytest.mark.parametrize(
    "claim",
    [
        "Poland and Romania are expected to join the framework on Wednesday.",
        "The Quad consists of the United States, Britain, France and Germany.",
        "Ukraine cannot join NATO while the conflict with Russia is ongoing.",
        "Research and development spending rose.",
    ],
)
def test_single_facts_stay_whole(claim: str) -> None:
    assert split_claim(claim) == [claim]


def _part(claim: str, verdict: Verdict, confidence: float, sentence: int) -> Verification:
    passage = Passage(1, "Doc", sentence, (sentence,), 0, 4, "text", 0.8)
    scores = {v: (confidence if v is verdict else (1 - confidence) / 2) for v in Verdict}
    return Verification(verdict, confidence, scores, [passage], f"because {sentence}", claim=claim)


def test_any_contradicted_part_contradicts_the_claim() -> None:
    parts = [_part("A.", Verdict.SUPPORTED, 0.9, 1), _part("B.", Verdict.CONTRADICTED, 0.7, 2)]
    combined = combine_parts(parts)
    assert combined.verdict is Verdict.CONTRADICTED
    assert combined.evidence[0].sentence_index == 2
    assert combined.explanation.startswith("Part 2 of 2, “B.”: because 2")
    assert combined.parts == parts


def test_an_unsupported_part_makes_the_claim_unknown() -> None:
    parts = [_part("A.", Verdict.SUPPORTED, 0.9, 1), _part("B.", Verdict.UNKNOWN, 0.6, 2)]
    assert combine_parts(parts).verdict is Verdict.UNKNOWN


def test_a_contradiction_outranks_an_unknown_part() -> None:
    parts = [_part("A.", Verdict.UNKNOWN, 0.9, 1), _part("B.", Verdict.CONTRADICTED, 0.6, 2)]
    assert combine_parts(parts).verdict is Verdict.CONTRADICTED


def test_supported_only_when_every_part_is_and_as_sure_as_the_weakest() -> None:
    parts = [_part("A.", Verdict.SUPPORTED, 0.9, 1), _part("B.", Verdict.SUPPORTED, 0.7, 2)]
    combined = combine_parts(parts)
    assert combined.verdict is Verdict.SUPPORTED
    assert combined.confidence == 0.7
    assert {p.sentence_index for p in combined.evidence} == {1, 2}
    # Which passage states which part.
    assert combined.explanation == (
        "Every part is supported. Part 1 of 2, “A.”: because 1 Part 2 of 2, “B.”: because 2"
    )


def test_scores_give_the_rest_to_the_other_verdicts_and_sum_to_one() -> None:
    for confidence in (0.9463, 0.5, 0.3333, 0.0001, 1.0):
        scores = split_scores(Verdict.SUPPORTED, confidence)
        assert scores[Verdict.SUPPORTED] == confidence
        assert abs(sum(scores.values()) - 1) < 1e-9, confidence
        assert abs(scores[Verdict.CONTRADICTED] - scores[Verdict.UNKNOWN]) <= 0.0001 + 1e-9
