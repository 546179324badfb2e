"""The drill-down's keyset pages are exactly the rows the raw-row SQL gives, in its order.

Each example builds a random ledger straight into the tables (as plain SQL would: the
aggregates catch up through the queue), then walks every page of each kind of drill-down by
cursor and by page number, and compares both with the rows the previous implementation read:
the raw pay rows regrouped per (worker, month) (``figures.pay_months_sql``), and the
placements and workshops, ordered as before, with no LIMIT. Page sizes are small, so pages
end inside a month, between two placements of one worker, and on the last row.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import date

import pytest
from dbfixtures import valid_credit_code
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.core.metrics import Period, Scope
from ledger.core.money import fen_to_yuan
from ledger.errors import ValidationFailed
from ledger.services import drilldown, figures
from ledger.tables import Adjustment, Enterprise, LowIncomeStatus, MonthlyPay, Placement, Worker, Workshop

MONTHS = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)]
SHOPS = [("W0", "330784"), ("W1", "330784"), ("W2", "330702")]
SCOPES = ["all", "region:330784", "region:330702", "workshop:W1"]
PERIODS = ["2023", "2022-11..2023-02", "2023-05", "2022"]
FIGURES = ["total_pay", "person_months_low_income", "workers_employed", "workers_employed_low_income",
           "workshops"]


async def random_ledger(data) -> None:
    """Workers at one or two workshops (a (worker, month) at two is one pay row with both
    pays), zero months, adjustments to zero and below, statuses starting and ending mid-way."""
    draw = data.draw
    enterprises = []
    for i in range(2):
        e = Enterprise(name=f"E{i}", credit_code=valid_credit_code(f"9133078{i}MA2HABCDE"), region_code="330784")
        await e.save()
        enterprises.append(e.id)
    shops = []
    for i, (code, region) in enumerate(SHOPS):
        w = Workshop(code=code, name=f"工坊{i}", enterprise=enterprises[i % 2], workshop_type="来料加工式",
                     village="v", region_code=region, opened_on=date(2021, 1 + i, 1),
                     closed_on=date(2023, 3, 31) if i == 2 else None)
        await w.save()
        shops.append(w.id)
    for k in range(draw(st.integers(1, 9), label="workers")):
        worker = Worker(name=f"人{k}", id_number=f"330784********{k:04d}", id_hash=f"h{k}", id_cipher="c",
                        village="v", baseline_income_fen=draw(st.sampled_from([None, 100000, 150050])))
        await worker.save()
        if draw(st.booleans(), label="low income"):
            start = draw(st.integers(0, len(MONTHS) - 1))
            end = draw(st.one_of(st.none(), st.integers(start, len(MONTHS) - 1)))
            await LowIncomeStatus(worker=worker.id, category="低保", valid_from=date.fromisoformat(MONTHS[start] + "-15"),
                                  valid_to=None if end is None else date.fromisoformat(MONTHS[end] + "-10")).save()
        placed = draw(st.lists(st.sampled_from(range(3)), min_size=1, max_size=3, unique=True), label="shops")
        for shop in placed:
            first = draw(st.integers(0, len(MONTHS) - 1))
            span = MONTHS[first:first + draw(st.integers(1, 14))]
            left = draw(st.one_of(st.none(), st.just(date.fromisoformat(span[-1] + "-28"))))
            placement = Placement(worker=worker.id, workshop=shops[shop], hired_on=date.fromisoformat(span[0] + "-02"),
                                  left_on=left, pay_basis="计件")
            await placement.save()
            for month in span:
                if draw(st.integers(0, 9)) == 0:
                    continue  # a month without a pay record
                fen = draw(st.sampled_from([0, 1, 280000, 315099, 99]))
                await MonthlyPay(placement=placement.id, month=month, amount_fen=fen, days_worked=10).save()
                if draw(st.integers(0, 6)) == 0:
                    delta = draw(st.sampled_from([-fen, -1, 5000, -fen - 100]))
                    await Adjustment(placement=placement.id, month=month, delta_fen=delta, reason="更正",
                                     created_by="auditor", created_at="2024-01-01T00:00:00+00:00").save()


async def reference_rows(scope: Scope, period: Period, figure: str) -> list[dict]:
    """Every row behind the figure, as the OFFSET implementation before keyset paging read them."""
    where, args = figures.scope_sql(scope)
    low = figure.endswith("_low_income")
    if figure.startswith(("total_pay", "person_months")):
        inner, args = figures.pay_months_sql(scope)
        rows = await Workshop.raw(f"""SELECT r.worker, wk.name, wk.id_number, r.month, r.fen, r.low, r.baseline
                                      FROM ({inner}) r JOIN worker wk ON wk.id = r.worker
                                      {"WHERE r.low = 1" if low else ""} ORDER BY r.month, r.worker""",
                                  *figures.period_args(period, args))
        return [{"worker": r["worker"], "name": r["name"], "id_number": r["id_number"], "month": r["month"],
                 "pay": str(fen_to_yuan(int(r["fen"]))), "low_income": bool(r["low"]),
                 "counts_as_person_month": int(r["fen"]) > 0,
                 "baseline": None if r["baseline"] is None else str(fen_to_yuan(int(r["baseline"])))} for r in rows]
    if figure.startswith("workers_employed"):
        low_filter = f"AND {drilldown.low_income_placement_sql('p', 's')}" if low else ""
        rows = await Workshop.raw(
            f"""SELECT p.id AS placement, p.worker, wk.name, wk.id_number, w.code AS workshop, p.hired_on, p.left_on
                FROM placement p JOIN workshop w ON w.id = p.workshop JOIN worker wk ON wk.id = p.worker
                WHERE p.hired_on <= {{}} AND (p.left_on IS NULL OR p.left_on >= {{}}) AND {where} {low_filter}
                ORDER BY p.worker, p.id""",
            period.last_day, period.first_day, *args, *([str(period.last), str(period.first)] if low else []))
        return [{**r, "hired_on": str(r["hired_on"]), "left_on": None if r["left_on"] is None else str(r["left_on"])}
                for r in rows]
    rows = await Workshop.raw(f"""SELECT w.id, w.code, w.name, w.opened_on, w.closed_on FROM workshop w
                                  WHERE w.opened_on <= {{}} AND (w.closed_on IS NULL OR w.closed_on >= {{}})
                                  AND {where} ORDER BY w.code""", period.last_day, period.first_day, *args)
    return [{**r, "opened_on": str(r["opened_on"]), "closed_on": None if r["closed_on"] is None else str(r["closed_on"])}
            for r in rows]


async def walk_by_cursor(scope: Scope, period: Period, figure: str, page_size: int) -> list[dict]:
    out, after, pages = [], None, 0
    while True:
        found = await drilldown.rows_behind(scope, period, figure, None, page_size, after)
        assert found.first_row == len(out)
        assert found.page == pages + 1
        assert len(found.items) == page_size or found.next is None
        out += found.items
        pages += 1
        if found.next is None:
            assert found.total == len(out)
            return out
        assert len(found.items) == page_size
        after = found.next


@settings(max_examples=int(os.environ.get("LEDGER_DRILLDOWN_EXAMPLES", "20")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
async def test_a_cursor_walk_gives_exactly_the_offset_rows_in_their_order(db, data):
    from dbfixtures import clear_tables

    await clear_tables()
    await random_ledger(data)
    page_size = data.draw(st.integers(1, 5), label="page size")
    asked = data.draw(st.lists(st.tuples(st.sampled_from(SCOPES), st.sampled_from(PERIODS)), min_size=1, max_size=3,
                               unique=True), label="scopes and periods")
    for scope_text, period_text in asked:
        scope, period = Scope.parse(scope_text), Period.parse(period_text)
        for figure in FIGURES:
            expected = await reference_rows(scope, period, figure)
            assert await walk_by_cursor(scope, period, figure, page_size) == expected, (scope_text, period_text, figure)
            by_number = []
            for page in range(1, len(expected) // page_size + 2):
                found = await drilldown.rows_behind(scope, period, figure, page, page_size)
                assert found.total == len(expected)
                by_number += found.items
            assert by_number == expected, (scope_text, period_text, figure)


async def _small(db) -> tuple[Scope, Period]:
    w = Workshop(code="W0", name="工坊", enterprise=(await _enterprise()), workshop_type="来料加工式", village="v",
                 region_code="330784", opened_on=date(2021, 1, 1))
    await w.save()
    for k in range(5):
        worker = Worker(name=f"人{k}", id_number=f"330784********{k:04d}", id_hash=f"h{k}", id_cipher="c", village="v")
        await worker.save()
        placement = Placement(worker=worker.id, workshop=w.id, hired_on=date(2023, 1, 1), pay_basis="计件")
        await placement.save()
        await MonthlyPay(placement=placement.id, month="2023-01", amount_fen=100 * k, days_worked=1).save()
    return Scope.parse("all"), Period.parse("2023")


async def _enterprise() -> int:
    e = Enterprise(name="E", credit_code=valid_credit_code(), region_code="330784")
    await e.save()
    return e.id


def _forged(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


async def test_a_malformed_or_foreign_cursor_is_refused_naming_after_in_chinese_and_english(db):
    scope, period = await _small(db)
    first = await drilldown.rows_behind(scope, period, "total_pay", None, 2)
    assert first.next is not None
    good = json.loads(base64.urlsafe_b64decode(first.next + "=" * (-len(first.next) % 4)))
    bad = ["", "!", "a" * 201, "not-base64~", "YWJj", _forged([1, 2]), _forged({**good, "extra": 1}),
           _forged({**good, "d": "000000000000"}), _forged({**good, "k": ["2023-13", 1]}),
           _forged({**good, "k": ["2023-01", "1"]}), _forged({**good, "k": ["2023-01", True]}),
           _forged({**good, "k": ["2023-01"]}), _forged({**good, "k": ["2023-01", -1]}),
           _forged({**good, "p": 0}), _forged({**good, "p": 1.5}), _forged({**good, "t": -1}),
           _forged({**good, "k": ["2023-01", 10**30]})]
    for cursor in bad:
        with pytest.raises(ValidationFailed) as caught:
            await drilldown.rows_behind(scope, period, "total_pay", None, 2, cursor)
        [problem] = caught.value.problems
        assert problem.field == "after" and "游标" in problem.zh and "cursor" in problem.en, cursor
    # a cursor is bound to its figure, scope and period
    for figure, other_scope, other_period in (("person_months", scope, period), ("total_pay", Scope.parse("region:33"),
                                                                                 period),
                                              ("total_pay", scope, Period.parse("2023-01"))):
        with pytest.raises(ValidationFailed) as caught:
            await drilldown.rows_behind(other_scope, other_period, figure, None, 2, first.next)
        assert caught.value.problems[0].field == "after"
    # a cursor from the right drill-down goes on from where it stopped
    second = await drilldown.rows_behind(scope, period, "total_pay", None, 2, first.next)
    assert [r["pay"] for r in first.items + second.items] == ["0.00", "1.00", "2.00", "3.00"]


async def test_page_numbers_stay_shallow_and_do_not_mix_with_a_cursor(db):
    scope, period = await _small(db)
    deep = drilldown.MAX_OFFSET // 100 + 2
    with pytest.raises(ValidationFailed) as caught:
        await drilldown.rows_behind(scope, period, "total_pay", deep, 100)
    assert [p.field for p in caught.value.problems] == ["page"] and "after" in caught.value.problems[0].en
    first = await drilldown.rows_behind(scope, period, "total_pay", None, 2)
    with pytest.raises(ValidationFailed) as caught:
        await drilldown.rows_behind(scope, period, "total_pay", 2, 2, first.next)
    assert [p.field for p in caught.value.problems] == ["page"]
    last = await drilldown.rows_behind(scope, period, "total_pay", 3, 2)
    assert (len(last.items), last.next, last.page, last.total) == (1, None, 3, 5)


async def test_workshop_codes_of_32_chinese_characters_page_by_cursor_to_the_end(db):
    enterprise = await _enterprise()
    codes = [("共富工坊" * 8)[:31] + str(i) for i in range(5)]
    for code in codes:
        await Workshop(code=code, name=code, enterprise=enterprise, workshop_type="来料加工式", village="v",
                       region_code="330784", opened_on=date(2021, 1, 1)).save()
    walked = await walk_by_cursor(Scope.parse("all"), Period.parse("2023"), "workshops", 2)
    assert [r["code"] for r in walked] == sorted(codes)
    first = await drilldown.rows_behind(Scope.parse("all"), Period.parse("2023"), "workshops", None, 1)
    assert first.next is not None and len(first.next) <= drilldown.MAX_CURSOR


async def test_every_problem_of_a_request_is_named_at_once(db):
    scope, period = await _small(db)
    with pytest.raises(ValidationFailed) as caught:
        await drilldown.rows_behind(scope, period, "nonsense", None, 2, "!!")
    assert sorted(p.field for p in caught.value.problems) == ["after", "metric"]


async def test_the_low_income_employed_are_the_placements_with_a_low_income_month_of_their_own_in_the_period(db):
    w = Workshop(code="W0", name="工坊", enterprise=(await _enterprise()), workshop_type="来料加工式", village="v",
                 region_code="330784", opened_on=date(2021, 1, 1))
    await w.save()
    cases = {  # name: ([(hired_on, left_on)], [(valid_from, valid_to)])
        "status before the placement": ([(date(2023, 6, 1), None)], [(date(2023, 1, 1), date(2023, 3, 31))]),
        "status after it ended": ([(date(2023, 1, 1), date(2023, 2, 28))], [(date(2023, 5, 1), None)]),
        "status in one of its months": ([(date(2022, 1, 1), None)], [(date(2023, 4, 1), date(2023, 4, 30))]),
        "same month, other days": ([(date(2023, 3, 15), date(2023, 3, 20))], [(date(2023, 3, 31), None)]),
        "two placements, one meets it": ([(date(2023, 1, 1), date(2023, 2, 28)), (date(2023, 9, 1), None)],
                                         [(date(2023, 10, 1), date(2023, 10, 31))]),
        "status outside the period": ([(date(2022, 1, 1), None)], [(date(2024, 2, 1), None)]),
    }
    expected = set()
    for k, (name, (spans, statuses)) in enumerate(cases.items()):
        worker = Worker(name=name, id_number=f"330784********{k:04d}", id_hash=f"h{k}", id_cipher="c", village="v")
        await worker.save()
        for hired_on, left_on in spans:
            placement = Placement(worker=worker.id, workshop=w.id, hired_on=hired_on, left_on=left_on, pay_basis="计件")
            await placement.save()
            if name in ("status in one of its months", "same month, other days") or hired_on == date(2023, 9, 1):
                expected.add(placement.id)
        for valid_from, valid_to in statuses:
            await LowIncomeStatus(worker=worker.id, category="低保", valid_from=valid_from, valid_to=valid_to,
                                  source_document="测试").save()
    scope, period = Scope.parse("all"), Period.parse("2023")
    found = await drilldown.rows_behind(scope, period, "workers_employed_low_income", None, 50)
    assert {r["placement"] for r in found.items} == expected
    assert found.total == len(expected)
    figure_set = await figures.compute(scope, period, with_growth=False)
    assert len({r["worker"] for r in found.items}) == figure_set["workers_employed_low_income"]
