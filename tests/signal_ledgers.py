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
