"""Generated pay records for the signal tests: a clean ledger, and one anomaly of each kind
planted into it. Plain values (``PayRecord``), so the same ledger can be scored by the pure
reference and loaded into a real database for the SQL."""

from __future__ import annotations

import random
from dataclasses import replace

from ledger.core.signals import PayRecord

MONTHS = [f"2023-{m:02d}" for m in range(1, 13)]
WORKSHOPS = [f"W-{i}" for i in range(1, 7)]


def month_days(month: str) -> int:
    import calendar

    return calendar.monthrange(int(month[:4]), int(month[5:]))[1]


def clean_ledger(seed: int = 1, workers: int = 30, months: list[str] = MONTHS,
                 workshops: list[str] = WORKSHOPS) -> list[PayRecord]:
    """Every workshop pays its own ``workers`` people every month, 2300.00–3299.99 元 with random
    fen, 15–26 days worked in a full month of employment: no signal of any kind."""
    rng = random.Random(seed)
    rows, pay_id = [], 0
    for shop in workshops:
        for n in range(workers):
            for month in months:
                pay_id += 1
                fen = rng.randrange(230000, 330000)
                if fen % 10000 == 0:
                    fen += 1
                rows.append(PayRecord(pay_id, f"{shop}/{n}", shop, month, fen, rng.randrange(15, 27),
                                      month_days(month)))
    return rows


def _edit(rows: list[PayRecord], where, change) -> list[PayRecord]:
    return [change(r) if where(r) else r for r in rows]


def plant_pay_outlier(rows: list[PayRecord]) -> list[PayRecord]:
    """W-1's first worker is paid 15,000 元 in 2023-02."""
    return _edit(rows, lambda r: r.worker == "W-1/0" and r.month == "2023-02",
                 lambda r: replace(r, amount_fen=1_500_000))


def plant_identical_amounts(rows: list[PayRecord]) -> list[PayRecord]:
    """Everyone at W-2 gets 2488.00 元 in 2023-03."""
    return _edit(rows, lambda r: r.workshop == "W-2" and r.month == "2023-03",
                 lambda r: replace(r, amount_fen=248_800))


def plant_heaping(rows: list[PayRecord]) -> list[PayRecord]:
    """Two thirds of W-3's amounts in 2023-04 are whole hundreds (2300–3200 元, varied)."""
    return _edit(rows, lambda r: r.workshop == "W-3" and r.month == "2023-04" and int(r.worker.split("/")[1]) % 3,
                 lambda r: replace(r, amount_fen=(2300 + 100 * (r.pay_id % 10)) * 100))


def plant_multiple_workshops(rows: list[PayRecord]) -> list[PayRecord]:
    """W-1's second worker is also paid at W-4 in 2023-05."""
    extra = PayRecord(max(r.pay_id for r in rows) + 1, "W-1/1", "W-4", "2023-05", 150_012, 10, 31)
    return [*rows, extra]


def plant_pay_without_days(rows: list[PayRecord]) -> list[PayRecord]:
    """At W-5 in 2023-07 one record has 0 days worked, another 20 days of 10 employed."""
    rows = _edit(rows, lambda r: r.worker == "W-5/0" and r.month == "2023-07", lambda r: replace(r, days_worked=0))
    return _edit(rows, lambda r: r.worker == "W-5/1" and r.month == "2023-07",
                 lambda r: replace(r, days_worked=20, employed_days=10))


def plant_total_vs_headcount(rows: list[PayRecord]) -> list[PayRecord]:
    """W-5's total doubles from 2023-09 on, with the same people."""
    return _edit(rows, lambda r: r.workshop == "W-5" and r.month >= "2023-09",
                 lambda r: replace(r, amount_fen=r.amount_fen * 2))


def plant_first_digit(rows: list[PayRecord]) -> list[PayRecord]:
    """W-6's amounts all year start with 1 (1000–1999 元)."""
    return _edit(rows, lambda r: r.workshop == "W-6",
                 lambda r: replace(r, amount_fen=100_000 + r.amount_fen % 99_999))


PLANTS = {
    "pay_outlier": (plant_pay_outlier, "W-1", "2023-02"),
    "identical_amounts": (plant_identical_amounts, "W-2", "2023-03"),
    "heaping": (plant_heaping, "W-3", "2023-04"),
    "multiple_workshops": (plant_multiple_workshops, "W-4", "2023-05"),
    "pay_without_days": (plant_pay_without_days, "W-5", "2023-07"),
    "total_vs_headcount": (plant_total_vs_headcount, "W-5", "2023-09"),
    "first_digit": (plant_first_digit, "W-6", None),
}


async def load(rows: list[PayRecord]) -> list[PayRecord]:
    """Store a generated ledger through the services (workshops, workers, placements, pay) and
    return its records as stored: real pay ids, days employed from the real placements.

    A worker's records at a workshop make one placement from the first month on, split where a
    record's month is not fully employed (hired that day of the month, the earlier one left
    the day before the month began)."""
    from datetime import date, timedelta

    from dbfixtures import make_id, valid_credit_code

    from ledger.db import write_transaction
    from ledger.services import employment, masterdata, people

    def first_day(month: str) -> date:
        return date(int(month[:4]), int(month[5:]), 1)

    def last_day(month: str) -> date:
        return first_day(month) + timedelta(days=month_days(month) - 1)

    async with write_transaction():
        enterprise = await masterdata.create_enterprise(
            {"name": "信号测试企业", "credit_code": valid_credit_code(), "region_code": "330784"})
        shops = {}
        for code in sorted({r.workshop for r in rows}):
            shops[code] = (await masterdata.create_workshop({
                "code": code, "name": f"{code} 工坊", "enterprise": enterprise["id"], "workshop_type": "来料加工式",
                "village": "花街村", "region_code": "330784", "opened_on": date(2020, 1, 1)}))["id"]
        workers = {}
        for n, key in enumerate(sorted({r.worker for r in rows})):
            workers[key] = (await people.create_worker({
                "name": f"测{n}", "id_number": make_id(n, birth=f"{1960 + n // 1000}0101"), "village": "花街村"}))["id"]
        placement_of: dict[int, int] = {}
        spans: dict[tuple[str, str], list[list[PayRecord]]] = {}
        for r in sorted(rows, key=lambda r: (r.worker, r.workshop, r.month)):
            runs = spans.setdefault((r.worker, r.workshop), [])
            if not runs or r.employed_days < month_days(r.month):
                runs.append([])
            runs[-1].append(r)
        for (worker, shop), runs in spans.items():
            for i, run in enumerate(runs):
                first = run[0]
                hired = last_day(first.month) - timedelta(days=first.employed_days - 1)
                left = None if i == len(runs) - 1 else first_day(runs[i + 1][0].month) - timedelta(days=1)
                placement = await employment.create_placement({
                    "worker": workers[worker], "workshop": shops[shop], "hired_on": hired, "left_on": left,
                    "pay_basis": "计件"})
                for r in run:
                    placement_of[r.pay_id] = placement["id"]
        stored: list[PayRecord] = []
        by_month: dict[str, list[PayRecord]] = {}
        for r in rows:
            by_month.setdefault(r.month, []).append(r)
        for month, items in sorted(by_month.items()):
            created = await employment.create_pay_batch(month, [
                {"placement": placement_of[r.pay_id], "amount": f"{r.amount_fen // 100}.{r.amount_fen % 100:02d}",
                 "days_worked": r.days_worked, "confirm_unusual": True}  # planted outliers are unusual on purpose
                for r in items])
            stored += [PayRecord(c["id"], r.worker, r.workshop, month, r.amount_fen, r.days_worked, r.employed_days)
                       for c, r in zip(created, items, strict=True)]
    return stored


def every_plant(rows: list[PayRecord]) -> list[PayRecord]:
    for plant, _, _ in PLANTS.values():
        rows = plant(rows)
    return rows
