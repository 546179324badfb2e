"""A month's pay far outside what a month can hold is asked about, not silently stored."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ledger.core.rules import PlausibleMonth, check_plausible_monthly_amount

BOUNDS = PlausibleMonth()


def codes(amount: str, confirmed: bool = False) -> list[str]:
    return [p.code for p in check_plausible_monthly_amount("amount", Decimal(amount), BOUNDS, confirmed=confirmed)]


def test_a_usual_month_of_pay_passes():
    assert codes("2800.00") == [] and codes("100.00") == [] and codes("50000.00") == []


def test_fen_typed_as_yuan_is_refused_with_the_reason():
    [problem] = check_plausible_monthly_amount("amount", Decimal("280000.00"), BOUNDS, confirmed=False)
    assert problem.code == "unusual_amount" and problem.field == "amount"
    assert "280,000.00 元" in problem.zh and "50,000 元" in problem.zh and "分" in problem.zh
    assert "confirm" in problem.en


def test_a_few_yuan_for_a_month_is_refused_but_no_work_at_all_is_zero_and_fine():
    assert codes("28.00") == ["unusual_amount"] and codes("99.99") == ["unusual_amount"]
    assert codes("0") == [] and codes("0.00") == []


def test_a_confirmed_unusual_amount_passes():
    assert codes("280000.00", confirmed=True) == [] and codes("12.00", confirmed=True) == []


def test_a_county_sets_its_own_bounds():
    bounds = PlausibleMonth(low=Decimal("500"), high=Decimal("20000"))
    assert [p.code for p in check_plausible_monthly_amount("x", Decimal("300"), bounds, confirmed=False)] == [
        "unusual_amount"]
    assert check_plausible_monthly_amount("x", Decimal("60000"), PlausibleMonth(high=Decimal("80000")),
                                          confirmed=False) == []


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_an_amount_is_refused_exactly_when_it_is_above_zero_and_outside_the_bounds(amount):
    refused = bool(check_plausible_monthly_amount("amount", amount, BOUNDS, confirmed=False))
    assert refused == (amount != 0 and not BOUNDS.low <= amount <= BOUNDS.high)
