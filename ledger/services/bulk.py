"""The write rules of hires, pay and low-income statuses, a batch at a time: for the importer.

The rules are the API's: a pay row is checked by ``employment.check_pay_fields`` and
``employment.check_month_in_placement``, a new worker by ``people.check_worker_fields``,
a placement's fields by the same ``rules.*`` calls ``employment.validate_placement``
makes, a low-income status by ``people.check_low_income_fields`` and
``locks.status_change_lock``. What differs is only how the database is asked: one query
per batch for each kind of look-up (workshops by code, workers by keyed hash, placements,
existing pay and statuses) instead of one per row, so ten thousand rows cost a handful of
queries, not thirty thousand.

Locks are asked one query per batch too (``locks.active_locks``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.core import rules
from ledger.core.enums import PayBasis
from ledger.core.problems import Problem
from ledger.services.common import MAX_ID, Collector, in_list
from ledger.services.employment import check_month_in_placement, check_pay_fields
from ledger.services.people import check_worker_fields
from ledger.tables import LowIncomeStatus, MonthlyPay, Placement, Worker, Workshop

__all__ = ["check_month_in_placement", "check_pay_fields", "check_worker_fields"]

# --- look-ups, one query per batch ------------------------------------------------------

async def workshops_by_code(codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    rows = await Workshop.select(Workshop.id, Workshop.code, Workshop.opened_on, Workshop.closed_on).where(
        Workshop.code.is_in(in_list(codes, "")))
    return {r["code"]: r for r in rows}


WORKER_COLUMNS = [Worker.id, Worker.name, Worker.id_number, Worker.id_hash, Worker.village]


async def workers_by_hash(hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Workers found by keyed hash of their ID number: nothing is decrypted."""
    rows = await Worker.select(*WORKER_COLUMNS).where(Worker.id_hash.is_in(in_list(hashes, "")))
    return {r["id_hash"]: r for r in rows}


_PLACEMENT_COLUMNS = [Placement.id, Placement.worker, Placement.workshop, Placement.hired_on, Placement.left_on,
                      Placement.pay_basis, Placement.worker.name.as_alias("worker_name"),
                      Placement.worker.id_number.as_alias("worker_id_number"),
                      Placement.worker.id_hash.as_alias("worker_id_hash"),
                      Placement.workshop.code.as_alias("workshop_code")]


async def placements_by_id(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    wanted = [i for i in ids if 1 <= i <= MAX_ID]
    rows = await Placement.select(*_PLACEMENT_COLUMNS).where(Placement.id.is_in(in_list(wanted)))
    return {r["id"]: r for r in rows}


async def placements_of(worker_ids: Iterable[int], workshop_ids: Iterable[int]
                        ) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """Every placement of these workers at these workshops, by (worker, workshop)."""
    rows = await Placement.select(*_PLACEMENT_COLUMNS).where(
        Placement.worker.is_in(in_list(worker_ids)) & Placement.workshop.is_in(in_list(workshop_ids))
    ).order_by(Placement.hired_on)
    found: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[(row["worker"], row["workshop"])].append(row)
    return found


async def placements_of_workers(worker_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every placement of these workers, wherever they work, by worker (a roster's statuses
    move the figures of each workshop that employs them)."""
    rows = await Placement.select(*_PLACEMENT_COLUMNS).where(
        Placement.worker.is_in(in_list(worker_ids))).order_by(Placement.hired_on)
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row["worker"]].append(row)
    return found


async def statuses_of(worker_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every low-income status of these workers, by worker."""
    rows = await LowIncomeStatus.select().where(LowIncomeStatus.worker.is_in(in_list(worker_ids)))
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row["worker"]].append(row)
    return found


async def pay_records(placement_ids: Iterable[int], months: Iterable[str]) -> dict[tuple[int, str], dict[str, Any]]:
    rows = await MonthlyPay.select().where(
        MonthlyPay.placement.is_in(in_list(placement_ids)) & MonthlyPay.month.is_in(in_list(months, "")))
    return {(r["placement"], r["month"]): r for r in rows}


async def pay_months_of(placement_ids: Iterable[int]) -> dict[int, list[str]]:
    rows = await MonthlyPay.select(MonthlyPay.placement, MonthlyPay.month).where(
        MonthlyPay.placement.is_in(in_list(placement_ids)))
    found: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        found[row["placement"]].append(row["month"])
    return found


# --- per-row rules over the batch's look-ups ---------------------------------------------

def check_placement_fields(data: dict[str, Any], checks: Collector) -> dict[str, Any]:
    """A placement's own fields, checked by the rules ``employment.validate_placement`` uses."""
    clean: dict[str, Any] = {
        "hired_on": checks.take(rules.check_date("hired_on", data.get("hired_on"))),
        "left_on": checks.take(rules.check_date("left_on", data.get("left_on"), optional=True)),
        "pay_basis": checks.take(rules.check_choice("pay_basis", data.get("pay_basis"), PayBasis)),
    }
    checks.add(rules.check_period_order("left_on", clean["hired_on"], clean["left_on"]))
    return clean


def periods_overlap(start: date, end: date | None, other_start: date, other_end: date | None) -> bool:
    """Whether two placements' periods (end None = still employed) share a day."""
    return (end is None or end >= other_start) and (other_end is None or other_end >= start)


def overlapping_placement() -> Problem:
    return Problem("hired_on", "overlapping_placement", "该人员在该工坊已有与此期间重叠的用工记录",
                   "this worker already has a placement at this workshop overlapping this period")


def pay_outside(months: Iterable[str], hired_on: date, left_on: date | None) -> list[Problem]:
    if any(not rules.months_overlap(m, hired_on, left_on) for m in months):
        return [Problem("left_on", "pay_outside", "已有月收入记录落在新的用工期间之外",
                        "existing monthly pay would fall outside the changed placement")]
    return []


def placement_for_month(candidates: list[dict[str, Any]], month: str | None) -> dict[str, Any] | None:
    """Of one worker's placements at one workshop (never overlapping), the one covering the month."""
    if not month:
        return None
    for placement in candidates:
        if rules.months_overlap(month, placement["hired_on"], placement["left_on"]):
            return placement
    return None


def same_pay(existing: dict[str, Any], clean: dict[str, Any]) -> bool:
    """Whether a stored pay record already says what a row says (the row is then a no-op)."""
    def number(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    return (existing["amount_fen"] == clean["amount_fen"] and existing["days_worked"] == clean["days_worked"]
            and number(existing["hours"]) == number(clean["hours"]) and existing["pieces"] == clean["pieces"])


async def placements_active(workshop_id: int, first_day: date, last_day: date) -> list[dict[str, Any]]:
    """A workshop's placements sharing a day with [first_day, last_day], for templates."""
    return await Placement.select(*_PLACEMENT_COLUMNS).where(
        (Placement.workshop == workshop_id) & (Placement.hired_on <= last_day)
        & (Placement.left_on.is_null() | (Placement.left_on >= first_day))
    ).order_by(Placement.id)


async def pay_of_workshop(workshop_id: int, first_month: str, last_month: str) -> list[dict[str, Any]]:
    """A workshop's pay records over a period, with what a sheet shows of the placement."""
    return await MonthlyPay.select(
        MonthlyPay.all_columns(), MonthlyPay.placement.workshop.code.as_alias("workshop_code"),
        MonthlyPay.placement.worker.name.as_alias("worker_name"),
        MonthlyPay.placement.worker.id_number.as_alias("worker_id_number"),
    ).where((MonthlyPay.placement.workshop == workshop_id) & (MonthlyPay.month >= first_month)
            & (MonthlyPay.month <= last_month)).order_by(MonthlyPay.month).order_by(MonthlyPay.placement)
