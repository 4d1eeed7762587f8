"""Splitting compound claims ("Germany pledged 12 billion euros and Japan will send tanks") into parts."""

from __future__ import annotations

import re

_AUXILIARIES = {
    "is", "are", "was", "were", "will", "would", "has", "have", "had", "can", "cannot", "could",
    "should", "may", "might", "must", "did", "does", "do", "won't", "isn't", "aren't", "wasn't",
}  # fmt: skip
_COMMON_VERBS = {
    "includes", "include", "consists", "gives", "give", "gave", "provides", "provide", "sends", "send",
    "sent", "says", "said", "makes", "made", "joins", "join", "leads", "led", "holds", "held", "wants",
    "plans", "pays", "paid", "spends", "spent", "wins", "won", "loses", "lost", "takes", "took",
}  # fmt: skip
_PRONOUNS = {"it", "they"}
# Coordination between clauses: "; ", ", and ", " and ", ", but ", " but ".
_BOUNDARY = re.compile(r"\s*;\s+|,?\s+(?:and|but)\s+", re.IGNORECASE)
# Letters in any alphabet ("Erdoğan", "Kraków") with their apostrophes.
_WORD = re.compile(r"(?:[^\W\d_]|[’'])+")


def _is_verb(word: str) -> bool:
    word = word.lower().replace("’", "'")
    return word in _AUXILIARIES or word in _COMMON_VERBS or (len(word) > 4 and word.endswith("ed"))


def _subject(words: list[str]) -> list[str]:
    """The words before the first verb: "Poland is expected to join" -> ["Poland"]."""
    for position, word in enumerate(words):
        if _is_verb(word):
            return words[:position]
    return []


def _with_subject(clause: str, subject: list[str]) -> str:
    """Give a clause that starts with its verb or a pronoun the subject of the first clause."""
    words = _WORD.findall(clause)
    if not subject or not words or subject[0].lower() in _PRONOUNS | {"he", "she", "we", "i", "you"}:
        return clause
    if words[0].lower() in _PRONOUNS:
        return " ".join(subject) + clause.lstrip()[len(words[0]) :]
    if _is_verb(words[0]):
        return f"{' '.join(subject)} {clause}"
    return clause


def split_claim(claim: str) -> list[str]:
    """Atomic parts of ``claim``; a claim with one fact comes back unchanged as its only part.

    A conjunction splits only between two clauses that each hold a verb, so "Poland and Romania
    are expected to join" and "the United States, Britain, France and Germany" stay whole.
    """
    text = claim.strip().rstrip(".")
    segments = _BOUNDARY.split(text)
    separators = [m.group() for m in _BOUNDARY.finditer(text)]
    clauses = [segments[0]]
    for separator, segment in zip(separators, segments[1:], strict=True):
        previous = _WORD.findall(clauses[-1])
        is_clause = any(_is_verb(w) for w in _WORD.findall(segment))
        if is_clause and len(previous) >= 3 and any(_is_verb(w) for w in previous):
            clauses.append(segment)
        else:
            clauses[-1] += separator + segment
    if len(clauses) == 1:
        return [claim.strip()]
    subject = _subject(_WORD.findall(clauses[0]))
    parts = [clauses[0], *(_with_subject(clause, subject) for clause in clauses[1:])]
    return [part.strip() + "." for part in parts]
