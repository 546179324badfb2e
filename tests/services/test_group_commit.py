"""Group commit: units of work that meet share one transaction, each in its own savepoint.

What a caller is told stays true: a unit that returned is committed, a unit that failed left
nothing (its rows, its journal entries and its aggregate keys go with its savepoint), and the
units beside it neither see its failure nor lose their own writes. The journal stays one
dense chain in the order the units ran."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from dbfixtures import make_id, world
from test_concurrent_writes import dense_and_verified, pay, placements, pooled

from ledger import db as ledger_db
from ledger.db import engine, write_transaction
from ledger.errors import Conflict
from ledger.services import aggregates, employment, journal, people
from ledger.tables import AuditEntry, MonthlyPay, Worker, Workshop


async def transaction_id() -> Any:
    """Something that names the current transaction: PostgreSQL's transaction id; on SQLite
    Piccolo's transaction object (kept by the caller, so no two can share an address)."""
    if engine().engine_type == "postgres":
        return (await Workshop.raw("SELECT txid_current() AS id"))[0]["id"]
    return engine().current_transaction.get()  # type: ignore[attr-defined]


async def test_units_that_arrive_together_share_one_transaction_and_all_commit(db):
    ids = await placements(6)

    async def unit(placement: int) -> Any:
        async with write_transaction():
            answer = await employment.create_pay(pay(placement, "2023-02"))
            return answer["id"], await transaction_id()

    async with pooled():
        answers = await asyncio.gather(*[unit(p) for p in ids])
    assert len({id(txid) if not isinstance(txid, int) else txid for _, txid in answers}) == 1  # one BEGIN, one COMMIT for the six
    assert sorted(r["id"] for r in await MonthlyPay.select()) == sorted(row for row, _ in answers)
    await dense_and_verified()


async def test_a_unit_that_fails_after_writing_takes_its_rows_and_entries_along_and_leaves_the_others(db):
    ids = await placements(4)
    entries_before = await AuditEntry.count()

    async def failing() -> None:
        async with write_transaction():
            await people.create_worker({"name": "回滚", "id_number": make_id(90), "village": "花街村"})
            await employment.create_pay(pay(ids[0], "2023-03"))
            await Workshop.raw("SELECT * FROM no_such_table")  # the database refuses (PostgreSQL: transaction aborted)

    async with pooled():
        answers = await asyncio.gather(employment.create_pay(pay(ids[1], "2023-03")), failing(),
                                       *[employment.create_pay(pay(p, "2023-03")) for p in ids[2:]],
                                       return_exceptions=True)
    assert isinstance(answers[1], Exception) and not isinstance(answers[1], Conflict)
    stored = sorted(a["id"] for a in answers if isinstance(a, dict))
    assert len(stored) == 3
    assert sorted(r["id"] for r in await MonthlyPay.select()) == stored
    assert await Worker.count().where(Worker.name == "回滚") == 0
    assert await AuditEntry.count() == entries_before + 3
    await dense_and_verified()


async def test_a_refused_unit_between_two_others_leaves_the_chain_dense_and_the_next_unit_sees_the_first(db):
    [placement] = await placements(1)
    async with pooled():
        first, refused, third = await asyncio.gather(
            employment.create_pay(pay(placement, "2023-05")),
            employment.create_pay(pay(placement, "2023-05", "2900.00")),  # same month: the first one's row is seen
            employment.create_pay(pay(placement, "2023-06")), return_exceptions=True)
    assert isinstance(first, dict) and isinstance(third, dict)
    assert isinstance(refused, Conflict) and refused.problems[0].code == "duplicate_pay"
    seqs = {e["row_id"]: e["seq"] for e in await AuditEntry.select(AuditEntry.row_id, AuditEntry.seq).where(
        AuditEntry.table_name == "monthly_pay")}
    assert seqs[third["id"]] == seqs[first["id"]] + 1  # nothing of the refused unit in between
    await dense_and_verified()


async def test_more_units_than_a_group_takes_are_committed_in_several_transactions(db, monkeypatch):
    monkeypatch.setattr(ledger_db, "GROUP_LIMIT", 3)
    ids = await placements(8)

    async def unit(placement: int) -> Any:
        async with write_transaction():
            await employment.create_pay(pay(placement, "2023-07"))
            return await transaction_id()

    async with pooled():
        transactions = await asyncio.gather(*[unit(p) for p in ids])
    assert len({t if isinstance(t, int) else id(t) for t in transactions}) == 3  # 3 + 3 + 2
    assert await MonthlyPay.count() == len(ids)
    await dense_and_verified()


async def test_a_unit_cancelled_while_it_waits_for_its_turn_writes_nothing_and_the_others_commit(db):
    ids = await placements(3)
    async with pooled():
        tasks = [asyncio.ensure_future(employment.create_pay(pay(p, "2023-08"))) for p in ids]
        await asyncio.sleep(0)  # all three have joined the group; the first waits for BEGIN
        tasks[1].cancel()
        answers = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(answers[1], asyncio.CancelledError)
    assert sorted(r["placement"] for r in await MonthlyPay.select()) == sorted([ids[0], ids[2]])
    await dense_and_verified()


async def test_the_aggregates_of_a_group_equal_the_rows_and_a_figure_read_inside_a_unit_sees_the_units_before(db):
    ids = await placements(3)

    async def reader() -> int:
        async with write_transaction():
            await employment.create_pay(pay(ids[2], "2023-09"))
            await aggregates.ensure_fresh()  # what the units before it queued is flushed here, in the transaction
            rows = await Workshop.raw("SELECT SUM(total_fen) AS fen FROM figure_workshop_month WHERE month = '2023-09'")
            return int(rows[0]["fen"])

    async with pooled():
        answers = await asyncio.gather(employment.create_pay(pay(ids[0], "2023-09")),
                                       employment.create_pay(pay(ids[1], "2023-09")), reader())
    assert answers[2] == 3 * 280000
    assert await aggregates.check() == []


async def test_a_journal_head_read_inside_a_unit_counts_the_entries_the_units_before_it_chained(db):
    ids = await placements(2)

    async def head_after_write() -> tuple[int, str]:
        async with write_transaction():
            await employment.create_pay(pay(ids[1], "2023-10"))
            return await journal.head()

    async with pooled():
        _, (seq, digest) = await asyncio.gather(employment.create_pay(pay(ids[0], "2023-10")), head_after_write())
    last = await AuditEntry.select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq, ascending=False).first()
    assert (seq, digest) == (last["seq"], last["hash"])


@pytest.mark.parametrize("n", [1, 40])
async def test_a_large_unit_writes_its_entries_in_chunks_and_they_still_chain(db, n, monkeypatch):
    monkeypatch.setattr(journal, "_CHUNK", 7)
    await world()
    async with write_transaction():
        for i in range(n):
            await people.create_worker({"name": f"批量{i}", "id_number": make_id(100 + i), "village": "花街村"})
    assert await Worker.count() == n + 1
    await dense_and_verified()
