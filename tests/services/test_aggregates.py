"""The live aggregates always equal what the business rows give, whatever was written.

A Hypothesis state machine (driven by ``st.data()``, so each step is drawn from the state
so far) makes random sequences of writes through the services — hires, departures, a
placement moved to another worker, pay created, edited and deleted, low-income statuses
made, changed and deleted, baselines, sign-off with an adjustment and a reopen, workshop
and certification changes — and after every step recomputes every aggregate row and the
figures from the rows, and compares: maintained == recomputed, to the fen.
``LEDGER_AGGREGATE_EXAMPLES`` (default 8: what CI affords on PostgreSQL) runs it deeper.
"""

from __future__ import annotations

import asyncio
import os
from datetime import date

import pytest
from dbfixtures import make_id, valid_credit_code
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.core.metrics import Period, Scope
from ledger.db import engine
from ledger.errors import LedgerError
from ledger.services import aggregates, employment, figures, locks, masterdata, people
from ledger.tables import FigureCell, FigureWorkshopMonth, LowIncomeStatus, MonthlyPay, Placement

MONTHS = ["2022-11", "2022-12", "2023-01", "2023-02", "2023-03"]
"""Across a year's end: the worker-year masks split there."""

CHECKED = [("all", "2023"), ("all", "2022-11..2023-03"), ("region:330784", "2023-01..2023-02"),
           ("workshop:A-1", "2022-12..2023-03"), ("region:3307", "2022-12..2023-01"), ("region:330702", "2023"),
           ("region:33", "2022-11..2023-03"), ("enterprise:{enterprise}", "2022")]
"""A province or city scope reads the workers inside it whole from spans, person-years and
intervals, and the rest by workshop: a worker placed in 金华 and 杭州 (span 330) is inside
region:33 but only partly inside region:3307. A county is read by workshop."""


async def _small_world() -> dict[str, list[int]]:
    enterprise = await masterdata.create_enterprise(
        {"name": "测试企业", "credit_code": valid_credit_code(), "region_code": "330784"})
    shops = []
    for code, region in (("A-1", "330784"), ("A-2", "330784"), ("B-1", "330702"), ("C-1", "330102")):
        shop = await masterdata.create_workshop({
            "code": code, "name": code, "enterprise": enterprise["id"], "workshop_type": "来料加工式",
            "village": "花街村", "region_code": region, "opened_on": date(2020, 1, 1)})
        shops.append(shop["id"])
    workers = []
    for k in range(4):
        worker = await people.create_worker({"name": f"工{k}", "id_number": make_id(k + 1), "village": "花街村"})
        workers.append(worker["id"])
    return {"shops": shops, "workers": workers}


def _day(month: str, day: int) -> date:
    return date(int(month[:4]), int(month[5:]), day)


async def _step(data: st.DataObject, world: dict[str, list[int]]) -> str:
    """One random write through the services; a write the rules refuse is a step too."""
    pick = data.draw
    kind = pick(st.sampled_from(["hire", "hire", "pay", "pay", "pay", "edit_pay", "delete_pay", "depart",
                                 "move", "status", "edit_status", "delete_status", "baseline", "adjust",
                                 "delete_placement", "region", "certify", "shared", "shared"]), label="kind")
    placements = [p["id"] for p in await Placement.select(Placement.id)]
    pays = [p["id"] for p in await MonthlyPay.select(MonthlyPay.id)]
    statuses = [s["id"] for s in await LowIncomeStatus.select(LowIncomeStatus.id)]
    money = st.sampled_from(["0", "0.01", "1234.56", "2800", "3000.05"])
    try:
        if kind == "hire":
            month = pick(st.sampled_from(MONTHS))
            left = pick(st.sampled_from([None, *[m for m in MONTHS if m >= month]]))
            await employment.create_placement({
                "worker": pick(st.sampled_from(world["workers"])), "workshop": pick(st.sampled_from(world["shops"])),
                "hired_on": _day(month, pick(st.sampled_from([1, 15]))),
                "left_on": None if left is None else _day(left, 20), "pay_basis": "计件"})
        elif kind == "pay" and placements:
            await employment.create_pay({"placement": pick(st.sampled_from(placements)),
                                         "month": pick(st.sampled_from(MONTHS)), "amount": pick(money),
                                         "days_worked": 3})
        elif kind == "edit_pay" and pays:
            await employment.update_pay(pick(st.sampled_from(pays)), {"amount": pick(money)})
        elif kind == "delete_pay" and pays:
            await employment.delete_pay(pick(st.sampled_from(pays)))
        elif kind == "depart" and placements:
            await employment.update_placement(pick(st.sampled_from(placements)),
                                              {"left_on": _day(pick(st.sampled_from(MONTHS)), 25)})
        elif kind == "move" and placements:
            await employment.update_placement(pick(st.sampled_from(placements)),
                                              {"worker": pick(st.sampled_from(world["workers"]))})
        elif kind == "status":
            start = pick(st.sampled_from(MONTHS))
            end = pick(st.sampled_from([None, *[m for m in MONTHS if m >= start]]))
            await people.create_low_income({"worker": pick(st.sampled_from(world["workers"])), "category": "低保",
                                            "valid_from": _day(start, 10),
                                            "valid_to": None if end is None else _day(end, 5)})
        elif kind == "edit_status" and statuses:
            await people.update_low_income(pick(st.sampled_from(statuses)),
                                           {"valid_from": _day(pick(st.sampled_from(MONTHS)), 1)})
        elif kind == "delete_status" and statuses:
            await people.delete_low_income(pick(st.sampled_from(statuses)))
        elif kind == "baseline":
            await people.update_worker(pick(st.sampled_from(world["workers"])),
                                       {"baseline_income": pick(st.sampled_from([None, "1500", "2999.99"]))})
        elif kind == "adjust" and placements:
            placement = await employment.get_placement(pick(st.sampled_from(placements)))
            month = pick(st.sampled_from(MONTHS))
            lock = await locks.sign_off(month, placement["workshop"])
            await locks.create_adjustment({"placement": placement["id"], "month": month,
                                           "delta": pick(st.sampled_from(["-1234.56", "0.01", "-2800", "500"])),
                                           "reason": "更正"})
            if pick(st.booleans(), label="reopen"):
                await locks.reopen(lock["id"], "复核")
        elif kind == "shared":
            # one worker paid at two workshops in one month: one person-month with both pays
            worker = pick(st.sampled_from(world["workers"]))
            month = pick(st.sampled_from(MONTHS))
            two = pick(st.lists(st.sampled_from(world["shops"]), min_size=2, max_size=2, unique=True))
            for shop in two:
                placement = await employment.create_placement({
                    "worker": worker, "workshop": shop, "hired_on": _day(MONTHS[0], 1), "left_on": None,
                    "pay_basis": "计件"})
                await employment.create_pay({"placement": placement["id"], "month": month, "amount": pick(money),
                                             "days_worked": 3})
        elif kind == "delete_placement" and placements:
            await employment.delete_placement(pick(st.sampled_from(placements)))
        elif kind == "region":
            await masterdata.update_workshop(pick(st.sampled_from(world["shops"])),
                                             {"region_code": pick(st.sampled_from(["330784", "330702", "330102"]))})
        elif kind == "certify":
            await masterdata.create_certification({
                "workshop": pick(st.sampled_from(world["shops"])), "title": "市级示范共富工坊", "level": "city",
                "issuer": "市委组织部", "awarded_on": date(2022, 6, 1), "status": "授牌"})
    except LedgerError:
        pass  # refused by a rule: nothing was written, which must leave the aggregates right too
    return kind


async def _assert_maintained_equals_recomputed() -> None:
    assert await aggregates.pending() == 0, "a write transaction committed without flushing its keys"
    assert [d.as_dict() for d in await aggregates.check()] == []
    enterprise = (await FigureCell.raw("SELECT MIN(id) AS id FROM enterprise"))[0]["id"]
    for scope, period in CHECKED:
        scope = scope.format(enterprise=enterprise)
        kept = await figures.compute(Scope.parse(scope), Period.parse(period))
        recomputed = await figures.compute(Scope.parse(scope), Period.parse(period), from_rows=True)
        assert kept.as_dict() == recomputed.as_dict(), (scope, period)


@settings(max_examples=int(os.environ.get("LEDGER_AGGREGATE_EXAMPLES", "8")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
async def test_after_every_write_the_aggregates_equal_what_the_rows_give(db, data):
    from dbfixtures import clear_tables

    await clear_tables()
    world = await _small_world()
    steps = data.draw(st.integers(min_value=5, max_value=15), label="steps")
    for _ in range(steps):
        await _step(data, world)
        await _assert_maintained_equals_recomputed()


async def test_a_write_behind_the_services_back_is_queued_and_counted_at_the_next_read(db):
    world = await _small_world()
    placement = await employment.create_placement({"worker": world["workers"][0], "workshop": world["shops"][0],
                                                   "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
    await MonthlyPay(placement=placement["id"], month="2023-01", amount_fen=123456, days_worked=1).save()
    assert await aggregates.pending() > 0
    got = await figures.compute(Scope.parse("all"), Period.parse("2023-01"))
    assert str(got["total_pay"]) == "1234.56"
    assert await aggregates.pending() == 0


async def test_check_finds_an_aggregate_edited_by_hand_and_rebuild_repairs_it_on_the_record(db):
    from ledger.tables import AuditEntry

    world = await _small_world()
    placement = await employment.create_placement({"worker": world["workers"][0], "workshop": world["shops"][0],
                                                   "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
    await employment.create_pay({"placement": placement["id"], "month": "2023-02", "amount": "2800",
                                 "days_worked": 20})
    await FigureWorkshopMonth.update({FigureWorkshopMonth.total_fen: 1}, force=True)
    await FigureCell.delete(force=True)
    report = await aggregates.check_all()
    assert not report["ok"]
    assert {d["table"] for d in report["table_differences"]} == {"figure_cell", "figure_workshop_month"}
    assert report["figure_differences"]  # total_pay read from the edited sums is wrong, and the check says so
    counts = await aggregates.rebuild()
    assert counts["figure_cell"] == 1
    assert (await aggregates.check_all())["ok"]
    entry = await AuditEntry.select().order_by(AuditEntry.seq, ascending=False).first()
    assert (entry["action"], entry["table_name"]) == ("rebuild", "figure_cell")


@pytest.mark.skipif(engine().engine_type != "postgres", reason="the flush function is PostgreSQL's")
async def test_rebuild_drops_the_flush_functions_of_earlier_versions_and_keeps_this_ones(db):
    world = await _small_world()
    placement = await employment.create_placement({"worker": world["workers"][0], "workshop": world["shops"][0],
                                                   "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
    await employment.create_pay({"placement": placement["id"], "month": "2023-02", "amount": "2800",
                                 "days_worked": 20})  # this version's function exists from its first turn
    await FigureCell.raw("CREATE FUNCTION figure_flush_0123456789ab() RETURNS void LANGUAGE sql AS 'SELECT'")
    await FigureCell.raw("CREATE FUNCTION figure_flushing_kept() RETURNS void LANGUAGE sql AS 'SELECT'")

    await aggregates.rebuild()

    names = {r["proname"] for r in await FigureCell.raw(
        "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace")}
    assert aggregates.flush_function_name() in names
    assert "figure_flush_0123456789ab" not in names
    assert "figure_flushing_kept" in names  # not a flush function: the pattern's _ is literal
    await employment.create_pay({"placement": placement["id"], "month": "2023-03", "amount": "2800",
                                 "days_worked": 20})
    assert (await aggregates.check_all())["ok"]


@pytest.mark.skipif(engine().engine_type != "postgres", reason="the queue sweeper runs on PostgreSQL")
async def test_the_queue_sweeper_vacuums_the_queue_once_writes_committed_and_not_while_none_do(db, monkeypatch):
    world = await _small_world()
    placement = await employment.create_placement({"worker": world["workers"][0], "workshop": world["shops"][0],
                                                   "hired_on": date(2023, 1, 1), "pay_basis": "计件"})

    async def vacuums() -> int:
        await FigureCell.raw("SELECT pg_stat_clear_snapshot()")
        [row] = await FigureCell.raw("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'figure_dirty'")
        return int(row["vacuum_count"])

    swept = []
    sweep = aggregates.sweep_queue

    async def counted() -> None:
        swept.append(await vacuums())
        await sweep()

    monkeypatch.setattr(aggregates, "sweep_queue", counted)
    monkeypatch.setattr(aggregates.QueueSweeper, "EVERY", 0.05)
    sweeper = aggregates.QueueSweeper()
    sweeper.start()
    try:
        await asyncio.sleep(0.5)
        assert swept == []  # nothing committed since it started: nothing to sweep
        await employment.create_pay({"placement": placement["id"], "month": "2023-02", "amount": "2800",
                                     "days_worked": 20})
        for _ in range(200):  # generous: CI's two cores are shared
            if swept:
                break
            await asyncio.sleep(0.05)
        assert len(swept) == 1
        for _ in range(200):
            if await vacuums() > swept[0]:
                break
            await asyncio.sleep(0.05)
        assert await vacuums() > swept[0]  # PostgreSQL counted the VACUUM
        await asyncio.sleep(0.5)
        assert len(swept) == 1  # and none since: no write committed
    finally:
        await sweeper.stop()
    assert (await aggregates.check_all())["ok"]


async def test_audit_verify_reports_an_aggregate_that_differs_from_the_rows(db):
    from ledger.services import audit

    world = await _small_world()
    placement = await employment.create_placement({"worker": world["workers"][1], "workshop": world["shops"][1],
                                                   "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
    await employment.create_pay({"placement": placement["id"], "month": "2023-04", "amount": "100",
                                 "days_worked": 2})
    assert (await audit.verify()).ok
    await FigureCell.update({FigureCell.fen: FigureCell.fen + 1}, force=True)
    found = await audit.verify()
    assert [f.kind for f in found.findings] == ["aggregate_differs"]
    assert "figure_cell" in found.findings[0].en


async def test_a_worker_paid_at_two_workshops_in_a_month_is_one_person_month_with_both_pays(db):
    world = await _small_world()
    for shop in world["shops"][:2]:
        placement = await employment.create_placement({"worker": world["workers"][0], "workshop": shop,
                                                       "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
        await employment.create_pay({"placement": placement["id"], "month": "2023-03", "amount": "1000.01",
                                     "days_worked": 5})
    cells = await FigureCell.select(FigureCell.single)
    assert [c["single"] for c in cells] == [0, 0]
    got = await figures.compute(Scope.parse("region:330784"), Period.parse("2023-03"))
    assert (got["person_months"], str(got["total_pay"]), str(got["avg_monthly_pay"])) == (1, "2000.02", "2000.02")
    one = await figures.compute(Scope.parse("workshop:A-1"), Period.parse("2023-03"))
    assert (one["person_months"], str(one["total_pay"])) == (1, "1000.01")


async def test_the_cli_check_and_rebuild_answer_in_json(db):
    import json

    from dbfixtures import run_cli

    await _small_world()
    checked = await run_cli("figures", "--check")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["ok"] is True
    rebuilt = await run_cli("figures", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["figure_cell"] == 0



async def test_a_flush_of_pay_and_adjustment_keys_alone_adds_the_change_and_drops_what_reached_zero(db):
    """Only (worker, month) keys queued: on PostgreSQL the flush adds new − old to the sums
    (``aggregates.fast_flush_statements``) instead of recomputing them. Pay written, changed
    and deleted and adjustments made at two workshops of one worker in one month, each batch
    in one transaction, through every shape of that worker-month: at two workshops (shared),
    at one (single), at none — and the sums must equal what the rows give after each."""
    from ledger.db import write_transaction

    world = await _small_world()
    worker = world["workers"][0]
    await people.update_worker(worker, {"baseline_income": "1500"})
    await people.create_low_income({"worker": worker, "category": "低保", "valid_from": date(2023, 3, 1),
                                    "valid_to": None})
    one, two = [(await employment.create_placement({
        "worker": worker, "workshop": shop, "hired_on": date(2022, 1, 1), "pay_basis": "计件"}))["id"]
        for shop in world["shops"][:2]]
    other = (await employment.create_placement({"worker": world["workers"][1], "workshop": world["shops"][0],
                                                "hired_on": date(2022, 1, 1), "pay_basis": "计件"}))["id"]
    now = "2026-12-05T00:00:00Z"
    batches = [
        # shared at both workshops in 2023-03; single in 2022-12 (another year); another worker alongside
        ["INSERT INTO monthly_pay (placement, month, amount_fen, days_worked) VALUES ({one}, '2023-03', 100000, 5)",
         "INSERT INTO monthly_pay (placement, month, amount_fen, days_worked) VALUES ({two}, '2023-03', 250001, 5)",
         "INSERT INTO monthly_pay (placement, month, amount_fen, days_worked) VALUES ({one}, '2022-12', 90000, 5)",
         "INSERT INTO monthly_pay (placement, month, amount_fen, days_worked) VALUES ({other}, '2023-03', 5, 1)"],
        # changed, then one workshop's pay deleted: the other's cell turns single
        ["UPDATE monthly_pay SET amount_fen = 300000 WHERE placement = {two} AND month = '2023-03'",
         "DELETE FROM monthly_pay WHERE placement = {one} AND month = '2023-03'"],
        # an adjustment brings the deleted workshop back (shared again, its pay negative), and another zeroes 2022-12
        [f"INSERT INTO adjustment (placement, month, delta_fen, reason, created_by, created_at) "
         f"VALUES ({{one}}, '2023-03', -2000, '更正', 'test', '{now}')",
         f"INSERT INTO adjustment (placement, month, delta_fen, reason, created_by, created_at) "
         f"VALUES ({{one}}, '2022-12', -90000, '更正', 'test', '{now}')"],
        # a pay edit that changes nothing the figures read: the keys are queued, nothing moves
        ["UPDATE monthly_pay SET days_worked = 7 WHERE placement = {two}"],
        # everything of the worker gone: every row of theirs must go with it
        ["DELETE FROM adjustment WHERE placement IN ({one}, {two})",
         "DELETE FROM monthly_pay WHERE placement IN ({one}, {two})"],
    ]
    seen = set()
    for batch in batches:
        async with write_transaction():
            for sql in batch:
                await MonthlyPay.raw(sql.format(one=one, two=two, other=other))
            queued = await MonthlyPay.raw("SELECT DISTINCT month FROM figure_dirty")
            assert queued and "" not in {q["month"] for q in queued}  # month keys only: the fast path
        assert await aggregates.pending() == 0
        assert [d.as_dict() for d in await aggregates.check()] == []
        tables = await aggregates.counts()
        seen.add((tables["figure_span_month"], tables["figure_workshop_month"], tables["figure_person_year"]))
        for scope, period in CHECKED[:4]:
            kept = await figures.compute(Scope.parse(scope), Period.parse(period))
            assert kept.as_dict() == (await figures.compute(Scope.parse(scope), Period.parse(period),
                                                            from_rows=True)).as_dict(), (scope, period)
    assert len(seen) > 2  # the batches did move rows in and out of the tables
    left = await aggregates.counts()
    assert (left["figure_cell"], left["figure_span_month"], left["figure_person_year"]) == (1, 0, 1)


@pytest.mark.skipif(engine().engine_type != "postgres", reason="the fast flush is PostgreSQL's")
async def test_the_flush_of_new_months_takes_only_keys_without_cells_and_leaves_the_rest_to_the_subtracting_one(db):
    """``aggregates.fresh_flush_statement`` adds the cells of the queued keys that have none
    yet; a key that already has cells must stay queued for the statement that subtracts the
    old ones (taken here, it would be counted twice). One transaction writes both kinds —
    a new month at two workshops of one worker (a shared month), one at a single workshop,
    and an edit of a month that has cells — and runs the fresh statement alone: only the edited
    key is left, and after the commit's flush the aggregates equal what the rows give."""
    from ledger.db import write_transaction

    world = await _small_world()
    worker, other = world["workers"][:2]
    await people.update_worker(worker, {"baseline_income": "1500"})
    one, two = [(await employment.create_placement({
        "worker": worker, "workshop": shop, "hired_on": date(2022, 1, 1), "pay_basis": "计件"}))["id"]
        for shop in world["shops"][:2]]
    alone = (await employment.create_placement({"worker": other, "workshop": world["shops"][2],
                                                "hired_on": date(2022, 1, 1), "pay_basis": "计件"}))["id"]
    await employment.create_pay({"placement": one, "month": "2023-01", "amount": "2000.00", "days_worked": 20})
    assert (await aggregates.counts())["figure_cell"] == 1
    async with write_transaction():
        for sql in (f"INSERT INTO monthly_pay (placement, month, amount_fen, days_worked) VALUES ({one}, '2023-02', 100000, 5)",
                    f"INSERT INTO monthly_pay (placement, month, amount_fen, days_worked) VALUES ({two}, '2023-02', 250001, 5)",
                    f"INSERT INTO monthly_pay (placement, month, amount_fen, days_worked) VALUES ({alone}, '2023-02', 7, 1)",
                    f"UPDATE monthly_pay SET amount_fen = 123456 WHERE placement = {one} AND month = '2023-01'"):
            await MonthlyPay.raw(sql)
        await MonthlyPay.raw(aggregates.fresh_flush_statement())
        left = await MonthlyPay.raw("SELECT DISTINCT worker, month FROM figure_dirty WHERE workshop = 0")
        assert left == [{"worker": worker, "month": "2023-01"}]
    assert await aggregates.pending() == 0
    assert [d.as_dict() for d in await aggregates.check()] == []
    assert (await aggregates.counts())["figure_span_month"] == 1  # the shared month 2023-02
    for scope, period in CHECKED[:4]:
        kept = await figures.compute(Scope.parse(scope), Period.parse(period))
        assert kept.as_dict() == (await figures.compute(Scope.parse(scope), Period.parse(period),
                                                        from_rows=True)).as_dict(), (scope, period)
