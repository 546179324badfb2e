"""The database's figures are the reference definitions' figures, on the same rows."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from dbfixtures import valid_credit_code

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
from ledger.core.money import fen_to_yuan
from ledger.services import figures
from ledger.tables import (
    Adjustment,
    Certification,
    Enterprise,
    LowIncomeStatus,
    MonthlyPay,
    Placement,
    Worker,
    Workshop,
)


async def random_world(seed: int) -> None:
    """Rows straight into the tables (rules are tested elsewhere): odd cases on purpose —
    zero pay, two workshops in one month, statuses that start and end mid-period."""
    rng = random.Random(seed)
    enterprises = []
    for i in range(2):
        e = Enterprise(name=f"E{i}", credit_code=valid_credit_code(f"9133078{i}MA2HABCDE"), region_code="330784")
        await e.save()
        enterprises.append(e.id)
    shops = []
    for i, region in enumerate(["330784", "330784", "330702"]):
        w = Workshop(code=f"W{i}", name=f"W{i}", enterprise=enterprises[i % 2], workshop_type="来料加工式",
                     village="v", region_code=region, opened_on=date(2021, 1 + i, 1),
                     closed_on=date(2023, 9, 30) if i == 2 else None)
        await w.save()
        shops.append(w.id)
        for level, status, withdrawn in (("city", "授牌", None), ("province", rng.choice(["复核", "摘牌", "创建中"]),
                                                                   date(2023, 6, 1))):
            await Certification(workshop=w.id, title="t", level=level, issuer="i", awarded_on=date(2022, 3, 1),
                                valid_until=rng.choice([None, date(2023, 8, 31)]), status=status,
                                withdrawn_on=withdrawn if status == "摘牌" else None).save()
    months = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)]
    for k in range(14):
        worker = Worker(name=f"P{k}", id_number=f"m{k}", id_hash=f"h{seed}-{k}", id_cipher="c", village="v",
                        baseline_income_fen=rng.choice([None, 100000, 150050]))
        await worker.save()
        if rng.random() < 0.6:
            start = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 600))
            end = rng.choice([None, start + timedelta(days=rng.randrange(10, 300))])
            await LowIncomeStatus(worker=worker.id, category="低保", valid_from=start, valid_to=end).save()
        for shop in rng.sample(shops, rng.choice([1, 1, 2])):
            first = rng.randrange(0, 20)
            span = months[first:first + rng.randrange(1, 10)]
            hired = date(int(span[0][:4]), int(span[0][5:]), rng.randrange(1, 28))
            last = span[-1]
            left = rng.choice([None, date(int(last[:4]), int(last[5:]), 28)])
            placement = Placement(worker=worker.id, workshop=shop, hired_on=hired, left_on=left, pay_basis="计件")
            await placement.save()
            for month in span:
                fen = rng.choice([0, rng.randrange(1, 500000), rng.randrange(250000, 320000)])
                await MonthlyPay(placement=placement.id, month=month, amount_fen=fen, days_worked=10).save()
                if rng.random() < 0.15:  # a correction, now and then one that takes the month to zero or below
                    delta = rng.choice([-fen, -rng.randrange(1, 50000), rng.randrange(1, 50000)])
                    await Adjustment(placement=placement.id, month=month, delta_fen=delta, reason="更正",
                                     created_by="auditor", created_at="2024-01-01T00:00:00+00:00").save()


async def records_from_tables() -> Records:
    shops = await Workshop.select()
    placements = await Placement.select()
    by_id = {p["id"]: p for p in placements}
    return Records(
        workshops=tuple(WorkshopRow(w["code"], w["opened_on"], w["closed_on"], str(w["enterprise"]),
                                    w["region_code"]) for w in shops),
        placements=tuple(PlacementRow(str(p["worker"]), _code(shops, p["workshop"]), p["hired_on"], p["left_on"])
                         for p in placements),
        pay=tuple(PayRow(str(by_id[r["placement"]]["worker"]), _code(shops, by_id[r["placement"]]["workshop"]),
                         Month.parse(r["month"]), fen_to_yuan(r["amount_fen"])) for r in await MonthlyPay.select()),
        adjustments=tuple(
            AdjustmentRow(str(by_id[a["placement"]]["worker"]), _code(shops, by_id[a["placement"]]["workshop"]),
                          Month.parse(a["month"]), fen_to_yuan(a["delta_fen"])) for a in await Adjustment.select()),
        low_income=tuple(LowIncomeRow(str(s["worker"]), s["valid_from"], s["valid_to"])
                         for s in await LowIncomeStatus.select()),
        certifications=tuple(
            CertificationRow(_code(shops, c["workshop"]), c["level"],
                             c["awarded_on"] if c["status"] != "创建中" else date(9999, 1, 1),
                             c["valid_until"], c["withdrawn_on"]) for c in await Certification.select()),
        baselines=tuple((str(w["id"]), fen_to_yuan(w["baseline_income_fen"]))
                        for w in await Worker.select() if w["baseline_income_fen"] is not None),
    )


def _code(shops, workshop_id) -> str:
    return next(w["code"] for w in shops if w["id"] == workshop_id)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_sql_figures_equal_the_reference_definitions(db, seed):
    await random_world(seed)
    records = await records_from_tables()
    enterprise = (await Enterprise.select().first())["id"]
    for scope_text in ["all", "region:330784", "region:33", "workshop:W2", f"enterprise:{enterprise}"]:
        for period_text in ["2023", "2022-03..2022-08", "2023-09", "2022"]:
            scope, period = Scope.parse(scope_text), Period.parse(period_text)
            expected = compute_figures(records, scope, period)
            got = await figures.compute(scope, period)
            assert got.as_dict() == expected.as_dict(), (scope_text, period_text)
            assert got.certified_by_level == expected.certified_by_level, (scope_text, period_text)


async def test_a_scope_total_is_the_sum_of_its_workshops_to_the_fen(db):
    await random_world(7)
    period = Period.parse("2023")
    whole = await figures.compute(Scope.parse("all"), period, with_growth=False)
    parts = [await figures.compute(Scope.parse(f"workshop:{code}"), period, with_growth=False)
             for code in ("W0", "W1", "W2")]
    assert whole["total_pay"] == sum((p["total_pay"] for p in parts), Decimal(0))
