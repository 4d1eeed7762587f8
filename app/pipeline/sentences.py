"""Sentence splitting that keeps exact character offsets into the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

# A line break starts a new paragraph in news copy; headlines and datelines often lack a full stop.
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """One sentence: ``text == document[start:end]``, without surrounding whitespace."""

    index: int
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(text: str) -> list[SentenceSpan]:
    """Split ``text`` into sentences with offsets; abbreviations, decimals and quotes stay intact."""
    spans: list[SentenceSpan] = []
    for paragraph in _PARAGRAPH.finditer(text):
        if not paragraph.group().strip():
            continue
        for piece in _segmenter().segment(paragraph.group()):
            stripped = piece.sent.strip()
            if not stripped:
                continue
            start = paragraph.start() + piece.start + (len(piece.sent) - len(piece.sent.lstrip()))
            end = start + len(stripped)
            spans.append(SentenceSpan(index=len(spans), start=start, end=end, text=stripped))
    return spans
