"""Sentence splitting that keeps exact character offsets into the original text."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

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


_local = threading.local()


def _segmenter() -> pysbd.Segmenter:
    # A pysbd Segmenter keeps per-call state: sharing one between threads loses sentences.
    segmenter: pysbd.Segmenter | None = getattr(_local, "segmenter", None)
    if segmenter is None:
        segmenter = _local.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return segmenter


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


def window_texts(text: str, spans: list[SentenceSpan]) -> list[str]:
    """Each sentence after the first with the one before it, as ``text`` has them (its *window*)."""
    return [text[previous.start : span.end] for previous, span in zip(spans, spans[1:], strict=False)]
