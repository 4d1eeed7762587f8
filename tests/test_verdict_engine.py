"""Decision logic of the verdict engine, with a scripted NLI model so each rule is isolated."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.pipeline.checks import Mismatch, find_mismatches
from app.pipeline.nli_verifier import EngineParams, NLIVerifier
from app.pipeline.verdicts import Passage, PassageKind, Verdict, Verification

NEUTRAL = (0.05, 0.9, 0.05)


class ScriptedNLI:
    """Returns the probabilities scripted for a (premise, hypothesis) pair, neutral otherwise."""

    version = "scripted"

    def __init__(self, script: dict[tuple[str, str], tuple[float, float, float]]) -> None:
        self.script = script
        self.seen: list[tuple[str, str]] = []

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        self.seen.extend(pairs)
        return np.array([self.script.get(pair, NEUTRAL) for pair in pairs], dtype=np.float32)


def passage(text: str, similarity: float, index: int = 0) -> Passage:
    return Passage(7, "Aid article", index, (index,), 100, 100 + len(text), text, similarity, PassageKind.SENTENCE)


def engine(script: dict[tuple[str, str], tuple[float, float, float]]) -> tuple[NLIVerifier, ScriptedNLI]:
    model = ScriptedNLI(script)
    params = EngineParams(relevant_similarity=0.3, support_threshold=0.5, contradiction_threshold=0.5)
    return NLIVerifier(model, params), model  # type: ignore[arg-type]


def judge(
    script: dict[tuple[str, str], tuple[float, float, float]], claim: str, passages: list[Passage], **params: float
) -> Verification:
    """The scripted verifier's answer under the thresholds of ``engine`` with ``params`` changed."""
    verifier = NLIVerifier(ScriptedNLI(script), EngineParams(0.3, 0.5, 0.5, **params))  # type: ignore[arg-type]
    return verifier.verify([(claim, passages)])[0]


def test_a_strong_contradiction_is_not_masked_by_entailment_elsewhere() -> None:
    claim = "The ministers approved the plan."
    agrees = passage("Officials welcomed the plan on Monday.", 0.8, 0)
    refutes = passage("The ministers threw out the plan.", 0.6, 1)
    verifier, _ = engine({(agrees.text, claim): (0.9, 0.05, 0.05), (refutes.text, claim): (0.05, 0.1, 0.85)})
    [answer] = verifier.verify([(claim, [agrees, refutes])])
    assert answer.verdict is Verdict.CONTRADICTED
    assert answer.evidence[0] == refutes


def test_a_changed_number_contradicts_when_the_slot_is_the_same() -> None:
    claim = "Germany pledged 20 billion euros in aid."
    text = "Germany pledged 12 billion euros in aid through 2032."
    fixed = "Germany pledged 12 billion euros in aid."
    # The model itself is fooled by the near-identical wording; the slot check is not.
    verifier, _ = engine({(text, claim): (0.7, 0.2, 0.1), (text, fixed): (0.95, 0.04, 0.01)})
    [answer] = verifier.verify([(claim, [passage(text, 0.9, 12)])])
    assert answer.verdict is Verdict.CONTRADICTED
    assert answer.explanation == (
        "The article says 12 billion euros, not 20 billion euros (sentence 13 of “Aid article”)."
    )
    assert answer.decisive_span is not None
    assert answer.decisive_span.text == "12 billion euros"
    assert answer.decisive_span.start == 100 + text.index("12 billion euros")


def test_a_different_number_about_something_else_is_not_a_contradiction() -> None:
    claim = "The G7 will give Ukraine $50 billion."
    text = "The United States provides Israel with around $3.5 billion annually."
    substituted = "The G7 will give Ukraine around $3.5 billion."
    verifier, model = engine({(text, substituted): (0.9, 0.05, 0.05)})
    [answer] = verifier.verify([(claim, [passage(text, 0.5)])])
    # With the passage's sum put back the claim still names another country: not the same slot, so the
    # substitution is not even put to the model.
    assert (text, substituted) not in model.seen
    assert answer.verdict is Verdict.UNKNOWN


def test_a_swapped_country_in_the_same_slot_contradicts() -> None:
    claim = "Japan will deliver cruise missiles to Kyiv."
    text = "France will deliver long-range cruise missiles to Kyiv."
    verifier, _ = engine({(text, "France will deliver cruise missiles to Kyiv."): (0.9, 0.05, 0.05)})
    [answer] = verifier.verify([(claim, [passage(text, 0.8)])])
    assert answer.verdict is Verdict.CONTRADICTED
    assert "France" in answer.explanation and "Japan" in answer.explanation


def test_a_swapped_person_in_the_same_slot_contradicts_when_entity_slots_are_on() -> None:
    claim = "Macron announced the security framework."
    text = "Biden announced the security framework on Wednesday."
    script = {(text, claim): (0.6, 0.3, 0.1), (text, "Biden announced the security framework."): (0.9, 0.05, 0.05)}
    answer = judge(script, claim, [passage(text, 0.8, 4)], entity_slots=1.0)
    assert (answer.verdict, answer.basis) == (Verdict.CONTRADICTED, "entity")
    assert answer.explanation == "The article says Biden, not Macron (sentence 5 of “Aid article”)."
    assert answer.decisive_span is not None and answer.decisive_span.text == "Biden"
    off = judge(script, claim, [passage(text, 0.8, 4)], entity_slots=0.0)
    assert off.verdict is Verdict.SUPPORTED  # unchecked, the model's entailment stands


def test_a_name_the_other_part_of_a_compound_claim_states_is_no_rival_in_this_part() -> None:
    whole = "Jane Roe has quit the Greens and joined Labour."
    part = "Jane Roe has quit the Greens."
    text = "Jane Roe has defected to Labour, the party said."
    # The small model accepts the part with "Labour" put in, but Labour is what the other part says.
    script = {(text, "Jane Roe has quit the Labour."): (0.9, 0.05, 0.05)}
    verifier = NLIVerifier(ScriptedNLI(script), EngineParams(0.3, 0.5, 0.5, entity_slots=1.0))  # type: ignore[arg-type]
    [alone] = verifier.verify([(part, [passage(text, 0.8, 2)])])
    assert (alone.verdict, alone.explanation) == (
        Verdict.CONTRADICTED, "The article says Labour, not Greens (sentence 3 of “Aid article”)."
    )  # fmt: skip
    [as_part] = verifier.verify([(part, [passage(text, 0.8, 2)])], wholes=[whole])
    assert as_part.verdict is Verdict.UNKNOWN  # the passage never says which party she left


def test_entailment_but_for_a_negation_is_a_denial() -> None:
    claim = "NATO gave Ukraine a membership timetable."
    text = "NATO rejected Ukraine's request for a membership timetable."
    verifier, _ = engine({(text, claim): (0.8, 0.15, 0.05)})
    [answer] = verifier.verify([(claim, [passage(text, 0.85)])])
    assert answer.verdict is Verdict.CONTRADICTED
    assert answer.explanation.endswith("contradicts the claim: it says 'rejected'.")
    assert answer.decisive_span is not None and answer.decisive_span.text == "rejected"


def test_a_value_is_compared_with_the_closest_sentence_only() -> None:
    claim = "NATO leaders spoke about Ukraine's future on Tuesday."
    same_day = passage("NATO leaders said on Tuesday that Ukraine's future lay within the alliance.", 0.8, 1)
    other_day = passage("The G7 will announce a framework on Wednesday.", 0.5, 0)
    replaced = "NATO leaders spoke about Ukraine's future on Wednesday."
    verifier, _ = engine({(same_day.text, claim): (0.9, 0.05, 0.05), (other_day.text, replaced): (0.9, 0.05, 0.05)})
    [answer] = verifier.verify([(claim, [same_day, other_day])])
    assert answer.verdict is Verdict.SUPPORTED
    assert answer.evidence[0] == same_day


def test_support_cites_the_entailing_passage() -> None:
    claim = "Poland will join the framework."
    other = passage("Romania is a NATO member.", 0.6, 3)
    states = passage("Poland and Romania are expected to join the framework on Wednesday.", 0.7, 7)
    verifier, _ = engine({(states.text, claim): (0.92, 0.05, 0.03)})
    [answer] = verifier.verify([(claim, [other, states])])
    assert answer.verdict is Verdict.SUPPORTED
    assert answer.evidence[0] == states
    assert answer.confidence == 0.92  # identity calibration by default
    assert answer.decisive_span is None  # nothing in the claim to point at


def test_support_points_at_the_number_that_confirms_the_claim() -> None:
    claim = "The council set aside 25 million pounds for new trams."
    text = "After a long debate the council set aside £25m for new trams and 40 buses."
    answer = judge({(text, claim): (0.9, 0.05, 0.05)}, claim, [passage(text, 0.8, 3)])
    assert answer.verdict is Verdict.SUPPORTED
    assert answer.decisive_span is not None and answer.decisive_span.text == "£25m"
    assert answer.decisive_span.start == 100 + text.index("£25m")


def test_nothing_relevant_is_unknown_and_costs_no_inference() -> None:
    verifier, model = engine({})
    [answer] = verifier.verify([("Apple released a phone.", [passage("NATO met in Vilnius.", 0.1)])])
    assert answer.verdict is Verdict.UNKNOWN
    assert model.seen == []
    assert "close enough" in answer.explanation


def test_combined_passages_are_read_as_their_sentences() -> None:
    claim = "Germany pledged aid and France will send missiles."
    combined = Passage(7, "Aid article", 12, (12, 13), 100, 300, "x" * 200, 0.7, PassageKind.COMBINED,
                       combined_text="Germany pledged aid. France will send missiles.")  # fmt: skip
    verifier, model = engine({("Germany pledged aid. France will send missiles.", claim): (0.9, 0.05, 0.05)})
    [answer] = verifier.verify([(claim, [combined])])
    assert answer.verdict is Verdict.SUPPORTED
    assert model.seen[0][0] == "Germany pledged aid. France will send missiles."


def combined_of(*sentences: Passage) -> Passage:
    text = " ".join(s.text for s in sentences)
    indices = tuple(s.sentence_index for s in sentences)
    return Passage(7, "Aid article", indices[0], indices, 100, 100 + len(text), text, sentences[0].similarity,
                   PassageKind.COMBINED, combined_text=text)  # fmt: skip


def test_a_sentence_that_states_the_claim_is_cited_before_a_combined_premise() -> None:
    claim = "Germany pledged 12 billion euros."
    states = passage("Germany pledged 12 billion euros on Tuesday.", 0.8, 3)
    other = passage("France will send missiles.", 0.6, 4)
    combined = combined_of(states, other)
    script = {(states.text, claim): (0.6, 0.3, 0.1), (combined.premise, claim): (0.95, 0.04, 0.01)}
    verifier, model = engine(script)
    [answer] = verifier.verify([(claim, [states, other, combined])])
    assert (answer.verdict, answer.basis, answer.evidence[0]) == (Verdict.SUPPORTED, "sentence", states)
    # The sentence decides, so the combined premise costs no model pass.
    assert (combined.premise, claim) not in model.seen
    # Tuning scores it anyway, and replaying the decision over those scores gives the same answer.
    [scores] = verifier.score([(claim, [states, other, combined])], everything=True)
    assert (combined.premise, claim) in model.seen
    assert verifier.decide(scores, verifier.params) == answer


def test_the_combined_premise_is_read_only_for_claims_the_sentences_leave_undecided() -> None:
    claim = "Germany pledged aid and France will send missiles."
    first = passage("Germany pledged aid.", 0.7, 1)
    second = passage("France will send missiles.", 0.6, 2)
    combined = combined_of(first, second)
    refuted = "Germany refused aid and France will send missiles."
    script = {(combined.premise, claim): (0.9, 0.05, 0.05), (first.text, refuted): (0.05, 0.1, 0.85)}
    verifier, model = engine(script)
    passages = [first, second, combined]
    supported, contradicted = verifier.verify([(claim, passages), (refuted, passages)])
    assert (supported.verdict, supported.evidence[0]) == (Verdict.SUPPORTED, combined)
    assert contradicted.verdict is Verdict.CONTRADICTED
    assert (combined.premise, claim) in model.seen
    assert (combined.premise, refuted) not in model.seen


def window(text: str, similarity: float, index: int) -> Passage:
    return Passage(
        7, "Aid article", index, (index - 1, index), 50, 100 + len(text), text, similarity, PassageKind.WINDOW
    )


def test_a_window_needs_the_window_bar_to_support_or_contradict() -> None:
    claim = "The alliance agreed a timetable."
    supports = window("NATO met in Vilnius. It agreed a timetable.", 0.7, 4)
    refutes = window("NATO met in Vilnius. It refused a timetable.", 0.7, 5)
    script = {(supports.text, claim): (0.8, 0.1, 0.1), (refutes.text, claim): (0.1, 0.1, 0.8)}
    for bar, expected in [(0.0, Verdict.CONTRADICTED), (0.85, Verdict.UNKNOWN)]:
        assert judge(script, claim, [supports, refutes], window_threshold=bar).verdict is expected
    assert judge(script, claim, [supports], window_threshold=0.75).verdict is Verdict.SUPPORTED


def test_a_sentence_whose_window_states_the_claim_does_not_contradict_it() -> None:
    claim = "Acme earns about $2m a day."
    sentence = passage("The company earns about $2m a day.", 0.78, 4)
    context = window("Acme said its results were strong. The company earns about $2m a day.", 0.84, 4)
    other = window("Acme's shares rose. Its rival Zenith earns less.", 0.6, 7)
    # Alone, "the company" is not Acme to the model; read after the sentence that names Acme, it is.
    script = {(sentence.text, claim): (0.02, 0.06, 0.92), (context.text, claim): (0.98, 0.01, 0.01)}
    for bar, expected in [(1.1, Verdict.CONTRADICTED), (0.9, Verdict.UNKNOWN), (0.99, Verdict.CONTRADICTED)]:
        model = ScriptedNLI(script)
        params = EngineParams(0.3, 0.5, 0.5, window_threshold=1.0, context_threshold=bar)
        [answer] = NLIVerifier(model, params).verify([(claim, [sentence, context, other])])  # type: ignore[arg-type]
        assert answer.verdict is expected, bar
        # Windows cost no pass while their bar is 1, except the window of a sentence about to contradict.
        assert ((context.text, claim) in model.seen) is (bar <= 1)
        assert (other.text, claim) not in model.seen


def test_support_needs_a_passage_close_enough_to_the_claim() -> None:
    claim = "Poland will join the framework."
    loose = passage("Several countries, Poland among them, are expected to join.", 0.45, 2)
    script = {(loose.text, claim): (0.9, 0.05, 0.05)}
    for floor, expected in [(0.4, Verdict.SUPPORTED), (0.5, Verdict.UNKNOWN)]:
        assert judge(script, claim, [loose], support_similarity=floor).verdict is expected


def test_a_model_contradiction_needs_a_passage_close_enough_to_the_claim() -> None:
    claim = "Italy opposed the joint declaration."
    loose = passage("Japan, Germany and Canada signed the joint declaration.", 0.42, 5)
    script = {(loose.text, claim): (0.05, 0.15, 0.8)}
    for floor, expected in [(0.4, Verdict.CONTRADICTED), (0.5, Verdict.UNKNOWN)]:
        assert judge(script, claim, [loose], contradiction_similarity=floor).verdict is expected


def test_calibration_can_weigh_the_similarity_of_the_cited_passage() -> None:
    claim = "Poland will join the framework."
    states = passage("Poland is expected to join the framework.", 0.5, 7)
    script = {(states.text, claim): (0.8, 0.1, 0.1)}
    identity = {v.value: (1.0, 0.0) for v in Verdict}
    two_values = NLIVerifier(ScriptedNLI(script), EngineParams(calibration=identity))  # type: ignore[arg-type]
    assert two_values.verify([(claim, [states])])[0].confidence == 0.8
    weighted = {**identity, "supported": (1.0, -1.0, 2.0)}  # -1 + 2 * 0.5 = 0: the similarity term cancels b
    three_values = NLIVerifier(ScriptedNLI(script), EngineParams(calibration=weighted))  # type: ignore[arg-type]
    assert three_values.verify([(claim, [states])])[0].confidence == 0.8
    boosted = NLIVerifier(ScriptedNLI(script), EngineParams(calibration={**identity, "supported": (1.0, 0.0, 2.0)}))  # type: ignore[arg-type]
    assert boosted.verify([(claim, [states])])[0].confidence > 0.9


def test_calibration_can_weigh_how_much_of_the_claim_the_cited_passage_mentions() -> None:
    claim = "Poland will join the framework."
    full = passage("Poland is expected to join the framework.", 0.5, 7)
    partial = passage("Poland is expected to sign it.", 0.5, 8)
    script = {(full.text, claim): (0.8, 0.1, 0.1), (partial.text, claim): (0.8, 0.1, 0.1)}
    identity = {v.value: (1.0, 0.0) for v in Verdict}
    weighted = {**identity, "supported": (1.0, -2.0, 0.0, 2.0)}  # -2 + 2 * coverage share
    verifier = NLIVerifier(ScriptedNLI(script), EngineParams(calibration=weighted))  # type: ignore[arg-type]
    assert verifier.verify([(claim, [full])])[0].confidence == 0.8  # every word mentioned: the term cancels b
    assert verifier.verify([(claim, [partial])])[0].confidence < 0.8


def test_calibration_of_a_decision_rule_applies_to_verdicts_reached_by_that_rule_only() -> None:
    claim = "Germany pledged 20 billion euros."
    states = passage("Germany pledged 12 billion euros.", 0.8, 3)
    with_value = "Germany pledged 12 billion euros."
    script = {(states.text, claim): (0.1, 0.2, 0.7), (states.text, with_value): (0.9, 0.05, 0.05)}
    identity = {v.value: (1.0, 0.0) for v in Verdict}
    slot_only = {**identity, "contradicted/slot": (1.0, 1.0)}
    answer = NLIVerifier(ScriptedNLI(script), EngineParams(calibration=slot_only)).verify([(claim, [states])])[0]  # type: ignore[arg-type]
    assert (answer.verdict, answer.basis) == (Verdict.CONTRADICTED, "slot")
    assert answer.confidence > 0.9  # sigmoid(logit(0.9) + 1) = 0.96
    model_only = {**identity, "contradicted/model": (1.0, 1.0)}
    answer = NLIVerifier(ScriptedNLI(script), EngineParams(calibration=model_only)).verify([(claim, [states])])[0]  # type: ignore[arg-type]
    assert answer.confidence == 0.9  # no entry for "slot": the verdict's own calibration (identity)


def test_a_flipped_negation_needs_the_polarity_bar() -> None:
    claim = "NATO gave Ukraine a membership timetable."
    text = "NATO rejected Ukraine's request for a membership timetable."
    script = {(text, claim): (0.45, 0.5, 0.05)}
    for bar, expected in [(0.4, Verdict.CONTRADICTED), (0.5, Verdict.UNKNOWN)]:
        assert judge(script, claim, [passage(text, 0.85)], polarity_threshold=bar).verdict is expected


def test_an_antonym_is_a_denial_when_the_claim_with_the_passage_word_is_entailed() -> None:
    claim = "Acme's quarterly sales of $4.1bn were down from $3.2bn a year earlier."
    text = "Its sales for the year included $4.1bn in the last quarter - up from $3.2bn a year before."
    flipped = (text, "Acme's quarterly sales of $4.1bn were up from $3.2bn a year earlier.")
    # A long sentence: the model does not read the claim as nearly entailed, so the polarity bar is not met.
    script = {(text, claim): (0.1, 0.6, 0.3), flipped: (0.8, 0.15, 0.05)}
    for bar, expected in [(0.9, Verdict.UNKNOWN), (1.1, Verdict.UNKNOWN)]:
        answer = judge(script, claim, [passage(text, 0.8)], polarity_threshold=0.35, polarity_slot_threshold=bar)
        assert answer.verdict is expected, bar
    answer = judge(script, claim, [passage(text, 0.8)], polarity_threshold=0.35, polarity_slot_threshold=0.7)
    assert (answer.verdict, answer.basis) == (Verdict.CONTRADICTED, "polarity")
    assert answer.decisive_span is not None and answer.decisive_span.text == "up"


def test_the_claim_with_the_passage_word_costs_inference_only_when_the_rule_is_on() -> None:
    claim = "Profits rose in the final quarter."
    text = "Profits fell in the final quarter, the company said."
    for bar, everything, read in [(1.1, False, False), (0.7, False, True), (1.1, True, True)]:
        model = ScriptedNLI({})
        verifier = NLIVerifier(model, EngineParams(0.3, 0.5, 0.5, polarity_slot_threshold=bar))  # type: ignore[arg-type]
        verifier.score([(claim, [passage(text, 0.8)])], everything=everything)
        assert ((text, "Profits fell in the final quarter.") in model.seen) is read


def test_support_needs_the_passage_to_mention_enough_of_the_claim() -> None:
    claim = "The European Union will fund the reconstruction of bridges."
    text = "The G7 includes the European Union, which will support Ukraine."
    script = {(text, claim): (0.9, 0.05, 0.05)}
    for share, expected in [(0.3, Verdict.SUPPORTED), (0.7, Verdict.UNKNOWN)]:
        assert judge(script, claim, [passage(text, 0.7)], support_coverage=share).verdict is expected


def test_a_name_the_passage_never_mentions_keeps_it_from_supporting() -> None:
    claim = "The NATO summit was held in Vilnius."
    text = "At the NATO summit, leaders said Ukraine's future lay within the alliance."
    script = {(text, claim): (0.9, 0.05, 0.05)}
    answer = judge(script, claim, [passage(text, 0.7)], specifics_required=1.0)
    assert answer.verdict is Verdict.UNKNOWN
    assert answer.explanation.endswith("the passages never mention 'Vilnius'.")
    assert judge(script, claim, [passage(text, 0.7)], specifics_required=0.0).verdict is Verdict.SUPPORTED


def test_a_model_contradiction_needs_the_passage_to_mention_enough_of_the_claim() -> None:
    claim = "Italy opposed the joint declaration on climate finance."
    text = "The joint declaration is anticipated to be signed by all G7 members."
    script = {(text, claim): (0.05, 0.1, 0.85)}
    for share, expected in [(0.2, Verdict.CONTRADICTED), (0.6, Verdict.UNKNOWN)]:
        assert judge(script, claim, [passage(text, 0.7)], contradiction_coverage=share).verdict is expected


def test_a_slot_can_be_checked_against_the_next_closest_sentences() -> None:
    claim = "The alliance has 32 member nations."
    closest = passage("The alliance's leaders met on Tuesday.", 0.8, 1)
    counts = passage("Zelenskiy met the leaders of the alliance's 31 nations.", 0.7, 2)
    script = {(counts.text, "The alliance has 31 nations."): (0.9, 0.05, 0.05)}
    for sentences, expected in [(1.0, Verdict.UNKNOWN), (2.0, Verdict.CONTRADICTED)]:
        answer = judge(script, claim, [closest, counts], slot_sentences=sentences)
        assert answer.verdict is expected
    assert answer.explanation == "The article says 31 nations, not 32 member nations (sentence 3 of “Aid article”)."


def test_substituted_values_cost_inference_only_for_the_sentences_a_decision_compares() -> None:
    claim = "The alliance has 32 member nations."
    closest = passage("The alliance's leaders met on Tuesday.", 0.8, 1)
    counts = passage("Zelenskiy met the leaders of the alliance's 31 nations.", 0.7, 2)
    substituted = (counts.text, "The alliance has 31 nations.")
    for sentences, everything, read in [(1.0, False, False), (2.0, False, True), (1.0, True, True)]:
        model = ScriptedNLI({})
        verifier = NLIVerifier(model, EngineParams(0.3, 0.5, 0.5, slot_sentences=sentences))  # type: ignore[arg-type]
        verifier.score([(claim, [closest, counts])], everything=everything)
        assert (substituted in model.seen) is read
        assert (counts.text, claim) in model.seen


def test_the_slot_scan_stops_at_a_closer_sentence_that_states_the_claim() -> None:
    claim = "France's military budget covers the years 2025 to 2030."
    states = passage("France will consider its military budget for the years 2025 to 2030.", 0.7, 13)
    other = passage("Germany committed military aid for the years 2025 to 2030.", 0.5, 12)
    script = {
        (states.text, claim): (0.95, 0.03, 0.02),
        (other.text, "Germany's military budget covers the years 2025 to 2030."): (0.9, 0.05, 0.05),
    }
    answer = judge(script, claim, [states, other], slot_sentences=2.0)
    assert answer.verdict is Verdict.SUPPORTED
    assert answer.evidence[0] == states


def test_a_flipped_negation_in_the_second_closest_sentence_is_a_denial() -> None:
    claim = "Ukraine can join NATO while the war goes on."
    loose = passage("NATO avoids a direct battle with Russia.", 0.72, 3)
    denies = passage("Ukraine cannot join NATO while the war goes on.", 0.71, 2)
    script = {(loose.text, claim): (0.4, 0.3, 0.3), (denies.text, claim): (0.95, 0.03, 0.02)}
    answer = judge(script, claim, [loose, denies], slot_sentences=2.0, polarity_threshold=0.5)
    assert answer.verdict is Verdict.CONTRADICTED
    assert answer.evidence[0] == denies
    assert answer.decisive_span is not None and answer.decisive_span.text == "cannot"


def test_support_from_a_combined_premise_needs_the_context_coverage_bar() -> None:
    claim = "Russia answered the G7 with new sanctions."
    combined = Passage(7, "Aid article", 1, (1, 7), 100, 300, "x" * 200, 0.7, PassageKind.COMBINED,
                       combined_text="The G7 will announce guarantees. Russia was warned.")  # fmt: skip
    script = {("The G7 will announce guarantees. Russia was warned.", claim): (0.9, 0.05, 0.05)}
    for share, expected in [(0.3, Verdict.SUPPORTED), (0.7, Verdict.UNKNOWN)]:
        assert judge(script, claim, [combined], context_coverage=share).verdict is expected


def test_a_combined_premise_supports_only_with_more_of_the_claim_than_its_sentences_when_gain_is_required() -> None:
    def answer(claim: str, first: Passage, second: Passage, gain: float) -> Verdict:
        text = f"{first.text} {second.text}"
        combined = Passage(7, "Aid article", first.sentence_index, (first.sentence_index, second.sentence_index),
                           100, 300, "x" * 200, 0.7, PassageKind.COMBINED, combined_text=text)  # fmt: skip
        script = {(text, claim): (0.9, 0.05, 0.05)}  # the model entails the claim from the pair
        return judge(script, claim, [first, second, combined], combined_gain=gain).verdict

    germany = passage("Germany pledged 12 billion euros.", 0.7, index=1)
    # Each sentence states half of the claim; together they state all of it.
    japan = passage("Japan will send tanks.", 0.6, index=4)
    compound = "Germany pledged 12 billion euros and Japan will send tanks."
    assert answer(compound, germany, japan, 1.0) is Verdict.SUPPORTED
    # The second sentence adds nothing the claim mentions ("Berlin" is new): combining gains nothing.
    other = passage("Officials spoke on Monday.", 0.6, index=4)
    claim = "Germany pledged 12 billion euros in Berlin."
    assert answer(claim, germany, other, 0.0) is Verdict.SUPPORTED
    assert answer(claim, germany, other, 1.0) is Verdict.UNKNOWN


def test_a_passage_far_below_the_closest_sentence_is_not_read_under_a_margin() -> None:
    claim = "The ministers approved the plan."
    close = passage("The ministers met to discuss the plan.", 0.8, 0)
    far = passage("The ministers threw out the plan.", 0.45, 1)
    script = {(far.text, claim): (0.05, 0.1, 0.85)}
    for margin, read in [(1.0, True), (0.2, False)]:
        model = ScriptedNLI(script)
        verifier = NLIVerifier(model, EngineParams(0.3, 0.5, 0.5, similarity_margin=margin))  # type: ignore[arg-type]
        [answer] = verifier.verify([(claim, [close, far])])
        assert ((far.premise, claim) in model.seen) is read
        assert (close.premise, claim) in model.seen
        assert answer.verdict is (Verdict.CONTRADICTED if read else Verdict.UNKNOWN)
        # A replay over fully scored passages (as tuning does) decides as the service does.
        [scores] = verifier.score([(claim, [close, far])], everything=True)
        assert verifier.decide(scores, verifier.params).verdict is answer.verdict


def test_windows_cost_no_inference_when_the_window_bar_keeps_them_from_deciding() -> None:
    claim = "The alliance agreed a timetable."
    sentence_passage = passage("It agreed a timetable.", 0.7, index=4)
    window_passage = window("NATO met in Vilnius. It agreed a timetable.", 0.7, 4)
    for bar, read in [(0.9, True), (1.0, False)]:
        model = ScriptedNLI({})
        verifier = NLIVerifier(model, EngineParams(0.3, 0.5, 0.5, window_threshold=bar))  # type: ignore[arg-type]
        verifier.verify([(claim, [sentence_passage, window_passage])])
        assert ((window_passage.premise, claim) in model.seen) is read
        assert (sentence_passage.premise, claim) in model.seen


def test_a_differing_value_in_a_very_close_sentence_contradicts_without_the_model() -> None:
    claim = "Acme pledged 20 million dollars to the fund."
    text = "Acme has already said it will initially provide support totalling 12 million dollars through 2030."
    # The model accepts neither the claim nor the claim with the sentence's value (neutral by default).
    close = judge({}, claim, [passage(text, 0.85, 4)], slot_similarity=0.8)
    assert (close.verdict, close.basis) == (Verdict.CONTRADICTED, "close_slot")
    assert close.explanation == (
        "The article says 12 million dollars, not 20 million dollars (sentence 5 of “Aid article”)."
    )
    assert close.decisive_span is not None and close.decisive_span.text == "12 million dollars"
    # Less close, or with the rule off (the default), the differing value alone decides nothing.
    assert judge({}, claim, [passage(text, 0.75, 4)], slot_similarity=0.8).verdict is Verdict.UNKNOWN
    assert judge({}, claim, [passage(text, 0.85, 4)]).verdict is Verdict.UNKNOWN


def test_an_explanation_citing_two_sentences_agrees_in_number() -> None:
    claim = "Acme's new plant opened in May."
    text = "Acme built a new plant.\nIt opened in May."
    window = Passage(7, "Aid article", 1, (0, 1), 100, 100 + len(text), text, 0.8, PassageKind.WINDOW)
    answer = judge({(text, claim): (0.9, 0.05, 0.05)}, claim, [window], window_threshold=0.5)
    assert answer.explanation == "Sentences 1, 2 of “Aid article” state what the claim says."


def test_a_value_put_back_must_leave_no_other_value_differing() -> None:
    claim = "Sales rose 0.5% in February."
    text = "Sales rose 0.4% in January, the firm said."
    month_only = "Sales rose 0.5% in January."  # still 0.5% against 0.4%: another month's figure, not this slot
    verifier, model = engine({(text, month_only): (0.9, 0.05, 0.05)})
    [answer] = verifier.verify([(claim, [passage(text, 0.9, 2)])])
    assert (text, month_only) not in model.seen
    assert (text, "Sales rose 0.4% in February.") not in model.seen
    assert answer.verdict is Verdict.UNKNOWN


def test_saved_parameters_load_back_and_save_byte_for_byte(tmp_path: Path) -> None:
    """make tune's file: a rerun that picks the same values must not churn digits or key order."""
    params = EngineParams(
        support_threshold=0.35,
        similarity_margin=0.2,
        calibration={"supported": (0.5531388625654589, -1.7331957192975505, 3.5931977236326690)},
    )
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    params.save(first, extra={"notes": {"command": "make tune", "ece": 0.098912345678}})
    loaded = EngineParams.load(first)
    loaded.save(second, extra={"notes": {"command": "make tune", "ece": 0.098912345678}})

    assert first.read_bytes() == second.read_bytes()
    assert loaded.support_threshold == 0.35 and loaded.similarity_margin == 0.2
    assert loaded.calibration["supported"] == (0.5531, -1.7332, 3.5932)
    saved_keys = list(json.loads(first.read_text()))
    assert saved_keys[: len(EngineParams.__dataclass_fields__)] == list(EngineParams.__dataclass_fields__)
    assert saved_keys[-1] == "notes"


def test_an_unknown_explains_what_kept_a_passage_from_supporting() -> None:
    claim = "NATO provided military aid to Ukraine."
    denial = passage("NATO refrained from providing military aid to Ukraine as a body.", 0.8, 3)
    answer = judge({(denial.text, claim): (0.6, 0.3, 0.1)}, claim, [denial], polarity_threshold=1.0)
    assert answer.verdict is Verdict.UNKNOWN
    assert answer.explanation == (
        "The closest passage (sentence 4 of “Aid article”) is on the topic but neither states nor contradicts "
        "the claim; sentence 4 says 'refrained' where the claim has no negation."
    )


def test_an_unknown_explains_a_window_with_a_plural_verb() -> None:
    claim = "NATO provided military aid to Ukraine."
    text = "The alliance met in Vilnius.\nNATO refrained from providing military aid to Ukraine as a body."
    pair = Passage(7, "Aid article", 4, (3, 4), 100, 100 + len(text), text, 0.8, PassageKind.WINDOW)
    answer = judge({(text, claim): (0.6, 0.3, 0.1)}, claim, [pair], window_threshold=0.5)
    assert answer.verdict is Verdict.UNKNOWN
    assert answer.explanation.endswith("; sentences 4, 5 say 'refrained' where the claim has no negation.")


def test_an_explanation_puts_a_value_from_the_start_of_a_text_in_running_text() -> None:
    claim = "Nearly 40 per cent of the members voted for the plan."
    text = "Some 60 per cent of the members voted for the plan, the chair said."
    answer = judge({}, claim, [passage(text, 0.85, 2)], slot_similarity=0.8)
    assert answer.verdict is Verdict.CONTRADICTED
    assert answer.explanation == (
        "The article says some 60 per cent, not nearly 40 per cent (sentence 3 of “Aid article”)."
    )
    # The decisive span is the passage's own text, capital and all.
    assert answer.decisive_span is not None and answer.decisive_span.text == "Some 60 per cent"
    # A name keeps its capital.
    assert Mismatch("date", "March", ("May",)).in_running_text() == ("March", ("May",))


def test_a_changed_day_of_the_month_contradicts_in_either_order() -> None:
    claim = "The ceasefire was signed on July 12."
    text = "The ceasefire was signed on 11 July after weeks of talks."
    fixed = "The ceasefire was signed on 11 July."
    answer = judge({(text, claim): (0.6, 0.3, 0.1), (text, fixed): (0.9, 0.08, 0.02)}, claim, [passage(text, 0.9, 2)])
    assert (answer.verdict, answer.basis) == (Verdict.CONTRADICTED, "slot")
    assert answer.explanation == "The article says 11 July, not July 12 (sentence 3 of “Aid article”)."
    assert answer.decisive_span is not None and answer.decisive_span.text == "11 July"


def test_a_slot_contradiction_names_the_value_the_model_confirmed() -> None:
    claim = "Germany's military aid includes 5 billion euros for 2023."
    text = "Germany has committed 12 billion euros, including 3.2 billion euros for 2023, through 2032."
    script = {
        (text, "Germany's military aid includes 12 billion euros for 2023."): (0.2, 0.6, 0.2),
        (text, "Germany's military aid includes 3.2 billion euros for 2023."): (0.9, 0.08, 0.02),
    }
    answer = judge(script, claim, [passage(text, 0.8, 12)])
    assert (answer.verdict, answer.basis) == (Verdict.CONTRADICTED, "slot")
    assert answer.explanation == (
        "The article says 3.2 billion euros, not 5 billion euros (sentence 13 of “Aid article”)."
    )
    assert answer.decisive_span is not None and answer.decisive_span.text == "3.2 billion euros"


def test_a_model_contradiction_names_a_negation_only_the_claim_has() -> None:
    claim = "France will not deliver cruise missiles to Kyiv."
    text = "France will deliver long-range cruise missiles to Kyiv, its president said."
    answer = judge({(text, claim): (0.05, 0.1, 0.85)}, claim, [passage(text, 0.8, 13)])
    assert (answer.verdict, answer.basis) == (Verdict.CONTRADICTED, "model")
    assert answer.explanation == (
        "Sentence 14 of “Aid article” contradicts the claim, which says 'not' where the sentence has no negation."
    )


def test_a_slot_contradiction_names_the_value_next_to_the_same_word_as_the_claims() -> None:
    claim = "The port's new cranes will run through 2035."
    text = "The port has bought new cranes for 2026, which will run through 2034."
    # The model accepts the claim with either year put back, the wrong one a little more.
    script = {
        (text, "The port's new cranes will run through 2026."): (0.9, 0.08, 0.02),
        (text, "The port's new cranes will run through 2034."): (0.85, 0.1, 0.05),
    }
    answer = judge(script, claim, [passage(text, 0.8, 4)])
    assert (answer.verdict, answer.basis) == (Verdict.CONTRADICTED, "slot")
    assert answer.explanation == "The article says 2034, not 2035 (sentence 5 of “Aid article”)."
    assert answer.decisive_span is not None and answer.decisive_span.text == "2034"


def test_a_model_contradiction_points_at_a_value_the_passage_gives_otherwise() -> None:
    claim = "The city council has set aside 40 million pounds for new buses."
    text = "The council, after a long debate over routes and fares, set aside 25 million pounds for new trams."
    answer = judge({(text, claim): (0.05, 0.1, 0.85)}, claim, [passage(text, 0.7, 2)])
    assert (answer.verdict, answer.basis) == (Verdict.CONTRADICTED, "model")
    assert answer.explanation == (
        "Sentence 3 of “Aid article” contradicts the claim: it says 25 million pounds, not 40 million pounds."
    )
    assert answer.decisive_span is not None and answer.decisive_span.text == "25 million pounds"


def test_a_changed_rank_contradicts_through_the_slot_check() -> None:
    claim = "The orchestra toured Asia for the second time."
    text = "The orchestra toured Asia for the first time last spring."
    fixed = "The orchestra toured Asia for the first time."
    answer = judge({(text, claim): (0.7, 0.2, 0.1), (text, fixed): (0.95, 0.04, 0.01)}, claim, [passage(text, 0.9, 0)])
    assert (answer.verdict, answer.basis) == (Verdict.CONTRADICTED, "slot")
    assert answer.explanation == "The article says first time, not second time (sentence 1 of “Aid article”)."


def test_a_model_contradiction_points_at_no_count_that_stands_elsewhere_in_the_passage() -> None:
    claim = "The club has played 40 matches since it won promotion."
    text = "After its 25 matches in the cup the club won promotion."
    # The counts differ, but "25 matches" stands next to other words than the claim's "40 matches".
    assert [m.kind for m in find_mismatches(claim, text)] == ["number"]
    answer = judge({(text, claim): (0.05, 0.1, 0.85)}, claim, [passage(text, 0.7, 0)])
    assert (answer.verdict, answer.basis) == (Verdict.CONTRADICTED, "model")
    assert answer.explanation == "Sentence 1 of “Aid article” contradicts the claim."
    assert answer.decisive_span is None
