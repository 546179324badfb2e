"""Metric names, scopes and periods: the arguments every official figure takes."""

from datetime import date

import pytest

from ledger.core.metrics import (
    ALL_FIGURE_NAMES,
    DEFINITION_VERSION,
    Metric,
    Month,
    Period,
    PeriodError,
    Scope,
    ScopeError,
    ScopeKind,
    Unit,
    figure_name,
    split_figure_name,
)


def test_the_definitions_are_version_one_with_the_spec_names():
    assert DEFINITION_VERSION == 1
    assert {m.value for m in Metric} == {
        "workshops", "workshops_certified", "workers_employed", "workers_paid", "person_months", "total_pay",
        "avg_monthly_pay", "avg_monthly_pay_per_worker", "avg_annual_pay", "growth_total_pay",
        "growth_avg_monthly_pay", "uplift_over_baseline",
    }


def test_every_metric_has_a_chinese_label_and_a_unit():
    assert Metric.avg_monthly_pay.label == "人均月增收"
    assert Metric.workers_employed.label == "吸纳就业人数"
    assert Metric.workshops.unit is Unit.workshop
    assert Metric.total_pay.is_money and not Metric.total_pay.is_count
    assert Metric.growth_total_pay.unit is Unit.percent
    assert all(m.label for m in Metric)


def test_low_income_variants_carry_a_suffix_that_splits_back():
    assert Metric.avg_monthly_pay.low_income() == "avg_monthly_pay_low_income"
    assert figure_name("total_pay", False) == "total_pay"
    assert split_figure_name("workers_employed_low_income") == ("workers_employed", True)
    assert split_figure_name("workers_employed") == ("workers_employed", False)
    assert len(ALL_FIGURE_NAMES) == 2 * len(Metric)


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("all", ScopeKind.all, None),
    ("workshop:YK-001", ScopeKind.workshop, "YK-001"),
    ("enterprise:17", ScopeKind.enterprise, "17"),
    ("region:330784", ScopeKind.region, "330784"),
    ("region:33", ScopeKind.region, "33"),
])
def test_a_scope_parses_from_its_written_form_and_prints_back(text, kind, value):
    scope = Scope.parse(text)
    assert (scope.kind, scope.value) == (kind, value)
    assert str(scope) == text


@pytest.mark.parametrize("text", ["region:33078x", "region:330", "region:", "county:330784", "everything", ""])
def test_a_bad_scope_is_refused_in_chinese_and_english(text):
    with pytest.raises(ScopeError) as info:
        Scope.parse(text)
    assert info.value.zh and info.value.en
    assert isinstance(info.value, ValueError)


def test_a_region_scope_matches_workshops_by_code_prefix():
    assert Scope.parse("region:3307").matches("W1", region="330784")
    assert not Scope.parse("region:330784").matches("W1", region="330702")
    assert Scope.parse("enterprise:9").matches("W1", enterprise="9")
    assert Scope.parse("workshop:W1").matches("W1")
    assert Scope.all().matches("anything")


def test_a_year_is_its_twelve_months():
    period = Period.parse("2023")
    assert period.month_count == 12
    assert period.months[0] == Month(2023, 1) and period.months[-1] == Month(2023, 12)
    assert period.last_day == date(2023, 12, 31)
    assert str(period) == "2023"


def test_a_month_and_a_range_parse_and_print_back():
    assert Period.parse("2023-03").month_count == 1
    assert str(Period.parse("2023-03")) == "2023-03"
    period = Period.parse("2023-11..2024-02")
    assert [str(m) for m in period.months] == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert str(period) == "2023-11..2024-02"
    assert Period.parse("2024-02").last_day == date(2024, 2, 29)


def test_growth_compares_with_the_same_months_a_year_earlier():
    assert Period.parse("2023-01..2023-06").same_months_year_earlier() == Period.parse("2022-01..2022-06")


@pytest.mark.parametrize("text", ["2023-13", "23", "2023-06..2023-01", "2023/01", "2023-01..", "last year"])
def test_a_bad_period_is_refused_in_chinese_and_english(text):
    with pytest.raises(PeriodError) as info:
        Period.parse(text)
    assert info.value.zh and info.value.en
