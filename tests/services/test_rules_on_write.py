"""Every write path's rules, through the service layer, on the configured engine."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from asyncpg.exceptions import UniqueViolationError
from dbfixtures import make_id, valid_credit_code, world, wrong_check_digit

from ledger.errors import Conflict, ValidationFailed
from ledger.services import employment, masterdata, people
from ledger.tables import LEDGER_TABLES, MonthlyPay, Placement, Worker


async def snapshot() -> dict[str, list]:
    return {t._meta.tablename: await t.select().order_by(t._meta.primary_key) for t in LEDGER_TABLES}


def next_month() -> str:
    today = date.today()
    return f"{today.year + (today.month == 12):04d}-{today.month % 12 + 1:02d}"


async def test_a_wrong_id_check_digit_is_refused_and_nothing_is_written(db):
    before = await snapshot()
    with pytest.raises(ValidationFailed) as exc:
        await people.create_worker({"name": "李四", "id_number": wrong_check_digit(make_id(7)), "village": "花街村"})
    assert [(p.field, p.code) for p in exc.value.problems] == [("id_number", "id_checksum")]
    assert "校验位" in exc.value.problems[0].zh and "check digit" in exc.value.problems[0].en
    assert await snapshot() == before


async def test_an_id_with_an_impossible_birth_date_is_refused(db):
    with pytest.raises(ValidationFailed) as exc:
        await people.create_worker({"name": "李四", "id_number": make_id(7, birth="19800231"), "village": "村"})
    assert exc.value.problems[0].code == "id_birth_date"


async def test_every_problem_in_a_request_is_reported_at_once(db):
    w = await world()
    with pytest.raises(ValidationFailed) as exc:
        await employment.create_pay({"placement": w["placement"]["id"], "month": "2023-13",
                                     "amount": "2800.123", "days_worked": 40})
    fields = sorted((p.field, p.code) for p in exc.value.problems)
    assert fields == [("amount", "money_precision"), ("days_worked", "days_range"), ("month", "month_range")]


@pytest.mark.parametrize("month, code", [("2023-13", "month_range"), ("2023-00", "month_range"),
                                         ("2023/03", "month_format"), ("", "required")])
async def test_a_month_that_is_not_a_month_is_refused(db, month, code):
    w = await world()
    with pytest.raises(ValidationFailed) as exc:
        await employment.create_pay({"placement": w["placement"]["id"], "month": month, "amount": "1000.00",
                                     "days_worked": 1})
    assert [p.code for p in exc.value.problems] == [code]


async def test_a_future_month_is_refused(db):
    w = await world()
    with pytest.raises(ValidationFailed) as exc:
        await employment.create_pay({"placement": w["placement"]["id"], "month": next_month(), "amount": "1000.00",
                                     "days_worked": 1})
    assert [p.code for p in exc.value.problems] == ["month_future"]


@pytest.mark.parametrize("amount, codes", [
    ("-1.00", ["money_negative"]), ("2800.123", ["money_precision"]), ("2,800元", ["money_format"]),
    ("2800元", ["money_format"]), ("abc", ["money_format"]), (2800.5, ["money_type"]),
])
async def test_bad_amounts_are_refused_with_their_reason(db, amount, codes):
    w = await world()
    with pytest.raises(ValidationFailed) as exc:
        await employment.create_pay({"placement": w["placement"]["id"], "month": "2023-03", "amount": amount,
                                     "days_worked": 20})
    assert [p.code for p in exc.value.problems] == codes
    assert await MonthlyPay.count() == 0


async def test_a_second_pay_record_for_the_same_month_is_a_conflict_not_an_overwrite(db):
    w = await world()
    first = await employment.create_pay({"placement": w["placement"]["id"], "month": "2023-03",
                                         "amount": "2800.00", "days_worked": 20})
    with pytest.raises(Conflict) as exc:
        await employment.create_pay({"placement": w["placement"]["id"], "month": "2023-03",
                                     "amount": "3000.00", "days_worked": 21})
    assert exc.value.status_code == 409 and exc.value.problems[0].code == "duplicate_pay"
    assert (await employment.get_pay(first["id"]))["amount"] == "2800.00"


async def test_the_database_itself_refuses_a_duplicate_pay_record(db):
    w = await world()
    row = {"placement": w["placement"]["id"], "month": "2023-03", "amount_fen": 1, "days_worked": 1}
    await MonthlyPay(**row).save()
    with pytest.raises((sqlite3.IntegrityError, UniqueViolationError)):
        await MonthlyPay(**row).save()


async def test_a_month_outside_the_placement_is_refused(db):
    w = await world()
    with pytest.raises(ValidationFailed) as exc:
        await employment.create_pay({"placement": w["placement"]["id"], "month": "2022-12", "amount": "1000.00",
                                     "days_worked": 1})
    assert [p.code for p in exc.value.problems] == ["month_outside_placement"]


async def test_overlapping_hires_of_one_worker_at_one_workshop_are_refused(db):
    w = await world()
    await employment.update_placement(w["placement"]["id"], {"left_on": date(2023, 6, 30)})
    with pytest.raises(Conflict) as exc:
        await employment.create_placement({"worker": w["worker"]["id"], "workshop": w["workshop"]["id"],
                                           "hired_on": date(2023, 6, 1), "pay_basis": "计时"})
    assert exc.value.problems[0].code == "overlapping_placement"
    later = await employment.create_placement({"worker": w["worker"]["id"], "workshop": w["workshop"]["id"],
                                               "hired_on": date(2023, 7, 1), "pay_basis": "计时"})
    assert later["hired_on"] == date(2023, 7, 1)
    assert await Placement.count() == 2


async def test_an_unknown_workshop_is_named_as_the_problem(db):
    w = await world()
    with pytest.raises(ValidationFailed) as exc:
        await employment.create_placement({"worker": w["worker"]["id"], "workshop": 99999,
                                           "hired_on": "2023-01-01", "pay_basis": "计件"})
    assert [(p.field, p.code) for p in exc.value.problems] == [("workshop", "unknown_reference")]


async def test_one_person_is_one_worker_however_often_registered(db):
    await people.create_worker({"name": "张三", "id_number": make_id(3), "village": "花街村"})
    with pytest.raises(Conflict):
        await people.create_worker({"name": "张三", "id_number": make_id(3).lower(), "village": "别村"})
    assert await Worker.count() == 1


async def test_id_numbers_are_stored_masked_encrypted_and_findable(db):
    number = make_id(42)
    created = await people.create_worker({"name": "王五", "id_number": number, "village": "花街村"})
    assert created["id_number"] == number[:6] + "********" + number[-4:]
    raw = await Worker.select().where(Worker.id == created["id"]).first()
    assert number not in str(raw)
    assert (await people.find_worker_by_id_number(number))["id"] == created["id"]


async def test_a_batch_with_one_bad_item_writes_nothing_and_names_each_item(db):
    w = await world()
    other = await people.create_worker({"name": "李四", "id_number": make_id(2), "village": "花街村"})
    second = await employment.create_placement({"worker": other["id"], "workshop": w["workshop"]["id"],
                                                "hired_on": "2023-01-01", "pay_basis": "计件"})
    with pytest.raises(ValidationFailed) as exc:
        await employment.create_pay_batch("2023-03", [
            {"placement": w["placement"]["id"], "amount": "2800.00", "days_worked": 20},
            {"placement": second["id"], "amount": "-5", "days_worked": 20},
            {"placement": 424242, "amount": "1000.00", "days_worked": 40},
        ])
    assert sorted(p.field for p in exc.value.problems) == [
        "items[1].amount", "items[2].days_worked", "items[2].placement"]
    assert await MonthlyPay.count() == 0
    rows = await employment.create_pay_batch("2023-03", [
        {"placement": w["placement"]["id"], "amount": "2800.00", "days_worked": 20},
        {"placement": second["id"], "amount": "3100.50", "days_worked": 22}])
    assert [r["amount"] for r in rows] == ["2800.00", "3100.50"]


async def test_enterprise_credit_codes_are_checked(db):
    with pytest.raises(ValidationFailed) as exc:
        await masterdata.create_enterprise({"name": "X", "credit_code": valid_credit_code()[:-1] + "0"
                                            if not valid_credit_code().endswith("0") else valid_credit_code()[:-1] + "1",
                                            "region_code": "33078"})
    assert sorted(p.code for p in exc.value.problems) == ["region_code", "uscc_checksum"]


async def test_a_workshop_cannot_be_closed_before_its_open_placements_end(db):
    w = await world()
    with pytest.raises(ValidationFailed) as exc:
        await masterdata.update_workshop(w["workshop"]["id"], {"closed_on": "2023-06-30"})
    assert exc.value.problems[0].code == "placements_outside"


async def test_a_workshop_an_operator_is_bound_to_cannot_be_deleted_and_says_so(db):
    from dbfixtures import make_user

    from ledger.tables import Workshop

    enterprise = await masterdata.create_enterprise(
        {"name": "空壳企业", "credit_code": valid_credit_code(), "region_code": "330784"})
    workshop = await masterdata.create_workshop({
        "code": "T-09", "name": "无人工坊", "enterprise": enterprise["id"], "workshop_type": "来料加工式",
        "village": "花街村", "region_code": "330784", "opened_on": date(2020, 1, 1)})
    await make_user("clerk9", "operator", "T-09")
    with pytest.raises(Conflict) as refused:
        await masterdata.delete_workshop(workshop["id"])
    assert "user_workshop" in refused.value.problems[0].zh
    assert await Workshop.exists().where(Workshop.id == workshop["id"])
