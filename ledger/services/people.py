"""Workers and their low-income status.

The ID number is the identity: one person is one worker however many workshops hire them.
It is stored encrypted with a keyed hash for uniqueness; rows carry only the masked form.
"""

from __future__ import annotations

from typing import Any

from ledger import access, crypto
from ledger.core import rules
from ledger.core.enums import JournalAction, LowIncomeCategory, Role
from ledger.core.money import fen_str, yuan_to_fen
from ledger.core.problems import Problem
from ledger.db import write_transaction
from ledger.errors import Forbidden
from ledger.services import journal, locks
from ledger.services.common import (
    Collector,
    Page,
    check_deletable,
    confirmed,
    get_row,
    hidden,
    in_list,
    paginate,
    plausible_month,
    reference_exists,
    same_money,
)
from ledger.tables import LowIncomeStatus, MonthlyPay, Placement, Worker

WRITERS = (Role.operator, Role.admin)
"""Who registers people and their low-income status (auditors only read)."""

WORKER_PUBLIC = [Worker.id, Worker.name, Worker.id_number, Worker.village, Worker.phone,
                 Worker.baseline_income_fen]


def _unchanged(data: dict[str, Any], existing: dict[str, Any] | None, key: str) -> bool:
    return existing is not None and data.get(key) == existing.get(key)


async def validate_worker(data: dict[str, Any], existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check a worker's fields; returns column values (encrypted and masked where needed).

    On an update, an ``id_number`` or ``phone`` equal to the stored masked form means
    "unchanged"; any other value is a new full number and is checked in full.
    """
    checks = Collector()
    clean = check_worker_fields(data, checks, existing)
    if "id_hash" in clean:
        query = Worker.exists().where(Worker.id_hash == clean["id_hash"])
        if existing is not None:
            query = query.where(Worker.id != existing["id"])
        if await query:
            checks.conflict(Problem("id_number", "duplicate", "该身份证号已登记为另一名务工人员",
                                    "a worker with this ID number is already registered"))
    checks.raise_if_any()
    return clean


def check_worker_fields(data: dict[str, Any], checks: Collector,
                        existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The field rules of one worker, with no database: shared by every write path (the
    API, the admin panel and the bulk importer, which checks uniqueness a batch at a time).

    The masked ID, its keyed hash and its cipher are made here and nowhere else.
    """
    clean: dict[str, Any] = {
        "name": checks.take(rules.check_text("name", data.get("name"), max_length=50)),
        "village": checks.take(rules.check_text("village", data.get("village"), max_length=100)),
    }
    baseline = data.get("baseline_income")
    if "baseline_income" not in data and "baseline_income_fen" in data:
        baseline = data["baseline_income_fen"]
        baseline = fen_str(baseline)
    amount = checks.take(rules.check_money("baseline_income", baseline, optional=True))
    checks.add(rules.check_plausible_monthly_amount("baseline_income", amount, plausible_month(),
                                                    confirmed=confirmed(data)))
    clean["baseline_income_fen"] = None if amount is None else yuan_to_fen(amount)

    if _unchanged(data, existing, "id_number"):
        assert existing is not None
        clean["id_number"] = existing["id_number"]
    else:
        number = checks.take(rules.check_id_number("id_number", data.get("id_number")))
        if number:
            clean.update(id_number=rules.mask_id_number(number), id_hash=crypto.identity_hash(number),
                         id_cipher=crypto.encrypt(number))
    if _unchanged(data, existing, "phone"):
        assert existing is not None
        clean["phone"] = existing["phone"]
    else:
        phone = checks.take(rules.check_phone("phone", data.get("phone")))
        clean.update(phone=rules.mask_phone(phone or ""), phone_cipher=crypto.encrypt(phone or ""))
    return clean



def _require_writer() -> None:
    access.require(*WRITERS, doing_zh="登记或修改人员信息", doing_en="changes to people")


async def worker_visible(worker_id: int) -> bool:
    """An operator sees a worker placed (now or once) at one of their workshops."""
    scope = access.workshop_scope()
    if scope is None:
        return True
    return await Placement.exists().where(
        (Placement.worker == worker_id) & Placement.workshop.is_in(in_list(scope)))


async def _own_worker(worker_id: int, field: str = "id") -> None:
    if not await worker_visible(worker_id):
        raise Forbidden([Problem(field, "other_workshop", "该人员不在您负责的工坊用工，不能修改",
                                 "this worker is not placed at your workshops; you cannot change them")])


async def create_worker(data: dict[str, Any]) -> dict[str, Any]:
    _require_writer()
    async with write_transaction():
        clean = await validate_worker(data)
        row = await journal.insert(Worker, clean)
    return _public(row)


async def update_worker(worker_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    _require_writer()
    async with write_transaction():
        current = await _worker_row(worker_id)
        await _own_worker(worker_id)
        stored = fen_str(current["baseline_income_fen"])
        merged = {**current, "baseline_income": stored, **changes}
        if same_money(merged.get("baseline_income"), stored):
            merged["confirm_unusual"] = True  # the baseline stands as stored: asked when it was set
        clean = await validate_worker(merged, existing=current)
        if "baseline_income_fen" in clean and clean["baseline_income_fen"] != current["baseline_income_fen"]:
            await _refuse_baseline_change(worker_id)
        await journal.update(Worker, worker_id, clean)
    return await get_worker(worker_id)


async def _refuse_baseline_change(worker_id: int) -> None:
    """The baseline moves uplift_over_baseline in every month the worker was paid: not in a
    signed-off one."""
    months = await MonthlyPay.select(MonthlyPay.month, MonthlyPay.placement.workshop.as_alias("workshop")).where(
        MonthlyPay.placement.worker == worker_id)
    await locks.refuse_locked({(m["workshop"], m["month"]) for m in months}, field="baseline_income",
                              remedy=locks.REOPEN_REMEDY)


async def delete_worker(worker_id: int) -> None:
    access.require(Role.admin, doing_zh="删除人员", doing_en="deleting a worker")
    async with write_transaction():
        await _worker_row(worker_id)
        await check_deletable(Worker, worker_id)
        await journal.delete(Worker, worker_id)


async def _worker_row(worker_id: int) -> dict[str, Any]:
    return await get_row(Worker, worker_id, "务工人员", "worker")


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {column._meta.name: row[column._meta.name] for column in WORKER_PUBLIC}


async def get_worker(worker_id: int) -> dict[str, Any]:
    row = await _worker_row(worker_id)
    if not await worker_visible(worker_id):
        raise hidden("务工人员", "worker", worker_id)
    return _public(row)


async def reveal_id_number(worker_id: int) -> dict[str, Any]:
    """The full ID number of one worker, for an auditor or admin who asks explicitly; the
    asking is journaled (action ``reveal``) in the same transaction as the read."""
    access.require(Role.auditor, Role.admin, doing_zh="查看完整身份证号", doing_en="revealing an ID number")
    async with write_transaction():
        row = await _worker_row(worker_id)
        await journal.append([journal.Change(Worker, worker_id, JournalAction.reveal, None, None)])
    return {"id": worker_id, "name": row["name"], "id_number": crypto.decrypt(row["id_cipher"])}


async def find_worker_by_id_number(id_number: str) -> dict[str, Any] | None:
    """Look a worker up by full ID number without decrypting anything."""
    return await Worker.select(*WORKER_PUBLIC).where(
        Worker.id_hash == crypto.identity_hash(id_number)).first()


async def list_workers(page: int = 1, page_size: int = 50, id_number: str | None = None,
                       village: str | None = None, workshop: int | None = None) -> Page:
    where: list[Any] = []
    scope = access.workshop_scope()
    if id_number:
        # A full ID number finds the person wherever they work: whoever types it has the
        # card in hand (an operator hiring someone already registered elsewhere).
        where.append(Worker.id_hash == crypto.identity_hash(id_number))
    elif scope is not None:
        where.append(Worker.id.is_in(Placement.select(Placement.worker).where(
            Placement.workshop.is_in(in_list(scope)))))
    if village:
        where.append(Worker.village == village)
    if workshop is not None:
        if scope is not None and workshop not in scope:
            where.append(Worker.id == -1)  # another workshop's people are not an operator's to list
        where.append(Worker.id.is_in(Placement.select(Placement.worker).where(Placement.workshop == workshop)))
    return await paginate(Worker, where, page, page_size, columns=WORKER_PUBLIC)


# --- low-income status ----------------------------------------------------------------------

def check_low_income_fields(data: dict[str, Any], checks: Collector) -> dict[str, Any]:
    """The field rules of one low-income status, with no database: shared by every write path
    (the API, the admin panel and the roster import, which finds workers a batch at a time)."""
    clean = {
        "category": checks.take(rules.check_choice("category", data.get("category"), LowIncomeCategory)),
        "valid_from": checks.take(rules.check_date("valid_from", data.get("valid_from"))),
        "valid_to": checks.take(rules.check_date("valid_to", data.get("valid_to"), optional=True)),
        "source_document": checks.take(
            rules.check_text("source_document", data.get("source_document"), max_length=200, optional=True)),
    }
    checks.add(rules.check_period_order("valid_to", clean["valid_from"], clean["valid_to"]))
    return clean


async def validate_low_income(data: dict[str, Any], existing_id: int | None = None) -> dict[str, Any]:
    checks = Collector()
    clean = check_low_income_fields(data, checks)
    worker = await reference_exists(Worker, data.get("worker"), "worker", "务工人员", "worker", checks)
    clean["worker"] = worker["id"] if worker else None
    checks.raise_if_any()
    await _own_worker(clean["worker"], "worker")
    return clean


async def create_low_income(data: dict[str, Any]) -> dict[str, Any]:
    _require_writer()
    async with write_transaction():
        clean = await validate_low_income(data)
        await locks.refuse_status_change(clean["worker"], None, _status_span(clean), "valid_from")
        row = await journal.insert(LowIncomeStatus, clean)
    return await get_low_income(row["id"])


async def update_low_income(status_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    _require_writer()
    async with write_transaction():
        current = await _low_income_row(status_id)
        await _own_worker(current["worker"], "worker")
        clean = await validate_low_income({**current, **changes}, existing_id=status_id)
        if clean["worker"] != current["worker"]:
            await locks.refuse_status_change(current["worker"], _status_span(current), None, "worker")
            await locks.refuse_status_change(clean["worker"], None, _status_span(clean), "worker")
        else:
            field = "valid_from" if clean["valid_from"] != current["valid_from"] else "valid_to"
            await locks.refuse_status_change(clean["worker"], _status_span(current), _status_span(clean), field)
        await journal.update(LowIncomeStatus, status_id, clean)
    return await get_low_income(status_id)


async def delete_low_income(status_id: int) -> None:
    _require_writer()
    async with write_transaction():
        current = await _low_income_row(status_id)
        await _own_worker(current["worker"], "worker")
        await locks.refuse_status_change(current["worker"], _status_span(current), None, "id")
        await journal.delete(LowIncomeStatus, status_id)


def _status_span(row: dict[str, Any]) -> locks.Span:
    return locks.span_of(row["valid_from"], row["valid_to"])


async def _low_income_row(status_id: int) -> dict[str, Any]:
    return await get_row(LowIncomeStatus, status_id, "低收入认定", "low-income status")


async def get_low_income(status_id: int) -> dict[str, Any]:
    row = await _low_income_row(status_id)
    if not await worker_visible(row["worker"]):
        raise hidden("低收入认定", "low-income status", status_id)
    return row


async def list_low_income(page: int = 1, page_size: int = 50, worker: int | None = None,
                          in_force_on=None) -> Page:
    where: list[Any] = []
    scope = access.workshop_scope()
    if scope is not None:
        where.append(LowIncomeStatus.worker.is_in(Placement.select(Placement.worker).where(
            Placement.workshop.is_in(in_list(scope)))))
    if worker is not None:
        where.append(LowIncomeStatus.worker == worker)
    if in_force_on is not None:
        where.append(LowIncomeStatus.valid_from <= in_force_on)
        where.append(LowIncomeStatus.valid_to.is_null() | (LowIncomeStatus.valid_to >= in_force_on))
    return await paginate(LowIncomeStatus, where, page, page_size)
