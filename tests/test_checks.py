from __future__ import annotations

import pytest

from app.pipeline.checks import (
    Coverage,
    countries,
    coverage,
    entity_mismatches,
    find_mismatches,
    fold,
    names,
    quantities,
    stated_elsewhere,
    stated_value,
    states,
)

GERMANY = (
    "Germany has already committed to initially provide military assistance totaling 12 billion euros, "
    "including 3.2 billion euros for 2023, through 2032."
)
NATO = (
    "At the NATO summit, Ukrainian President Volodymyr Zelenskiy was meeting with the leaders of the "
    "alliance’s 31 nations after they said on Tuesday that Ukraine’s future lay within the organization "
    "but rejected his request for a timetable for membership."
)


def kinds(claim: str, passage: str) -> set[str]:
    return {m.kind for m in find_mismatches(claim, passage)}


@pytest.mark.parametrize(
    "claim",
    [
        "Germany committed 12 billion euros in military aid",
        "Germany committed €12bn in military aid",
        "Germany committed 12bn euros in military aid",
        "Germany committed twelve billion euros in military aid",
        "Germany committed 3.2 billion euros for 2023",
        "Germany's aid runs through 2032",
    ],
)
def test_same_numbers_in_other_words_agree(claim: str) -> None:
    assert find_mismatches(claim, GERMANY) == []


@pytest.mark.parametrize(
    ("claim", "passage", "kind", "passage_value"),
    [
        ("Germany committed 20 billion euros", GERMANY, "number", "12 billion euros, 3.2 billion euros"),
        ("Germany committed 3.2 billion euros for 2024", GERMANY, "date", "2023, 2032"),
        ("The alliance has 32 nations", NATO, "number", "31 nations"),
        ("NATO leaders spoke on Wednesday about Ukraine's future", NATO, "date", "Tuesday"),
        ("NATO gave Ukraine a timetable for membership", NATO, "negation", "rejected"),
        ("Inflation rose to 5%", "Inflation fell to 5% in March.", "antonym", "fell"),
        ("Inflation reached 7 percent", "Inflation reached 5% in March.", "number", "5%"),
        ("The US gives Israel $4 billion a year",
         "The United States provides Israel with around $3.5 billion annually.", "number", "around $3.5 billion"),
    ],
)  # fmt: skip
def test_changed_facts_are_reported(claim: str, passage: str, kind: str, passage_value: str) -> None:
    mismatches = [m for m in find_mismatches(claim, passage) if m.kind == kind]
    assert mismatches, f"no {kind} mismatch found"
    assert mismatches[0].passage_value == passage_value
    assert passage_value in mismatches[0].message


@pytest.mark.parametrize(
    ("claim", "passage", "message"),
    [
        ("NATO gave Ukraine a timetable for membership", NATO,
         "sentence 2 says 'rejected' where the claim has no negation"),
        ("Germany has not committed 12 billion euros", GERMANY,
         "the claim says 'not' where sentence 2 has no negation"),
    ],
)  # fmt: skip
def test_a_negation_on_one_side_only_is_described_in_words(claim: str, passage: str, message: str) -> None:
    [mismatch] = [m for m in find_mismatches(claim, passage) if m.kind == "negation"]
    assert mismatch.described("sentence 2") == message


def test_a_value_found_in_several_sentences_is_described_with_a_plural_verb() -> None:
    [mismatch] = [m for m in find_mismatches("NATO leaders spoke on Wednesday", NATO) if m.kind == "date"]
    assert (
        mismatch.described("sentences 2, 3", plural=True) == "sentences 2, 3 say 'Tuesday', the claim says 'Wednesday'"
    )
    negated = [
        m for m in find_mismatches("Germany has not committed 12 billion euros", GERMANY) if m.kind == "negation"
    ]
    assert (
        negated[0].described("sentences 1, 2", plural=True)
        == "the claim says 'not' where sentences 1, 2 have no negation"
    )


@pytest.mark.parametrize(
    ("claim", "passage", "claim_value", "passage_value"),
    [
        # Every inflection of an antonym pair counts.
        ("Average delays fell by three months.", "Average individual delays were rising by three months.",
         "fell", "rising"),
        ("Profits are down from last year.", "Profits are up from last year.", "down", "up"),
        # An antonym bears on the words before it too.
        ("The spokesman said the case was strong.", "We think the case is very weak.", "strong", "weak"),
        # A negating prefix, either way round.
        ("The measures were compatible with human rights law.",
         "The measures were incompatible with human rights law.", "compatible", "incompatible"),
        ("The result was unexpected.", "The result was expected.", "unexpected", "expected"),
        ("The deal is binding.", "The deal is non-binding.", "binding", "non-binding"),
    ],
)  # fmt: skip
def test_opposites_are_reported(claim: str, passage: str, claim_value: str, passage_value: str) -> None:
    [mismatch] = [m for m in find_mismatches(claim, passage) if m.kind == "antonym"]
    assert (mismatch.claim_value, mismatch.passage_values) == (claim_value, (passage_value,))


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("BP discovered new oil fields.", "BP covered the cost of new oil fields."),  # not "not covered"
        ("The agency will inform ministers.", "The agency was forming a view for ministers."),
        ("Prices rose and then fell.", "Prices rose and then fell back."),  # both sides state both
    ],
)  # fmt: skip
def test_words_that_only_look_opposite_are_not_reported(claim: str, passage: str) -> None:
    assert "antonym" not in kinds(claim, passage)


def test_facts_the_passage_does_not_state_are_not_contradictions() -> None:
    # A number the passage never quantifies is unknown, not contradicted.
    assert kinds("France will deliver 50 cruise missiles", "France will deliver long-range cruise missiles.") == set()


def test_quantities_carry_scale_and_unit() -> None:
    found = {q.text: (q.value, q.unit) for q in quantities("around $3.5 billion annually, 31 nations, 5%, in 2025")}
    assert found == {
        "around $3.5 billion": (3.5e9, "USD"),
        "31 nations": (31.0, "count:nation"),
        "5%": (5.0, "percent"),
        "2025": (2025.0, "year"),
    }


def test_year_ranges_cover_the_years_inside() -> None:
    passage = "France considers its military budget for the years 2025 to 2030."
    assert "date" not in kinds("France plans its budget for 2027", passage)
    assert "date" in kinds("France plans its budget for 2035", passage)


def test_a_changed_year_range_is_reported_and_substituted_as_written() -> None:
    passage = "France considers its military budget for the years 2025 to 2030."
    claim = "France's military budget covers the years 2031 to 2035."
    [mismatch] = find_mismatches(claim, passage)
    assert (mismatch.kind, mismatch.claim_value, mismatch.passage_values) == ("date", "2031 to 2035", ("2025 to 2030",))
    assert mismatch.substitutions(claim) == ["France's military budget covers the years 2025 to 2030."]


WIDGETS = "Acme has sold more than five million widgets since March, and its 40 shops now employ 1,200 people."


@pytest.mark.parametrize(
    "claim",
    [
        "Acme has sold over 5m widgets.",  # "5m" before a noun is millions, not metres
        "Acme has sold 5 million widgets.",  # the passage's "more than five million" allows exactly five million
        "Acme has sold more than three million widgets.",
        "Acme's shops employ nearly 1,250 people.",
        "Acme's shops employ about 1,150 people.",
    ],
)
def test_a_number_within_the_range_either_side_allows_agrees(claim: str) -> None:
    assert "number" not in kinds(claim, WIDGETS)


@pytest.mark.parametrize(
    ("claim", "claim_value", "passage_value"),
    [
        ("Acme has sold just under five million widgets.", "just under 5 million widgets",
         "more than 5 million widgets"),
        ("Acme has sold 3m widgets.", "3m widgets", "more than 5 million widgets"),
        ("Acme's shops employ about 1,500 people.", "about 1,500 people", "1,200 people"),
        ("Acme's shops employ almost 1,200 people.", "almost 1,200 people", "1,200 people"),
    ],
)  # fmt: skip
def test_a_number_outside_the_range_the_passage_allows_is_reported_with_its_bound(
    claim: str, claim_value: str, passage_value: str
) -> None:
    [mismatch] = [m for m in find_mismatches(claim, WIDGETS) if m.kind == "number"]
    assert (mismatch.claim_value, mismatch.passage_value) == (claim_value, passage_value)


def test_fractions_in_words_and_short_scales_are_read_as_numbers() -> None:
    values = {
        text: [(q.value, q.unit) for q in quantities(text)]
        for text in ("a quarter of a million visitors", "half a per cent", "28m hours", "the 100m sprint", "a 5k run")
    }
    assert values == {
        "a quarter of a million visitors": [(250_000.0, "count:visitor")],
        "half a per cent": [(0.5, "percent")],
        "28m hours": [(28e6, "count:hour")],
        "the 100m sprint": [(100.0, "count:sprint")],
        "a 5k run": [(5.0, "count:run")],
    }
    assert "number" not in kinds("The fair drew 250,000 visitors.", "The fair drew a quarter of a million visitors.")


def test_a_short_scale_counts_millions_only_before_a_plural_noun() -> None:
    values = {
        text: [(q.value, q.unit) for q in quantities(text)]
        for text in ("an impressive 400m victory", "a clearance of 1.87m while", "5m copies", "2m people")
    }
    assert values == {
        "an impressive 400m victory": [(400.0, "count:victory")],
        "a clearance of 1.87m while": [(1.87, "count")],
        "5m copies": [(5e6, "count:copie")],
        "2m people": [(2e6, "count:people")],
    }


def test_race_times_and_clock_readings_are_one_value_each() -> None:
    passage = "James Nolan (3:46.04) took second in the 1500m behind Neil Speaight (3:45.86)."
    assert [(q.text, q.value) for q in quantities(passage) if q.unit == "count:second"] == [
        ("3:46.04", 226.04),
        ("3:45.86", 225.86),
    ]
    assert [(q.value, q.unit) for q in quantities("He won the marathon in 2:06:45.")] == [(7605.0, "count:second")]
    assert [(q.value, q.unit) for q in quantities("The polls closed at 10:30.")] == [(630.0, "clock")]
    # The same time in seconds, as a race time, or in minutes and seconds.
    title = "McIlroy took the 800m title in a time of one minute, 47.97 seconds."
    assert [q.value for q in quantities(title) if q.unit == "count:second"] == [pytest.approx(107.97)]
    assert "number" not in kinds("McIlroy won the 800m title in 107.97 seconds.", title)
    assert "number" not in kinds("McIlroy won the 800m title in 1:47.97.", title)
    [found] = find_mismatches("McIlroy won in a time of 1:48.97.", "McIlroy won in 1:47.97 on Sunday.")
    assert (found.kind, found.claim_value, found.passage_values) == ("number", "1:48.97", ("1:47.97",))
    assert "number" not in kinds("Speaight won the 1500m in 3:45.86.", passage)
    # Not a time: the two numbers of a score or a ratio keep apart.
    assert [q.text for q in quantities("The vote was 3-2 in favour.")] == ["3", "2"]


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("The US gives Israel $3.5 billion a month.", [("a month", ("annually",))]),
        ("The US gives Israel about $3.5bn in aid each year.", []),
        ("The US gives Israel $3.5 billion per annum.", []),
        ("The US gives Israel $3.5 billion.", []),  # no period claimed
    ],
)
def test_the_same_sum_over_another_period_is_reported(claim: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    passage = "The United States provides Israel with military assistance totaling around $3.5 billion annually."
    assert [(m.claim_value, m.passage_values) for m in find_mismatches(claim, passage)] == expected


def test_a_rate_is_read_after_its_quantity_only() -> None:
    house_prices = "Nationwide recorded a 0.4% monthly rise and 12.6% annual growth."
    assert [(q.text, q.period) for q in quantities(house_prices)] == [("0.4%", "month"), ("12.6%", "year")]
    [found] = find_mismatches("Nationwide recorded 0.4% annual growth.", house_prices)
    assert (found.kind, found.claim_value, found.passage_values) == ("number", "annual", ("monthly",))
    assert find_mismatches("House prices grew 12.6% a year.", house_prices) == []
    # "A year earlier" dates a figure; it is not how often it recurs.
    assert [q.period for q in quantities("Profit was $3.65bn, up from $2.89bn a year earlier.")] == ["", ""]
    assert [(q.value, q.period) for q in quantities("It pumps one million barrels of oil a day.")] == [(1e6, "day")]
    assert "number" not in kinds("It pumps 1m barrels of oil daily.", "It pumps one million barrels of oil a day.")


def test_a_decimal_without_its_leading_zero_keeps_its_value() -> None:
    assert [(q.value, q.unit) for q in quantities("She won by .02 seconds.")] == [(0.02, "count:second")]
    assert [(q.value, q.unit) for q in quantities("Tickets cost $.50 each.")] == [(0.5, "USD")]
    assert "number" not in kinds("She won by 0.02 seconds.", "She won by .02 seconds.")
    [found] = find_mismatches("She won by 2 seconds.", "She won by .02 seconds.")
    assert (found.claim_value, found.passage_values) == ("2 seconds", (".02 seconds",))


@pytest.mark.parametrize(
    ("claim", "passage", "expected"),
    [
        ("The deal was signed on July 12.", "The deal was signed on 11 July.", [("date", "July 12", ("11 July",))]),
        ("It was signed on the 12th of July.", "It was signed on July 11.", [("date", "12th of July", ("July 11",))]),
        ("It opened on Sept. 3.", "It opened on September 4.", [("date", "Sept. 3", ("September 4",))]),
        ("The deal was signed on July 11, 2023.", "The deal was signed on 11 July 2023.", []),
        # A day within a range of days agrees; a day of another month is the month check's business.
        ("The championships start on 5 March.", "The championships run on 4-6 March.", []),
        ("Prices may 5 times rise.", "Prices rose on 4 May.", []),
    ],
)
def test_a_day_of_the_month_is_a_date_in_either_order(
    claim: str, passage: str, expected: list[tuple[str, str, tuple[str, ...]]]
) -> None:
    assert [(m.kind, m.claim_value, m.passage_values) for m in find_mismatches(claim, passage)] == expected


@pytest.mark.parametrize(
    ("claim", "passage", "expected"),
    [
        ("The Quad has been negotiating with Kyiv for years.", "The Quad has been negotiating with Kyiv for weeks.",
         [("date", "for years", ("for weeks",))]),
        ("Prices rose over the past decade.", "Prices rose over the past few months.",
         [("date", "over the past decade", ("over the past few months",))]),
        ("Talks have gone on for a year.", "Talks have gone on for several months.",
         [("date", "for a year", ("for several months",))]),
        # The same unit in other words agrees; a period or a lone "in years" is no length of time.
        ("Talks have gone on for a year.", "Talks have gone on for the past year.", []),
        ("Talks have gone on for years.", "Talks have gone on in recent years.", []),
        ("It was the first time in years.", "Talks went on for weeks.", []),
        ("Profits rose for the year.", "Talks went on for weeks.", []),
        ("They signed a four-year-long plan.", "Talks went on for weeks.", []),
        ("He was paid for week two.", "Talks went on for years.", []),
        ("The dispute went on for centuries.", "The dispute went on for a century.", []),
    ],
)  # fmt: skip
def test_a_length_of_time_given_by_its_unit_is_a_date(
    claim: str, passage: str, expected: list[tuple[str, str, tuple[str, ...]]]
) -> None:
    assert [(m.kind, m.claim_value, m.passage_values) for m in find_mismatches(claim, passage)] == expected


def test_a_length_of_time_is_a_slot_the_passage_fills() -> None:
    [mismatch] = find_mismatches("Talks went on for years.", "Talks went on for weeks.")
    assert mismatch.substitutions("Talks went on for years.") == ["Talks went on for weeks."]


def test_a_word_after_a_number_that_is_not_a_noun_is_not_its_unit() -> None:
    passage = "The two new models entered the chart at number 14 and 15 respectively."
    assert "number" not in kinds("The second model entered the chart at number 15.", passage)
    assert "number" in kinds("The second model entered the chart at number 16.", passage)


@pytest.mark.parametrize(
    ("claim", "passage", "claim_names", "passage_names"),
    [
        ("The Quad consists of the United States, Britain, France and Japan.",
         "The Quad consists of the United States, Britain, France, and Germany.", "Japan", ("Germany",)),
        ("Hungary and Romania are expected to join.", "Poland and Romania are expected to join.",
         "Hungary", ("Poland",)),
        ("The talks were held with Moscow.", "The talks were held with Kyiv.", "Moscow", ("Kyiv",)),
    ],
)  # fmt: skip
def test_a_country_in_the_slot_of_another_is_reported(
    claim: str, passage: str, claim_names: str, passage_names: tuple[str, ...]
) -> None:
    [mismatch] = [m for m in find_mismatches(claim, passage) if m.kind == "name"]
    assert (mismatch.claim_value, mismatch.passage_values) == (claim_names, passage_names)


def test_names_of_people_and_organisations_leave_out_countries_dates_and_sentence_starts() -> None:
    found = names(NATO)  # "At" starts the sentence, "Tuesday" is a date and "Ukraine" a country
    assert set(found) == {"NATO", "Ukrainian President Volodymyr Zelenskiy"}
    assert {"Volodymyr", "Zelenskiy"} <= found["Ukrainian President Volodymyr Zelenskiy"]
    assert set(names("Leaders of the European Union met on Monday in Paris.")) == {"European Union"}
    assert set(names("Zelenskiy's request was rejected.")) == {"Zelenskiy"}
    assert set(names("Sens. John Kerry met Americans in the U.S. and Mr Bannister.")) == {"John Kerry", "Bannister"}
    # A headline in title case is no name, nor is a continent; a regnal number is part of one.
    assert names("Mountain Glaciers Are Shrinking Faster Than Expected") == {}
    assert set(names("It has the worst grid outside Africa, FactCheck said.")) == {"FactCheck"}
    assert set(names("Charles I could barely speak Spanish.")) == {"Charles I"}
    # Places and periods are not people or organisations; an organisation named after a place is one.
    passage = "The Northern Hemisphere warmed in the Medieval Warm Period, the European Space Agency said."
    assert set(names(passage)) == {"European Space Agency"}
    assert set(names("The Greenland Ice Sheet is melting, the US Coast Guard said.")) == {"US Coast Guard"}


@pytest.mark.parametrize(
    ("claim", "passage", "expected"),
    [
        ("Macron announced the framework.", "Biden announced the framework on Wednesday.", [("Macron", ("Biden",))]),
        ("Zelenskiy's request was granted.", "NATO rejected the request of Volodymyr Zelenskiy.", []),
        ("President Zelenskiy spoke.", "Volodymyr Zelenskiy spoke.", []),
        ("Macron announced the framework.", "The leaders announced the framework.", []),  # nobody else named
        ("Scholz met Zelenskiy in Kyiv.", "Macron met Zelenskiy in Kyiv on Friday.", [("Scholz", ("Macron",))]),
        # Only a name of the same form stands in: a full name for a full name, not a word ("Council") or an acronym.
        ("Anthony Minghella said barriers remain.", "Film Council boss John Woodward and the BFI said barriers remain.",
         [("Anthony Minghella", ("John Woodward",))]),
        ("The detainees were arrested in Manchester.", "Ben Emmerson QC said the detainees were held.", []),
        # An acronym and its expansion are the same name.
        ("Sir John Bourn heads the National Audit Office.", "The NAO report, by Sir John Bourn, attacks spending.", []),
        ("The WTO ruled against the EU.", "The World Trade Organization ruled against the European Union.", []),
        # A title, a nationality, a temperature scale or a word that starts a sentence names no one.
        ("Mr Smith said prices rose.", "Mr Bannister said prices rose.", [("Smith", ("Bannister",))]),
        ("BP sold its stake in a Russian oil company.", "Lord Browne said BP would keep its stake.", []),
        ("First-time buyers took fewer loans.", "Buyers in England took fewer loans.", []),
        ("We're heading into a warmer decade.", "Hansen says the planet is warming.", []),
        ("It is 6 degrees Fahrenheit warmer.", "It is 3 C warmer, said Schmittner.", []),
        # A chemical formula spaced apart ("CO 2") is the same name.
        ("Human CO2 is a tiny fraction of emissions.", "The CO 2 that humans emit is small.", []),
        # A dictionary word used as a name ("Sport") does not stand in for a surname.
        ("James identified the savings.", "The Department for Culture, Media and Sport found the savings.", []),
        ("Sony holds a 95% share.", "Nintendo holds a 95% share of the market.", [("Sony", ("Nintendo",))]),
        # A name spelt a letter apart, with an apostrophe, or inside a hyphenated code is still the name.
        ("McIlroy won in Sheffield.", "McIlroy won in Sheffied, ahead of Watkins.", []),
        ("Ca'daan had his mouth open.", "Ca'daan's mouth hung open as Jon spoke.", []),
        ("The GAO is a model.", "The GAO-02-373SP report by Walker is a model.", []),
    ],
)  # fmt: skip
def test_a_person_or_organisation_the_passage_never_mentions_is_a_candidate_slot(
    claim: str, passage: str, expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    assert [(m.claim_value, m.passage_values) for m in entity_mismatches(claim, passage)] == expected
    assert "entity" not in kinds(claim, passage)  # never a mismatch that blocks support by itself


def test_countries_named_differently_are_the_same_country() -> None:
    assert kinds("The US gives aid to Kiev.", "The United States gives aid to Ukraine.") == set()
    assert kinds("The G7 includes Japan.", "The G7 includes the United States, Germany, Japan and France.") == set()


def test_a_spelled_out_number_is_substituted_as_digits() -> None:
    claim = "The appeal was heard by a board of five judges."
    [mismatch] = find_mismatches(claim, "The appeal was heard by a board of nine judges because of its weight.")
    assert mismatch.substitutions(claim) == ["The appeal was heard by a board of 9 judges."]


def test_an_antonym_is_substituted_as_a_whole_word_in_the_claim_case() -> None:
    claim = "Down from last year, the group's support rose to 40%."
    [mismatch] = find_mismatches(claim, "The group's support fell to 40%.")
    assert (mismatch.kind, mismatch.claim_value) == ("antonym", "rose")
    assert mismatch.substitutions(claim) == ["Down from last year, the group's support fell to 40%."]
    [up] = find_mismatches("Down from last year, profits were 5% higher.", "Profits were up 5% from last year.")
    assert up.substitutions("Down from last year, profits were 5% higher.") == [
        "Up from last year, profits were 5% higher."
    ]


def test_a_negation_has_no_word_to_substitute() -> None:
    claim = "NATO did not give Ukraine a timetable."
    [mismatch] = find_mismatches(claim, "NATO gave Ukraine a timetable.")
    assert mismatch.kind == "negation" and mismatch.substitutions(claim) == []


def test_a_word_after_a_currency_symbol_is_not_part_of_the_sum() -> None:
    [quantity] = quantities("Its revenue of $4.1bn was down.")
    assert quantity.text == "$4.1bn"
    [mismatch] = find_mismatches("Its revenue of $4.1bn was down.", "Its revenue of $2.2bn was down.")
    assert (mismatch.claim_value, mismatch.passage_values) == ("$4.1bn", ("$2.2bn",))


def test_substitution_puts_the_passage_value_in_the_claim() -> None:
    [mismatch] = find_mismatches("Germany pledged 20 billion euros.", GERMANY)
    assert mismatch.substitutions("Germany pledged 20 billion euros.") == [
        "Germany pledged 12 billion euros.",
        "Germany pledged 3.2 billion euros.",
    ]


@pytest.mark.parametrize(
    ("claim", "passage", "claim_value", "passage_values"),
    [
        ("The alliance has 32 member nations.", "The leaders of the alliance's 31 nations met.",
         "32 member nations", ("31 nations",)),
        ("NATO has 32 nations.", "NATO has 31 member nations.", "32 nations", ("31 member nations",)),
    ],
)  # fmt: skip
def test_a_count_with_a_modifier_is_compared_with_the_same_count(
    claim: str, passage: str, claim_value: str, passage_values: tuple[str, ...]
) -> None:
    [mismatch] = find_mismatches(claim, passage)
    assert (mismatch.kind, mismatch.claim_value, mismatch.passage_values) == ("number", claim_value, passage_values)
    assert kinds("The alliance has 31 member nations.", "The leaders of the alliance's 31 nations met.") == set()
    assert kinds("The G7 will send 40 tanks.", "The G7 has 7 member states.") == set()


def test_coverage_matches_inflections_numbers_by_value_and_countries_by_alias() -> None:
    claim = "The U.S. official says Germany commits €12bn to Kiev."
    passage = (
        "Germany has committed 12 billion euros to Kyiv, an official of the United States said, "
        "according to a statement."
    )
    found = coverage(claim, passage)
    assert found.missing == ()
    assert found.share == 1.0


def test_coverage_lists_what_the_passage_never_mentions() -> None:
    found = coverage("The NATO summit was held in Vilnius and approved 40 F-16 jets.", NATO)
    assert {"Vilnius", "F-16"} <= set(found.missing_specifics)
    assert any(word.startswith("40") for word in found.missing_specifics)
    assert {"held", "approved", "jets"} <= set(found.missing)
    assert any(word.startswith("40") for word in found.missing)
    assert "summit" not in found.missing
    assert found.share < 0.5


def test_coverage_does_not_count_function_words_or_a_capitalised_first_word() -> None:
    found = coverage("The leaders of the alliance met.", "Alliance leaders meet often.")
    assert found == Coverage(1.0, (), ())


def test_a_negation_about_another_part_of_the_sentence_is_not_a_mismatch() -> None:
    # "rejected" negates the timetable request, not what the claim says about Ukraine's future.
    assert kinds("NATO leaders said Ukraine's future lay within the alliance.", NATO) == set()


def test_a_contracted_negation_counts() -> None:
    assert kinds("NATO leaders didn't say Ukraine's future lay within the alliance.", NATO) == {"negation"}


def test_a_contracted_negation_about_another_part_of_the_sentence_is_not_a_mismatch() -> None:
    passage = "The finance minister, Jane Roe, said: \"The opposition's figures don't add up.\""
    assert kinds("Jane Roe is the finance minister.", passage) == set()
    assert kinds("The opposition's figures add up.", passage) == {"negation"}


ERDOGAN = "Turkish President Tayyip Erdoğan met Pedro Sánchez in Zürich on Tuesday and pledged 3 billion euros."


@pytest.mark.parametrize(
    "claim",
    [
        "Erdogan met Sanchez in Zurich.",  # typed without the accents
        "Erdoğan met Sánchez in Zürich.",
    ],
)
def test_names_match_with_or_without_their_accents(claim: str) -> None:
    assert coverage(claim, ERDOGAN) == Coverage(1.0, (), ())
    assert coverage(claim, fold(ERDOGAN)) == Coverage(1.0, (), ())
    assert find_mismatches(claim, ERDOGAN) == []
    assert entity_mismatches(claim, ERDOGAN) == []


def test_what_a_check_reports_keeps_the_texts_own_spelling() -> None:
    [number] = find_mismatches("Erdogan pledged 5 billion euros.", ERDOGAN)
    assert number.passage_values == ("3 billion euros",)
    [entity] = entity_mismatches("Pedro Sanchez met Mitsotakis.", "Pedro Sánchez met Erdoğan in Madrid.")
    assert entity.claim_value == "Mitsotakis"
    assert "Erdoğan" in entity.passage_values
    # The passage's spelling goes into the claim the model reads in its place.
    assert "Pedro Sanchez met Erdoğan." in entity.substitutions("Pedro Sanchez met Mitsotakis.")
    assert coverage("Sánchez met Kyriakos Mitsotakis.", fold(ERDOGAN)).missing_specifics == ("Kyriakos", "Mitsotakis")
    assert coverage("Sánchez met Łukasz Nowak.", ERDOGAN).missing_specifics == ("Łukasz", "Nowak")


def test_countries_match_by_their_accented_names_too() -> None:
    assert dict(countries("Türkiye and Côte d'Ivoire")) == {"TUR": "Türkiye", "CIV": "Côte d'Ivoire"}
    assert dict(countries("Turkiye and Cote d'Ivoire")) == {"TUR": "Turkiye", "CIV": "Cote d'Ivoire"}
    assert kinds("Türkiye and Greece signed the accord.", "Turkey and Greece signed the accord.") == set()


def test_folding_keeps_every_offset() -> None:
    text = "Łódź café – naïve “quote” ½ … Straße"
    assert fold(text) == "Lodz cafe – naive “quote” ½ … Straße"
    assert len(fold(text)) == len(text)


def test_a_claim_in_another_alphabet_is_not_covered_by_an_english_passage() -> None:
    found = coverage("Эрдоган встретился с Санчесом", ERDOGAN)
    assert found.share == 0.0
    assert found.missing_specifics == ("Эрдоган", "Санчесом")


def test_a_contracted_negation_is_reported_as_the_word_that_carries_it() -> None:
    passage = 'The finance minister said: "The opposition’s figures don’t add up."'
    [mismatch] = [m for m in find_mismatches("The opposition's figures add up.", passage) if m.kind == "negation"]
    assert mismatch.passage_values == ("don’t",)  # as written, so that the decisive span can be found


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12bn euros", True),  # a number by its value
        ("3.2 billion euros", False),
        ("5%", False),  # not inside "0.5%"
        ("Berlin", True),  # a country by the country
        ("France", False),
        ("Japan", True),
        ("tanks", True),  # other words as words
        ("tank", False),
    ],
)
def test_states_compares_numbers_by_value_countries_by_country_and_words_as_words(value: str, expected: bool) -> None:
    assert states("Germany committed 12 billion euros, a 0.5% rise, and Japan will send tanks", value) is expected


def test_a_value_another_part_of_the_claim_states_is_not_another_value_in_this_part() -> None:
    whole = "Germany committed 12 billion euros and Italy will deliver long-range missiles."
    part = "Italy will deliver long-range missiles."
    # A passage about both: Germany is the other part's country, not Italy's rival in this part's slot.
    text = "France will deliver long-range missiles, while Germany committed 12 billion euros and Poland 3 billion."
    found = find_mismatches(part, text)
    assert [(m.kind, m.claim_value, m.passage_values) for m in found] == [
        ("name", "Italy", ("France", "Germany", "Poland"))
    ]
    # Italy against France stays; Germany, named by the other part, is no longer offered as Italy's rival.
    kept = stated_elsewhere(found, whole)
    assert [(m.kind, m.claim_value, m.passage_values) for m in kept] == [("name", "Italy", ("France", "Poland"))]
    assert stated_elsewhere(found, "") == found  # a claim of one part: every mismatch stands
    # A negation has no value to compare: it is kept whatever the other parts say.
    negated = find_mismatches("France will deliver missiles.", "France will not deliver missiles.")
    assert stated_elsewhere(negated, "Germany will not pay and France will deliver missiles.") == negated


def test_a_party_named_another_way_is_the_same_party() -> None:
    passage = "Jane Roe, a former minister, crossed the floor to Labour, the Tory whips confirmed."
    assert entity_mismatches("Jane Roe has quit the Conservatives.", passage) == []
    assert entity_mismatches("Senator Smith joined the Republicans.", "Senator Smith, a GOP veteran, spoke.") == []
    assert entity_mismatches("The Lib Dems won the seat.", "The Liberal Democrats won it from Plaid Cymru.") == []
    # Another party is still another party.
    [other] = entity_mismatches("Senator Smith joined the Republicans.", "Senator Smith, a Democratic veteran, spoke.")
    assert (other.claim_value, other.passage_values) == ("Republicans", ("Democratic",))


@pytest.mark.parametrize(
    ("claim", "passage", "claim_value", "passage_values"),
    [
        ("The band toured Japan for the second time.", "The band toured Japan for the first time in May.",
         "second time", ("first time",)),
        ("Third-quarter sales fell.", "Second-quarter sales fell by 4%.", "Third-quarter", ("Second-quarter",)),
        ("It was the fifth straight year of losses.", "It was the sixth straight year of losses.",
         "fifth straight", ("sixth straight",)),
        ("The tower was built in the 20th century.", "The tower dates from the twenty-first century.",
         "20th century", ("twenty-first century",)),
    ],
)  # fmt: skip
def test_a_rank_of_the_same_thing_given_otherwise_is_a_number_mismatch(
    claim: str, passage: str, claim_value: str, passage_values: tuple[str, ...]
) -> None:
    [mismatch] = find_mismatches(claim, passage)
    assert (mismatch.kind, mismatch.claim_value, mismatch.passage_values) == ("number", claim_value, passage_values)
    assert mismatch.substitutions(claim) == [claim.replace(claim_value, passage_values[0])]


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("The band toured Japan for the first time.", "For the first time, the band toured Japan."),
        ("The tower was built in the 21st century.", "The tower dates from the twenty-first century."),
        ("The bank is the second largest lender.", "The bank is the largest lender."),  # nothing ranked alike
        ("It was the first of many tours.", "It was the second of many tours."),  # "of" ranks nothing
        ("The band played in the second round.", "The band won the first prize."),  # different things ranked
    ],
)  # fmt: skip
def test_ranks_that_agree_or_rank_different_things_are_no_mismatch(claim: str, passage: str) -> None:
    assert [m for m in find_mismatches(claim, passage) if m.kind == "number"] == []


def test_a_rank_in_digits_is_not_an_amount() -> None:
    assert quantities("the 21st century, the 3rd round") == ()
    assert [q.text for q in quantities("3 rounds in the 5th year")] == ["3 rounds"]


def test_of_several_passage_values_the_one_next_to_the_same_word_is_the_apt_one() -> None:
    claim = "Germany will provide aid through 2035."
    [mismatch] = find_mismatches(claim, GERMANY)
    assert mismatch.passage_values == ("2023", "2032")
    assert mismatch.in_context(claim, GERMANY).passage_values == ("2032",)
    # Where no value stands next to a word the claim's stands next to, there is none.
    claim = "Germany has promised 20 billion euros."
    [mismatch] = find_mismatches(claim, GERMANY)
    assert mismatch.in_context(claim, GERMANY) is None
    assert mismatch.is_sum
    [count] = find_mismatches("The alliance has 30 nations", NATO)
    assert not count.is_sum


def test_a_rank_in_digits_counts_in_coverage_and_is_stated_in_either_form() -> None:
    claim = "In its 5th report the panel warned of floods."
    assert "5th" in coverage(claim, "In its report the panel warned of floods.").missing_specifics
    assert coverage(claim, "The panel warned of floods in its fifth report.").share == 1.0
    assert coverage(claim, "The panel warned of floods in its 5th report.").share == 1.0


def test_a_count_whose_first_word_only_qualifies_is_given_with_its_noun() -> None:
    claim = "The plan would close 186 public libraries."
    [mismatch] = find_mismatches(claim, "The plan would close 168 public libraries by 2010.")
    assert (mismatch.claim_value, mismatch.passage_values) == ("186 public libraries", ("168 public libraries",))
    assert mismatch.substitutions(claim) == ["The plan would close 168 public libraries."]


def test_stated_value_gives_the_passages_words_for_a_number_of_the_claim() -> None:
    assert stated_value("Germany pledged 12 billion euros in aid", GERMANY) == "12 billion euros"
    assert stated_value("Germany gave €3.2bn in 2023", GERMANY) == "3.2 billion euros"
    assert stated_value("Germany gave 5 billion euros", GERMANY) is None
    assert stated_value("Germany pledged aid", GERMANY) is None
