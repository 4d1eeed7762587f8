"""The synthetic news edits that teach the NLI model paraphrase: each keeps (or changes) what the sentence says."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import nli_data  # noqa: E402

NO_DOC = nli_data.Doc("", ())


def every_result(edit: nli_data.Edit, sentence: str, tries: int = 40) -> set[str | None]:
    """What ``edit`` makes of ``sentence`` under many seeds (the edits choose among their matches at random)."""
    return {edit(sentence, NO_DOC, random.Random(seed)) for seed in range(tries)}


def test_synonym_swaps_one_word_and_mends_the_article() -> None:
    results = every_result(nli_data.edit_synonym, "Prices rose 2% in May, a rise of about 12% on the year.")
    assert "Prices increased 2% in May, a rise of about 12% on the year." in results
    assert "Prices went up 2% in May, a rise of about 12% on the year." in results
    assert "Prices rose 2% in May, an increase of about 12% on the year." in results
    assert "Prices rose 2% in May, a rise of around 12% on the year." in results
    assert len(results) == 6  # rose x3, rise x1, about x2: nothing else changes


def test_synonym_leaves_names_and_non_numeric_about_alone() -> None:
    assert every_result(nli_data.edit_synonym, "The Big Lottery Fund talked about the grants.") == {None}
    assert every_result(nli_data.edit_synonym, "Lord Browne rejected calls for a windfall tax.") == {
        "Lord Browne turned down calls for a windfall tax."
    }


def test_negative_paraphrase_only_where_the_tense_allows() -> None:
    assert every_result(nli_data.paraphrase_negative, "The Tories failed to oppose them.") == {
        "The Tories did not oppose them."
    }
    # "had did not oppose" is not English.
    assert every_result(nli_data.paraphrase_negative, "The Tories had failed to oppose them.") == {None}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The study found 60% of women hold degrees.", "The study found three-fifths of women hold degrees."),
        ("Half of the votes went to Labour.", "50% of the votes went to Labour."),
        ("More than 25 per cent of firms agreed.", "More than a quarter of firms agreed."),
    ],
)
def test_rewrite_fraction_keeps_the_value(sentence: str, expected: str) -> None:
    assert every_result(nli_data.rewrite_fraction, sentence) == {expected}


def test_fractions_that_are_no_share_are_left_alone() -> None:
    sentence = "He battled back in the second half of the season."
    assert every_result(nli_data.rewrite_fraction, sentence) == {None}
    assert every_result(nli_data.edit_fraction, sentence) == {None}


def test_edit_fraction_changes_the_value_by_at_least_ten_points() -> None:
    words = {word: percent for percent, word in nli_data._FRACTIONS.items()}
    for result in every_result(nli_data.edit_fraction, "The study found 60% of women hold degrees."):
        assert result is not None
        share = result.removeprefix("The study found ").removesuffix(" of women hold degrees.")
        assert abs(words[share] - 60) >= 10, result
    for result in every_result(nli_data.edit_fraction, "Half of the votes went to Labour."):
        assert result is not None and abs(int(result.split("%")[0]) - 50) >= 10, result


def test_new_edit_kinds_carry_the_right_labels() -> None:
    labels = {kind: label for kind, (label, _) in nli_data.EDITS.items()}
    assert labels["synonym"] == labels["negative_paraphrase"] == labels["rewrite_fraction"] == "entailment"
    assert labels["fraction"] == "contradiction"
