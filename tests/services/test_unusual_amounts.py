"""The unusual-amount rule on the services every path calls: a month's pay or a baseline far
outside a month's income is refused with the reason unless the writer confirms it."""

from __future__ import annotations

import pytest
from dbfixtures import make_id, world

from ledger.errors import ValidationFailed
from ledger.services import employment, people
from ledger.settings import get_settings
from ledger.tables import MonthlyPay, Worker


def pay(w, amount: str, **more) -> dict:
    return {"placement": w["placement"]["id"], "month": "2023-03", "amount": amount, "days_worked": 20, **more}


async def test_pay_typed_in_fen_is_refused_naming_the_amount_and_nothing_is_written(db):
    w = await world()
    with pytest.raises(ValidationFailed) as refused:
        await employment.create_pay(pay(w, "280000.00"))
    assert [(p.field, p.code) for p in refused.value.problems] == [("amount", "unusual_amount")]
    assert await MonthlyPay.count() == 0


async def test_a_confirmed_unusual_amount_is_stored_exactly(db):
    w = await world()
    row = await employment.create_pay(pay(w, "60000.00", confirm_unusual=True))
    assert row["amount"] == "60000.00"
    assert (await MonthlyPay.select().first())["amount_fen"] == 6_000_000


async def test_a_month_without_pay_is_zero_and_needs_no_confirmation(db):
    w = await world()
    assert (await employment.create_pay(pay(w, "0", days_worked=0)))["amount"] == "0.00"


async def test_editing_a_confirmed_record_asks_again_only_if_its_amount_changes(db):
    w = await world()
    row = await employment.create_pay(pay(w, "60.00", confirm_unusual=True))
    assert (await employment.update_pay(row["id"], {"days_worked": 2}))["days_worked"] == 2
    assert (await employment.update_pay(row["id"], {"amount": "60"}))["amount"] == "60.00"
    with pytest.raises(ValidationFailed) as refused:
        await employment.update_pay(row["id"], {"amount": "61.00"})
    assert refused.value.problems[0].code == "unusual_amount"
    assert (await employment.update_pay(row["id"], {"amount": "2800.00"}))["amount"] == "2800.00"


async def test_a_batch_names_the_unusual_item_and_writes_nothing(db):
    w = await world()
    with pytest.raises(ValidationFailed) as refused:
        await employment.create_pay_batch("2023-03", [
            {"placement": w["placement"]["id"], "amount": "99999.00", "days_worked": 20}])
    assert [(p.field, p.code) for p in refused.value.problems] == [("items[0].amount", "unusual_amount")]
    assert await MonthlyPay.count() == 0
    rows = await employment.create_pay_batch("2023-03", [
        {"placement": w["placement"]["id"], "amount": "99999.00", "days_worked": 20, "confirm_unusual": True}])
    assert rows[0]["amount"] == "99999.00"


async def test_a_baseline_typed_in_fen_or_too_small_is_refused_unless_confirmed(db):
    with pytest.raises(ValidationFailed) as refused:
        await people.create_worker({"name": "李四", "id_number": make_id(2), "village": "花街村",
                                    "baseline_income": "120000"})
    assert [(p.field, p.code) for p in refused.value.problems] == [("baseline_income", "unusual_amount")]
    worker = await people.create_worker({"name": "李四", "id_number": make_id(2), "village": "花街村",
                                         "baseline_income": "12.00", "confirm_unusual": True})
    assert (await Worker.select(Worker.baseline_income_fen).first())["baseline_income_fen"] == 1200
    await people.update_worker(worker["id"], {"village": "长城村"})  # the stored baseline is not asked again
    with pytest.raises(ValidationFailed):
        await people.update_worker(worker["id"], {"baseline_income": "13.00"})
    assert (await people.update_worker(worker["id"], {"baseline_income": "1200.00"}))["baseline_income_fen"] == 120000


async def test_the_bounds_are_a_setting_a_county_can_change(db, monkeypatch):
    w = await world()
    monkeypatch.setenv("LEDGER_UNUSUAL_MONTHLY_ABOVE", "80000")
    get_settings.cache_clear()
    try:
        assert (await employment.create_pay(pay(w, "70000.00")))["amount"] == "70000.00"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    with pytest.raises(ValidationFailed):
        await employment.create_pay(pay(w, "70000.00", month="2023-04"))
