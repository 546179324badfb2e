"""The reference implementation of the official figures: worked examples and properties."""

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.figures import (
    AdjustmentRow,
    CertificationRow,
    LowIncomeRow,
    PayRow,
    PlacementRow,
    Records,
    WorkshopRow,
    compute_figures,
)
from ledger.core.metrics import Month, Period, Scope

YEAR = Period.parse("2023")
REGION = Scope.parse("region:330784")
W1 = WorkshopRow("W1", date(2022, 1, 1), enterprise="E1", region="330784")
W2 = WorkshopRow("W2", date(2023, 6, 1), enterprise="E2", region="330784")
ELSEWHERE = WorkshopRow("W9", date(2020, 1, 1), enterprise="E9", region="330702")


def pay(worker, workshop, month, amount):
    return PayRow(worker, workshop, Month.parse(month), D(amount))


def example() -> Records:
    return Records(
        workshops=(W1, W2, ELSEWHERE, WorkshopRow("W0", date(2020, 1, 1), date(2022, 12, 31), region="330784")),
        placements=(
            PlacementRow("ann", "W1", date(2023, 1, 1)),
            PlacementRow("ann", "W2", date(2023, 6, 1), date(2023, 6, 30)),
            PlacementRow("bo", "W1", date(2023, 3, 1), date(2023, 4, 30)),
            PlacementRow("cy", "W2", date(2023, 11, 1)),
            PlacementRow("dee", "W9", date(2023, 1, 1)),
        ),
        pay=(
            pay("ann", "W1", "2023-05", "3000.00"),
            pay("ann", "W1", "2023-06", "1000.00"),
            pay("ann", "W2", "2023-06", "500.50"),
            pay("bo", "W1", "2023-03", "2000.00"),
            pay("bo", "W1", "2023-04", "0.00"),
            pay("dee", "W9", "2023-05", "9999.00"),
            pay("ann", "W1", "2022-05", "2000.00"),
        ),
        adjustments=(AdjustmentRow("bo", "W1", Month.parse("2023-03"), D("-100.00")),),
        low_income=(LowIncomeRow("ann", date(2023, 6, 15), date(2023, 7, 31)),),
        certifications=(CertificationRow("W1", "city", date(2023, 2, 1)),
                        CertificationRow("W2", "county", date(2023, 2, 1), withdrawn_on=date(2023, 12, 1))),
        baselines=(("ann", D("1500.00")),),
    )


def test_a_worker_at_two_workshops_in_one_month_is_one_person_month_with_both_pays():
    figures = compute_figures(example(), REGION, YEAR)
    # ann: May (3000), June (1000 + 500.50); bo: March (2000 − 100); bo's April is 0 and not a person-month
    assert figures["person_months"] == 3
    assert figures["total_pay"] == D("6400.50")
    assert figures["avg_monthly_pay"] == D("2133.50")


def test_the_official_averages_follow_their_written_definitions():
    figures = compute_figures(example(), REGION, YEAR)
    assert figures["workshops"] == 2  # W0 closed before 2023; W9 is in another county
    assert figures["workers_employed"] == 3  # ann, bo, cy (cy is placed but not yet paid)
    assert figures["workers_paid"] == 2
    assert figures["avg_monthly_pay_per_worker"] == D("177.79")  # 6400.50 / (3 × 12), half-up
    assert figures["avg_annual_pay"] == D("3200.25")
    assert figures["workshops_certified"] == 1  # W2's certification was withdrawn on 2023-12-01
    assert figures["uplift_over_baseline"] == D("750.25")  # ann: ((3000 − 1500) + (1500.50 − 1500)) / 2


def test_low_income_figures_count_a_worker_only_in_months_they_are_low_income():
    figures = compute_figures(example(), REGION, YEAR)
    assert figures["workers_employed_low_income"] == 1
    assert figures["person_months_low_income"] == 1  # ann's June only
    assert figures["total_pay_low_income"] == D("1500.50")
    assert figures["avg_monthly_pay_low_income"] == D("1500.50")


def test_yearly_and_undefined_figures_are_none():
    half = compute_figures(example(), REGION, Period.parse("2023-01..2023-06"))
    assert half["avg_annual_pay"] is None
    empty = compute_figures(example(), REGION, Period.parse("2021-03"))
    assert empty["avg_monthly_pay"] is None and empty["total_pay"] == D("0.00")


def test_growth_compares_pay_with_the_same_months_a_year_earlier():
    figures = compute_figures(example(), REGION, Period.parse("2023-05"))
    assert figures["total_pay"] == D("3000.00")
    assert figures["growth_total_pay"] == D("50.00")
    assert figures["growth_avg_monthly_pay"] == D("50.00")


def test_a_figure_set_names_its_definition_version_scope_and_period():
    figures = compute_figures(example(), Scope.parse("workshop:W1"), YEAR)
    assert figures.definition_version == 1
    assert str(figures.scope) == "workshop:W1" and str(figures.period) == "2023"
    assert figures["total_pay"] == D("5900.00")


# -- Properties -------------------------------------------------------------------------------

WORKERS = ["a", "b", "c", "d", "e"]
WORKSHOPS = ["K1", "K2", "K3"]
months = st.integers(1, 12).map(lambda m: Month(2023, m))
amounts = st.integers(0, 500_000).map(lambda fen: D(fen) / 100)


@st.composite
def records(draw) -> Records:
    workshops = tuple(WorkshopRow(k, date(2022, 1, 1), region="330784") for k in WORKSHOPS)
    pay_rows = draw(st.lists(st.builds(PayRow, st.sampled_from(WORKERS), st.sampled_from(WORKSHOPS), months, amounts),
                             max_size=30))
    # at most one record per (worker, workshop, month), as the ledger enforces
    unique = {(p.worker, p.workshop, p.month): p for p in pay_rows}
    adjustments = draw(st.lists(st.builds(AdjustmentRow, st.sampled_from(WORKERS), st.sampled_from(WORKSHOPS), months,
                                          st.integers(-50_000, 50_000).map(lambda f: D(f) / 100)), max_size=5))
    placements = tuple({(p.worker, p.workshop): PlacementRow(p.worker, p.workshop, date(2023, 1, 1))
                        for p in unique.values()}.values())
    low = draw(st.lists(st.builds(LowIncomeRow, st.sampled_from(WORKERS),
                                  st.dates(date(2022, 6, 1), date(2023, 12, 31)), st.none()), max_size=3))
    return Records(workshops=workshops, placements=placements, pay=tuple(unique.values()),
                   adjustments=tuple(adjustments), low_income=tuple(low))


@given(records(), st.randoms(use_true_random=False))
@settings(max_examples=60)
def test_figures_do_not_depend_on_the_order_of_the_rows(recs, rnd):
    shuffled = Records(
        workshops=tuple(rnd.sample(recs.workshops, len(recs.workshops))),
        placements=tuple(rnd.sample(recs.placements, len(recs.placements))),
        pay=tuple(rnd.sample(recs.pay, len(recs.pay))),
        adjustments=tuple(rnd.sample(recs.adjustments, len(recs.adjustments))),
        low_income=tuple(rnd.sample(recs.low_income, len(recs.low_income))),
    )
    assert compute_figures(shuffled, REGION, YEAR).as_dict() == compute_figures(recs, REGION, YEAR).as_dict()


@given(records(), st.sets(st.integers(0, 40)))
@settings(max_examples=60)
def test_splitting_a_workshops_records_into_two_workshops_keeps_the_scope_totals(recs, moved):
    """K1's rows, some of them moved to a new workshop K1b in the same region, re-sum to the same figures."""
    def move(rows):
        return tuple(type(r)(**{**r.__dict__, "workshop": "K1b"}) if r.workshop == "K1" and i in moved else r
                     for i, r in enumerate(rows))

    split = Records(
        workshops=recs.workshops + (WorkshopRow("K1b", date(2022, 1, 1), region="330784"),),
        placements=recs.placements + tuple(PlacementRow(p.worker, "K1b", p.hired_on) for p in recs.placements
                                           if p.workshop == "K1"),
        pay=move(recs.pay), adjustments=move(recs.adjustments), low_income=recs.low_income)
    before = compute_figures(recs, REGION, YEAR).as_dict()
    after = compute_figures(split, REGION, YEAR).as_dict()
    for name in before:
        if not name.startswith("workshops"):
            assert after[name] == before[name], name
    assert after["workshops"] == before["workshops"] + 1


@given(records())
@settings(max_examples=60)
def test_a_scopes_total_pay_is_the_sum_of_its_workshops_to_the_fen(recs):
    total = compute_figures(recs, REGION, YEAR)["total_pay"]
    parts = [compute_figures(recs, Scope.parse(f"workshop:{k}"), YEAR)["total_pay"] for k in WORKSHOPS]
    assert total == sum(parts)  # type: ignore[arg-type]
