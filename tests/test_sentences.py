from __future__ import annotations

import pytest

from app.pipeline.sentences import split_sentences
from tests.conftest import SEED_FILE

# (first words, last words) of each sentence of the seed article's body, read by hand.
SEED_SENTENCES = [
    ("An international framework", "by the G7 countries on Wednesday."),
    ("At the NATO summit,", "rejected his request for a timetable for membership."),
    ("Ukraine has sought immediate", "an assault on one member is an attack on all members."),
    ("To avoid engaging in a direct battle", "leaving it to member states and others."),
    ("The Quad, which consists of", "intelligence-sharing, and cyberdefence."),
    ("The British government said", "deter and respond to any future attack.”"),
    ("The announcement will be made", "and Great Britain, later on Wednesday."),
    ("Poland and Romania are expected", "bilateral agreements, according to authorities."),
    ("Washington would soon start", "with Kiev, according to a U.S. official."),
    ("President Joe Biden has mentioned", "a viable model for its support of Israel."),
    ("Although the United States provides Israel", "also involves substantial political backing."),
    ("“G7 leaders agree to enter bilateral", "strengthen Ukraine’s economy,” the U.S. official said."),
    ("Germany has already committed", "including 3.2 billion euros for 2023, through 2032."),
    ("Although France is in negotiations", "its military budget for the years 2025 to 2030."),
    ("According to diplomats, Ukraine would promise", "in exchange for the guarantees."),
]


def seed_body() -> str:
    return SEED_FILE.read_text(encoding="utf-8").partition("\n")[2].strip()


def test_seed_article_splits_sentence_by_sentence() -> None:
    body = seed_body()
    sentences = split_sentences(body)
    assert len(sentences) == len(SEED_SENTENCES)
    for sentence, (first, last) in zip(sentences, SEED_SENTENCES, strict=True):
        assert sentence.text.startswith(first)
        assert sentence.text.endswith(last)
        assert body[sentence.start : sentence.end] == sentence.text


def test_offsets_are_exact_for_the_whole_seed_file() -> None:
    raw = SEED_FILE.read_text(encoding="utf-8")
    sentences = split_sentences(raw)
    assert sentences[0].text == "G7 to announce long-term security guarantees for Ukraine in message to Russia"
    assert [s.index for s in sentences] == list(range(len(sentences)))
    for sentence in sentences:
        assert raw[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. official said so. Talks went on.", ["The U.S. official said so.", "Talks went on."]),
        ("It costs $3.5 billion a year. That is a lot.", ["It costs $3.5 billion a year.", "That is a lot."]),
        ("Martin Luther King Jr. spoke first. Others followed.",
         ["Martin Luther King Jr. spoke first.", "Others followed."]),
        ("J. R. R. Tolkien wrote it in 1954. It sold well.", ["J. R. R. Tolkien wrote it in 1954.", "It sold well."]),
        ("“We will stay. We will fight,” he said. She nodded.",
         ["“We will stay. We will fight,” he said.", "She nodded."]),
        ('"Go now." He left.', ['"Go now."', "He left."]),
        ("Leaders meet in Vilnius\nThe summit opened on Tuesday.",
         ["Leaders meet in Vilnius", "The summit opened on Tuesday."]),
    ],
)  # fmt: skip
def test_news_text_edge_cases(text: str, expected: list[str]) -> None:
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == expected
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_blank_text_has_no_sentences() -> None:
    assert split_sentences("  \n\n \t ") == []


def test_splitting_is_safe_from_many_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    text = " ".join(f"Minister number {n} spoke on Monday." for n in range(120))
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(lambda _: len(split_sentences(text)), range(8)))
    assert counts == [120] * 8
