"""Sign-off and locks, and the adjustments that correct a locked month.

An auditor signs off a month, for every workshop (``workshop`` empty) or for one. From then
on no write path may create, change or delete that month's pay there: every path asks
``refuse_locked`` (one query for a whole batch) and gets a ``Locked`` error naming the
lock, who set it and when. A correction is an ``Adjustment``: a signed amount with a reason,
append-only, counted in every figure. Reopening is its own act, by an auditor with a reason;
it marks the lock reopened (who, when, why) and never deletes it, so the history stays.

A lock also records the journal's last sequence number when it was set: an anchor that
``journal.verify`` checks, so a journal cut short below a sign-off shows.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date
from typing import Any

from ledger import access
from ledger.core import rules
from ledger.core.enums import Role
from ledger.core.localtime import shown
from ledger.core.money import fen_to_yuan, money_str, to_money, yuan_to_fen
from ledger.core.problems import Problem
from ledger.db import TRANSACTION_STATE, write_transaction
from ledger.errors import Conflict, Locked, ValidationFailed
from ledger.services import journal
from ledger.services.common import Collector, Page, get_row, hidden, in_list, paginate, reference_exists, today
from ledger.tables import Adjustment, MonthLock, Placement, Workshop

_LOCK_COLUMNS = [MonthLock.all_columns(), MonthLock.workshop.code.as_alias("workshop_code")]


async def active_locks(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
    """Which of these (workshop id, month) pairs are locked, and by which lock: one query."""
    if not pairs:
        return {}
    months = {m for _, m in pairs if m}
    workshops = {w for w, _ in pairs if w}
    rows = await MonthLock.select(*_LOCK_COLUMNS).where(
        (MonthLock.reopened_at == "") & MonthLock.month.is_in(in_list(months, ""))
        & (MonthLock.workshop.is_null() | MonthLock.workshop.is_in(in_list(workshops, -1)))
    ).order_by(MonthLock.id)
    found: dict[tuple[int, str], dict[str, Any]] = {}
    for workshop, month in pairs:
        for lock in rows:
            if lock["month"] == month and lock["workshop"] in (None, workshop):
                found[(workshop, month)] = lock
                break
    return found


def first_lock_sql(workshop: str, month: str) -> str:
    """The test ``active_locks`` makes, as a scalar subquery another statement can carry along:
    the id of the first active lock on (``workshop``, ``month``) — both SQL expressions — or
    NULL. A caller that finds one hands the pair to ``refuse_locked``, which names the lock."""
    return (f"(SELECT l.id FROM month_lock l WHERE l.reopened_at = '' AND l.month = {month} "
            f"AND (l.workshop IS NULL OR l.workshop = {workshop}) ORDER BY l.id LIMIT 1)")


PAY_REMEDY = ("更正请记录调整", "record an adjustment to correct it")
REOPEN_REMEDY = ("如需更改，须由审核员先重新开放该月", "an auditor must reopen the month before this can change")


def lock_problem(lock: dict[str, Any], field: str = "month", remedy: tuple[str, str] = PAY_REMEDY) -> Problem:
    where_zh = f"工坊 {lock['workshop_code']}" if lock["workshop"] else "全部工坊"
    where_en = f"workshop {lock['workshop_code']}" if lock["workshop"] else "all workshops"
    return Problem(field, "month_locked",
                   f"{lock['month']} 已审核锁定（锁定 #{lock['id']}，{where_zh}，由 {lock['signed_by']} 于 "
                   f"{shown(lock['signed_at'])} 签发）；{remedy[0]}",
                   f"{lock['month']} is signed off (lock #{lock['id']}, {where_en}, by {lock['signed_by']} at "
                   f"{shown(lock['signed_at'], en=True)}); {remedy[1]}")


async def refuse_locked(pairs: set[tuple[int, str]], field: str = "month",
                        remedy: tuple[str, str] = PAY_REMEDY) -> None:
    """Raise ``Locked`` if any (workshop, month) pair is signed off."""
    locked = await active_locks(pairs)
    if locked:
        seen: dict[int, dict[str, Any]] = {lock["id"]: lock for lock in locked.values()}
        raise Locked([lock_problem(lock, field, remedy) for lock in seen.values()])


# --- employment facts in a signed-off month ------------------------------------------------------
#
# A signed-off month's figures are final, and pay is not all they count: hires and departures
# move workers_employed, low-income statuses move every _low_income figure, a baseline moves
# the uplift. Those are not corrected by adjustments (they are not money): changing them in a
# signed-off month needs the month reopened, a recorded act. A span is a record's months,
# first to last ("YYYY-MM"; last None = open-ended); a lock matters when the record covers its
# month before the change and not after, or the other way round.

Span = tuple[str, str | None]
_OPEN_END = "9999-12"


def span_of(first: date, last: date | None) -> Span:
    """The months a record covers, as strings a lock's month compares with (``covers`` is
    ``rules.months_overlap`` in that form, which the bisection needs)."""
    return f"{first:%Y-%m}", None if last is None else f"{last:%Y-%m}"


def covers(span: Span | None, month: str) -> bool:
    return span is not None and span[0] <= month <= (span[1] or _OPEN_END)


class LockIndex:
    """The active locks, loaded once (a batch asks many questions), by workshop and month."""

    def __init__(self, locks: list[dict[str, Any]]):
        ordered = sorted(locks, key=lambda lock: lock["month"])  # by month, for bisection
        self.every: list[dict[str, Any]] = [lock for lock in ordered if lock["workshop"] is None]
        self.by_workshop: dict[int, list[dict[str, Any]]] = {}
        for lock in ordered:
            if lock["workshop"] is not None:
                self.by_workshop.setdefault(lock["workshop"], []).append(lock)

    @classmethod
    async def load(cls) -> LockIndex:
        """The active locks; read once per write transaction (the demo's 2,300 hires and statuses,
        a batch), again only after the transaction itself signs off or reopens a month."""
        state = TRANSACTION_STATE.get()
        key = (journal.READ_CACHE, MonthLock._meta.tablename)
        if state is not None and key in state:
            return state[key]
        index = cls(await MonthLock.select(*_LOCK_COLUMNS).where(MonthLock.reopened_at == "").order_by(MonthLock.id))
        if state is not None:
            state[key] = index
        return index

    def __bool__(self) -> bool:
        return bool(self.every or self.by_workshop)

    def binding(self, workshop: int | None) -> list[dict[str, Any]]:
        """The locks on this workshop's figures (None: on any workshop's)."""
        if workshop is None:
            return self.every + [lock for locks in self.by_workshop.values() for lock in locks]
        return self.every + self.by_workshop.get(workshop, [])

    def changed(self, workshop: int, before: Span | None, after: Span | None) -> dict[str, Any] | None:
        """The first lock on this workshop whose month a record covered before and not after, or after
        and not before."""
        if before is None or after is None:  # a record made or removed: any lock inside its span (a bisection)
            span = after or before
            return span and (self._within(self.every, span) or self._within(self.by_workshop.get(workshop, []), span))
        return next((lock for lock in self.binding(workshop)
                     if covers(before, lock["month"]) != covers(after, lock["month"])), None)

    @staticmethod
    def _within(locks: list[dict[str, Any]], span: Span) -> dict[str, Any] | None:
        at = bisect_left(locks, span[0], key=lambda lock: lock["month"])
        return locks[at] if at < len(locks) and covers(span, locks[at]["month"]) else None


def refuse_employment_change(lock: dict[str, Any] | None, field: str) -> None:
    if lock is not None:
        raise Locked([lock_problem(lock, field, REOPEN_REMEDY)])


async def refuse_placement_change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """A placement created, changed or deleted (``before``/``after`` as rows, None for absent) must
    not add or remove its worker from a signed-off month of its workshop."""
    index = await LockIndex.load()
    if not index:
        return
    old = span_of(before["hired_on"], before["left_on"]) if before else None
    new = span_of(after["hired_on"], after["left_on"]) if after else None
    same_place = before and after and (before["worker"], before["workshop"]) == (after["worker"], after["workshop"])
    if same_place:
        assert after is not None
        field = "hired_on" if old and new and old[0] != new[0] else "left_on"
        refuse_employment_change(index.changed(after["workshop"], old, new), field)
        return
    if before:
        refuse_employment_change(index.changed(before["workshop"], old, None), "workshop" if after else "id")
    if after:
        refuse_employment_change(index.changed(after["workshop"], None, new), "hired_on" if not before else "workshop")


async def refuse_status_change(worker: int, before: Span | None, after: Span | None, field: str) -> None:
    """A low-income status created, changed or deleted must not change whether its worker counts as
    low-income in a signed-off month they were employed in (there, or anywhere for a lock on all)."""
    index = await LockIndex.load()
    if not any(covers(before, lock["month"]) != covers(after, lock["month"]) for lock in index.binding(None)):
        return
    placements = await Placement.select(Placement.workshop, Placement.hired_on, Placement.left_on).where(
        Placement.worker == worker)
    refuse_employment_change(status_change_lock(index, placements, before, after), field)


def status_change_lock(index: LockIndex, placements: list[dict[str, Any]], before: Span | None,
                       after: Span | None) -> dict[str, Any] | None:
    """The first lock a status change breaks: a signed-off month whose low-income answer it
    changes, in which the worker was employed (at the lock's workshop, or anywhere for a lock
    on all). ``placements``: the worker's (workshop, hired_on, left_on). The roster import
    asks this a batch at a time."""
    for lock in index.binding(None):
        if covers(before, lock["month"]) != covers(after, lock["month"]) and any(
                rules.months_overlap(lock["month"], p["hired_on"], p["left_on"])
                and lock["workshop"] in (None, p["workshop"]) for p in placements):
            return lock
    return None


# --- sign-off and reopening ---------------------------------------------------------------------

def _auditor(doing_zh: str, doing_en: str) -> access.Actor:
    return access.require(Role.auditor, doing_zh=doing_zh, doing_en=doing_en)


async def sign_off(month: Any, workshop: int | None = None, note: Any = None) -> dict[str, Any]:
    actor = _auditor("审核锁定月份", "signing off a month")
    checks = Collector()
    month_value = checks.take(rules.check_month("month", month, today()))
    note_value = checks.take(rules.check_text("note", note, max_length=300, optional=True))
    async with write_transaction():
        if workshop is not None:
            await reference_exists(Workshop, workshop, "workshop", "工坊", "workshop", checks)
        checks.raise_if_any()
        covering = MonthLock.workshop.is_null()
        if workshop is not None:
            covering = covering | (MonthLock.workshop == workshop)
        existing = await MonthLock.select(*_LOCK_COLUMNS).where(
            (MonthLock.reopened_at == "") & (MonthLock.month == month_value) & covering).first()
        if existing:
            raise Conflict([lock_problem(existing)], zh="该月份已锁定", en="this month is already signed off")
        seq, _ = await journal.head()
        row = await journal.insert(MonthLock, {
            "month": month_value, "workshop": workshop, "signed_by": actor.username,
            "signed_at": journal.now_iso(), "note": note_value or "", "journal_seq": seq})
        from ledger.services import seals  # seals read figures and claims, which read locks

        await seals.seal_lock(row)
    return await get_lock(row["id"])


async def reopen(lock_id: int, reason: Any) -> dict[str, Any]:
    actor = _auditor("撤销锁定", "reopening a month")
    checks = Collector()
    reason_value = checks.take(rules.check_text("reason", reason, max_length=300))
    checks.raise_if_any()
    async with write_transaction():
        lock = await get_lock(lock_id)
        if lock["reopened_at"]:
            raise Conflict([Problem("id", "already_reopened", f"锁定 #{lock_id} 已于 {shown(lock['reopened_at'])} 撤销",
                                    f"lock #{lock_id} was already reopened at {shown(lock['reopened_at'], en=True)}")])
        await journal.update(MonthLock, lock_id, {"reopened_by": actor.username, "reopened_at": journal.now_iso(),
                                                  "reopen_reason": reason_value})
    return await get_lock(lock_id)


async def get_lock(lock_id: int) -> dict[str, Any]:
    row = await get_row(MonthLock, lock_id, "锁定", "lock")
    if row["workshop"] is not None and not access.owns_workshop(row["workshop"]):
        raise hidden("锁定", "lock", lock_id)  # it names a workshop the operator may not see
    row = await MonthLock.select(*_LOCK_COLUMNS).where(MonthLock.id == row["id"]).first()
    assert row is not None
    return row


async def list_locks(page: int = 1, page_size: int = 50, month: str | None = None,
                     workshop: int | None = None, active: bool | None = None) -> Page:
    where: list[Any] = []
    scope = access.workshop_scope()
    if scope is not None:  # an operator sees the locks that bind their workshops
        where.append(MonthLock.workshop.is_null() | MonthLock.workshop.is_in(in_list(scope)))
    if month:
        where.append(MonthLock.month == month)
    if workshop is not None:
        where.append(MonthLock.workshop.is_null() | (MonthLock.workshop == workshop))
    if active is True:
        where.append(MonthLock.reopened_at == "")
    elif active is False:
        where.append(MonthLock.reopened_at != "")
    return await paginate(MonthLock, where, page, page_size, columns=_LOCK_COLUMNS)


# --- adjustments ---------------------------------------------------------------------------------

def adjustment_out(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "delta_fen"}
    out["delta"] = money_str(fen_to_yuan(row["delta_fen"]))
    return out


def _check_delta(value: Any) -> tuple[Any, list[Problem]]:
    """A signed amount of yuan, exact to the fen, not zero."""
    text = value.strip() if isinstance(value, str) else value
    negative = isinstance(text, str) and text.startswith("-")
    if negative:
        text = text[1:]
    elif isinstance(text, int) and not isinstance(text, bool) and text < 0:
        negative, text = True, -text
    amount, problems = rules.check_money("delta", text)
    if problems:
        return None, [Problem("delta", "money", "调整金额应为非零的元金额，可带负号，最多两位小数（如 -150.00）",
                              "delta must be a non-zero amount of yuan, optionally negative, at most 2 decimals "
                              "(e.g. -150.00)")]
    signed = to_money(-amount if negative else amount)
    if signed == 0:
        return None, [Problem("delta", "zero", "调整金额不能为零", "an adjustment cannot be zero")]
    return signed, []


async def validate_adjustment(data: dict[str, Any]) -> dict[str, Any]:
    actor = _auditor("记录调整", "recording an adjustment")
    checks = Collector()
    month = checks.take(rules.check_month("month", data.get("month"), today()))
    delta = checks.take(_check_delta(data.get("delta")))
    reason = checks.take(rules.check_text("reason", data.get("reason"), max_length=300))
    placement = await reference_exists(Placement, data.get("placement"), "placement", "用工记录", "placement", checks)
    if placement and month:
        if not rules.months_overlap(month, placement["hired_on"], placement["left_on"]):
            checks.add([Problem("month", "month_outside_placement", "该月份不在用工期间内（入职至离职）",
                                "the month is outside the placement (hired on to left on)")])
        elif not await active_locks({(placement["workshop"], month)}):
            checks.add([Problem("month", "not_locked", "该月份未锁定：请直接修改月收入记录，调整只用于已锁定的月份",
                                "the month is not signed off: edit the pay record; adjustments are for locked months")])
    checks.raise_if_any()
    return {"placement": placement["id"] if placement else None, "month": month, "delta_fen": yuan_to_fen(delta),
            "reason": reason, "created_by": actor.username, "created_at": journal.now_iso()}


async def create_adjustment(data: dict[str, Any]) -> dict[str, Any]:
    async with write_transaction():
        clean = await validate_adjustment(data)
        row = await journal.insert(Adjustment, clean)
    return adjustment_out(row)


async def get_adjustment(adjustment_id: int) -> dict[str, Any]:
    row = await get_row(Adjustment, adjustment_id, "调整", "adjustment")
    placement = await Placement.select(Placement.workshop).where(Placement.id == row["placement"]).first()
    if placement is None or not access.owns_workshop(placement["workshop"]):
        raise hidden("调整", "adjustment", adjustment_id)
    return adjustment_out(row)


async def list_adjustments(page: int = 1, page_size: int = 50, month: str | None = None,
                           placement: int | None = None, workshop: int | None = None) -> Page:
    where: list[Any] = []
    scope = access.workshop_scope()
    if scope is not None:
        where.append(Adjustment.placement.workshop.is_in(in_list(scope)))
    if month:
        where.append(Adjustment.month == month)
    if placement is not None:
        where.append(Adjustment.placement == placement)
    if workshop is not None:
        where.append(Adjustment.placement.workshop == workshop)
    result = await paginate(Adjustment, where, page, page_size)
    return Page([adjustment_out(r) for r in result.items], result.total, result.page, result.page_size)


def refuse_change() -> ValidationFailed:
    return ValidationFailed([Problem("id", "append_only", "调整记录只增不改：如需更正，请再记录一笔相反的调整",
                                     "adjustments are append-only: record a reversing adjustment instead")])
