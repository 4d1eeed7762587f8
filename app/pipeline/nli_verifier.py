"""The verdict engine: NLI probabilities over candidate passages, confirmed slot checks, calibration.

For each claim (or claim part) the NLI model reads every relevant passage. A number, date or
country the claim states differently from a passage counts as a contradiction when putting the
passage's value into the claim makes the passage entail it (the same slot, filled differently).
A strong contradiction is never masked by entailment from another passage.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from app.ml.nli import NLIModel, Probabilities
from app.pipeline.checks import (
    NO_NEGATION,
    Coverage,
    Mismatch,
    coverage,
    entity_mismatches,
    find_mismatches,
    stated_elsewhere,
    stated_value,
    value_mismatches,
)
from app.pipeline.verdicts import DecisiveSpan, Passage, PassageKind, Verdict, Verification, split_scores

_SLOT_KINDS = ("number", "date", "name")
_POLARITY_KINDS = ("negation", "antonym")
# Person and organisation slots are checked against this many of the closest sentences at most.
_ENTITY_SENTENCES = 3
_ENTAILMENT, _NEUTRAL, _CONTRADICTION = 0, 1, 2
# Decimals of the numbers in a saved parameter file (see EngineParams.save).
_SAVED_DIGITS = 4


@dataclass(frozen=True)
class EngineParams:
    """Thresholds and calibration, chosen on tuning data only (scripts/tune_verdicts.py)."""

    relevant_similarity: float = 0.3
    support_threshold: float = 0.5
    contradiction_threshold: float = 0.5
    # P(entailment) of the claim with the passage's value that confirms a slot contradiction.
    slot_threshold: float = 0.5
    # A combined premise (several sentences) must entail at least this much to support.
    combined_threshold: float = 0.5
    # A window (a sentence with its neighbour) must reach at least this to support or contradict:
    # the extra sentence gives context to a pronoun, but a small model also over-reads it.
    window_threshold: float = 0.0
    # A supporting passage must also be this close to the claim in embedding space: entailment from
    # a passage that is only loosely about the claim is more often the model over-reading.
    support_similarity: float = 0.0
    # The same for a passage the model says contradicts the claim (slot checks have their own test).
    contradiction_similarity: float = 0.0
    # P(entailment) of a sentence's window (the sentence after its previous one) at which the sentence's
    # model contradiction is set aside: the sentence says "the company" or "the men" where the claim
    # names them, and read with the sentence that names them it states the claim. Above 1 (the
    # default) this is off.
    context_threshold: float = 1.1
    # P(entailment) at which a negation or antonym the claim flips turns the passage into a denial.
    polarity_threshold: float = 0.5
    # The same, read from the claim with the passage's word put back ("was down from" -> "was up from"):
    # a long sentence that the model reads as not entailing the claim can still state its opposite.
    # Above 1 (the default) this is off.
    polarity_slot_threshold: float = 1.1
    # Share of the claim's content words, names and numbers a passage must mention to support it, and
    # to contradict it through the model: one that never mentions most of the claim is about something else.
    support_coverage: float = 0.0
    contradiction_coverage: float = 0.0
    # The same bar for support from a window or a combined premise: their extra sentences hold the
    # missing context, so what the claim states should be in them.
    context_coverage: float = 0.0
    # 1: a name or number the passage never mentions keeps it from supporting the claim ("held in Vilnius").
    specifics_required: float = 0.0
    # 1: a combined premise supports only if it mentions more of the claim than each of its sentences
    # alone; if it does not, combining added nothing the claim needs, and the model is over-reading.
    combined_gain: float = 0.0
    # How many of the closest sentences a slot contradiction (a number, date or name) is checked against.
    slot_sentences: float = 1.0
    # 1: a person or organisation the claim names where a close sentence names another is a slot too
    # ("Macron announced" against "Biden announced"), confirmed by the model like a number.
    entity_slots: float = 0.0
    # A number, date or country the claim states differently from a sentence at least this close to it in
    # embedding space is a slot contradiction even when the model does not accept the claim with the
    # sentence's value: so close, the sentence is about the same thing, and the small model often balks at
    # its other clauses ("committed to initially provide ... totaling 12 billion euros"). Above 1 (the
    # default) this is off.
    slot_similarity: float = 1.1
    # A passage this much less similar to the claim than the claim's closest sentence takes no part (and
    # costs no model pass): so far down the ranking it is rarely the evidence. At 1 (the default) this is off.
    similarity_margin: float = 1.0
    # Platt scaling per verdict: confidence = sigmoid(a * logit(raw score) + b + c * similarity + d * coverage),
    # with the similarity and coverage share of the cited passage (c and d are 0 where an entry omits them).
    # An entry "verdict/basis" (e.g. "contradicted/slot") applies to verdicts reached by that rule only.
    calibration: dict[str, tuple[float, ...]] = field(default_factory=lambda: {v.value: (1.0, 0.0) for v in Verdict})

    @property
    def windows_decide(self) -> bool:
        """Whether a window can reach its bar at all (a probability never exceeds 1)."""
        return self.window_threshold < 1.0

    @classmethod
    def load(cls, path: Path) -> EngineParams:
        raw = json.loads(path.read_text(encoding="utf-8"))
        calibration = {k: tuple(float(x) for x in values) for k, values in raw.pop("calibration").items()}
        known = {name for name in cls.__dataclass_fields__ if name != "calibration"}
        return cls(**{k: float(v) for k, v in raw.items() if k in known}, calibration=calibration)

    def save(self, path: Path, extra: dict[str, object] | None = None) -> None:
        """Write the parameters, with ``extra`` entries (notes, baseline) that loading ignores.

        Fields keep their declaration order and numbers are rounded to ``_SAVED_DIGITS`` decimals, so
        that a rerun of ``make tune`` that chooses the same thresholds leaves the file as it was, or
        nearly: on another CPU its calibration fits came out within about 1e-5 of the committed ones,
        below the rounding (one entry fitted on few claims moved by 1e-3), and confidence is reported
        to 4 decimals anyway.
        """
        content = {**asdict(self), **(extra or {})}
        path.write_text(json.dumps(_rounded(content), indent=2) + "\n", encoding="utf-8")


def _rounded(value: object) -> object:
    """``value`` with every float in it (inside dicts, lists and tuples) rounded to ``_SAVED_DIGITS``."""
    if isinstance(value, float):
        return round(value, _SAVED_DIGITS)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(item) for item in value]
    return value


@dataclass
class ScoredPassage:
    """A candidate passage with the NLI's view of it and any slot the claim fills differently."""

    passage: Passage
    probabilities: Probabilities
    mismatches: list[Mismatch]
    coverage: Coverage = Coverage(1.0, (), ())
    # Highest P(entailment) of the claim with a mismatched value replaced by the passage's.
    slot_entailment: float = 0.0
    slot_mismatch: Mismatch | None = None
    # The same for a person or organisation (kept apart: such a name alone never blocks support).
    entity_entailment: float = 0.0
    entity_mismatch: Mismatch | None = None
    # The same for an antonym: the claim with the passage's word in its place ("rose" -> "fell").
    polarity_entailment: float = 0.0

    def check(self, claim: str, whole: str = "") -> None:
        """Run the explicit text checks (values, polarity, coverage) of ``claim`` against this passage;
        ``whole`` is the compound claim that ``claim`` is a part of, if it is one."""
        self.mismatches = stated_elsewhere(find_mismatches(claim, self.passage.premise), whole)
        self.coverage = coverage(claim, self.passage.premise)

    @property
    def entailment(self) -> float:
        return float(self.probabilities[_ENTAILMENT])

    @property
    def contradiction(self) -> float:
        return float(self.probabilities[_CONTRADICTION])


@dataclass
class ClaimScores:
    """Everything the decision needs for one claim; computed once, decided under any parameters."""

    claim: str
    passages: list[Passage]
    scored: list[ScoredPassage]
    # The compound claim that ``claim`` is a part of ("" for a claim of one part): a value it states in
    # another part is not another value in this part's slot.
    whole: str = ""


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def calibrate(
    calibration: dict[str, tuple[float, ...]], verdict: Verdict, basis: str, raw: float, similarity: float, share: float
) -> float:
    """Calibrated confidence of a verdict from its raw score and the cited passage's similarity and coverage."""
    a, b, *weights = calibration.get(f"{verdict.value}/{basis}") or calibration[verdict.value]
    z = a * _logit(raw) + b
    if weights:
        z += weights[0] * similarity
    if len(weights) > 1:
        z += weights[1] * share
    return round(1 / (1 + math.exp(-z)), 4)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _where(passage: Passage, titled: bool = True) -> str:
    numbers = [i + 1 for i in passage.sentence_indices]
    label = f"sentence {numbers[0]}" if len(numbers) == 1 else "sentences " + ", ".join(map(str, numbers))
    return f"{label} of “{passage.document_title}”" if titled else label


def _agrees_on_values(substituted: str, premise: str) -> bool:
    """Whether the claim with one value put back agrees with the passage on every other number, date and
    country: only then does the passage's entailing it show the same slot filled differently. "A 0.5 % rise
    in February" put as "a 0.5 % rise in January" against "prices rose 0.4 % in January" is another fact."""
    return not value_mismatches(substituted, premise)


def _several(passage: Passage) -> bool:
    """Whether ``_where(passage)`` names several sentences, so that its verb is plural."""
    return len(passage.sentence_indices) > 1


def _verb(passage: Passage, verb: str) -> str:
    """``verb`` ("states") agreeing with ``_where(passage)``: "sentence 3 states", "sentences 2, 3 state"."""
    return verb.removesuffix("s") if _several(passage) else verb


def _ends_at(window: Passage, sentence: Passage) -> bool:
    """Whether ``window`` is ``sentence`` with its previous sentence."""
    return (
        window.kind is PassageKind.WINDOW
        and window.document_id == sentence.document_id
        and window.sentence_index == sentence.sentence_index
    )


def _floor(passages: Sequence[Passage], params: EngineParams) -> float:
    """The similarity a passage needs to take part: the relevance bar, or the margin below the closest sentence."""
    closest = max((p.similarity for p in passages if p.kind is PassageKind.SENTENCE), default=0.0)
    return max(params.relevant_similarity, closest - params.similarity_margin)


def _considered(passage: Passage, params: EngineParams, floor: float) -> bool:
    """Whether a passage takes part in decisions under ``params`` (scoring skips those that do not)."""
    if passage.similarity < (params.relevant_similarity if passage.kind is PassageKind.COMBINED else floor):
        return False
    return params.windows_decide or passage.kind is not PassageKind.WINDOW


def first_round(passages: Sequence[Passage], params: EngineParams) -> list[Passage]:
    """The passages of a claim that the first model call reads under ``params`` (the combined premise waits)."""
    floor = _floor(passages, params)
    return [p for p in passages if _considered(p, params, floor) and p.kind is not PassageKind.COMBINED]


def _combined(result: ClaimScores) -> Passage | None:
    return next((p for p in result.passages if p.kind is PassageKind.COMBINED), None)


class NLIVerifier:
    """Decides with the in-house NLI cross-encoder plus explicit checks; a request's pairs in one or two calls."""

    def __init__(self, model: NLIModel, params: EngineParams) -> None:
        self._model = model
        self.params = params
        self.version = f"nli-engine:{model.version}"

    def verify(
        self, items: Sequence[tuple[str, Sequence[Passage]]], wholes: Sequence[str] | None = None
    ) -> list[Verification]:
        return [self.decide(scores, self.params) for scores in self.score(items, wholes=wholes)]

    def score(
        self,
        items: Sequence[tuple[str, Sequence[Passage]]],
        everything: bool = False,
        wholes: Sequence[str] | None = None,
    ) -> list[ClaimScores]:
        """Run the NLI model over the (passage, claim) pairs and slot substitutions a decision can use.

        What cannot change a decision under the parameters costs no model pass: passages below the
        relevance bar or too far below the closest sentence, windows when their bar is 1 (but for the
        window of a sentence about to contradict, which the context rule reads in a second call),
        substituted values beyond the ``slot_sentences`` closest sentences, person or organisation slots
        and antonym substitutions when they are off, and the combined premise of a claim that its single
        sentences already decide (the second call reads it for the rest). ``everything`` scores them
        all, for tuning to replay decisions under other parameters.
        """
        params = self.params

        results = [
            ClaimScores(claim, list(passages), [ScoredPassage(p, np.zeros(3, np.float32), [])
                                                for p in (passages if everything else first_round(passages, params))],
                        whole)
            for (claim, passages), whole in zip(items, wholes or [""] * len(items), strict=True)
        ]  # fmt: skip
        for result in results:
            for scored in result.scored:
                # Any differing value keeps a passage from supporting; only a single sentence
                # (whose value sits in one statement) can contradict through a slot.
                scored.check(result.claim, result.whole)

        def closest_sentences(result: ClaimScores, count: int | None) -> list[ScoredPassage]:
            sentences = [s for s in result.scored if s.passage.kind is PassageKind.SENTENCE]
            return sorted(sentences, key=lambda s: s.passage.similarity, reverse=True)[:count]

        slot_sentences = None if everything else int(params.slot_sentences)
        kinds = _SLOT_KINDS + (("antonym",) if everything or params.polarity_slot_threshold <= 1 else ())
        # One passage value per substitution, so that the explanation and the decisive span name the value
        # that the model confirmed.
        substitutions: list[tuple[ScoredPassage, Mismatch, str]] = [
            (scored, narrowed, substituted)
            for result in results
            for scored in closest_sentences(result, slot_sentences)
            for mismatch in scored.mismatches
            if mismatch.kind in kinds
            for narrowed, substituted in mismatch.substitutions_by_value(result.claim)
            if _agrees_on_values(substituted, scored.passage.premise)
        ]
        if everything or params.entity_slots:
            for result in results:
                for scored in closest_sentences(result, _ENTITY_SENTENCES):
                    found = entity_mismatches(result.claim, scored.passage.premise)
                    for mismatch in stated_elsewhere(found, result.whole):
                        substitutions += [
                            (scored, narrowed, text) for narrowed, text in mismatch.substitutions_by_value(result.claim)
                        ]
        # Every pass in one call, so that the model batches them by length together.
        pairs = [(s.passage.premise, r.claim) for r in results for s in r.scored]
        probabilities = self._model.predict(pairs + [(s.passage.premise, text) for s, _, text in substitutions])
        rows = iter(probabilities[: len(pairs)])
        for result in results:
            for scored in result.scored:
                scored.probabilities = next(rows)
        for (scored, mismatch, _), row in zip(substitutions, probabilities[len(pairs) :], strict=True):
            entailment = float(row[_ENTAILMENT])
            if mismatch.kind == "entity" and entailment > scored.entity_entailment:
                scored.entity_entailment, scored.entity_mismatch = entailment, mismatch
            elif mismatch.kind == "antonym":
                scored.polarity_entailment = max(scored.polarity_entailment, entailment)
            elif mismatch.kind != "entity" and entailment > scored.slot_entailment:
                scored.slot_entailment, scored.slot_mismatch = entailment, mismatch
        if not everything:
            self._second_round(results)
        return results

    def _second_round(self, results: list[ClaimScores]) -> None:
        """One more model call for what only some claims need, once their sentences are scored.

        The window of each sentence about to contradict through the model, where it was not scored
        (windows are not, while their bar is 1) and the context rule may set the contradiction aside. And
        the combined premise of each claim that its sentences leave undecided: a combined premise can only
        support, and only when no single passage does (see ``decide``), so a claim its sentences
        contradict or support needs no such pass. Claims whose contradiction the context may set aside
        get their combined premise read too, so that no third call is needed.
        """
        params = self.params
        context: list[tuple[ClaimScores, Passage]] = []
        if params.context_threshold <= 1:
            context = [
                (result, window)
                for result in results
                for scored in result.scored
                if scored.passage.kind is PassageKind.SENTENCE
                and scored.contradiction >= params.contradiction_threshold
                and not any(_ends_at(s.passage, scored.passage) for s in result.scored)
                if (window := next((p for p in result.passages if _ends_at(p, scored.passage)), None)) is not None
            ]
        unsure = {id(result) for result, _ in context}
        combined = [
            (result, passage)
            for result in results
            if (passage := _combined(result)) is not None
            and _considered(passage, params, _floor(result.passages, params))
            and (id(result) in unsure or self.decide(result, params).verdict is Verdict.UNKNOWN)
        ]
        wanted = context + combined
        if not wanted:
            return
        probabilities = self._model.predict([(passage.premise, result.claim) for result, passage in wanted])
        for (result, passage), row in zip(wanted, probabilities, strict=True):
            scored = ScoredPassage(passage, row, [])
            scored.check(result.claim, result.whole)
            result.scored.append(scored)

    def decide(self, scores: ClaimScores, params: EngineParams) -> Verification:
        """Turn scores into a verdict under ``params``; cheap, so tuning can replay it many times."""
        # Passages that cannot take part are left out, as scoring leaves them out when serving:
        # a replay during tuning then sees exactly what the service sees.
        floor = _floor(scores.passages, params)
        relevant = [s for s in scores.scored if _considered(s.passage, params, floor)]
        ranked = sorted(scores.passages, key=lambda p: p.similarity, reverse=True)
        if not relevant:
            best = f" (best similarity {ranked[0].similarity:.2f})" if ranked else ""
            cited = 0.0
            if ranked:
                # Below the floor a passage is not scored, except when tuning replays with all of them scored.
                scored = next((s for s in scores.scored if s.passage is ranked[0]), None)
                cited = scored.coverage.share if scored else coverage(scores.claim, ranked[0].premise).share
            return self._verification(
                cited, Verdict.UNKNOWN, "nothing_relevant", 1.0, ranked[:3], params,
                f"No passage in the corpus is close enough to the claim to judge it{best}.",
            )  # fmt: skip

        # Values and polarity are compared with the few sentences closest to the claim, closest first.
        # Past a sentence that states the claim as it is, a sentence that names a different day or
        # sum usually speaks of something else, so only polarity is still checked there.
        sentences = sorted(
            (s for s in relevant if s.passage.kind is PassageKind.SENTENCE),
            key=lambda s: s.passage.similarity,
            reverse=True,
        )
        stated = False
        for sentence in sentences[: int(params.slot_sentences)]:
            slots = [(sentence.slot_mismatch, sentence.slot_entailment, "slot")]
            if params.entity_slots:
                slots.append((sentence.entity_mismatch, sentence.entity_entailment, "entity"))
            for mismatch, entailment, basis in slots:
                if not stated and mismatch is not None and entailment >= params.slot_threshold:
                    return self._slot_contradicted(scores.claim, sentence, mismatch, basis, entailment, ranked, params)
            if not stated and sentence.passage.similarity >= params.slot_similarity:
                differing = next((m for m in sentence.mismatches if m.kind in _SLOT_KINDS), None)
                if differing is not None:
                    similarity = sentence.passage.similarity
                    return self._slot_contradicted(
                        scores.claim, sentence, differing, "close_slot", similarity, ranked, params
                    )
            flipped = any(m.kind in _POLARITY_KINDS for m in sentence.mismatches)
            if flipped and sentence.entailment >= params.polarity_threshold:
                # The model would accept the claim but for a negation or antonym: that is a denial.
                return self._contradicted(scores.claim, sentence, "polarity", sentence.entailment, ranked, params)
            if flipped and sentence.polarity_entailment >= params.polarity_slot_threshold:
                # The passage states the claim with the opposite word ("up from", not "down from").
                entailment = sentence.polarity_entailment
                return self._contradicted(scores.claim, sentence, "polarity", entailment, ranked, params)
            stated = stated or (not sentence.mismatches and sentence.entailment >= params.support_threshold)

        # Combining sentences can support a claim but not create a contradiction none of them holds.
        def contradiction_bar(scored: ScoredPassage) -> float:
            window = scored.passage.kind is PassageKind.WINDOW
            return max(params.contradiction_threshold, params.window_threshold if window else 0.0)

        def resolved_by_context(scored: ScoredPassage) -> bool:
            # Read with its previous sentence, the sentence states the claim: its "the company" is the claim's "Acme".
            if scored.passage.kind is not PassageKind.SENTENCE:
                return False
            context = next((s for s in scores.scored if _ends_at(s.passage, scored.passage)), None)
            return context is not None and context.entailment >= params.context_threshold

        contradicting = max(
            (
                s
                for s in relevant
                if s.passage.kind is not PassageKind.COMBINED
                and s.contradiction >= contradiction_bar(s)
                and s.passage.similarity >= params.contradiction_similarity
                and s.coverage.share >= params.contradiction_coverage
                and not resolved_by_context(s)
            ),
            key=lambda s: s.contradiction,
            default=None,
        )
        if contradicting is not None:
            return self._contradicted(scores.claim, contradicting, "model", contradicting.contradiction, ranked, params)

        def support_bar(scored: ScoredPassage) -> float:
            extra = {PassageKind.COMBINED: params.combined_threshold, PassageKind.WINDOW: params.window_threshold}
            return max(params.support_threshold, extra.get(scored.passage.kind, 0.0))

        def coverage_bar(scored: ScoredPassage) -> float:
            context = scored.passage.kind is not PassageKind.SENTENCE
            return max(params.support_coverage, params.context_coverage if context else 0.0)

        def adds_to_sentences(scored: ScoredPassage) -> bool:
            if not params.combined_gain or scored.passage.kind is not PassageKind.COMBINED:
                return True
            members = [
                p for p in scores.passages
                if p.kind is PassageKind.SENTENCE and p.document_id == scored.passage.document_id
                and p.sentence_index in scored.passage.sentence_indices
            ]  # fmt: skip
            return all(scored.coverage.share > coverage_share(p) for p in members)

        def coverage_share(passage: Passage) -> float:
            # A scored passage carries its coverage already; one below the floor is measured here.
            known = next((s.coverage.share for s in scores.scored if s.passage is passage), None)
            return coverage(scores.claim, passage.premise).share if known is None else known

        supports = [
            s
            for s in relevant
            if not s.mismatches
            and s.entailment >= support_bar(s)
            and s.passage.similarity >= params.support_similarity
            and s.coverage.share >= coverage_bar(s)
            and not (params.specifics_required and s.coverage.missing_specifics)
            and adds_to_sentences(s)
        ]
        # A passage that states the claim on its own is cited before a combined premise: it is the exact
        # citation, and the combined premise then needs no model pass (see score).
        alone = [s for s in supports if s.passage.kind is not PassageKind.COMBINED]
        supporting = max(alone or supports, key=lambda s: s.entailment, default=None)
        if supporting is not None:
            passage = supporting.passage
            confirmed = stated_value(scores.claim, passage.premise)
            return self._verification(
                supporting.coverage.share, Verdict.SUPPORTED, passage.kind.value, supporting.entailment,
                self._cite(passage, ranked), params,
                f"{_capital(_where(passage))} {_verb(passage, 'states')} what the claim says.",
                DecisiveSpan.find(passage, confirmed) if confirmed else None,
            )  # fmt: skip

        closest = max(relevant, key=lambda s: max(s.entailment, s.contradiction))
        doubt = max(closest.entailment, closest.contradiction)
        blocked = [
            # The explanation names the closest passage's document already.
            m.described(
                _where(s.passage, titled=s.passage.document_id != closest.passage.document_id),
                plural=_several(s.passage),
            )
            for s in relevant
            if s.entailment >= params.support_threshold
            for m in s.mismatches
        ]
        if params.specifics_required and not blocked:
            unstated = [
                w for s in relevant if s.entailment >= params.support_threshold for w in s.coverage.missing_specifics
            ]
            blocked = [f"the passages never mention {word!r}" for word in unstated[:1]]
        reason = f"; {blocked[0]}" if blocked else ""
        return self._verification(
            closest.coverage.share, Verdict.UNKNOWN, "on_topic", 1.0 - doubt,
            self._cite(closest.passage, ranked), params,
            f"The closest passage ({_where(closest.passage)}) is on the topic but neither states nor "
            f"contradicts the claim{reason}.",
        )  # fmt: skip

    def _slot_contradicted(
        self,
        claim: str,
        sentence: ScoredPassage,
        mismatch: Mismatch,
        basis: str,
        raw: float,
        ranked: list[Passage],
        params: EngineParams,
    ) -> Verification:
        """Contradicted because ``sentence`` fills the claim's slot with another value; the explanation names both.

        Of several values in the sentence, it names those next to the same word as the claim's ("through 2032"
        for "through 2035"), even where the model accepted another a little more readily; failing that, the
        one the model accepted.
        """
        same = (mismatch.kind, mismatch.claim_value)
        found = next((m for m in sentence.mismatches if (m.kind, m.claim_value) == same), None)
        apt = found.in_context(claim, sentence.passage.premise) if found is not None else None
        if apt is not None and apt is not found:
            mismatch = apt
        claim_value, passage_values = mismatch.in_running_text()
        return self._verification(
            sentence.coverage.share, Verdict.CONTRADICTED, basis, raw, self._cite(sentence.passage, ranked), params,
            f"The article says {' or '.join(passage_values)}, not {claim_value} ({_where(sentence.passage)}).",
            DecisiveSpan.find(sentence.passage, mismatch.passage_values[0]),
        )  # fmt: skip

    def _contradicted(
        self, claim: str, scored: ScoredPassage, basis: str, raw: float, ranked: list[Passage], params: EngineParams
    ) -> Verification:
        # A word-level polarity difference, when there is one, shows the journalist where to look.
        said = [
            m.passage_values[0]
            for m in scored.mismatches
            if m.kind in _POLARITY_KINDS and m.passage_values[0] != NO_NEGATION
        ]
        # Or a negation only the claim has ("France will not deliver ..."): nothing in the passage to point at.
        denied = [m.claim_value for m in scored.mismatches if m.kind == "negation" and NO_NEGATION in m.passage_values]
        several = _several(scored.passage)
        says = "they say" if several else "it says"
        detail = f": {says} {said[0]!r}" if said else ""
        if denied and not said:
            where = "the sentences have" if several else "the sentence has"
            detail = f", which says {denied[0]!r} where {where} no negation"
        # Or a value it gives otherwise where the claim has its value (next to the same word), or a sum of money
        # or a percentage: the model need not have confirmed it for it to be where the journalist should look.
        valued = next(
            (
                apt
                for m in scored.mismatches
                if m.kind in _SLOT_KINDS
                and (apt := m.in_context(claim, scored.passage.premise) or (m if m.is_sum else None)) is not None
            ),
            None,
        )
        if valued is not None and not said and not denied:
            claim_value, passage_values = valued.in_running_text()
            detail = f": {says} {' or '.join(passage_values)}, not {claim_value}"
            said = [valued.passage_values[0]]
        return self._verification(
            scored.coverage.share, Verdict.CONTRADICTED, basis, raw, self._cite(scored.passage, ranked), params,
            f"{_capital(_where(scored.passage))} {_verb(scored.passage, 'contradicts')} the claim{detail}.",
            DecisiveSpan.find(scored.passage, said[0]) if said else None,
        )  # fmt: skip

    @staticmethod
    def _cite(passage: Passage, ranked: list[Passage]) -> list[Passage]:
        return [passage, *(p for p in ranked if p is not passage)]

    @staticmethod
    def _verification(
        coverage_share: float,
        verdict: Verdict,
        basis: str,
        raw: float,
        evidence: list[Passage],
        params: EngineParams,
        explanation: str,
        span: DecisiveSpan | None = None,
    ) -> Verification:
        similarity = evidence[0].similarity if evidence else 0.0
        share = coverage_share if evidence else 0.0
        confidence = calibrate(params.calibration, verdict, basis, raw, similarity, share)
        scores = split_scores(verdict, confidence)
        return Verification(verdict, confidence, scores, evidence, explanation, decisive_span=span, basis=basis)
