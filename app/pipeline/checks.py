"""Explicit checks of numbers, dates, negation and antonyms between a claim and a passage.

They sit beside the statistical verifiers because embeddings (and small NLI models) see
"12 billion euros" and "20 billion euros" as near neighbours.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from difflib import get_close_matches
from functools import lru_cache
from types import MappingProxyType

import pycountry
from lemminflect import getAllLemmas
from text_to_num import alpha2digit

_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}  # fmt: skip
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "usd": "USD", "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "pound": "GBP", "pounds": "GBP", "gbp": "GBP",
}  # fmt: skip
_PERCENT_WORDS = {"%", "percent", "per cent", "percentage points"}

_QUANTITY = re.compile(
    r"(?P<symbol>[$€£])?\s?"
    # A decimal may drop its leading zero (".02 seconds", "$.50").
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?<![\w.])\.\d+)"
    r"(?:\s?(?P<scale>trillion|billion|million|thousand|bn|tn|mn|[kmb])\b)?"
    r"\s?(?P<unit>%|per cent|percent|[A-Za-z]+)?",
    re.IGNORECASE,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip
# A clock reading or race time: "10:30", "3:46.04" (minutes, seconds), "2:06:45" (hours, minutes, seconds).
_CLOCK = re.compile(r"(?<![\d:.,])\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?(?![\d:])")
# A time in minutes and seconds said in words: "one minute, 47.97 seconds", "3 minutes and 5 seconds".
_MINUTES_SECONDS = re.compile(
    r"\b(?P<minutes>\d+|one|an?)\s+(?:minutes?|mins?)\b,?\s*(?:and\s+)?(?P<seconds>\d+(?:\.\d+)?)\s+(?:seconds?|secs?)\b",
    re.IGNORECASE,
)
# A day of a month, either way round, with an ordinal or a range: "12 July", "the 12th of July", "July 11",
# "4-6 March". Month names are matched with their capital, so "may" the verb is not one.
_MONTH_OF = (
    {month.capitalize(): month for month in _MONTHS}
    | {month[:3].capitalize(): month for month in _MONTHS}
    | {"Sept": "september"}
)
_MONTH_NAME = "|".join(sorted(_MONTH_OF, key=len, reverse=True))
_DAY_OF_MONTH = re.compile(
    rf"\b(?P<first>[0-3]?\d)(?:st|nd|rd|th)?(?:\s*(?:-|–|to)\s*(?P<last>[0-3]?\d)(?:st|nd|rd|th)?)?"
    rf"\s+(?:of\s+)?(?P<month>{_MONTH_NAME})\b"
    rf"|\b(?P<month_first>{_MONTH_NAME})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
    rf"(?:\s*(?:-|–)\s*(?P<last_day>[0-3]?\d)(?:st|nd|rd|th)?)?(?![\d:])"
)
_YEAR_RANGE = re.compile(r"\b(?P<first>(?:19|20)\d{2})\s*(?:to|through|until|-|–|—)\s*(?P<last>(?:19|20)\d{2})\b")
# A rank and the word it ranks: "for the second time", "third-quarter profits", "the 21st century".
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_RANK = (
    rf"\d+(?:st|nd|rd|th)|(?:(?:{_TENS})[\s-])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth|[a-z]+teenth|[a-z]+ieth)"
)
_ORDINAL = re.compile(rf"(?<![\w-])(?P<rank>{_RANK})[\s-]+(?P<word>[a-z]+)\b", re.IGNORECASE)
_RANK_IN_DIGITS = re.compile(r"(?<![\w.,])\d+(?:st|nd|rd|th)\b", re.IGNORECASE)
_ANY_RANK = re.compile(rf"(?<![\w-])(?:{_RANK})\b", re.IGNORECASE)
_ORDINAL_SUFFIXES = {"st", "nd", "rd", "th"}
_NUMBER_WORDS = (
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundred|thousand|million|billion|trillion|point|and"
)
_SPELLED_NUMBER = re.compile(rf"\b(?:{_NUMBER_WORDS})(?:[\s-]+(?:{_NUMBER_WORDS}))*\b", re.IGNORECASE)
_SCALE_TAIL = re.compile(r"(?:[\s-]+(?:thousand|million|billion|trillion))+$", re.IGNORECASE)
_NOT_A_NUMBER_START = {"hundred", "thousand", "million", "billion", "trillion", "point", "and", "one"}
_UNIT_STOPWORDS = {
    "to", "and", "or", "of", "in", "for", "the", "a", "an", "on", "by", "from", "at", "as", "than", "with",
    "annually", "per", "respectively", "each", "apiece", "alone", "ago",
    "is", "are", "was", "were", "has", "have", "had", "will", "would", "could", "can", "may", "might",
    "which", "that", "who", "while", "when", "where", "but", "so", "if", "then", "also", "only", "just",
    "after", "before", "since", "behind", "outside", "into", "over", "under", "during", "through", "against",
}  # fmt: skip
# How often a quantity recurs, within three words after it: "$3.5 billion annually", "£20,000 a year",
# "a 0.4% monthly rise", "1 million barrels of oil a day"; not "$2.89bn a year earlier".
_RATE = re.compile(
    r"\s*(?:[a-z]+\s+){0,3}?(?P<rate>(?:a|an|per|each|every)\s+(?P<noun>day|week|month|year|annum)"
    r"|(?P<adverb>daily|weekly|monthly|annually|annual|yearly))\b(?!\s+(?:earlier|ago|later|before|after|on)\b)",
    re.IGNORECASE,
)
# Every word for a span of time, with the unit it names: the period of a rate ("annually": year) and the
# length a duration gives ("for decades": decade).
_TIME_UNIT = {
    "hour": "hour", "hours": "hour", "day": "day", "days": "day", "daily": "day", "week": "week", "weeks": "week",
    "weekly": "week", "month": "month", "months": "month", "monthly": "month", "year": "year", "years": "year",
    "annum": "year", "annually": "year", "annual": "year", "yearly": "year", "decade": "decade",
    "decades": "decade", "century": "century", "centuries": "century",
}  # fmt: skip
# A length of time given by its unit alone: "for weeks", "for the past few months", "in recent years", "over the
# last decade", "for a year". The unit is all it says, so another unit is another length ("for weeks" against
# "for years"). "In" and "over" need a "past", "last", "recent" or "coming" ("the first time in years" is no
# length), and a single unit needs one of those or "a" ("for the year" is a period, not a length).
_DURATION = re.compile(
    r"\b(?:for\s+(?:the\s+(?=past|last|coming))?|(?:over|in)\s+(?:the\s+)?(?=past|last|recent|coming))"
    r"(?:(?P<modifier>past|last|recent|coming)\s+)?"
    r"(?:(?:(?:(?:a\s+)?few|several|many|some)\s+)?(?P<units>hours|days|weeks|months|years|decades|centuries)"
    r"|(?:(?P<article>an?|one)\s+)?(?P<unit>hour|day|week|month|year|decade|century))\b(?![-\w])",
    re.IGNORECASE,
)
# Plural nouns the lexicon lists as their own lemma.
_UNMARKED_PLURALS = {"people", "police", "cattle", "staff", "personnel"}
# After "5m" or "3k" without a currency, words that make it a length or a race rather than millions/thousands.
_SHORT_SCALE_NOT_COUNT = {
    "tall", "high", "long", "wide", "deep", "away", "above", "below", "sprint", "hurdles", "dash", "race", "run",
    "relay", "final", "event", "title", "record", "freestyle", "backstroke", "breaststroke", "butterfly", "medley",
}  # fmt: skip
# Words before a number that make it a bound or an approximation: the range of values it allows, as factors
# of the number (None: unbounded). "Nearly" and "just under" exclude the number itself.
_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "about": (0.9, 1.1), "around": (0.9, 1.1), "roughly": (0.9, 1.1), "approximately": (0.9, 1.1),
    "some": (0.9, 1.1), "an estimated": (0.9, 1.1), "close to": (0.9, 1.1), "near": (0.9, 1.1),
    "nearly": (0.9, 1 - 1e-6), "almost": (0.9, 1 - 1e-6), "just under": (0.9, 1 - 1e-6),
    "just over": (1 + 1e-6, 1.1), "just above": (1 + 1e-6, 1.1),
    "more than": (1.0, None), "over": (1.0, None), "above": (1.0, None), "at least": (1.0, None),
    "in excess of": (1.0, None), "upwards of": (1.0, None), "exceeding": (1.0, None),
    "less than": (None, 1.0), "fewer than": (None, 1.0), "under": (None, 1.0), "below": (None, 1.0),
    "up to": (None, 1.0), "at most": (None, 1.0),
}  # fmt: skip
_BOUND_BEFORE = re.compile(
    r"\b(?P<bound>" + "|".join(sorted((re.escape(b) for b in _BOUNDS), key=len, reverse=True)) + r")[\s-]*$",
    re.IGNORECASE,
)
# Fractions of a scale or of a percent, said in words: "a quarter of a million", "half a per cent".
_FRACTION_OF = re.compile(
    r"\b(?P<fraction>a quarter|one quarter|three quarters|half)(?: of)? an?\s+"
    r"(?P<scale>million|billion|trillion|thousand|percent|per cent|percentage point)\b",
    re.IGNORECASE,
)
_FRACTIONS = {"a quarter": "0.25", "one quarter": "0.25", "three quarters": "0.75", "half": "0.5"}
# The value a negation mismatch records for the side that has none.
NO_NEGATION = "no negation"
_SCOPE_WORDS = 6  # how far after a negation or antonym its scope is looked for
_ANTONYM_SCOPE_BEFORE = 3  # and how far before an antonym ("the case is weak")
_SCOPE_TOKEN = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|\d[\d.,]*%?")
_NEXT_WORD = re.compile(r"\s([a-z]+)\b")
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|n't")

_NEGATIONS = {
    "not", "no", "never", "n't", "cannot", "without", "neither", "nor", "none", "nobody", "nothing",
    "refused", "refuses", "refuse", "rejected", "rejects", "reject", "denied", "denies", "deny",
    "declined", "declines", "decline", "refrained", "refrains", "refrain", "failed", "fails",
}  # fmt: skip
# Opposites as lemmas, so that every inflection counts ("rose", "rising" and "rises" are all "rise").
_ANTONYMS = [
    ("accept", "reject"), ("approve", "reject"), ("sign", "reject"), ("agree", "refuse"), ("rise", "fall"),
    ("rise", "drop"), ("increase", "decrease"), ("increase", "fall"), ("increase", "drop"), ("grow", "shrink"),
    ("expand", "shrink"), ("join", "leave"), ("win", "lose"), ("gain", "lose"), ("raise", "cut"),
    ("raise", "lower"), ("allow", "ban"), ("support", "oppose"), ("high", "low"), ("more", "less"),
    ("more", "fewer"), ("most", "least"), ("before", "after"), ("start", "end"), ("open", "close"),
    ("up", "down"), ("above", "below"), ("strong", "weak"), ("succeed", "fail"), ("success", "failure"),
    ("large", "small"), ("big", "small"), ("include", "exclude"), ("confirm", "deny"), ("buy", "sell"),
    ("import", "export"), ("profit", "loss"), ("victory", "defeat"), ("acquit", "convict"),
    ("guilty", "innocent"), ("satisfied", "disappointed"), ("welcome", "condemn"), ("strengthen", "weaken"),
    ("improve", "worsen"), ("maximum", "minimum"), ("immediate", "long-term"),
]  # fmt: skip
# A prefix that turns a word around ("incompatible", "unexpected", "non-binding"); only in front of
# a known word with an adjective's or adverb's ending, so that "discover" is not "not cover".
_NEGATING_PREFIXES = ("non-", "non", "dis", "un", "in", "im", "il", "ir")
_ADJECTIVE_ENDINGS = ("able", "ible", "al", "ent", "ant", "ive", "ous", "ic", "ar", "ate", "ful", "ly")
_HYPHENATED_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


# Latin letters with no decomposition into a plain letter and an accent, read as that letter.
_PLAIN_LETTERS = str.maketrans("łŁøØđĐħĦı", "lLoOdDhHi")


@lru_cache(maxsize=4096)
def _plain(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if len(base) == 1 and base.isascii() else char


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """``text`` with accented Latin letters written plain ("Erdoğan" -> "Erdogan"), one character for one.

    Claims are often typed without the accents a wire story has. Every check reads folded text, and
    an offset into it is an offset into ``text``, so what a check reports is put back as written.
    """
    text = text.translate(_PLAIN_LETTERS)
    return text if text.isascii() else "".join(c if c.isascii() else _plain(c) for c in text)


def _as_written(value: str, text: str, folded: str) -> str:
    """``value``, found in ``folded``, spelled as ``text`` spells it there."""
    position = folded.find(value) if folded != text else -1
    return text[position : position + len(value)] if position >= 0 else value


def _written_as_given(mismatches: list[Mismatch], claim: str, passage: str) -> list[Mismatch]:
    claim_folded, passage_folded = fold(claim), fold(passage)
    if claim_folded == claim and passage_folded == passage:
        return mismatches  # nothing was folded (the usual case): no copies on the hot path
    return [
        replace(
            m,
            claim_value=_as_written(m.claim_value, claim, claim_folded),
            passage_values=tuple(_as_written(v, passage, passage_folded) for v in m.passage_values),
        )
        for m in mismatches
    ]


# Everyday names and capitals (as metonyms: "Kyiv" for Ukraine) that ISO 3166 does not list.
_COUNTRY_ALIASES = {
    "US": "USA", "U.S.": "USA", "USA": "USA", "America": "USA", "Washington": "USA", "UK": "GBR",
    "U.K.": "GBR", "Britain": "GBR", "Great Britain": "GBR", "London": "GBR", "Russia": "RUS",
    "Moscow": "RUS", "Kremlin": "RUS", "Kyiv": "UKR", "Kiev": "UKR", "Paris": "FRA", "Berlin": "DEU",
    "Tokyo": "JPN", "Beijing": "CHN", "Warsaw": "POL", "Bucharest": "ROU", "Rome": "ITA",
    "Ottawa": "CAN", "Iran": "IRN", "Syria": "SYR", "South Korea": "KOR", "North Korea": "PRK",
    "Taiwan": "TWN", "Vietnam": "VNM", "Turkey": "TUR", "Moldova": "MDA", "Venezuela": "VEN",
    "Bolivia": "BOL", "Tanzania": "TZA", "Laos": "LAO", "Czech Republic": "CZE", "Holland": "NLD",
}  # fmt: skip


@lru_cache(maxsize=1)
def _country_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    names = dict(_COUNTRY_ALIASES)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name and "," not in name:
                names.setdefault(fold(name), country.alpha_3)
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])"), names


@lru_cache(maxsize=4096)
def countries(text: str) -> Mapping[str, str]:
    """Countries named in ``text`` (capitals and everyday names included): ISO code -> words used.

    Cached, so read-only: the same corpus sentences come back as candidates for claim after claim.
    """
    pattern, names = _country_pattern()
    found: dict[str, str] = {}
    for match in pattern.finditer(fold(text)):
        found.setdefault(names[match.group()], text[match.start() : match.end()])
    return MappingProxyType(found)


# Open-class words that carry no claim of their own ("it has", "they will").
_LIGHT_WORDS = {"it", "its", "they", "them", "this", "that", "these", "those", "one", "also", "there", "here"}
# Closed-class words the lexicon does not list; capitalised at a sentence start they are not names.
_FUNCTION_WORDS = {
    "a", "an", "the", "and", "or", "but", "if", "of", "in", "on", "at", "to", "for", "from", "by", "with",
    "as", "into", "onto", "over", "under", "after", "before", "since", "during", "while", "although",
    "though", "because", "than", "then", "so", "yet", "nor", "not", "no", "all", "any", "some", "each",
    "every", "both", "either", "neither", "he", "she", "we", "you", "i", "his", "her", "our", "their",
    "my", "your", "who", "whom", "whose", "which", "what", "when", "where", "why", "how", "according",
}  # fmt: skip
# Letters and digits of any script, so that a claim in another alphabet is not taken for one without words.
_TOKEN = re.compile(r"[^\W_]+(?:[-.,][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of what a claim states a passage mentions at all; specifics are its names and numbers."""

    share: float
    missing: tuple[str, ...]
    missing_specifics: tuple[str, ...]


@lru_cache(maxsize=65536)
def _parts_of_speech(word: str) -> frozenset[str]:
    """The parts of speech the lexicon lists for ``word`` ("NOUN", "VERB", "AUX", ...); empty when unknown."""
    return frozenset(getAllLemmas(word))


def _known(word: str) -> bool:
    """Whether the lexicon lists ``word``."""
    return bool(_parts_of_speech(word))


@lru_cache(maxsize=65536)
def _lemmas(word: str) -> frozenset[str]:
    """The word's lemmas and itself, lower-cased (cached: the lexicon copies its entries on every lookup)."""
    return frozenset({lemma.lower() for forms in getAllLemmas(word).values() for lemma in forms} | {word.lower()})


def _content_words(text: str) -> list[tuple[str, bool]]:
    """Words that state something (nouns, verbs, adjectives, names) with whether each is a name."""
    words: list[tuple[str, bool]] = []
    for position, match in enumerate(_TOKEN.finditer(text)):
        word = match.group()
        if word[0].isdigit():
            continue  # numbers are compared by value, below
        tags = _parts_of_speech(word)
        if not tags and "-" in word and word.islower():
            words.extend(_content_words(word.replace("-", " ")))
        elif not tags:
            # Unknown to the lexicon: a name when capitalised ("Vilnius"), else a function word ("the").
            if word[0].isupper() and word.lower() not in _FUNCTION_WORDS:
                words.append((word, True))
        elif "AUX" not in tags and word.lower() not in _LIGHT_WORDS and {"NOUN", "VERB", "ADJ"} & tags:
            # A capitalised dictionary word inside the sentence is a name too ("the European Union").
            words.append((word, position > 0 and word[0].isupper()))
    return words


def coverage(claim: str, passage: str) -> Coverage:
    """Which of the claim's content words and numbers the passage never mentions, in any form.

    Countries count once each and match by country ("Kiev" and "Kyiv", "U.S." and "America"), and
    numbers by value ("12bn" and "12 billion"). A passage that never mentions a name or detail of
    the claim can hardly state the claim.
    """
    folded_claim, folded_passage = fold(claim), fold(passage)
    found = _coverage(folded_claim, folded_passage)
    if folded_claim == claim:
        return found
    missing, specifics = (
        tuple(_as_written(w, claim, folded_claim) for w in words) for words in (found.missing, found.missing_specifics)
    )
    return Coverage(found.share, missing, specifics)


def _coverage(claim: str, passage: str) -> Coverage:
    claim_countries, passage_countries = countries(claim), countries(passage)
    pattern, _ = _country_pattern()
    passage_words = _TOKEN.findall(pattern.sub(" ", passage))
    passage_words += [part for word in passage_words if "-" in word for part in word.split("-")]
    passage_lemmas = set().union(*(_lemmas(w) for w in passage_words))
    missing = [name for code, name in claim_countries.items() if code not in passage_countries]
    missing_specifics = list(missing)
    words = _content_words(pattern.sub(" ", claim))
    for word, is_name in words:
        if not _lemmas(word) & passage_lemmas:
            missing.append(word)
            if is_name:
                missing_specifics.append(word)
    passage_quantities = quantities(passage)
    numbers = quantities(claim)
    unstated_numbers = [q.text for q in numbers if not any(q.agrees(p) for p in passage_quantities)]
    # A rank in digits ("5th"; one in words is a word above) is a number too, stated by "5th" or "fifth".
    ranks = _RANK_IN_DIGITS.findall(claim)
    passage_ranks = {_rank(found) for found in _ANY_RANK.findall(passage)}
    unstated_numbers += [rank for rank in ranks if _rank(rank) not in passage_ranks]
    missing += unstated_numbers
    missing_specifics += unstated_numbers
    total = len(claim_countries) + len(words) + len(numbers) + len(ranks)
    share = 1.0 - len(missing) / total if total else 1.0
    return Coverage(share, tuple(missing), tuple(missing_specifics))


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its scale applied and what it counts (a currency, percent, year or a noun)."""

    value: float
    unit: str
    text: str
    # For counts, the word after the unit, which may be the noun a modifier qualifies ("32 member nations").
    next_word: str = ""
    # The values the text allows: a bare number only itself, "more than 5 million" anything from 5 million up,
    # "almost £153,000" from 90 % of it to just below it.
    low: float = 0.0
    high: float = 0.0
    # How often a sum recurs, as written, and the period it names: "annually" (year), "a month" (month).
    rate: str = ""
    period: str = ""

    def agrees(self, other: Quantity) -> bool:
        """Whether the two can state the same value: their ranges overlap (a bare number is a range of one)."""
        tolerance = 1e-9 * max(1.0, abs(self.value), abs(other.value))
        return self.low <= other.high + tolerance and other.low <= self.high + tolerance

    def counts(self, noun: str) -> str | None:
        """The words that count ``noun`` ("32 member nations" for "nation"), if this is such a count."""
        if self.unit == f"count:{noun}":
            return self.text
        if self.unit.startswith("count:") and self.next_word and _singular(self.next_word) == noun:
            return f"{self.text} {self.next_word}"
        return None


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A value the claim states and the passage states differently, e.g. "20 billion euros" vs "12 billion euros"."""

    kind: str
    claim_value: str
    passage_values: tuple[str, ...]

    @property
    def passage_value(self) -> str:
        return ", ".join(self.passage_values)

    def in_running_text(self) -> tuple[str, tuple[str, ...]]:
        """The claim's and the passage's values as they read inside a sentence: a value taken from the start
        of its text loses the capital of a leading bound word ("Nearly 40%" -> "nearly 40%"); names keep theirs."""
        return _mid_sentence(self.claim_value), tuple(_mid_sentence(v) for v in self.passage_values)

    @property
    def message(self) -> str:
        return self.described("the passage")

    def described(self, passage: str, plural: bool = False) -> str:
        """The mismatch in words, ``passage`` naming the text it was found in ("sentence 4", or "sentences
        3, 4" with ``plural``)."""
        says, has = ("say", "have") if plural else ("says", "has")
        if self.kind == "negation" and self.claim_value == NO_NEGATION:
            return f"{passage} {says} {self.passage_value!r} where the claim has no negation"
        if self.kind == "negation" and self.passage_values == (NO_NEGATION,):
            return f"the claim says {self.claim_value!r} where {passage} {has} no negation"
        return f"{passage} {says} {self.passage_value!r}, the claim says {self.claim_value!r}"

    def in_context(self, claim: str, passage: str) -> Mismatch | None:
        """This mismatch narrowed to the passage values that stand where the claim's value stands, next to the
        same word ("through 2035" against "for 2023, through 2032": 2032); None when no value does."""
        around = _neighbours(claim, self.claim_value)
        shared = [len(around & _neighbours(passage, value)) for value in self.passage_values]
        best = max(shared, default=0)
        if not best:
            return None
        apt = tuple(value for value, count in zip(self.passage_values, shared, strict=True) if count == best)
        return self if apt == self.passage_values else replace(self, passage_values=apt)

    @property
    def is_sum(self) -> bool:
        """Whether the claim's value is an amount of money or a percentage: typed, so unlikely to be compared
        with a value that counts something else."""
        sums = {*_CURRENCY_WORDS.values(), "percent"}
        return self.kind == "number" and any(q.unit in sums for q in quantities(self.claim_value))

    def substitutions(self, claim: str) -> list[str]:
        """The claim with its value replaced by each of the passage's, where the claim states the value as
        words of their own: a number also when spelled out ("five judges" is read as "5 judges"), an
        antonym in any case ("Down" -> "Up"). A negation has no word to put back, so it has none.
        """
        if self.kind == "negation":
            return []
        flags = re.IGNORECASE if self.kind == "antonym" else 0
        value = re.compile(rf"(?<!\w){re.escape(self.claim_value)}(?!\w)", flags)
        for text in (claim, _digits_for_words(claim)):
            if value.search(text):
                return [value.sub(_same_case(other), text) for other in self.passage_values]
        return []

    def substitutions_by_value(self, claim: str) -> list[tuple[Mismatch, str]]:
        """Each of ``substitutions`` with this mismatch narrowed to the passage value it puts in, so that what
        the model confirms can be named alone ("3.2 billion euros", not "12 billion euros, 3.2 billion euros")."""
        return [
            (replace(self, passage_values=(value,)), text)
            for value, text in zip(self.passage_values, self.substitutions(claim), strict=False)
        ]


def _neighbours(text: str, value: str) -> set[tuple[str, str]]:
    """The words just before and just after ``value`` where ``text`` first has it, lower-cased."""
    found = re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text)
    if found is None:
        return set()
    before, after = _WORD.findall(text[: found.start()])[-1:], _WORD.findall(text[found.end() :])[:1]
    return {("before", w.lower()) for w in before} | {("after", w.lower()) for w in after}


def _mid_sentence(value: str) -> str:
    """``value`` with a capitalised leading bound word ("About", "More than") in lower case."""
    lowered = value.lower()
    if value[:1].isupper() and any(lowered.startswith(f"{bound} ") for bound in _BOUNDS):
        return value[:1].lower() + value[1:]
    return value


def _same_case(replacement: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement: ``replacement`` capitalised like the match ("Rose" becomes "Fell")."""

    def substitute(found: re.Match[str]) -> str:
        capital = found.group()[:1].isupper()
        return replacement[:1].upper() + replacement[1:] if capital else replacement

    return substitute


def _singular(noun: str) -> str:
    noun = noun.lower()
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


def _digits_for_words(text: str) -> str:
    """Rewrite spelled-out numbers as digits, keeping a scale word: "twelve billion" -> "12 billion", "a quarter
    of a million" -> "0.25 million"."""
    text = _FRACTION_OF.sub(lambda m: f"{_FRACTIONS[m['fraction'].lower()]} {m['scale']}", text)

    def convert(match: re.Match[str]) -> str:
        run = match.group()
        tail = _SCALE_TAIL.search(run)
        head = run[: tail.start()] if tail else run
        if tail and head.lower() == "one":
            # "one million"; a lone "one" is more often a pronoun.
            return "1 " + re.sub(r"[\s-]+", " ", tail.group()).strip()
        if run.split()[0].split("-")[0].lower() in _NOT_A_NUMBER_START:
            return run
        converted = alpha2digit(head, "en")
        return converted + (tail.group() if tail else "") if converted != head else run

    return _SPELLED_NUMBER.sub(convert, text)


@lru_cache(maxsize=4096)
def quantities(text: str) -> tuple[Quantity, ...]:
    """Numbers in ``text`` (spelled-out ones included), normalised to value and unit."""
    normalised = _digits_for_words(text)
    found: list[tuple[int, Quantity]] = []
    taken: list[tuple[int, int]] = []
    for match in _DAY_OF_MONTH.finditer(normalised):
        first_day, last_day = (int(match[a] or match[b] or 0) for a, b in (("first", "day"), ("last", "last_day")))
        if 1 <= first_day <= 31 and (not last_day or first_day < last_day <= 31):
            month = _MONTH_OF[match["month"] or match["month_first"]]
            day = Quantity(first_day, f"day:{month}", match.group(), low=first_day, high=last_day or first_day)
            found.append((match.start(), day))
            taken.append((match.start(), match.end()))
    for match in _MINUTES_SECONDS.finditer(normalised):
        minutes = match["minutes"].lower()
        value = (1 if minutes in ("one", "a", "an") else int(minutes)) * 60 + float(match["seconds"])
        found.append((match.start(), Quantity(value, "count:second", match.group(), low=value, high=value)))
        taken.append((match.start(), match.end()))
    for match in _CLOCK.finditer(normalised):
        if any(start <= match.start() < end for start, end in taken):
            continue
        # One value, not two or three numbers: "3:46.04" against "3:45.86" differs by 0.18 of a second.
        *larger, last = match.group().split(":")
        value = sum(int(part) * 60 ** (len(larger) - i) for i, part in enumerate(larger)) + float(last)
        # With hundredths or hours it is a time in seconds ("1:47.97" is 107.97 seconds); "10:30" may be
        # a time of day, so it is compared only with another reading of its kind.
        unit = "count:second" if "." in last or len(larger) == 2 else "clock"
        found.append((match.start(), Quantity(value, unit, match.group(), low=value, high=value)))
        taken.append((match.start(), match.end()))
    for match in _QUANTITY.finditer(normalised):
        if any(start <= match.start("number") < end for start, end in taken):
            continue
        scale_word = (match["scale"] or "").lower()
        unit_word = (match["unit"] or "").lower()
        if unit_word in _ORDINAL_SUFFIXES and match.start("unit") == match.end("number"):
            continue  # a rank ("21st", "5th"), not an amount: see _ordinal_mismatches
        number = float(match["number"].replace(",", ""))
        if scale_word in ("m", "b", "k") and not match["symbol"] and unit_word not in _CURRENCY_WORDS:
            # "400m", "5k" and "1.87m" are more often metres, a race or a height than millions or thousands
            # ("the 400m victory", "1.87m while"); before a plural noun ("5m copies") they count.
            if not _is_plural_noun(unit_word) or unit_word in _SHORT_SCALE_NOT_COUNT:
                scale_word = ""
        value = number * _SCALES.get(scale_word, 1.0)
        bound = _BOUND_BEFORE.search(normalised, 0, match.start())
        low_factor, high_factor = _BOUNDS[bound["bound"].lower()] if bound else (1.0, 1.0)
        low = -math.inf if low_factor is None else value * low_factor
        high = math.inf if high_factor is None else value * high_factor
        if match["symbol"]:
            unit = _CURRENCY_SYMBOLS[match["symbol"]]
        elif unit_word in _CURRENCY_WORDS:
            unit = _CURRENCY_WORDS[unit_word]
        elif unit_word in _PERCENT_WORDS:
            unit = "percent"
        elif not scale_word and number.is_integer() and 1900 <= number <= 2100 and "." not in match["number"]:
            unit = "year"
        else:
            unit = f"count:{_singular(unit_word)}" if unit_word.isalpha() else "count"
        shown = match.group()
        stray = match["symbol"] and unit_word not in _CURRENCY_WORDS and unit_word not in _PERCENT_WORDS
        if match["unit"] and (unit == "year" or unit_word in _UNIT_STOPWORDS or stray):
            # The word after the number is not what it counts ("in 2023 to", "$3.5 billion annually",
            # "$4.1bn was").
            unit = "count" if unit.startswith("count:") else unit
            shown = shown[: match.start("unit") - match.start()]
        after = _NEXT_WORD.match(normalised, match.end()) if unit.startswith("count:") else None
        recurs = _RATE.match(normalised, match.start() + len(shown.rstrip()))
        rate = recurs["rate"] if recurs else ""
        period = _TIME_UNIT[(recurs["noun"] or recurs["adverb"]).lower()] if recurs else ""
        if bound:
            shown = f"{bound['bound']} {shown.strip()}"
        next_word = after[1] if after else ""
        quantity = Quantity(value, unit, shown.strip(), next_word, low=low, high=high, rate=rate, period=period)
        found.append((match.start(), quantity))
    return tuple(quantity for _, quantity in sorted(found, key=lambda item: item[0]))


@lru_cache(maxsize=4096)
def _is_plural_noun(word: str) -> bool:
    """Whether the lexicon reads ``word`` as the plural of a noun ("copies", "men", "people")."""
    lemmas = getAllLemmas(word).get("NOUN", ())
    return word in _UNMARKED_PLURALS or any(lemma != word for lemma in lemmas)


def _years(text: str) -> tuple[set[int], list[str]]:
    """Every year ``text`` covers, and how it states them: ranges as written ("2025 to 2030"), then single years."""
    years: set[int] = set()
    stated: list[str] = []
    for match in _YEAR_RANGE.finditer(text):
        years.update(range(int(match["first"]), int(match["last"]) + 1))
        stated.append(match.group())
    for year in sorted({int(q.value) for q in quantities(text) if q.unit == "year"} - years):
        years.add(year)
        stated.append(str(year))
    return years, stated


def _words(text: str) -> set[str]:
    words = {w.lower() for w in _WORD.findall(text.replace("’", "'"))}
    return words | ({"n't"} if any(w.endswith("n't") for w in words) else set())


def _is_date(quantity: Quantity) -> bool:
    return quantity.unit == "year" or quantity.unit.startswith("day:")


def _with_noun(quantity: Quantity) -> str:
    """A count as a journalist reads it: "186 public bodies", not "186 public" (the word after the number is
    what it counts, as compared, but here it only qualifies the plural noun after it)."""
    unit_word = quantity.unit.removeprefix("count:")
    if (
        quantity.unit.startswith("count:")
        and quantity.value != 1
        and quantity.next_word
        and not _is_plural_noun(unit_word)
        and _is_plural_noun(quantity.next_word)
    ):
        return f"{quantity.text} {quantity.next_word}"
    return quantity.text


def _number_mismatches(claim: str, passage: str) -> list[Mismatch]:
    passage_quantities = [q for q in quantities(passage) if not _is_date(q)]
    mismatches = []
    for claimed in quantities(claim):
        if _is_date(claimed):
            continue
        same_unit = [replace(q, text=_with_noun(q)) for q in passage_quantities if q.unit == claimed.unit]
        claimed_text = _with_noun(claimed)
        if not same_unit and claimed.unit.startswith("count:"):
            # A count with a modifier on one side: "32 member nations" against "31 nations".
            pairs = [(claimed.counts(q.unit[6:]), q.counts(claimed.unit[6:]), q) for q in passage_quantities]
            matched = [(mine or claimed.text, theirs or q.text, q) for mine, theirs, q in pairs if mine or theirs]
            if matched:
                claimed_text = matched[0][0]
                same_unit = [replace(q, text=theirs) for _, theirs, q in matched]
        if same_unit and not any(claimed.agrees(q) for q in same_unit):
            mismatches.append(Mismatch("number", claimed_text, tuple(q.text for q in same_unit)))
        # The same sum over another period: "$3.5 billion a month" against "$3.5 billion annually".
        recurring = [q for q in same_unit if q.period and claimed.agrees(q)]
        if claimed.period and recurring and all(q.period != claimed.period for q in recurring):
            mismatches.append(Mismatch("number", claimed.rate, tuple(dict.fromkeys(q.rate for q in recurring))))
    return mismatches


def _rank(written: str) -> int | None:
    """The number a rank stands for: 2 for "second" and "2nd", 21 for "twenty-first"."""
    found = re.match(r"\d+", alpha2digit(written, "en", threshold=0))
    return int(found.group()) if found else None


def _ordinals(text: str) -> dict[str, dict[int, str]]:
    """The ranks ``text`` gives, by the word each ranks: {"time": {2: "second time"}} for "for the second time"."""
    found: dict[str, dict[int, str]] = {}
    for match in _ORDINAL.finditer(text):
        word = match["word"].lower()
        if word in _FUNCTION_WORDS or word.capitalize() in _MONTH_OF:
            continue  # "the first of many", "the 1st of July" (a date, compared as one)
        rank = _rank(match["rank"])
        if rank is not None:
            found.setdefault(_singular(word), {})[rank] = match.group()
    return found


def _ordinal_mismatches(claim: str, passage: str) -> list[Mismatch]:
    """A rank of the same thing given differently: "for the second time" against "for the first time"."""
    passage_ranks = _ordinals(passage)
    mismatches = []
    for word, ranks in _ordinals(claim).items():
        stated = passage_ranks.get(word)
        if stated and not ranks.keys() & stated.keys():
            mismatches.append(Mismatch("number", next(iter(ranks.values())), tuple(stated.values())))
    return mismatches


def _date_mismatches(claim: str, passage: str) -> list[Mismatch]:
    mismatches = []
    (claim_years, claim_stated), (passage_years, passage_stated) = _years(claim), _years(passage)
    if claim_years and passage_years and not claim_years & passage_years:
        mismatches.append(Mismatch("date", ", ".join(claim_stated), tuple(passage_stated)))
    # A day of the month against another day of the same month ("12 July" against "July 11").
    passage_days = [q for q in quantities(passage) if q.unit.startswith("day:")]
    for claimed in quantities(claim):
        same_month = [q for q in passage_days if q.unit == claimed.unit]
        if same_month and not any(claimed.agrees(q) for q in same_month):
            mismatches.append(Mismatch("date", claimed.text, tuple(q.text for q in same_month)))
    claim_lengths, passage_lengths = _durations(claim), _durations(passage)
    if claim_lengths and passage_lengths and not claim_lengths.keys() & passage_lengths.keys():
        mismatches.append(Mismatch("date", next(iter(claim_lengths.values())), tuple(passage_lengths.values())))
    claim_words, passage_words = _words(claim), _words(passage)
    for names in (_WEEKDAYS, _MONTHS):
        in_claim = claim_words.intersection(names)
        in_passage = passage_words.intersection(names)
        if in_claim and in_passage and not in_claim & in_passage:
            mismatches.append(
                Mismatch("date", ", ".join(sorted(in_claim)).title(), tuple(n.title() for n in sorted(in_passage)))
            )
    return mismatches


def _durations(text: str) -> dict[str, str]:
    """The lengths of time ``text`` gives by their unit alone, unit ("week") to the words ("for weeks")."""
    found: dict[str, str] = {}
    for match in _DURATION.finditer(text):
        if match["unit"] and not (match["modifier"] or match["article"]):
            continue  # "paid for week two": a bare singular unit is no length of time
        found.setdefault(_TIME_UNIT[(match["unit"] or match["units"]).lower()], match.group())
    return found


def _scope_is_shared(word: str, text: str, other: str, before: int = 0) -> bool:
    """Whether what ``word`` negates in ``text`` (the words after it) is something ``other`` speaks of.

    "rejected his request for a timetable" bears on "NATO gave Ukraine a timetable", not on "NATO
    said Ukraine's future lay within the alliance" from the same sentence. An antonym also bears on
    the few words ``before`` it ("the case is weak").
    """
    words = [w.lower() for w in _SCOPE_TOKEN.findall(text.replace("’", "'"))]
    # A contraction ("can't") is looked for from every word that carries it.
    positions = [i for i, w in enumerate(words) if w == word or (word == "n't" and w.endswith("n't"))]
    if not positions:
        return True  # no position to look from
    other_lemmas = set().union(*(_lemmas(w) for w in _TOKEN.findall(other)))
    for position in positions:
        scope = " ".join(
            words[max(0, position - before) : position] + words[position + 1 : position + 1 + _SCOPE_WORDS]
        )
        scoped = [w for w, _ in _content_words(scope)] + [q.text for q in quantities(scope)]
        if any(_lemmas(w) & other_lemmas or w in other for w in scoped):
            return True
    return False


@lru_cache(maxsize=65536)
def _negated_stem(word: str) -> str | None:
    """The word that a negating prefix turns around ("incompatible" -> "compatible"), if ``word`` has one."""
    for prefix in _NEGATING_PREFIXES:
        stem = word[len(prefix) :]
        if not word.startswith(prefix) or len(stem) < 5 or not _known(stem):
            continue
        if stem.endswith(_ADJECTIVE_ENDINGS) or (prefix in ("un", "non-") and stem.endswith(("ed", "ing"))):
            return stem
    return None


def _prefix_antonyms(claim: str, passage: str) -> list[Mismatch]:
    """A word the claim states that the passage states with a negating prefix, or the other way round."""
    claim_words = {w.lower() for w in _HYPHENATED_WORD.findall(claim)}
    passage_words = {w.lower() for w in _HYPHENATED_WORD.findall(passage)}
    passage_stems = {stem: word for word in passage_words if (stem := _negated_stem(word))}
    mismatches = []
    for said in sorted(claim_words - passage_words):
        stem = _negated_stem(said)
        if stem is not None and stem in passage_words:
            mismatches.append(Mismatch("antonym", said, (stem,)))
        elif said in passage_stems:
            mismatches.append(Mismatch("antonym", said, (passage_stems[said],)))
    return mismatches


def _lemma_words(words: set[str]) -> dict[str, str]:
    """Each lemma of ``words`` (a text's ``_words``), with the word as written."""
    return {lemma: word for word in sorted(words) for lemma in _lemmas(word)}


_CONTRACTION = re.compile(r"\b[A-Za-z]+n['’]t\b", re.IGNORECASE)


def _as_said(negations: set[str], text: str) -> list[str]:
    """The negation words as ``text`` writes them: "n't" is shown as the first word that carries it ("don’t")."""
    contraction = _CONTRACTION.search(text) if "n't" in negations else None
    return sorted(contraction.group() if word == "n't" and contraction else word for word in negations)


def _polarity_mismatches(claim: str, passage: str) -> list[Mismatch]:
    claim_words, passage_words = _words(claim), _words(passage)
    mismatches = []
    claim_negations = {w for w in claim_words & _NEGATIONS if _scope_is_shared(w, claim, passage)}
    passage_negations = {w for w in passage_words & _NEGATIONS if _scope_is_shared(w, passage, claim)}
    if bool(claim_negations) != bool(passage_negations):
        mismatches.append(
            Mismatch(
                "negation",
                ", ".join(_as_said(claim_negations, claim)) or NO_NEGATION,
                tuple(_as_said(passage_negations, passage)) or (NO_NEGATION,),
            )
        )
    claim_lemmas, passage_lemmas = _lemma_words(claim_words), _lemma_words(passage_words)
    for first, second in _ANTONYMS:
        for said, other in ((first, second), (second, first)):
            if (
                said in claim_lemmas
                and other in passage_lemmas
                and said not in passage_lemmas
                and _scope_is_shared(passage_lemmas[other], passage, claim, before=_ANTONYM_SCOPE_BEFORE)
            ):
                mismatches.append(Mismatch("antonym", claim_lemmas[said], (passage_lemmas[other],)))
    return mismatches + _prefix_antonyms(claim, passage)


def _name_mismatches(claim: str, passage: str) -> list[Mismatch]:
    """A country the claim names where the passage names another one (a slot filled differently)."""
    in_claim, in_passage = countries(claim), countries(passage)
    only_claim = [name for code, name in in_claim.items() if code not in in_passage]
    only_passage = [name for code, name in in_passage.items() if code not in in_claim]
    if only_claim and only_passage:
        return [Mismatch("name", ", ".join(only_claim), tuple(only_passage))]
    return []


# A run of capitalised words ("Volodymyr Zelenskiy", "NATO", "G7"): a person, organisation or place.
_NAME_RUN = re.compile(r"(?<![\w'’-])[A-Z][A-Za-z0-9'’-]*(?:\s+[A-Z][A-Za-z0-9'’-]*)*")
_LETTERS_DIGITS = re.compile(r"\b([A-Za-z]+) (\d+)\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[\"“‘(]\s*)$")


def _is_acronym(word: str) -> bool:
    """Whether ``word`` is written in capitals, as "NATO" or "G7" are."""
    return word.isupper() and len(word) > 1


# Titles before a name ("Mr Bannister", "Sens. John Kerry"): they do not tell one person from another.
# Only titles of people: "General Motors" and "Justice Department" keep their first word.
_TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "prof", "professor", "rev", "st",
    "sen", "sens", "senator", "rep", "gov", "governor", "gen", "col", "capt", "lt", "sgt", "president",
}  # fmt: skip
# Words that a name does not hold capitalised after its first word, but a headline in title case does
# ("Charles I" is a name).
_TITLE_CASE_ONLY = (_FUNCTION_WORDS - {"i"}) | {"is", "are", "was", "were", "be", "been", "has", "have", "had"}
# Capitalised words that name no one: temperature scales.
_NOT_NAMES = {"fahrenheit", "celsius", "centigrade", "kelvin"}
# Nationalities that are not a country's name with a suffix ("Russian", "Polish" are; these are not).
_DEMONYMS = {
    "french", "dutch", "swiss", "greek", "thai", "welsh", "scottish", "scots", "irish", "english",
    "danish", "swedish", "finnish", "spanish", "turkish", "norwegian", "filipino", "kiwi", "arab", "arabic",
    "korean", "afghan", "saudi",
}  # fmt: skip
_DEMONYM_ENDING = re.compile(r"(?:ian|ean|an|ese|ish|i|ic|er)s?$")
_REGIONS = ("europe", "africa", "asia", "america", "arctic", "antarctica", "scandinavia", "australasia")
# The last word of a place or a period, not a person or organisation: "Northern Hemisphere", "Greenland Ice
# Sheet", "Medieval Warm Period".
_PLACE_OR_PERIOD = {
    "hemisphere", "ocean", "sea", "river", "mountains", "island", "islands", "lake", "bay", "gulf", "peninsula",
    "desert", "valley", "coast", "basin", "strait", "sheet", "glacier", "current", "pole", "shelf", "period",
    "age", "era", "epoch",
}  # fmt: skip

# Parties that news copy names in several ways: a claim's "Conservatives" is the article's "Tory".
_PARTY_NAMES = (
    {"Conservative", "Conservatives", "Tory", "Tories"},
    {"Republican", "Republicans", "GOP"},
    {"Liberal", "Liberals", "Lib", "Libs"},  # "Lib Dems" for "Liberal Democrats"
    {"Democrat", "Democrats", "Dem", "Dems"},
)
_OTHER_NAMES = {word: group for group in _PARTY_NAMES for word in group}


def _dictionary_word(word: str) -> bool:
    """Whether ``word`` is an ordinary word: listed by the lexicon, a function word, or made of such
    words ("First-time", "Human-produced", "We're")."""
    lowered = word.lower()
    if _known(word) or lowered in _FUNCTION_WORDS or lowered in _LIGHT_WORDS:
        return True
    base = re.sub(r"['’](?:re|ll|ve|m|d|s)$", "", lowered)
    if base != lowered:
        return _dictionary_word(base)
    parts = [part for part in lowered.split("-") if part]
    return len(parts) > 1 and all(_dictionary_word(part) for part in parts)


@lru_cache(maxsize=4096)
def _is_demonym(word: str) -> bool:
    """Whether ``word`` is a nationality or a region's adjective ("Russian", "Americans", "European")."""
    lowered = word.lower()
    if lowered in _DEMONYMS or lowered.removesuffix("s") in _DEMONYMS:
        return True
    stem = _DEMONYM_ENDING.sub("", lowered)
    if len(stem) < 3 or stem == lowered:
        return False
    _, known_countries = _country_pattern()
    # The place's name is the stem and a few letters ("Russ-ia", "Brit-ain"), not "Christmas Island".
    return any(p.lower().startswith(stem) and len(p) - len(stem) <= 3 for p in (*known_countries, *_REGIONS))


def names(text: str) -> dict[str, set[str]]:
    """Names of people and organisations in ``text`` (countries, months and weekdays aside), each with
    the words that identify it: the words the lexicon does not know ("Zelenskiy") or acronyms ("NATO"),
    else all of its words ("European Union"). Names come back with their accents folded ("Erdogan").
    """
    found: dict[str, set[str]] = {}
    country_pattern, _ = _country_pattern()
    text = fold(text)
    for match in _NAME_RUN.finditer(text):
        words = [re.sub(r"['’]s?$", "", word) for word in match.group().split()]  # "Zelenskiy's" -> "Zelenskiy"
        if any(word.lower() in _TITLE_CASE_ONLY for word in words[1:]):
            continue  # a headline in title case ("Glaciers Are Shrinking Faster"), not a name
        if _SENTENCE_START.search(text[: match.start()]) and _dictionary_word(words[0]):
            words = words[1:]  # a capitalised first word of a sentence ("Leaders", "The", "First-time")
        while words and (words[0].lower() in _FUNCTION_WORDS or words[0].lower().rstrip(".") in _TITLES):
            words = words[1:]
        name = " ".join(words)
        if (
            sum(c.isalpha() for c in name) < 2
            or country_pattern.fullmatch(name)
            or name.lower() in (*_WEEKDAYS, *_MONTHS, *_NOT_NAMES, *_REGIONS)
            or (len(words) == 1 and _is_demonym(name))
            or (len(words) > 1 and words[-1].lower() in _PLACE_OR_PERIOD)
        ):
            continue  # "U" of "U.S.", a weekday, a scale, a continent, a nationality, a place or a period
        identifying = {w for w in words if not _known(w) or _is_acronym(w)}
        found[name] = identifying or {w for w in words if w.lower() not in _FUNCTION_WORDS}
    return found


def _shape(name: str) -> str:
    """The form of a name: an acronym ("NATO"), one word the lexicon does not know ("Macron"), one
    dictionary word ("Labour") or several words ("John Woodward")."""
    if " " in name:
        return "several"
    if _is_acronym(name):
        return "acronym"
    # A dictionary word ("Labour", "Sport") stands in only for another such, not for a surname ("James").
    return "word" if _known(name) else "one"


def _initials(name: str) -> str:
    """The acronym a name of several words would have: "National Audit Office" -> "NAO"."""
    return "".join(word[0] for word in name.split() if word[0].isupper()) if " " in name else ""


def entity_mismatches(claim: str, passage: str) -> list[Mismatch]:
    """Names of people or organisations in ``claim`` that ``passage`` never mentions, where it names others.

    Each is a candidate slot ("Macron announced" against "Biden announced"): the verdict engine
    confirms it with the model before calling it a contradiction, and it never blocks support alone.
    Only names of the same form stand in for each other (one word for one word, a full name for a full
    name, an acronym for an acronym), and a name is mentioned when the passage has its acronym or its
    expansion ("NAO" and "National Audit Office").
    """
    return _written_as_given(_entity_mismatches(fold(claim), fold(passage)), claim, passage)


def _entity_mismatches(claim: str, passage: str) -> list[Mismatch]:
    # "CO 2" as some sources space it is the claim's "CO2"; "GAO-02-373SP" mentions the "GAO".
    passage_words = set(_TOKEN.findall(passage)) | set(_TOKEN.findall(_LETTERS_DIGITS.sub(r"\1\2", passage)))
    passage_words |= {part for word in passage_words if "-" in word for part in word.split("-")}
    claim_words = set(_TOKEN.findall(claim))
    in_passage = names(passage)
    passage_names = [name for name, words in in_passage.items() if not _tokens(words) & claim_words]
    if not passage_names:
        return []
    passage_initials = {initials for name in in_passage if (initials := _initials(name))}
    capitalised = [word for word in passage_words if word[:1].isupper()]
    mismatches = []
    for name, words in names(claim).items():
        initials = _initials(name)
        tokens = _tokens(words)
        tokens |= {other for token in tokens for other in _OTHER_NAMES.get(token, ())}
        if tokens & passage_words or (initials and initials in passage_words) or name in passage_initials:
            continue
        if any(len(token) >= 5 and get_close_matches(token, capitalised, 1, 0.85) for token in tokens):
            continue  # spelt a letter apart: "Sheffied" in the article is the claim's "Sheffield"
        others = tuple(other for other in passage_names if _shape(other) == _shape(name))
        if others:
            mismatches.append(Mismatch("entity", name, others))
    return mismatches


def _tokens(words: set[str]) -> set[str]:
    """The tokens of a name's words as texts are tokenised: "Ca'daan" -> "Ca", "daan"."""
    return {token for word in words for token in _TOKEN.findall(word)}


def value_mismatches(claim: str, passage: str) -> list[Mismatch]:
    """Every number, date or country name in ``claim`` that ``passage`` states differently."""
    return _written_as_given(_value_mismatches(fold(claim), fold(passage)), claim, passage)


def _value_mismatches(claim: str, passage: str) -> list[Mismatch]:
    return [
        *_number_mismatches(claim, passage),
        *_ordinal_mismatches(claim, passage),
        *_date_mismatches(claim, passage),
        *_name_mismatches(claim, passage),
    ]


def stated_value(claim: str, passage: str) -> str | None:
    """The passage's words for the first number, sum or date of ``claim`` that it states, by value ("€12bn"
    for "12 billion euros"): where a journalist looks to see the claim confirmed. None when it states none."""
    passage_quantities = quantities(passage)
    for claimed in quantities(claim):
        for stated in passage_quantities:
            if stated.unit == claimed.unit and claimed.agrees(stated):
                return stated.text
    return None


def states(text: str, value: str) -> bool:
    """Whether ``text`` states ``value``, a value a check found in a passage: a number by its value
    ("12 billion" for "12bn"), a country by the country ("Kyiv" for "Ukraine"), other words as words."""
    if numbers := quantities(value):
        return any(q.agrees(p) for p in numbers for q in quantities(text))
    if value_countries := countries(value):
        return bool(set(value_countries) & set(countries(text)))
    return re.search(rf"(?<!\w){re.escape(fold(value).lower())}(?!\w)", fold(text).lower()) is not None


def stated_elsewhere(mismatches: list[Mismatch], whole: str) -> list[Mismatch]:
    """``mismatches`` of a part of the compound claim ``whole`` without the passage values that ``whole``
    states itself, in another part.

    "Jackson quit the Conservatives and joined Labour" against "Jackson has defected to Labour": for the
    part "Jackson quit the Conservatives", the passage's "Labour" is not another party in the same slot
    but the other part's. A negation has no value to compare. ``whole`` is "" for a claim of one part:
    then every mismatch stands.
    """
    if not whole:
        return mismatches
    kept = []
    for mismatch in mismatches:
        values = mismatch.passage_values
        if mismatch.kind != "negation":
            values = tuple(value for value in values if not states(whole, value))
        if values:
            kept.append(mismatch if values == mismatch.passage_values else replace(mismatch, passage_values=values))
    return kept


def find_mismatches(claim: str, passage: str) -> list[Mismatch]:
    """Every number, date, name, negation or antonym in ``claim`` that ``passage`` states differently."""
    folded_claim, folded_passage = fold(claim), fold(passage)
    found = [*_value_mismatches(folded_claim, folded_passage), *_polarity_mismatches(folded_claim, folded_passage)]
    return _written_as_given(found, claim, passage)
