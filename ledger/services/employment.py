"""Placements (hires) and monthly pay: what operators log.

Rules (SPEC): two placements of one worker at one workshop never overlap; a pay record's
month lies inside its placement and is not in the future; at most one record per placement
and month — a second one is a conflict (409), never a silent overwrite.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import lru_cache
from typing import Any

from ledger import access, crypto
from ledger.core import rules
from ledger.core.enums import PayBasis, Role
from ledger.core.money import fen_to_yuan, money_str, yuan_to_fen
from ledger.core.problems import Problem
from ledger.db import Coalesced, fetch_in_unit, in_unit_of_work, is_sqlite, write_transaction
from ledger.errors import Forbidden, LedgerError, ValidationFailed
from ledger.services import journal
from ledger.services.common import (
    MAX_ID,
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
    reference_problems,
    same_money,
    today,
    unknown_reference,
)
from ledger.services.locks import first_lock_sql, refuse_locked, refuse_placement_change
from ledger.services.people import worker_visible
from ledger.tables import MonthlyPay, Placement, Worker, Workshop

WRITERS = (Role.operator, Role.admin)
"""Who logs hires and pay: operators (their workshops) and admins. Auditors only read."""


def _require_writer(doing_zh: str, doing_en: str) -> None:
    access.require(*WRITERS, doing_zh=doing_zh, doing_en=doing_en)


def _own(workshop_id: int | None, field: str) -> None:
    access.require_workshop(workshop_id, field)


# --- placements --------------------------------------------------------------------------

def placement_in_workshop(clean: dict[str, Any], workshop: dict[str, Any]) -> list[Problem]:
    """A placement lies within its workshop's opening and closing (README decision); the one
    home of this rule, for the API, the admin panel and the importer alike."""
    hired_on, left_on = clean["hired_on"], clean["left_on"]
    problems = []
    if hired_on and hired_on < workshop["opened_on"]:
        problems.append(Problem("hired_on", "before_opening", "入职日期早于工坊开办日期",
                                "hired before the workshop opened"))
    closed = workshop["closed_on"]
    if hired_on and closed and (left_on is None or left_on > closed):
        problems.append(Problem("left_on", "after_closing", "工坊已关闭，离职日期须不晚于关闭日期",
                                "the workshop closed; the placement must end by its closing date"))
    return problems


async def _may_hire(worker: dict[str, Any], id_number: Any) -> None:
    """An operator sees a worker once placed at one of their workshops; so to place someone
    they cannot see yet (registered elsewhere, or just now), they show the person's full ID
    number — as the import does — and a worker id alone is not enough to reach anyone."""
    if await worker_visible(worker["id"]):
        return
    if isinstance(id_number, str) and crypto.identity_hash(id_number) == worker["id_hash"]:
        return
    raise Forbidden([Problem("id_number", "identity_unproven",
                             "该人员尚未在您的工坊用工：请同时填写其完整身份证号以核对身份",
                             "this worker is not placed at your workshops yet: give their full ID number too")])


async def validate_placement(data: dict[str, Any], existing_id: int | None = None) -> dict[str, Any]:
    checks = Collector()
    clean: dict[str, Any] = {
        "hired_on": checks.take(rules.check_date("hired_on", data.get("hired_on"))),
        "left_on": checks.take(rules.check_date("left_on", data.get("left_on"), optional=True)),
        "pay_basis": checks.take(rules.check_choice("pay_basis", data.get("pay_basis"), PayBasis)),
    }
    checks.add(rules.check_period_order("left_on", clean["hired_on"], clean["left_on"]))
    worker = await reference_exists(Worker, data.get("worker"), "worker", "务工人员", "worker", checks)
    workshop = await reference_exists(Workshop, data.get("workshop"), "workshop", "工坊", "workshop", checks)
    clean["worker"] = worker["id"] if worker else None
    clean["workshop"] = workshop["id"] if workshop else None
    if workshop:
        _own(workshop["id"], "workshop")
    if worker and existing_id is None:
        await _may_hire(worker, data.get("id_number"))
    hired_on, left_on = clean["hired_on"], clean["left_on"]
    if workshop:
        checks.add(placement_in_workshop(clean, workshop))
    if worker and workshop and hired_on and (left_on is None or left_on >= hired_on):
        overlapping = Placement.exists().where(
            (Placement.worker == worker["id"]) & (Placement.workshop == workshop["id"])
            & (Placement.left_on.is_null() | (Placement.left_on >= hired_on)))
        if left_on is not None:
            overlapping = overlapping.where(Placement.hired_on <= left_on)
        if existing_id is not None:
            overlapping = overlapping.where(Placement.id != existing_id)
        if await overlapping:
            checks.conflict(Problem("hired_on", "overlapping_placement",
                                    "该人员在该工坊已有与此期间重叠的用工记录",
                                    "this worker already has a placement at this workshop overlapping this period"))
    if existing_id is not None and hired_on:
        months = await MonthlyPay.select(MonthlyPay.month).where(MonthlyPay.placement == existing_id)
        if any(not rules.months_overlap(m["month"], hired_on, left_on) for m in months):
            checks.add([Problem("left_on", "pay_outside", "已有月收入记录落在新的用工期间之外",
                                "existing monthly pay would fall outside the changed placement")])
    checks.raise_if_any()
    return clean


async def create_placement(data: dict[str, Any]) -> dict[str, Any]:
    _require_writer("登记用工", "recording hires")
    async with write_transaction():
        clean = await validate_placement(data)
        await refuse_placement_change(None, clean)
        row = await journal.insert(Placement, clean)
    return await get_placement(row["id"])


async def _placement_to_change(placement_id: int, doing_zh: str, doing_en: str) -> dict[str, Any]:
    _require_writer(doing_zh, doing_en)
    current = await get_row(Placement, placement_id, "用工记录", "placement")
    if not access.owns_workshop(current["workshop"]):
        raise Forbidden([Problem("id", "other_workshop", "该用工记录属于其他工坊，不能修改",
                                 "this placement belongs to another workshop; you cannot change it")])
    return current


async def update_placement(placement_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    async with write_transaction():
        current = await _placement_to_change(placement_id, "修改用工", "changing hires")
        clean = await validate_placement({**current, **changes}, existing_id=placement_id)
        if (clean["worker"], clean["workshop"]) != (current["worker"], current["workshop"]):
            # Moving a placement moves its pay between people or workshops: not in a locked month.
            months = await MonthlyPay.select(MonthlyPay.month).where(MonthlyPay.placement == placement_id)
            await refuse_locked({(w, m["month"]) for m in months for w in (current["workshop"], clean["workshop"])},
                                field="workshop")
        await refuse_placement_change(current, clean)
        await journal.update(Placement, placement_id, clean)
    return await get_placement(placement_id)


async def delete_placement(placement_id: int) -> None:
    async with write_transaction():
        current = await _placement_to_change(placement_id, "删除用工", "deleting hires")
        await check_deletable(Placement, placement_id)
        await refuse_placement_change(current, None)
        await journal.delete(Placement, placement_id)


async def get_placement(placement_id: int) -> dict[str, Any]:
    row = await get_row(Placement, placement_id, "用工记录", "placement")
    if not access.owns_workshop(row["workshop"]):
        raise hidden("用工记录", "placement", placement_id)
    return row


async def list_placements(page: int = 1, page_size: int = 50, workshop: int | None = None,
                          worker: int | None = None, active_on: date | None = None) -> Page:
    where: list[Any] = []
    scope = access.workshop_scope()
    if scope is not None:
        where.append(Placement.workshop.is_in(in_list(scope)))
    if workshop is not None:
        where.append(Placement.workshop == workshop)
    if worker is not None:
        where.append(Placement.worker == worker)
    if active_on is not None:
        where.append(Placement.hired_on <= active_on)
        where.append(Placement.left_on.is_null() | (Placement.left_on >= active_on))
    return await paginate(Placement, where, page, page_size)


MAX_PIECES = 100_000_000

# --- monthly pay ---------------------------------------------------------------------------

def pay_out(row: dict[str, Any]) -> dict[str, Any]:
    """A pay row as the outside world sees it: yuan as a decimal string."""
    out = {key: value for key, value in row.items() if key != "amount_fen"}
    out["amount"] = money_str(fen_to_yuan(row["amount_fen"]))
    return out


def check_pay_fields(data: dict[str, Any], checks: Collector) -> dict[str, Any]:
    """The field rules of one pay record, with no database: shared by every write path."""
    month = checks.take(rules.check_month("month", data.get("month"), today()))
    amount = checks.take(rules.check_money("amount", data.get("amount")))
    checks.add(rules.check_plausible_monthly_amount("amount", amount, plausible_month(), confirmed=confirmed(data)))
    checks.add(rules.check_days_worked("days_worked", data.get("days_worked"), month))
    hours, hour_problems = rules.check_money("hours", data.get("hours"), optional=True)
    limit = 24 * rules.days_in_month(month) if month else 744
    if hour_problems or (hours is not None and hours > limit):
        hours = None
        checks.add([Problem("hours", "hours", f"工时应为 0 到 {limit} 之间的数，最多两位小数",
                            f"hours must be a number from 0 to {limit} with at most 2 decimals")])
    pieces = data.get("pieces")
    if pieces is not None and (isinstance(pieces, bool) or not isinstance(pieces, int)
                               or not 0 <= pieces <= MAX_PIECES):
        checks.add([Problem("pieces", "pieces", f"计件数应为 0 到 {MAX_PIECES} 的整数",
                            f"pieces must be a whole number from 0 to {MAX_PIECES}")])
    return {
        "month": month,
        "amount_fen": None if amount is None else yuan_to_fen(amount),
        "days_worked": data.get("days_worked"),
        "hours": hours,
        "pieces": pieces,
    }


def check_month_in_placement(clean: dict[str, Any], placement: dict[str, Any], field: str = "month"
                             ) -> list[Problem]:
    if clean["month"] and not rules.months_overlap(clean["month"], placement["hired_on"], placement["left_on"]):
        return [Problem(field, "month_outside_placement", "该月份不在用工期间内（入职至离职）",
                        "the month is outside the placement (hired on to left on)")]
    return []


PAY_FACTS = f"""SELECT p.id, p.worker, p.workshop, p.hired_on, p.left_on,
        EXISTS (SELECT 1 FROM monthly_pay m WHERE m.placement = p.id AND m.month = {{}} AND m.id <> {{}}
                LIMIT 1 OFFSET 0) AS duplicate,
        {first_lock_sql("p.workshop", "{}")} AS lock_id,
        {journal.HEAD_COLUMNS}
    FROM placement p WHERE p.id = {{}}"""
"""Everything a pay record is checked against, in one statement: its placement, whether that
placement already has pay in the month (another record than the one being changed), the
first active lock on the placement's workshop and month — and the journal's head, which the
append that follows needs (inside the writers' turn these are one round trip, not five).

The duplicate test is an ``EXISTS … LIMIT 1 OFFSET 0`` (SQLite takes no OFFSET without a
LIMIT): an index probe per record. Without the OFFSET the planner may turn it into a hashed
subplan (``(placement, month) = ANY (SELECT … FROM monthly_pay)``), which reads every pay
record at every write. It chooses that when the statement is planned on a small table, and
the pay path keeps its plans (generic, once per connection): on a new installation every
write then read all of ``monthly_pay``, more with each write, until autoanalyze made the
plans again (measured: the pay path's read of its facts went from 0.6 to 2.9 ms for 8
records over 15,000 writes)."""


async def _pay_facts(placement_id: int, month: str, existing_id: int | None) -> dict[str, Any] | None:
    rows = await MonthlyPay.raw(PAY_FACTS, month, existing_id or 0, month, placement_id)
    return rows[0] if rows else None


PAY_FACTS_MANY = f"""SELECT k.n AS n, p.id, p.worker, p.workshop, p.hired_on, p.left_on,
        EXISTS (SELECT 1 FROM monthly_pay m WHERE m.placement = p.id AND m.month = k.month LIMIT 1 OFFSET 0) AS duplicate,
        {first_lock_sql("p.workshop", "k.month")} AS lock_id,
        {journal.HEAD_COLUMNS}
    FROM ({{keys}}) k JOIN placement p ON p.id = k.placement"""
"""``PAY_FACTS`` for many new records at once; ``keys`` is a UNION ALL of
``SELECT n, placement, month`` rows (n: the record's place in its batch). Its existence tests
are probes by key (``LIMIT 1 OFFSET 0``), as ``PAY_FACTS`` says why."""


_KEY = "SELECT CAST({} AS INTEGER) AS n, CAST({} AS INTEGER) AS placement, CAST({} AS VARCHAR(7)) AS month"


async def _pay_facts_many(keys: list[tuple[int, int, str]]) -> dict[int, dict[str, Any]]:
    if not keys:
        return {}
    sql = PAY_FACTS_MANY.format(keys=" UNION ALL ".join([_KEY] * len(keys)))
    return {row["n"]: row for row in await MonthlyPay.raw(sql, *[value for key in keys for value in key])}


def _placement_id(data: dict[str, Any], checks: Collector) -> int | None:
    """The record's placement id if it is one (the problem recorded if not)."""
    placement_id = data.get("placement")
    reference = reference_problems(placement_id, "placement")
    checks.add(reference)
    return None if reference else placement_id


async def _checked_pay(data: dict[str, Any], checks: Collector, clean: dict[str, Any], placement_id: int | None,
                       placement: dict[str, Any] | None) -> dict[str, Any]:
    """The rest of a pay record's checks, against its facts (``PAY_FACTS``; None: no such
    placement): raises with every problem, or returns the clean record."""
    if placement_id is not None and placement is None:
        checks.add([unknown_reference("placement", placement_id, "用工记录", "placement")])
    clean["placement"] = placement["id"] if placement else None
    if placement:
        _own(placement["workshop"], "placement")
        checks.add(check_month_in_placement(clean, placement))
        if clean["month"] and placement["duplicate"]:
            checks.conflict(Problem("month", "duplicate_pay", "该用工记录在该月已有收入记录（如需更正请修改原记录）",
                                    "this placement already has pay for this month (edit that record instead)"))
    checks.raise_if_any()
    assert placement is not None
    if placement["lock_id"] is not None:
        await refuse_locked({(placement["workshop"], clean["month"])})  # names the lock and who signed it
    journal.keep_head(placement)
    return clean


async def validate_pay(data: dict[str, Any], existing_id: int | None = None) -> dict[str, Any]:
    checks = Collector()
    clean = check_pay_fields(data, checks)
    placement_id = _placement_id(data, checks)
    placement = None
    if placement_id is not None and 1 <= placement_id <= MAX_ID:
        placement = await _pay_facts(placement_id, clean["month"] or "", existing_id)
    return await _checked_pay(data, checks, clean, placement_id, placement)


async def create_pay(data: dict[str, Any]) -> dict[str, Any]:
    """Log one month's pay for one placement. Records logged at the same time by several
    callers are checked and written together (``Coalesced``): each caller gets its own answer
    or its own error, exactly as if the records had been written one after another in the
    order they came."""
    _require_writer("登记月收入", "logging pay")
    if in_unit_of_work():  # part of the caller's own unit of work
        return await _create_pay_alone((data, access.current(), None))
    return await _PAY_WRITES((data, access.current(), _fields_checked(data)))


_Fields = tuple[Collector, dict[str, Any], int | None]
"""A record's field checks, made before it queues (``_fields_checked``): the problems found so
far, the clean fields, the placement id if it is one."""


def _fields_checked(data: dict[str, Any]) -> _Fields:
    """The checks that need no database, made by the caller before its record queues, so they
    are not made inside the writers' turn. A record with problems still goes on to the turn:
    its facts' problems (an unknown placement, a locked month) are named with them."""
    checks = Collector()
    clean = check_pay_fields(data, checks)
    return checks, clean, _placement_id(data, checks)


async def _create_pay_alone(item: tuple[dict[str, Any], access.Actor, _Fields | None]) -> dict[str, Any]:
    data, actor, _ = item
    with access.acting_as(actor):
        async with write_transaction(generic_plans=True):  # reads by key only (PAY_FACTS)
            clean = await validate_pay(data)
            row = await journal.insert(MonthlyPay, clean)
        return pay_out(row)  # as stored (RETURNING); validate_pay checked the actor owns its workshop


async def _create_pays(items: list[tuple[dict[str, Any], access.Actor, _Fields]]) -> list[Any]:
    """The records of many callers, in one unit of work: one read of their facts, each
    checked as its caller (a record that repeats an earlier one's placement and month is a
    duplicate of it), one INSERT of the good ones, each journaled as its caller. The field
    checks were made before the records queued (``_fields_checked``).

    On PostgreSQL the INSERT goes in the statement that reads the facts
    (``_facts_inserting``): every record whose fields passed is inserted there, hoping its
    checks pass too (they almost always do), and one that turns out not to is deleted again
    before the unit ends. The checks stay here, in one place; the statement only saves the
    writers' turn a round trip."""
    outcomes: list[Any] = [None] * len(items)
    keys = [(n, placement_id, clean["month"] or "")
            for n, (_, _, (_, clean, placement_id)) in enumerate(items)
            if placement_id is not None and 1 <= placement_id <= MAX_ID]
    hoped: dict[int, dict[str, Any]] = {}  # n: the row inserted in hope, as stored
    if is_sqlite():
        facts = await _pay_facts_many(keys)
    else:
        facts, hoped = await _facts_inserting(items, keys)
    taken: set[tuple[int, str]] = set()
    good: list[tuple[int, dict[str, Any], access.Actor]] = []
    for n, (data, actor, (checks, clean, placement_id)) in enumerate(items):
        placement = facts.get(n)
        if placement is not None and (placement["id"], clean["month"]) in taken:
            placement = {**placement, "duplicate": True}  # the earlier record in this batch has the month
        try:
            with access.acting_as(actor):
                clean = await _checked_pay(data, checks, clean, placement_id, placement)
        except LedgerError as error:
            outcomes[n] = error
            continue
        taken.add((clean["placement"], clean["month"]))
        good.append((n, clean, actor))
    failed = {n for n, outcome in enumerate(outcomes) if outcome is not None}
    refused = [row["id"] for n, row in hoped.items() if n in failed]
    if refused:  # inserted in hope, then refused by its checks: it never was
        await MonthlyPay.raw("DELETE FROM monthly_pay WHERE id = ANY({})", refused)
    if is_sqlite():
        rows = await journal.insert_many(MonthlyPay, [clean for _, clean, _ in good],
                                         actors=[actor for _, _, actor in good]) if good else []
    else:
        if any(n not in hoped for n, _, _ in good):  # cannot be: then the unit fails, and each record runs alone
            raise RuntimeError("a pay record that passed its checks was not inserted with its facts")
        rows = [hoped[n] for n, _, _ in good]
        await journal.record_inserted(MonthlyPay, rows, actors=[actor for _, _, actor in good])
    for (n, _, _), row in zip(good, rows, strict=True):
        outcomes[n] = pay_out(row)
    return outcomes


@lru_cache(maxsize=1024)
def _facts_inserting_sql(keys: int, rows: int) -> str:
    """``PAY_FACTS_MANY`` for ``keys`` records, with an INSERT of ``rows`` of them in the same
    statement. The INSERT skips a row whose placement does not exist or that repeats a
    stored record (``ON CONFLICT DO NOTHING``: the facts say why), so it cannot fail for
    them; the facts are read as they were before it (one snapshot for the whole statement).
    Each fact row carries the row inserted for its record, if one was (``new_*``). Built
    once per size: building it was a tenth of the writers' turn in Python."""
    typed = journal.insert_column_types(MonthlyPay)
    names = journal.insert_column_names(MonthlyPay)
    one_row = ", ".join(["CAST({} AS INTEGER) AS n", *(f"CAST({{}} AS {kind}) AS {name}" for name, kind in typed)])
    returning = ", ".join(f"{c} AS new_{c}" for c in ["id", *names])
    return f"""WITH k AS ({" UNION ALL ".join([_KEY] * keys)}),
        r AS ({" UNION ALL ".join([f"SELECT {one_row}"] * rows)}),
        inserted AS (INSERT INTO monthly_pay ({", ".join(names)})
            SELECT {", ".join(f"r.{c}" for c in names)} FROM r
            WHERE EXISTS (SELECT 1 FROM placement p WHERE p.id = r.placement LIMIT 1 OFFSET 0) ORDER BY r.n
            ON CONFLICT (placement, month) DO NOTHING
            RETURNING {returning}),
        facts AS ({PAY_FACTS_MANY.format(keys="SELECT n, placement, month FROM k")})
        SELECT f.*, i.* FROM facts f
        LEFT JOIN r ON r.n = f.n
        LEFT JOIN inserted i ON i.new_placement = r.placement AND i.new_month = r.month"""


async def _facts_inserting(items: list[tuple[dict[str, Any], access.Actor, _Fields]],
                           keys: list[tuple[int, int, str]]) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """The facts of ``keys`` (as ``_pay_facts_many``), and the rows inserted in hope, by the
    record's place in its batch: every record whose fields passed, the first of its
    placement and month in the batch."""
    if not keys:
        return {}, {}
    seen: set[tuple[int, str]] = set()
    hopeful = []
    for n, placement_id, month in keys:
        checks, clean, _ = items[n][2]
        if checks.problems or checks.conflicts or (placement_id, month) in seen:
            continue
        seen.add((placement_id, month))
        hopeful.append((n, journal.insert_args(MonthlyPay, {**clean, "placement": placement_id})))
    if not hopeful:
        return await _pay_facts_many(keys), {}
    args = [value for key in keys for value in key] + [value for n, row in hopeful for value in (n, *row)]
    facts: dict[int, dict[str, Any]] = {}
    hoped: dict[int, dict[str, Any]] = {}
    for row in await fetch_in_unit(_facts_inserting_sql(len(keys), len(hopeful)), *args):
        new = {key[4:]: row.pop(key) for key in list(row) if key.startswith("new_")}
        facts[row["n"]] = row
        if new["id"] is not None:
            hoped[row["n"]] = new
    return facts, hoped


_PAY_WRITES = Coalesced(_create_pays, _create_pay_alone, generic_plans=True)
"""The hottest write path. Its reads go by key (a placement, its month, the journal's head), so
their plans do not depend on the values: generic plans, made once per connection."""


async def _pay_to_change(pay_id: int, doing_zh: str, doing_en: str) -> dict[str, Any]:
    """The stored record, if the actor may change it and its month is not locked."""
    _require_writer(doing_zh, doing_en)
    current = await get_row(MonthlyPay, pay_id, "月收入记录", "monthly pay record")
    placement = await Placement.select(Placement.workshop).where(Placement.id == current["placement"]).first()
    assert placement is not None
    if not access.owns_workshop(placement["workshop"]):
        raise Forbidden([Problem("id", "other_workshop", "该收入记录属于其他工坊，不能修改",
                                 "this pay record belongs to another workshop; you cannot change it")])
    await refuse_locked({(placement["workshop"], current["month"])})
    return current


async def update_pay(pay_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    async with write_transaction():
        current = pay_out(await _pay_to_change(pay_id, "修改月收入", "changing pay"))
        merged = {**current, **changes}
        if same_money(merged.get("amount"), current["amount"]):
            merged["confirm_unusual"] = True  # the amount stands as stored: asked when it was set
        clean = await validate_pay(merged, existing_id=pay_id)
        await journal.update(MonthlyPay, pay_id, clean)
    return await get_pay(pay_id)


async def delete_pay(pay_id: int) -> None:
    async with write_transaction():
        await _pay_to_change(pay_id, "删除月收入", "deleting pay")
        await journal.delete(MonthlyPay, pay_id)


async def get_pay(pay_id: int) -> dict[str, Any]:
    row = await get_row(MonthlyPay, pay_id, "月收入记录", "monthly pay record")
    placement = await Placement.select(Placement.workshop).where(Placement.id == row["placement"]).first()
    if placement is None or not access.owns_workshop(placement["workshop"]):
        raise hidden("月收入记录", "monthly pay record", pay_id)
    return pay_out(row)


async def list_pay(page: int = 1, page_size: int = 50, workshop: int | None = None,
                   month: str | None = None, worker: int | None = None,
                   placement: int | None = None) -> Page:
    where: list[Any] = []
    scope = access.workshop_scope()
    if scope is not None:
        where.append(MonthlyPay.placement.workshop.is_in(in_list(scope)))
    if workshop is not None:
        where.append(MonthlyPay.placement.workshop == workshop)
    if worker is not None:
        where.append(MonthlyPay.placement.worker == worker)
    if placement is not None:
        where.append(MonthlyPay.placement == placement)
    if month:
        where.append(MonthlyPay.month == month)
    page_ = await paginate(MonthlyPay, where, page, page_size)
    return Page([pay_out(r) for r in page_.items], page_.total, page_.page, page_.page_size)


async def create_pay_batch(month: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Log one month's pay for many placements atomically: every item or none.

    Look-ups are one query per batch (placements, existing records), the write is one
    bulk insert. Problems carry their item's index: ``items[3].amount``.
    """
    _require_writer("登记月收入", "logging pay")
    checks = Collector()
    month_value = checks.take(rules.check_month("month", month, today()))
    if not items:
        checks.add([Problem("items", "required", "至少需要一条记录", "at least one item is required")])
    placement_ids = {i.get("placement") for i in items if isinstance(i.get("placement"), int)}
    async with write_transaction():
        placements = {p["id"]: p for p in await Placement.select().where(
            Placement.id.is_in(list(placement_ids) or [-1]))}
        access.require_workshops({p["workshop"] for p in placements.values()}, "items")
        existing = set()
        if month_value:
            existing = {r["placement"] for r in await MonthlyPay.select(MonthlyPay.placement).where(
                MonthlyPay.placement.is_in(list(placement_ids) or [-1]) & (MonthlyPay.month == month_value))}
        seen = Counter(i.get("placement") for i in items)
        rows = []
        for index, item in enumerate(items):
            prefix = f"items[{index}]."
            item_checks = Collector()
            clean = check_pay_fields({**item, "month": month_value or "2000-01"}, item_checks)
            clean["month"] = month_value
            pid = item.get("placement")
            placement = placements.get(pid) if isinstance(pid, int) else None
            if placement is None:
                item_checks.add([Problem("placement", "unknown_reference", f"用工记录不存在（id={pid}）",
                                         f"no placement with id {pid}")])
            else:
                item_checks.add(check_month_in_placement(clean, placement, field="placement"))
                if pid in existing:
                    item_checks.conflict(Problem("placement", "duplicate_pay", "该用工记录在该月已有收入记录",
                                                 "this placement already has pay for this month"))
                if seen[pid] > 1:
                    item_checks.add([Problem("placement", "duplicate_in_batch", "同一用工记录在本批中出现多次",
                                             "the same placement appears more than once in this batch")])
            checks.add(p.prefixed(prefix) for p in item_checks.problems)
            for conflict in item_checks.conflicts:
                checks.conflict(conflict.prefixed(prefix))
            clean["placement"] = pid
            rows.append(clean)
        checks.raise_if_any()
        await refuse_locked({(placements[i["placement"]]["workshop"], month_value) for i in items})
        created = await journal.insert_many(MonthlyPay, rows)
    return [pay_out(r) for r in created]


def require_items(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise ValidationFailed([Problem("items", "type", "应为列表", "must be a list")])
    return items
