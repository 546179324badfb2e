"""What the figures dashboard draws, by aggregate SQL (one query per chart group).

* per workshop and month: total pay (pay records plus adjustments, as every figure counts
  it) and head count (workers whose pay there that month is > 0);
* per month for the whole scope: 人均月增收 (total ÷ person-months, SPEC version 1) plain and
  low-income, and the low-income share of the person-months;
* the published claims on this scope whose figures are an average monthly pay, to draw on
  the trend;
* signals per workshop and kind (``ledger.services.signals``).

Money leaves here as ``Decimal`` yuan, exact (averages rounded half-up to the fen).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.core.metrics import Period, Scope
from ledger.core.money import fen_to_yuan, round_fen
from ledger.db import read_raw
from ledger.services import signals as signal_service
from ledger.services.figures import (
    PAY_AND_ADJUSTMENTS,
    check_scope_exists,
    pay_months_sql,
    period_args,
    require_reader,
    scope_sql,
)
from ledger.tables import ClaimFigure


@dataclass(frozen=True)
class DashboardData:
    scope: Scope
    period: Period
    by_workshop: list[dict[str, Any]]     # workshop, month, total (Decimal), head
    by_month: list[dict[str, Any]]        # month, avg, avg_low (Decimal | None), low_share (float | None)
    claims: list[dict[str, Any]]          # title, metric, value (Decimal), qualifier, text
    signals: dict[str, Counter[str]]      # workshop → kind → count
    signal_total: int


async def _run(sql: str, args: list[Any]) -> list[dict[str, Any]]:
    return await read_raw(sql, *args)  # the replica, if configured


async def workshop_months(scope: Scope, period: Period) -> list[dict[str, Any]]:
    where, args = scope_sql(scope)
    rows = await _run(f"""
        SELECT workshop, month, SUM(fen) AS total, SUM(CASE WHEN fen > 0 THEN 1 ELSE 0 END) AS head FROM (
            SELECT w.code AS workshop, mp.month AS month, p.worker AS worker, SUM(mp.fen) AS fen
            FROM ({PAY_AND_ADJUSTMENTS}) mp JOIN placement p ON p.id = mp.placement
            JOIN workshop w ON w.id = p.workshop WHERE {where}
            GROUP BY w.code, mp.month, p.worker) x
        GROUP BY workshop, month ORDER BY workshop, month""", period_args(period, args))
    return [{"workshop": r["workshop"], "month": r["month"], "total": fen_to_yuan(int(r["total"])),
             "head": int(r["head"])} for r in rows]


async def months(scope: Scope, period: Period) -> list[dict[str, Any]]:
    inner, args = pay_months_sql(scope)
    rows = await _run(f"""
        SELECT month, SUM(CASE WHEN fen > 0 THEN 1 ELSE 0 END) AS pm, SUM(fen) AS total,
               SUM(CASE WHEN low = 1 AND fen > 0 THEN 1 ELSE 0 END) AS pm_low,
               SUM(CASE WHEN low = 1 THEN fen ELSE 0 END) AS total_low
        FROM ({inner}) r GROUP BY month ORDER BY month""", period_args(period, args))

    def avg(fen: int, n: int) -> Decimal | None:
        return None if n == 0 else round_fen(fen_to_yuan(fen) / n)

    return [{"month": r["month"], "avg": avg(int(r["total"]), int(r["pm"])),
             "avg_low": avg(int(r["total_low"]), int(r["pm_low"])),
             "person_months": int(r["pm"]), "person_months_low": int(r["pm_low"]),
             "low_share": None if not int(r["pm"]) else int(r["pm_low"]) / int(r["pm"])} for r in rows]


async def claims_on(scope: Scope) -> list[dict[str, Any]]:
    rows = await ClaimFigure.select(
        ClaimFigure.metric, ClaimFigure.low_income, ClaimFigure.value, ClaimFigure.qualifier, ClaimFigure.text,
        ClaimFigure.claim.title.as_alias("title"), ClaimFigure.claim.id.as_alias("claim"),
    ).where((ClaimFigure.claim.scope == str(scope))
            & ClaimFigure.metric.is_in(["avg_monthly_pay", "avg_monthly_pay_low_income"]))
    return [{"claim": r["claim"], "title": r["title"], "metric": r["metric"], "low_income": r["low_income"]
             or r["metric"].endswith("_low_income"), "value": Decimal(r["value"]), "qualifier": r["qualifier"],
             "text": r["text"]} for r in rows]


async def dashboard(scope_text: str, period_text: str) -> DashboardData:
    require_reader()
    report = await signal_service.compute(scope_text, period_text)  # parses and checks the scope too
    scope, period = report.scope, report.period
    await check_scope_exists(scope)
    counts: dict[str, Counter[str]] = {}
    for s in report.signals:
        counts.setdefault(s.workshop, Counter())[s.kind.value] += 1
    return DashboardData(scope, period, await workshop_months(scope, period), await months(scope, period),
                         await claims_on(scope), counts, len(report.signals))
