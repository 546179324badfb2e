"""Money is exact on every engine: the database's sum of fen is the exact Decimal sum."""

from __future__ import annotations

from decimal import Decimal

from dbfixtures import world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from piccolo.query.functions.aggregate import Sum

from ledger.core.money import fen_to_yuan, money_str
from ledger.services import employment
from ledger.tables import MonthlyPay

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(amounts, min_size=1, max_size=30))
async def test_the_database_sum_of_pay_equals_the_exact_decimal_sum(db, values):
    await MonthlyPay.delete(force=True)
    placement = (await _placement())["id"]
    months = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    for month, amount in zip(months, values, strict=True):
        await employment.create_pay({"placement": placement, "month": month, "amount": money_str(amount),
                                     "days_worked": 1, "confirm_unusual": True})  # any amount, small or huge
    row = await MonthlyPay.select(Sum(MonthlyPay.amount_fen).as_alias("total")).first()
    assert fen_to_yuan(row["total"]) == sum(values, Decimal("0"))


async def _placement():
    from ledger.tables import Placement

    existing = await Placement.select().first()
    if existing:
        return existing
    w = await world()
    return await employment.update_placement(w["placement"]["id"], {"hired_on": "2000-01-01"})


async def test_a_thousand_ten_fen_amounts_sum_to_exactly_one_hundred_yuan(db):
    # Straight into the table: this pins the engine's arithmetic, not the service's rules.
    w = await world()
    await MonthlyPay.insert(*[MonthlyPay(placement=w["placement"]["id"], month=f"{1000 + i:04d}-01",
                                         amount_fen=10, days_worked=1) for i in range(1000)])
    row = await MonthlyPay.select(Sum(MonthlyPay.amount_fen).as_alias("total")).first()
    assert money_str(fen_to_yuan(row["total"])) == "100.00"
