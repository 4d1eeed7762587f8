"""The training-data generators' neutral pairs: on-topic, yet saying something the premise does not."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import nli_data  # noqa: E402
from nli_data import Doc, Pair  # noqa: E402

ARTICLE = Doc(
    "bbc/test",
    (
        "Shares in the carmaker Rover fell sharply on Monday after a profit warning.",
        "The company blamed weak demand in its home market for the fall.",
        "Analysts said the warning had been expected for several weeks.",
        "Last year Rover sold its engine plant to a Chinese group for 60 million pounds.",
        "Union leaders said they would meet ministers in London next month.",
    ),
)


def test_related_sentence_names_the_same_subject_and_is_not_a_neighbour() -> None:
    for seed in range(5):
        hypothesis = nli_data.related_sentence(ARTICLE.sentences[0], ARTICLE, random.Random(seed))
        assert hypothesis == ARTICLE.sentences[3]  # the only non-adjacent sentence naming Rover
    # Nothing shares a name with the union sentence: no related sentence.
    assert nli_data.related_sentence(ARTICLE.sentences[4], ARTICLE, random.Random(0)) is None


def test_claim_subject_is_the_opening_name() -> None:
    assert nli_data.claim_subject("Robert Palmer wrote The Rest is Noise.") == "Robert Palmer"
    assert nli_data.claim_subject("The Church of Jesus Christ grew quickly.") == "Church of Jesus Christ"
    assert nli_data.claim_subject("A dog is a mammal.") is None
    assert nli_data.claim_subject("it rained.") is None


def test_topic_neutrals_use_other_evidence_about_the_subject_only() -> None:
    own = "Aaron Burr was the third Vice President of the United States."
    other = "In 1804 the duel was fought by Aaron Burr in Weehawken."
    decides = "As a soldier Aaron Burr served in the Continental Army."
    pairs = [
        Pair(own, "Aaron Burr was a Vice President.", "entailment", "fever"),
        Pair(other, "The duel took place in New Jersey.", "entailment", "fever"),
        Pair(decides, "A soldier fought for the Continental Army.", "entailment", "fever"),
        Pair(own, "Aaron Burr served in the army.", "entailment", "fever"),
    ]
    neutrals = {p.hypothesis: p for p in nli_data.topic_neutrals(pairs, seed=1, source="test")}
    # Its own evidence is never used; evidence sharing a content word with the claim ("Vice") is skipped.
    assert neutrals["Aaron Burr was a Vice President."].premise in (other, decides)
    # "served" / "army" appear in the soldier sentence, so only the duel sentence is left.
    assert neutrals["Aaron Burr served in the army."].premise == other
    assert all(p.label == "neutral" and p.kind == "topic_neutral" for p in neutrals.values())
    # Claims without an opening name get no pair.
    assert "The duel took place in New Jersey." not in neutrals
