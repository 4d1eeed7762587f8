"""NLI training and evaluation data: shared JSONL sets, fixed splits and synthetic news pairs."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABELS: tuple[str, ...] = ("entailment", "neutral", "contradiction")
REPO_ROOT = Path(__file__).resolve().parent.parent

MNLI_HELDOUT_SIZE = 2000
BBC_HELDOUT_PERCENT = 10


@dataclass(frozen=True)
class Pair:
    """One premise/hypothesis example with its origin and, for synthetic pairs, the edit kind."""

    premise: str
    hypothesis: str
    label: str
    source: str
    kind: str = ""


@dataclass(frozen=True)
class Doc:
    """A short document (news article or multi-sentence premise) split into sentences."""

    doc_id: str
    sentences: tuple[str, ...]


def shared_dir(override: str | None = None) -> Path:
    """Return the shared data folder: CLI override, else $FACTCHECK_SHARED_DIR, else <repo>/../shared."""
    chosen = override or os.environ.get("FACTCHECK_SHARED_DIR")
    return Path(chosen).resolve() if chosen else (REPO_ROOT / ".." / "shared").resolve()


def stable_hash(text: str) -> int:
    """Hash that is stable across processes and Python versions (unlike hash())."""
    return int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "big")


def normalise_claim(text: str) -> str:
    """Key used to match FEVER claims across files (same rule as the nli-data READMEs)."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL file into a list of dicts."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_set(shared: Path, name: str, split: str) -> list[Pair]:
    """Load nli-data/<name>/<split>.jsonl as pairs tagged with '<name>/<split>'."""
    rows = read_jsonl(shared / "nli-data" / name / f"{split}.jsonl")
    source = f"{name}/{split}"
    return [Pair(r["premise"], r["hypothesis"], r["label"], source) for r in rows]


def mnli_matched_split(shared: Path) -> tuple[list[Pair], list[Pair]]:
    """Split MNLI dev_matched into (train, held-out); held-out = the 2,000 lowest stable hashes."""
    pairs = load_set(shared, "mnli", "dev_matched")
    ranked = sorted(pairs, key=lambda p: stable_hash(p.premise + "\t" + p.hypothesis))
    return ranked[MNLI_HELDOUT_SIZE:], ranked[:MNLI_HELDOUT_SIZE]


def fever_test_claims(shared: Path) -> set[str]:
    """Claims of the FEVER-derived test sets; training pairs with these hypotheses are dropped."""
    test = load_set(shared, "fever_nli", "test") + load_set(shared, "fever_symmetric", "test")
    return {normalise_claim(p.hypothesis) for p in test}


def without_claims(pairs: Iterable[Pair], claims: set[str]) -> list[Pair]:
    """Drop pairs whose hypothesis is one of the given (normalised) claims."""
    return [p for p in pairs if normalise_claim(p.hypothesis) not in claims]


# ---------------------------------------------------------------- sentences and documents

_ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Dr", "St", "Prof", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "No", "vs")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[\"“]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences with a regex; good enough for edited news prose."""
    sentences: list[str] = []
    for paragraph in text.split("\n"):
        start = 0
        for match in _SENTENCE_END.finditer(paragraph):
            candidate = paragraph[start : match.start()].rstrip()
            last_word = candidate.rsplit(" ", 1)[-1].rstrip(".")
            # An abbreviation or an initial ("J. Smith") does not end a sentence.
            if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isupper()):
                continue
            sentences.append(paragraph[start : match.end()].strip())
            start = match.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return sentences


def bbc_docs(shared: Path, heldout: bool) -> list[Doc]:
    """BBC articles of one side of the fixed 90/10 split by stable hash of the article id."""
    rows = read_jsonl(shared / "nli-data" / "bbc_news" / "articles.jsonl")
    docs = []
    for row in rows:
        is_heldout = stable_hash(row["id"]) % 100 < BBC_HELDOUT_PERCENT
        if is_heldout == heldout:
            docs.append(Doc(f"bbc/{row['id']}", tuple(split_sentences(row["text"]))))
    return docs


def premise_docs(pairs: Iterable[Pair], prefix: str) -> list[Doc]:
    """Turn the distinct premises of an NLI set into documents for synthetic edits."""
    seen: dict[str, Doc] = {}
    for pair in pairs:
        if pair.premise not in seen:
            sentences = tuple(split_sentences(pair.premise.replace(" . ", ". ")))
            seen[pair.premise] = Doc(f"{prefix}/{len(seen)}", sentences)
    return list(seen.values())


# ---------------------------------------------------------------- edits

Edit = Callable[[str, Doc, random.Random], "str | None"]

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_COUNTRIES = (
    "Britain",
    "France",
    "Germany",
    "Italy",
    "Spain",
    "Ireland",
    "Russia",
    "China",
    "Japan",
    "India",
    "Brazil",
    "Canada",
    "Australia",
    "Mexico",
    "Iran",
    "Iraq",
    "Israel",
    "Egypt",
    "Turkey",
    "Poland",
    "Ukraine",
    "Sweden",
    "Norway",
    "Denmark",
    "Netherlands",
    "Belgium",
    "Switzerland",
    "Austria",
    "Greece",
    "Portugal",
    "Scotland",
    "Wales",
    "England",
    "South Africa",
    "Nigeria",
    "Kenya",
    "Argentina",
    "Pakistan",
    "Indonesia",
    "South Korea",
    "North Korea",
    "Syria",
    "Afghanistan",
    "New Zealand",
    "Finland",
    "Hungary",
    "Romania",
    "Saudi Arabia",
    "Vietnam",
    "Thailand",
)
# Capitalised words that are not names, so the entity heuristic skips them.
_NOT_NAMES = frozenset(
    (
        "The",
        "A",
        "An",
        "He",
        "She",
        "It",
        "They",
        "We",
        "I",
        "You",
        "But",
        "And",
        "However",
        "This",
        "That",
        "These",
        "Those",
        "In",
        "On",
        "At",
        "For",
        "If",
        "As",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Sir",
        "His",
        "Her",
        "Its",
        "Their",
        "Our",
        "There",
        "When",
        "While",
        "After",
        "Before",
        "Last",
        "Next",
        "So",
        "Yet",
        "Also",
        "UK",
        "US",
        "EU",
        "BBC",
        "Government",
        "Prime",
        "Minister",
        "President",
        "Chancellor",
        "Secretary",
    )
    + _WEEKDAYS
    + _MONTHS
)
_ANTONYMS = {
    "rose": "fell",
    "fell": "rose",
    "rise": "fall",
    "fall": "rise",
    "rises": "falls",
    "falls": "rises",
    "rising": "falling",
    "falling": "rising",
    "risen": "fallen",
    "fallen": "risen",
    "increased": "decreased",
    "decreased": "increased",
    "increase": "decrease",
    "decrease": "increase",
    "increases": "decreases",
    "decreases": "increases",
    "higher": "lower",
    "lower": "higher",
    "won": "lost",
    "lost": "won",
    "win": "lose",
    "lose": "win",
    "wins": "loses",
    "winning": "losing",
    "winner": "loser",
    "accepted": "rejected",
    "rejected": "accepted",
    "accept": "reject",
    "reject": "accept",
    "approved": "rejected",
    "joined": "left",
    "profit": "loss",
    "profits": "losses",
    "loss": "profit",
    "losses": "profits",
    "stronger": "weaker",
    "weaker": "stronger",
    "strong": "weak",
    "weak": "strong",
    "before": "after",
    "after": "before",
    "above": "below",
    "below": "above",
    "largest": "smallest",
    "biggest": "smallest",
    "smallest": "largest",
    "highest": "lowest",
    "lowest": "highest",
    "best": "worst",
    "worst": "best",
    "success": "failure",
    "failure": "success",
    "successful": "unsuccessful",
    "guilty": "innocent",
    "innocent": "guilty",
    "agreed": "refused",
    "refused": "agreed",
    "opened": "closed",
    "closed": "opened",
    "allowed": "banned",
    "banned": "allowed",
    "supported": "opposed",
    "opposed": "supported",
    "support": "oppose",
    "oppose": "support",
    "beat": "lost to",
    "ahead": "behind",
    "behind": "ahead",
    "earlier": "later",
    "later": "earlier",
    "better": "worse",
    "worse": "better",
    "positive": "negative",
    "negative": "positive",
    "optimistic": "pessimistic",
    "pessimistic": "optimistic",
    "surged": "plunged",
    "plunged": "surged",
    "jumped": "dropped",
    "dropped": "jumped",
    "slumped": "soared",
    "soared": "slumped",
    "grew": "shrank",
    "growth": "decline",
    "bought": "sold",
    "sold": "bought",
    "buy": "sell",
    "sell": "buy",
    "victory": "defeat",
    "defeat": "victory",
    "hired": "fired",
    "confirmed": "denied",
    "denied": "confirmed",
    "legal": "illegal",
    "illegal": "legal",
    "cheaper": "more expensive",
    "easier": "harder",
    "maximum": "minimum",
    "minimum": "maximum",
    "gained": "lost",
    "boosted": "cut",
    "first": "last",
}
_QUANTIFIERS = {
    "all": "no",
    "every": "no",
    "always": "never",
    "most": "few",
    "many": "few",
    "few": "many",
    "majority": "minority",
    "minority": "majority",
    "more than": "fewer than",
    "fewer than": "more than",
    "less than": "more than",
    "everyone": "no one",
    "nobody": "everybody",
    "everything": "nothing",
}
_AUXILIARIES = (
    "is",
    "are",
    "was",
    "were",
    "will",
    "would",
    "could",
    "should",
    "has",
    "have",
    "had",
    "must",
    "may",
    "might",
    "does",
    "do",
    "did",
)
_AUX_PATTERN = "|".join(_AUXILIARIES + ("can",))
_NEGATION_REMOVALS = (
    (r"\bwon't\b", "will"),
    (r"\bcan't\b", "can"),
    (r"\bcannot\b", "can"),
    (r"\b(" + _AUX_PATTERN + r")n't\b", r"\1"),
    (r"\b(" + _AUX_PATTERN + r") not\b(?! only)", r"\1"),
    (r"\bnever ", ""),
)
_APPROX_BEFORE_NUMBER = re.compile(
    r"(more than|over|at least|up to|fewer than|less than|under|nearly|almost|about|around|some|"
    r"than|top|above|below)\s+[£$€]?$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\d.,\w])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d]|,\d|\.\d)")
_YEAR = re.compile(r"(?<![\d.,£$€])(19[5-9]\d|20[0-2]\d)(?![\d%])")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b")
_DETAILS = (
    " on Monday",
    " on Tuesday",
    " on Friday",
    " in 2019",
    " in 1998",
    " for the first time",
    " despite strong opposition",
    " after months of talks",
    " last year",
    " for the third time",
    " at a meeting in London",
    " in a surprise move",
)


def _replace_span(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _same_case(word: str, template: str) -> str:
    return word[:1].upper() + word[1:] if template[:1].isupper() else word


def _different_number(value: str, decimals: str, rng: random.Random) -> str:
    """A clearly different number written the same way (same digit count, decimals, commas)."""
    digits = value.replace(",", "")
    number = int(digits)
    if decimals:
        scaled = float(digits + decimals) * rng.choice((0.4, 0.5, 0.6, 1.5, 1.8, 2.5))
        return f"{scaled:.{len(decimals) - 1}f}"
    low, high = (1, 9) if len(digits) == 1 else (10 ** (len(digits) - 1), 10 ** len(digits) - 1)
    for _ in range(20):
        candidate = rng.randint(low, high)
        # A small relative change ("76" -> "77") reads like a typo rather than a different fact.
        if candidate != number and abs(candidate - number) >= max(1, 0.15 * number):
            return f"{candidate:,}" if "," in value else str(candidate)
    return ""


def edit_number(sentence: str, _doc: Doc, rng: random.Random) -> str | None:
    """Contradiction: change a number (not a year, not after 'more than'/'about') keeping its scale."""
    matches = [
        m
        for m in _NUMBER.finditer(sentence)
        if not _YEAR.fullmatch(m.group(0)) and not _APPROX_BEFORE_NUMBER.search(sentence[: m.start()])
    ]
    words = [
        m
        for m in re.finditer(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", sentence, re.IGNORECASE)
        if not _APPROX_BEFORE_NUMBER.search(sentence[: m.start()])
    ]
    if matches and (not words or rng.random() < 0.8):
        match = rng.choice(matches)
        new = _different_number(match.group(1), match.group(2) or "", rng)
        return _replace_span(sentence, match.start(), match.end(), new) if new else None
    if words:
        match = rng.choice(words)
        new = rng.choice([w for w in _NUMBER_WORDS if w != match.group(0).lower()])
        return _replace_span(sentence, match.start(), match.end(), _same_case(new, match.group(0)))
    return None


def edit_date(sentence: str, _doc: Doc, rng: random.Random) -> str | None:
    """Contradiction: shift a year, weekday or month."""
    options: list[tuple[int, int, str]] = []
    for match in _YEAR.finditer(sentence):
        if not re.search(r"\b(since|by|until|before|after)\s+$", sentence[: match.start()]):
            shifted = int(match.group(0)) + rng.choice((-3, -2, -1, 1, 2, 3))
            options.append((match.start(), match.end(), str(shifted)))
    for names in (_WEEKDAYS, _MONTHS):
        for match in re.finditer(r"\b(" + "|".join(names) + r")\b", sentence):
            new = rng.choice([n for n in names if n != match.group(0)])
            options.append((match.start(), match.end(), new))
    if not options:
        return None
    start, end, new = rng.choice(options)
    return _replace_span(sentence, start, end, new)


def _names(text: str) -> list[tuple[int, int, str]]:
    """Capitalised word runs that look like names (not sentence-initial, not function words)."""
    found = []
    for match in _NAME.finditer(text):
        run: list[re.Match[str]] = []
        for word in [*re.finditer(r"[A-Z][a-z]+", match.group(0)), None]:
            if word is not None and word.group(0) not in _NOT_NAMES:
                run.append(word)
                continue
            if run:
                start, end = match.start() + run[0].start(), match.start() + run[-1].end()
                if start > 0 and text[start - 1] not in "\"“'":
                    found.append((start, end, text[start:end]))
            run = []
    return found


def edit_entity(sentence: str, doc: Doc, rng: random.Random) -> str | None:
    """Contradiction: swap a country for another, or a name for another name from the same document."""
    countries = [
        (m.start(), m.end(), m.group(0)) for m in re.finditer(r"\b(" + "|".join(_COUNTRIES) + r")\b", sentence)
    ]
    if countries and rng.random() < 0.5:
        start, end, name = rng.choice(countries)
        new = rng.choice([c for c in _COUNTRIES if c not in sentence])
        return _replace_span(sentence, start, end, new)
    names = [n for n in _names(sentence) if n[2] not in _COUNTRIES]
    if not names:
        return None
    start, end, name = rng.choice(names)
    width = len(name.split())
    pool = sorted(
        {
            n
            for s in doc.sentences
            for _, _, n in _names(s)
            if len(n.split()) == width and n not in sentence and name not in n and n not in name and n not in _COUNTRIES
        }
    )
    if not pool:
        return None
    return _replace_span(sentence, start, end, rng.choice(pool))


def edit_negation(sentence: str, _doc: Doc, rng: random.Random) -> str | None:
    """Contradiction: remove an existing negation, or insert 'not' after an auxiliary verb."""
    for pattern, replacement in _NEGATION_REMOVALS:
        edited, count = re.subn(pattern, replacement, sentence, count=1)
        if count:
            return edited
    matches = list(re.finditer(r"\b(" + _AUX_PATTERN + r")\b(?= (?!not\b)[a-z])", sentence))
    if not matches:
        return None
    match = rng.choice(matches)
    return _replace_span(sentence, match.end(), match.end(), " not")


def _swap_word(sentence: str, table: dict[str, str], rng: random.Random) -> str | None:
    keys = sorted(table, key=len, reverse=True)
    matches = list(re.finditer(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b", sentence, re.IGNORECASE))
    if not matches:
        return None
    match = rng.choice(matches)
    new = table[match.group(0).lower()]
    return _replace_span(sentence, match.start(), match.end(), _same_case(new, match.group(0)))


def edit_antonym(sentence: str, _doc: Doc, rng: random.Random) -> str | None:
    """Contradiction: replace a word by its antonym (rose/fell, won/lost, accepted/rejected, ...)."""
    return _swap_word(sentence, _ANTONYMS, rng)


def edit_quantifier(sentence: str, _doc: Doc, rng: random.Random) -> str | None:
    """Contradiction: flip a quantifier (all/no, most/few, more than/fewer than, ...)."""
    return _swap_word(sentence, _QUANTIFIERS, rng)


_ATTRIBUTION_VERBS = r"(?:said|says|told [^,.]{1,40}|announced|confirmed|reported)"


def drop_attribution(sentence: str, _doc: Doc, _rng: random.Random) -> str | None:
    """Entailment: drop '..., X said.', 'X said (that)' or 'according to X'."""
    patterns = (
        (r"^(.+?),[\"”]? (?:he|she|they|it|[\w.' -]{1,40}) (?:said|says|added|told [^,.]{1,40})\.$", r"\1."),
        (r"^[\"“](.+?)[,.]?[\"”],? said [^,.]{1,60}\.$", r"\1."),
        (r"^(?:He|She|They|It|The [\w ]{1,30}|[A-Z][\w.' -]{1,40}) " + _ATTRIBUTION_VERBS + r" (?:that )?(.+)$", r"\1"),
        (r"^According to [^,]{1,60}, (.+)$", r"\1"),
        (r",? according to [^,.]{1,60}", ""),
    )
    for pattern, replacement in patterns:
        edited = re.sub(pattern, replacement, sentence, count=1)
        if edited != sentence and len(edited.split()) >= 5:
            edited = edited.strip('"“” ')
            return edited[:1].upper() + edited[1:]
    return None


def drop_parenthetical(sentence: str, _doc: Doc, _rng: random.Random) -> str | None:
    """Entailment: drop a bracketed aside or a non-restrictive ', which/who ...,' / appositive clause."""
    for pattern in (
        r"\s*\([^()]{1,80}\)",
        r", (?:who|which|whose) [^,]{3,80},",
        r"(?<=[A-Za-z]), (?:a|an|the) [^,]{3,60},",
    ):
        edited = re.sub(pattern, "", sentence, count=1)
        if edited != sentence and len(edited.split()) >= 5:
            return edited
    return None


_CURRENCY_WORDS = {"£": "pounds", "$": "dollars", "€": "euros"}
_SCALE_WORDS = {"bn": "billion", "m": "million"}


def rewrite_number(sentence: str, _doc: Doc, rng: random.Random) -> str | None:
    """Entailment: write a number another way ('$1.1bn' -> '1.1 billion dollars', '12%' -> '12 per cent')."""

    def spell(m: re.Match[str]) -> str:
        scale = _SCALE_WORDS[m.group(3)]
        if rng.random() < 0.5:
            return f"{m.group(1)}{m.group(2)} {scale}"
        return f"{m.group(2)} {scale} {_CURRENCY_WORDS[m.group(1)]}"

    def short(m: re.Match[str]) -> str:
        symbol = {v: k for k, v in _CURRENCY_WORDS.items()}[m.group(3)]
        return f"{symbol}{m.group(1)}{'bn' if m.group(2) == 'billion' else 'm'}"

    rewrites: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
        (r"([£$€])(\d+(?:\.\d+)?)(bn|m)\b", spell),
        (r"(\d+(?:\.\d+)?) (billion|million) (pounds|dollars|euros)", short),
        (r"(\d+(?:\.\d+)?)%", r"\1 per cent"),
        (r"(\d+(?:\.\d+)?) per ?cent\b", r"\1%"),
        (r"\b(\d{1,3}),(\d{3})\b(?!,)", r"\1\2"),
    )
    for pattern, replacement in rewrites:
        edited = re.sub(pattern, replacement, sentence, count=1)
        if edited != sentence:
            return edited
    return None


def drop_time(sentence: str, _doc: Doc, _rng: random.Random) -> str | None:
    """Entailment: drop a time expression ('on Monday', 'last week', 'in 2004'), making the claim vaguer."""
    pattern = (
        r",? (?:on (?:" + "|".join(_WEEKDAYS) + r")|last (?:week|month|year)|this (?:week|month|year)|"
        r"in (?:" + "|".join(_MONTHS) + r"|19\d\d|20\d\d))\b(?! \d)"
    )
    edited = re.sub(pattern, "", sentence, count=1)
    return edited if edited != sentence and len(edited.split()) >= 5 else None


def other_sentence(sentence: str, doc: Doc, rng: random.Random) -> str | None:
    """Neutral: another, non-adjacent sentence of the same document with little word overlap."""
    index = doc.sentences.index(sentence)
    words = set(sentence.lower().split())
    options = [
        s
        for i, s in enumerate(doc.sentences)
        if abs(i - index) > 1
        and 6 <= len(s.split()) <= 45
        and len(words & set(s.lower().split())) / max(1, len(words | set(s.lower().split()))) < 0.3
    ]
    return rng.choice(options) if options else None


def add_detail(sentence: str, _doc: Doc, rng: random.Random) -> str | None:
    """Neutral: append a detail the premise does not state (a day, a year, 'for the first time', ...)."""
    if not sentence.endswith(".") or sentence.endswith('."') or sentence.count('"') % 2:
        return None
    options = [
        d
        for d in _DETAILS
        if not (re.search(r"\b(" + "|".join(_WEEKDAYS) + r")\b", sentence) and " on " in d)
        and not (_YEAR.search(sentence) and re.search(r"\d", d))
        and not ("first" in sentence and "first" in d)
        and not ("last" in sentence and "last" in d)
    ]
    return sentence[:-1] + rng.choice(options) + "." if options else None


EDITS: dict[str, tuple[str, Edit]] = {
    "number": ("contradiction", edit_number),
    "date": ("contradiction", edit_date),
    "entity": ("contradiction", edit_entity),
    "negation": ("contradiction", edit_negation),
    "antonym": ("contradiction", edit_antonym),
    "quantifier": ("contradiction", edit_quantifier),
    "drop_attribution": ("entailment", drop_attribution),
    "drop_parenthetical": ("entailment", drop_parenthetical),
    "rewrite_number": ("entailment", rewrite_number),
    "drop_time": ("entailment", drop_time),
    "other_sentence": ("neutral", other_sentence),
    "add_detail": ("neutral", add_detail),
}
LABEL_SHARE = {"contradiction": 0.4, "entailment": 0.3, "neutral": 0.3}


def synthetic_pairs(docs: list[Doc], per_doc: int, seed: int, source: str) -> list[Pair]:
    """FactCC-style edited pairs: up to per_doc sentences per document, edit kinds kept balanced."""
    rng = random.Random(seed)
    used: Counter[str] = Counter()
    pairs: list[Pair] = []
    for doc in docs:
        candidates = [s for s in doc.sentences if 6 <= len(s.split()) <= 45]
        rng.shuffle(candidates)
        for sentence in candidates[:per_doc]:
            label = rng.choices(list(LABEL_SHARE), weights=list(LABEL_SHARE.values()))[0]
            kinds = [k for k, (lab, _) in EDITS.items() if lab == label]
            rng.shuffle(kinds)
            # Least-used kinds first, so rare edits (quantifier) are not crowded out by common ones.
            for kind in sorted(kinds, key=lambda k: used[k]):
                hypothesis = EDITS[kind][1](sentence, doc, rng)
                if hypothesis and hypothesis.strip() != sentence.strip():
                    pairs.append(
                        Pair(
                            _with_context(sentence, doc, rng),
                            _as_claim(hypothesis, sentence, kind, rng),
                            label,
                            source,
                            kind,
                        )
                    )
                    used[kind] += 1
                    break
            else:
                if label == "entailment" and len(doc.sentences) > 1:
                    # No edit applies: the sentence restated inside a longer premise is still supported.
                    pairs.append(Pair(_with_context(sentence, doc, rng, always=True), sentence, label, source, "copy"))
                    used["copy"] += 1
    return pairs


def _as_claim(hypothesis: str, sentence: str, kind: str, rng: random.Random) -> str:
    """Claims rarely carry attribution: strip it from 40 % of hypotheses, unless that undoes the edit."""
    if kind == "drop_attribution" or rng.random() < 0.6:
        return hypothesis
    stripped = drop_attribution(hypothesis, Doc("", ()), rng)
    if stripped is None or stripped == (drop_attribution(sentence, Doc("", ()), rng) or sentence):
        return hypothesis
    return stripped


def _with_context(sentence: str, doc: Doc, rng: random.Random, always: bool = False) -> str:
    """The premise: the sentence alone, or (30 %) with its neighbour, so the evidence is not always alone."""
    index = doc.sentences.index(sentence)
    if (always or rng.random() < 0.3) and len(doc.sentences) > 1:
        if index > 0 and (rng.random() < 0.5 or index == len(doc.sentences) - 1):
            return doc.sentences[index - 1] + " " + sentence
        return sentence + " " + doc.sentences[index + 1]
    return sentence


# ---------------------------------------------------------------- training and evaluation sets


def training_sets(shared: Path, seed: int) -> dict[str, list[Pair]]:
    """All training pairs by source, with every held-out and test example excluded."""
    test_claims = fever_test_claims(shared)
    mnli_train, _ = mnli_matched_split(shared)
    fever_dev = without_claims(load_set(shared, "fever_nli", "dev"), test_claims)
    rte_entailed = [p for p in load_set(shared, "rte", "train") if p.label == "entailment"]
    return {
        "snli": load_set(shared, "snli", "train"),
        "mnli_matched": mnli_train,
        "mnli_mismatched": load_set(shared, "mnli", "dev_mismatched.nc_noisy"),
        "fever_nli": fever_dev,
        "fever_gold": without_claims(load_set(shared, "fever_gold_evidence", "dev"), test_claims),
        "fever_symmetric": without_claims(load_set(shared, "fever_symmetric", "dev"), test_claims),
        "covid_fact": load_set(shared, "covid_fact", "train"),
        "healthver": load_set(shared, "healthver", "dev"),
        "commitment_bank": load_set(shared, "commitment_bank", "train"),
        "fracas": load_set(shared, "fracas", "train"),
        # RTE's "neutral" means "not entailed" (may be a contradiction), so only its entailments are used.
        "rte_entailment": rte_entailed,
        **synthetic_sets(shared, seed),
    }


def synthetic_sets(shared: Path, seed: int) -> dict[str, list[Pair]]:
    """Synthetic training pairs from training BBC articles and from training MNLI/FEVER premises."""
    mnli_train, _ = mnli_matched_split(shared)
    fever_dev = without_claims(load_set(shared, "fever_nli", "dev"), fever_test_claims(shared))
    return {
        "synthetic_bbc": synthetic_pairs(
            bbc_docs(shared, heldout=False), per_doc=30, seed=seed, source="synthetic/bbc"
        ),
        "synthetic_nli_premises": synthetic_pairs(
            premise_docs(mnli_train + fever_dev, "premise"), per_doc=1, seed=seed + 1, source="synthetic/nli-premises"
        ),
    }


def heldout_synthetic(shared: Path, seed: int = 1234, per_doc: int = 12) -> list[Pair]:
    """Synthetic pairs from the held-out BBC articles (never seen in training)."""
    return synthetic_pairs(bbc_docs(shared, heldout=True), per_doc=per_doc, seed=seed, source="synthetic/bbc-heldout")
