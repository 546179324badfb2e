"""Workers and their low-income status.

The ID number is the identity: one person is one worker however many workshops hire them.
It is stored encrypted with a keyed hash for uniqueness; rows carry only the masked form.
"""

from __future__ import annotations

from typing import Any

from ledger import crypto
from ledger.core import rules
from ledger.core.enums import LowIncomeCategory
from ledger.core.money import fen_str, yuan_to_fen
from ledger.core.problems import Problem
from ledger.db import write_transaction
from ledger.services.common import Collector, Page, get_row, paginate, reference_exists
from ledger.tables import LowIncomeStatus, Worker

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



async def create_worker(data: dict[str, Any]) -> dict[str, Any]:
    async with write_transaction():
        clean = await validate_worker(data)
        row = Worker(**clean)
        await row.save()
    return await get_worker(row.id)


async def update_worker(worker_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    async with write_transaction():
        current = await _worker_row(worker_id)
        merged = {**current, "baseline_income": fen_str(current["baseline_income_fen"]), **changes}
        clean = await validate_worker(merged, existing=current)
        await Worker.update(clean).where(Worker.id == worker_id)
    return await get_worker(worker_id)



async def _worker_row(worker_id: int) -> dict[str, Any]:
    return await get_row(Worker, worker_id, "务工人员", "worker")


async def get_worker(worker_id: int) -> dict[str, Any]:
    row = await _worker_row(worker_id)
    return {key: row[key] for key in ("id", "name", "id_number", "village", "phone", "baseline_income_fen")}


async def find_worker_by_id_number(id_number: str) -> dict[str, Any] | None:
    """Look a worker up by full ID number without decrypting anything."""
    return await Worker.select(*WORKER_PUBLIC).where(
        Worker.id_hash == crypto.identity_hash(id_number)).first()


async def list_workers(page: int = 1, page_size: int = 50, id_number: str | None = None,
                       village: str | None = None, workshop: int | None = None) -> Page:
    where: list[Any] = []
    if id_number:
        where.append(Worker.id_hash == crypto.identity_hash(id_number))
    if village:
        where.append(Worker.village == village)
    if workshop is not None:
        from ledger.tables import Placement

        where.append(Worker.id.is_in(Placement.select(Placement.worker).where(Placement.workshop == workshop)))
    return await paginate(Worker, where, page, page_size, columns=WORKER_PUBLIC)


# --- low-income status ----------------------------------------------------------------------

async def validate_low_income(data: dict[str, Any], existing_id: int | None = None) -> dict[str, Any]:
    checks = Collector()
    clean = {
        "category": checks.take(rules.check_choice("category", data.get("category"), LowIncomeCategory)),
        "valid_from": checks.take(rules.check_date("valid_from", data.get("valid_from"))),
        "valid_to": checks.take(rules.check_date("valid_to", data.get("valid_to"), optional=True)),
        "source_document": checks.take(
            rules.check_text("source_document", data.get("source_document"), max_length=200, optional=True)),
    }
    checks.add(rules.check_period_order("valid_to", clean["valid_from"], clean["valid_to"]))
    worker = await reference_exists(Worker, data.get("worker"), "worker", "务工人员", "worker", checks)
    clean["worker"] = worker["id"] if worker else None
    checks.raise_if_any()
    return clean


async def create_low_income(data: dict[str, Any]) -> dict[str, Any]:
    async with write_transaction():
        clean = await validate_low_income(data)
        row = LowIncomeStatus(**clean)
        await row.save()
    return await get_low_income(row.id)


async def update_low_income(status_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    async with write_transaction():
        current = await get_low_income(status_id)
        clean = await validate_low_income({**current, **changes}, existing_id=status_id)
        await LowIncomeStatus.update(clean).where(LowIncomeStatus.id == status_id)
    return await get_low_income(status_id)


async def get_low_income(status_id: int) -> dict[str, Any]:
    return await get_row(LowIncomeStatus, status_id, "低收入认定", "low-income status")


async def list_low_income(page: int = 1, page_size: int = 50, worker: int | None = None,
                          in_force_on=None) -> Page:
    where: list[Any] = []
    if worker is not None:
        where.append(LowIncomeStatus.worker == worker)
    if in_force_on is not None:
        where.append(LowIncomeStatus.valid_from <= in_force_on)
        where.append(LowIncomeStatus.valid_to.is_null() | (LowIncomeStatus.valid_to >= in_force_on))
    return await paginate(LowIncomeStatus, where, page, page_size)
