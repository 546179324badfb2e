"""What each qualifier allows, and interval arithmetic that never loses a possible value."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from ledger.core.claims import ClaimFigure, ClaimMetric, Qualifier
from ledger.core.intervals import Interval, allowed_interval, interval_for
from ledger.core.metrics import Unit


def money(value, qualifier, **kw):
    return ClaimFigure(ClaimMetric.avg_monthly_pay, D(value), Unit.yuan, qualifier, **kw)


def test_about_allows_half_the_place_of_the_last_nonzero_digit_either_way():
    assert allowed_interval(money("2800", Qualifier.about)) == Interval(D(2750), D(2850))
    total = ClaimFigure(ClaimMetric.total_pay_annual, D(3360000), Unit.yuan, Qualifier.about)
    assert allowed_interval(total) == Interval(D(3355000), D(3365000))


def test_over_allows_up_to_one_of_that_place_and_counts_are_whole_numbers():
    people = ClaimFigure(ClaimMetric.workers_employed, D(1000), Unit.person, Qualifier.over)
    assert allowed_interval(people) == Interval(D(1000), D(1999))
    assert interval_for(D(1000), Qualifier.over, D(1000), D(1)) == Interval(D(1000), D(2000), True, False)


def test_at_least_has_no_upper_end():
    interval = allowed_interval(money("60000", Qualifier.at_least))
    assert interval.low == 60000 and interval.high is None
    assert D(10) ** 9 in interval and D(59999) not in interval


def test_exact_means_equal_at_the_unit_as_written():
    assert allowed_interval(ClaimFigure(ClaimMetric.workshops, D(8), Unit.workshop)) == Interval(D(8), D(8))
    assert D("3082.49") in allowed_interval(money("3082", Qualifier.exact))
    assert D("3082.50") not in allowed_interval(money("3082", Qualifier.exact))
    written_in_wan = ClaimFigure(ClaimMetric.total_pay_annual, D(3360000), Unit.yuan, resolution=D(10000))
    assert allowed_interval(written_in_wan) == Interval(D(3355000), D(3365000), True, False)


def test_a_stated_tolerance_wins_over_the_wording():
    assert allowed_interval(money("2800", Qualifier.about, tolerance=D(10))) == Interval(D(2790), D(2810))


def test_dividing_by_an_interval_that_touches_zero_has_no_upper_end():
    assert (Interval(D(1), D(2)) / Interval(D(0), D(3))).high is None


def test_non_terminating_quotients_are_rounded_outward():
    q = Interval.point(1) / Interval.point(3)
    assert q.low * 3 <= 1 <= q.high * 3


bounds = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def interval_and_member(draw):
    a, b = sorted([draw(bounds), draw(bounds)])
    x = draw(st.decimals(min_value=a, max_value=b, places=4, allow_nan=False, allow_infinity=False))
    return Interval(a, b), x


@given(interval_and_member(), interval_and_member())
def test_products_and_quotients_hold_every_product_and_quotient_of_members(left, right):
    (i, x), (j, y) = left, right
    product = i * j
    assert x * y in product
    if y > 0 and j.high != 0:
        quotient = i / j
        assert quotient.low * y <= x
        assert quotient.high is None or x <= quotient.high * y


def test_a_claim_figure_built_from_stored_strings_is_the_same_figure():
    stored = ClaimFigure("avg_monthly_pay", "2800", "元", "about")  # type: ignore[arg-type]
    assert stored == money("2800", Qualifier.about)
    assert allowed_interval(stored) == Interval(D(2750), D(2850))


def test_a_claim_figure_refuses_a_float():
    import pytest

    with pytest.raises(TypeError):
        ClaimFigure(ClaimMetric.avg_monthly_pay, 2800.0, Unit.yuan)  # type: ignore[arg-type]
