"""How an import moves a workshop's figures: the same aggregates, before and after.

For each workshop the import touches, over the period from the first to the last month
it touches (a SPEC period), the figures of SPEC version 1 that rows of a sheet can move:
workers_employed, workers_paid, person_months, total_pay and avg_monthly_pay (= total_pay
÷ person_months, rounded half-up to the fen at the end). They are computed here with
plain SUM / COUNT queries over the rows, not by the figures service, so the preview does
not depend on it. A month's pay includes its adjustments, as in every figure (an import
never writes adjustments, so they move "before" and "after" alike).

"Before" and "after" are both read inside the import's transaction. New rows get ids
above the watermark taken when the import started (the tables are locked against other
writers for the import's duration), and replacements are applied only after "before" has
been read, so "before" is exactly the stored state and "after" the state the import
leaves — also in a dry run, which then rolls the transaction back.

A low-income roster moves no pay: it moves which workers count as low-income in which
months, so its preview is every ``_low_income`` figure the statuses can move, by the
figures service's own aggregates (``figures.low_income_pay_figures``), for each workshop
employing a worker whose status changes, over the months where status and employment
meet (up to the current month). The roster's rows are written only after "before" is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.core import rules
from ledger.core.figures import FigureValue
from ledger.core.metrics import Period, Scope
from ledger.core.money import fen_to_yuan, money_str, round_fen
from ledger.services.common import MAX_ID
from ledger.tables import MonthlyPay, Placement

NO_WATERMARK = MAX_ID


@dataclass(frozen=True)
class Figures:
    workers_employed: int
    workers_paid: int
    person_months: int
    total_fen: int

    @property
    def avg_monthly_pay(self) -> Decimal | None:
        if not self.person_months:
            return None
        return round_fen(Decimal(self.total_fen) / (100 * self.person_months))

    def as_dict(self) -> dict[str, Any]:
        avg = self.avg_monthly_pay
        return {"workers_employed": self.workers_employed, "workers_paid": self.workers_paid,
                "person_months": self.person_months, "total_pay": money_str(fen_to_yuan(self.total_fen)),
                "avg_monthly_pay": None if avg is None else money_str(avg)}


@dataclass(frozen=True)
class WorkshopDelta:
    workshop_id: int
    workshop_code: str
    first_month: str
    last_month: str
    before: Figures
    after: Figures

    def as_dict(self) -> dict[str, Any]:
        b, a = self.before, self.after
        avg_b, avg_a = b.avg_monthly_pay, a.avg_monthly_pay
        return {
            "workshop": self.workshop_code, "workshop_id": self.workshop_id,
            "period": {"first": self.first_month, "last": self.last_month},
            "before": b.as_dict(), "after": a.as_dict(),
            "delta": {
                "workers_employed": a.workers_employed - b.workers_employed,
                "workers_paid": a.workers_paid - b.workers_paid,
                "person_months": a.person_months - b.person_months,
                "total_pay": money_str(fen_to_yuan(a.total_fen - b.total_fen)),
                "avg_monthly_pay": None if avg_a is None or avg_b is None else money_str(avg_a - avg_b),
            },
        }


async def watermarks() -> tuple[int, int]:
    """The highest pay and placement ids before the import writes anything."""
    pay = await MonthlyPay.raw("SELECT COALESCE(MAX(id), 0) AS m FROM monthly_pay")
    placement = await Placement.raw("SELECT COALESCE(MAX(id), 0) AS m FROM placement")
    return int(pay[0]["m"]), int(placement[0]["m"])


async def figures(workshop_id: int, first_month: str, last_month: str,
                  pay_watermark: int = NO_WATERMARK, placement_watermark: int = NO_WATERMARK) -> Figures:
    first_day: date = rules.month_bounds(first_month)[0]
    last_day: date = rules.month_bounds(last_month)[1]
    paid = await MonthlyPay.raw(
        "SELECT COUNT(*) AS person_months, COALESCE(SUM(t.total), 0) AS total_fen, "
        "COUNT(DISTINCT t.worker) AS workers_paid FROM ("
        " SELECT p.worker AS worker, x.month AS month, SUM(x.fen) AS total FROM ("
        "  SELECT placement, month, amount_fen AS fen FROM monthly_pay WHERE month >= {} AND month <= {} AND id <= {}"
        "  UNION ALL"
        "  SELECT placement, month, delta_fen AS fen FROM adjustment WHERE month >= {} AND month <= {}"
        " ) x JOIN placement p ON p.id = x.placement"
        " WHERE p.workshop = {} AND p.id <= {}"
        " GROUP BY p.worker, x.month HAVING SUM(x.fen) > 0) t",
        first_month, last_month, pay_watermark, first_month, last_month, workshop_id, placement_watermark)
    employed = await Placement.raw(
        "SELECT COUNT(DISTINCT worker) AS n FROM placement WHERE workshop = {} AND hired_on <= {}"
        " AND (left_on IS NULL OR left_on >= {}) AND id <= {}",
        workshop_id, last_day, first_day, placement_watermark)
    row = paid[0]
    return Figures(workers_employed=int(employed[0]["n"]), workers_paid=int(row["workers_paid"]),
                   person_months=int(row["person_months"]), total_fen=int(row["total_fen"]))


def _change(before: FigureValue, after: FigureValue) -> Any:
    if before is None or after is None:
        return None
    if isinstance(before, Decimal) and isinstance(after, Decimal):
        return money_str(after - before)
    return after - before  # type: ignore[operator]


def _shown(value: FigureValue) -> Any:
    return money_str(value) if isinstance(value, Decimal) else value


@dataclass(frozen=True)
class LowIncomeDelta:
    """How a roster moves one workshop's ``_low_income`` figures over a period."""

    workshop_id: int
    workshop_code: str
    first_month: str
    last_month: str
    before: dict[str, FigureValue]
    after: dict[str, FigureValue]

    def as_dict(self) -> dict[str, Any]:
        return {
            "workshop": self.workshop_code, "workshop_id": self.workshop_id,
            "period": {"first": self.first_month, "last": self.last_month},
            "before": {k: _shown(v) for k, v in self.before.items()},
            "after": {k: _shown(v) for k, v in self.after.items()},
            "delta": {k: _change(self.before[k], self.after[k]) for k in self.before},
        }


async def low_income_figures(workshop_code: str, first_month: str, last_month: str) -> dict[str, FigureValue]:
    from ledger.services import figures as service

    return await service.low_income_pay_figures(Scope.parse(f"workshop:{workshop_code}"),
                                                Period.parse(f"{first_month}..{last_month}"))
