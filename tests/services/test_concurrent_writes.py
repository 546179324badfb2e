"""Writers meeting: pay logged by many requests at once keeps what the services check before
a write — one record per placement and month, no pay in a signed-off month — and leaves a
dense journal whose chain verifies and aggregates equal to the rows. On PostgreSQL the
writers run on a connection pool, as under the server, so they really do wait for each
other's turn; on SQLite each IMMEDIATE transaction waits for the one before."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from dbfixtures import actor, make_id, world

from ledger.db import engine, start_pool
from ledger.errors import Conflict, Locked
from ledger.services import aggregates, employment, journal, locks, people
from ledger.tables import AuditEntry, MonthlyPay


@asynccontextmanager
async def pooled() -> AsyncIterator[None]:
    """The server's way of reaching PostgreSQL (tests otherwise open a connection a query)."""
    db = engine()
    if db.engine_type != "postgres":
        yield
        return
    await start_pool(db, min_size=2, max_size=8)
    try:
        yield
    finally:
        await db.close_connection_pool()


async def placements(n: int) -> list[int]:
    """``n`` placements at one workshop since 2023-01-01, one worker each."""
    first = await world()
    ids = [first["placement"]["id"]]
    for i in range(2, n + 1):
        worker = await people.create_worker({"name": f"工人{i}", "id_number": make_id(i), "village": "花街村"})
        placement = await employment.create_placement({"worker": worker["id"], "workshop": first["workshop"]["id"],
                                                       "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
        ids.append(placement["id"])
    return ids


def pay(placement: int, month: str, amount: str = "2800.00") -> dict[str, Any]:
    return {"placement": placement, "month": month, "amount": amount, "days_worked": 20}


async def dense_and_verified() -> None:
    seqs = [e["seq"] for e in await AuditEntry.select(AuditEntry.seq).order_by(AuditEntry.seq)]
    assert seqs == list(range(1, len(seqs) + 1))
    verification = await journal.verify()
    assert verification.ok, [f.as_dict() for f in verification.findings]
    assert await aggregates.check() == []


async def test_pay_logged_by_many_writers_at_once_is_all_stored_journaled_in_a_dense_chain_and_summed(db):
    ids = await placements(4)
    months = [f"2023-{m:02d}" for m in range(1, 7)]
    async with pooled():
        answers = await asyncio.gather(*[employment.create_pay(pay(p, m)) for p in ids for m in months])
    stored = {r["id"]: employment.pay_out(r) for r in await MonthlyPay.select()}
    assert len(stored) == len(ids) * len(months)
    assert {a["id"]: a for a in answers} == stored  # each answer is the row as stored
    created = await AuditEntry.select(AuditEntry.row_id).where(
        (AuditEntry.table_name == "monthly_pay") & (AuditEntry.action == "create"))
    assert sorted(e["row_id"] for e in created) == sorted(stored)
    await dense_and_verified()


async def test_writers_logging_the_same_placement_and_month_at_once_store_one_record_and_the_rest_conflict(db):
    [placement] = await placements(1)
    async with pooled():
        answers = await asyncio.gather(*[employment.create_pay(pay(placement, "2023-03", f"{2800 + i}.00"))
                                         for i in range(5)], return_exceptions=True)
    created = [a for a in answers if isinstance(a, dict)]
    assert len(created) == 1
    assert all(isinstance(a, Conflict) and a.problems[0].code == "duplicate_pay" for a in answers if a not in created)
    assert [employment.pay_out(r) for r in await MonthlyPay.select()] == created
    await dense_and_verified()


async def test_a_month_signed_off_while_writers_wait_takes_the_pay_before_it_and_refuses_the_pay_after(db):
    ids = await placements(3)

    async def sign_off() -> dict[str, Any]:
        with actor("auditor"):
            return await locks.sign_off("2023-04")

    async with pooled():
        answers = await asyncio.gather(*[employment.create_pay(pay(p, "2023-04")) for p in ids[:2]], sign_off(),
                                       *[employment.create_pay(pay(p, "2023-04")) for p in ids[2:]],
                                       *[employment.create_pay(pay(p, "2023-05")) for p in ids],
                                       return_exceptions=True)
    lock = answers[2]
    assert isinstance(lock, dict), lock
    april = answers[:2] + answers[3:len(ids) + 1]
    stored = [a for a in april if isinstance(a, dict)]
    assert all(isinstance(a, Locked) for a in april if a not in stored)
    entries = {e["row_id"]: e["seq"] for e in await AuditEntry.select(AuditEntry.row_id, AuditEntry.seq).where(
        (AuditEntry.table_name == "monthly_pay") & (AuditEntry.action == "create"))}
    assert all(entries[a["id"]] <= lock["journal_seq"] for a in stored)  # every stored one came before the sign-off
    assert sorted(r["id"] for r in await MonthlyPay.select().where(MonthlyPay.month == "2023-04")) == \
        sorted(a["id"] for a in stored)
    assert len(await MonthlyPay.select().where(MonthlyPay.month == "2023-05")) == len(ids)  # other months go on
    await dense_and_verified()
