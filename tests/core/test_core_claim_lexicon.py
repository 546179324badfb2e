"""Every word the claim reader knows does, in its example sentence, what its lexicon says.

The lexicons are data (``ledger/core/lexicon.py``); each entry carries an example sentence
(marked ``real`` when quoted from the corpus, constructed otherwise). One test per lexicon
parses every example and checks the effect the lexicon promises, so a word cannot be added
without showing what it does.
"""

from __future__ import annotations

import re

import pytest

from ledger.core import lexicon as lx
from ledger.core.claims import ClaimMetric, UnreadReason, parse_claim_text


def entries(words: tuple[lx.Word, ...]) -> list[lx.Word]:
    return list(words)


def ids(words: tuple[lx.Word, ...]) -> list[str]:
    return [w.pattern for w in words]


def metrics(figures) -> list[ClaimMetric]:
    return [f.metric for f in figures]


def test_every_example_holds_its_word():
    for name in dir(lx):
        words = getattr(lx, name)
        if isinstance(words, tuple) and words and isinstance(words[0], lx.Word):
            for word in words:
                assert re.search(word.pattern, word.example), (name, word.pattern)


@pytest.mark.parametrize("word", entries(lx.WORKSHOP_NOUNS), ids=ids(lx.WORKSHOP_NOUNS))
def test_a_workshop_noun_makes_its_count_a_count_of_workshops(word):
    result = parse_claim_text(word.example)
    counts = [f for f in result.figures + result.targets
              if f.metric in (ClaimMetric.workshops, ClaimMetric.workshops_certified)]
    assert counts and all(re.search(word.pattern, f.text) for f in counts)


@pytest.mark.parametrize("word", entries(lx.WORKSHOP_NOUN_AS_MODIFIER), ids=ids(lx.WORKSHOP_NOUN_AS_MODIFIER))
def test_a_workshop_noun_used_as_a_modifier_counts_no_workshops(word):
    result = parse_claim_text(word.example)
    assert result.figures == () and result.targets == ()
    assert [u.reason for u in result.unread] in ([UnreadReason.not_workshop], [UnreadReason.jobs])


@pytest.mark.parametrize("word", entries(lx.CERTIFICATION_WORDS), ids=ids(lx.CERTIFICATION_WORDS))
def test_a_certification_word_in_the_noun_phrase_counts_certified_workshops(word):
    assert ClaimMetric.workshops_certified in metrics(parse_claim_text(word.example).figures)


@pytest.mark.parametrize("word", entries(lx.BUILD_VERBS), ids=ids(lx.BUILD_VERBS))
def test_a_build_verb_before_a_bare_count_counts_workshops_in_a_sentence_about_them(word):
    result = parse_claim_text(word.example)
    assert ClaimMetric.workshops in metrics(result.figures + result.targets)


@pytest.mark.parametrize("word", entries(lx.EMPLOYMENT_WORDINGS), ids=ids(lx.EMPLOYMENT_WORDINGS))
def test_an_employment_wording_makes_its_people_workers(word):
    result = parse_claim_text(word.example)
    assert ClaimMetric.workers_employed in metrics(result.figures + result.targets)


_EMPLOYMENT = re.compile(lx.alternation(lx.EMPLOYMENT_WORDINGS))


@pytest.mark.parametrize("word", entries(lx.NOT_WORKERS), ids=ids(lx.NOT_WORKERS))
def test_people_counted_for_something_else_are_not_workers_even_beside_an_employment_word(word):
    assert _EMPLOYMENT.search(word.example), "the example must tempt the reader with an employment word"
    result = parse_claim_text(word.example)
    assert ClaimMetric.workers_employed not in metrics(result.figures + result.targets)
    assert UnreadReason.not_workers in [u.reason for u in result.unread]


@pytest.mark.parametrize("word", entries(lx.LOW_INCOME_WORDS), ids=ids(lx.LOW_INCOME_WORDS))
def test_a_low_income_word_makes_its_figure_low_income(word):
    named = [f for f in parse_claim_text(word.example).figures if re.search(word.pattern, f.text)]
    assert named and all(f.low_income for f in named)


@pytest.mark.parametrize("word", entries(lx.PEOPLE_NOUNS), ids=ids(lx.PEOPLE_NOUNS))
def test_naming_workers_in_general_ends_a_carried_low_income_subject(word):
    employed, average = parse_claim_text(word.example).figures
    assert employed.low_income and employed.metric is ClaimMetric.workers_employed
    assert not average.low_income and average.metric is ClaimMetric.avg_monthly_pay


@pytest.mark.parametrize("word", entries(lx.NOT_WORKERS_MONEY), ids=ids(lx.NOT_WORKERS_MONEY))
def test_money_of_another_payee_or_kind_is_not_workers_pay(word):
    result = parse_claim_text(word.example)
    assert result.figures == () and result.targets == ()
    assert UnreadReason.other_payee in [u.reason for u in result.unread]


@pytest.mark.parametrize("word", entries(lx.PLACE_WIDE_INCOME), ids=ids(lx.PLACE_WIDE_INCOME))
def test_a_whole_places_per_capita_income_is_not_workers_average_pay(word):
    result = parse_claim_text(word.example)
    assert result.figures == ()
    assert [u.reason for u in result.unread] == [UnreadReason.place_wide]


@pytest.mark.parametrize("word", entries(lx.NOT_AN_AVERAGE), ids=ids(lx.NOT_AN_AVERAGE))
def test_a_maximum_a_part_a_days_or_a_households_money_is_not_an_average(word):
    result = parse_claim_text(word.example)
    assert result.figures == () and result.targets == ()
    assert [u.reason for u in result.unread] == [UnreadReason.not_average]


@pytest.mark.parametrize("word", entries(lx.TARGET_MARKERS + lx.THRESHOLD_MARKERS),
                         ids=ids(lx.TARGET_MARKERS + lx.THRESHOLD_MARKERS))
def test_a_plan_or_a_condition_is_a_target_never_an_achievement(word):
    result = parse_claim_text(word.example)
    assert result.figures == ()
    assert result.targets and all(f.target for f in result.targets)
    assert all(f.to_json_dict()["target"] is True for f in result.targets)


@pytest.mark.parametrize("word", entries(lx.PLAN_CHAIN_VERBS), ids=ids(lx.PLAN_CHAIN_VERBS))
def test_a_further_action_of_a_plan_set_between_reported_figures_is_planned_too(word):
    result = parse_claim_text(word.example)
    assert [(f.metric, f.value) for f in result.figures] == [(ClaimMetric.workshops, 50)]
    assert len(result.targets) == 2 and result.targets[0].value == 20
    # Without the verb the clause goes back to the report.
    clause = word.example.split(",")[-1]
    bare = word.example.replace(clause, re.sub("^(?:" + word.pattern + ")", "", clause))
    assert len(parse_claim_text(bare).targets) == 1, bare


@pytest.mark.parametrize("word", entries(lx.ACHIEVED_MARKERS), ids=ids(lx.ACHIEVED_MARKERS))
def test_a_clause_that_reports_what_was_done_ends_a_plan(word):
    result = parse_claim_text(word.example)
    assert [(f.metric, f.value) for f in result.targets] == [(ClaimMetric.workshops, 5)]
    assert [(f.metric, f.value) for f in result.figures] == [(ClaimMetric.workshops, 8)]
