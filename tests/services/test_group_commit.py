"""Group commit: units of work that meet share one transaction, each in its own savepoint.

What a caller is told stays true: a unit that returned is committed, a unit that failed left
nothing (its rows, its journal entries and its aggregate keys go with its savepoint), and the
units beside it neither see its failure nor lose their own writes. The journal stays one
dense chain in the order the units ran."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from dbfixtures import actor, make_id, world
from test_concurrent_writes import dense_and_verified, pay, placements, pooled

from ledger import db as ledger_db
from ledger.db import engine, write_transaction
from ledger.errors import Conflict, Forbidden, LedgerError, ValidationFailed
from ledger.services import aggregates, employment, journal, people
from ledger.tables import AuditEntry, MonthlyPay, Placement, Worker, Workshop


async def transaction_id() -> Any:
    """Something that names the current transaction: PostgreSQL's transaction id; on SQLite
    Piccolo's transaction object (kept by the caller, so no two can share an address)."""
    if engine().engine_type == "postgres":
        return (await Workshop.raw("SELECT txid_current() AS id"))[0]["id"]
    return engine().current_transaction.get()  # type: ignore[attr-defined]


async def own_unit(record: dict[str, Any]) -> dict[str, Any]:
    """A pay record logged as a unit of work of its own (not coalesced with others')."""
    async with write_transaction():
        return await employment.create_pay(record)


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
        answers = await asyncio.gather(own_unit(pay(ids[0], "2023-09")), own_unit(pay(ids[1], "2023-09")), reader())
    assert answers[2] == 3 * 280000
    assert await aggregates.check() == []


async def test_a_journal_head_read_inside_a_unit_counts_the_entries_the_units_before_it_chained(db):
    ids = await placements(2)

    async def head_after_write() -> tuple[int, str]:
        async with write_transaction():
            await employment.create_pay(pay(ids[1], "2023-10"))
            return await journal.head()

    async with pooled():
        _, (seq, digest) = await asyncio.gather(own_unit(pay(ids[0], "2023-10")), head_after_write())
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


# --- pay records of many callers, written together (ledger.db.Coalesced) ------------------------

async def test_pay_from_several_operators_at_once_is_written_in_one_transaction_each_entry_naming_its_caller(db):
    ids = await placements(4)
    workshop = (await Placement.select(Placement.workshop).first())["workshop"]
    seen_transactions = []
    run_many = employment._PAY_WRITES.run_many

    async def watching(items):  # type: ignore[no-untyped-def]
        seen_transactions.append(await transaction_id())
        return await run_many(items)

    async def as_operator(name: str, record: dict[str, Any]) -> dict[str, Any]:
        with actor("operator", workshop, username=name):
            return await employment.create_pay(record)

    employment._PAY_WRITES.run_many = watching
    try:
        async with pooled():
            answers = await asyncio.gather(*[as_operator(f"op-{i}", pay(p, "2023-11")) for i, p in enumerate(ids)])
    finally:
        employment._PAY_WRITES.run_many = run_many
    assert len(seen_transactions) == 1
    entries = {e["row_id"]: e["username"] for e in await AuditEntry.select(AuditEntry.row_id, AuditEntry.username)
               .where(AuditEntry.table_name == "monthly_pay")}
    assert entries == {a["id"]: f"op-{i}" for i, a in enumerate(answers)}
    await dense_and_verified()


async def test_in_a_batch_each_caller_gets_its_own_answer_and_errors_do_not_stop_the_others(db):
    ids = await placements(3)
    async with pooled():
        answers = await asyncio.gather(
            employment.create_pay(pay(ids[0], "2023-11")),
            employment.create_pay({"placement": ids[1], "month": "2023-13", "amount": "-1", "days_worked": 40}),
            employment.create_pay(pay(123456, "2023-11")),
            employment.create_pay(pay(ids[2], "2022-11")),  # before the placement
            employment.create_pay(pay(ids[1], "2023-11")),
            return_exceptions=True)
    good, bad_fields, unknown, outside, also_good = answers
    assert isinstance(good, dict) and isinstance(also_good, dict)
    assert isinstance(bad_fields, ValidationFailed)
    assert {p.field for p in bad_fields.problems} == {"month", "amount", "days_worked"}
    assert isinstance(unknown, ValidationFailed) and unknown.problems[0].code == "unknown_reference"
    assert isinstance(outside, ValidationFailed) and outside.problems[0].code == "month_outside_placement"
    assert sorted(r["id"] for r in await MonthlyPay.select()) == sorted([good["id"], also_good["id"]])
    await dense_and_verified()


async def test_records_a_batch_refuses_leave_no_row_entry_or_aggregate_behind_and_the_good_ones_are_as_stored(db):
    """On PostgreSQL the batch inserts every record whose fields passed in the statement that
    reads their facts, and deletes the ones their checks then refuse; on SQLite it inserts
    only the good ones. Either way what the callers are told is what the tables hold."""
    from ledger.services import locks

    ids = await placements(4)
    stored = await employment.create_pay(pay(ids[3], "2023-02"))
    with actor("auditor"):
        await locks.sign_off("2023-05")
    async with pooled():
        answers = await asyncio.gather(
            employment.create_pay(pay(ids[0], "2023-03", "1000.00")),
            employment.create_pay(pay(ids[0], "2023-03", "2000.00")),  # the same month again in the batch
            employment.create_pay(pay(ids[3], "2023-02")),  # already stored
            employment.create_pay(pay(ids[1], "2023-05")),  # signed off
            employment.create_pay(pay(ids[2], "2022-12")),  # before the placement
            employment.create_pay(pay(ids[2], "2023-03", "3000.00")),
            return_exceptions=True)
    first, again, repeated, locked, outside, last = answers
    assert isinstance(again, Conflict) and isinstance(repeated, Conflict)
    assert isinstance(locked, LedgerError) and locked.problems[0].code == "month_locked"
    assert isinstance(outside, ValidationFailed)
    rows = {r["id"]: employment.pay_out(r) for r in await MonthlyPay.select()}
    assert rows == {stored["id"]: stored, first["id"]: first, last["id"]: last}
    assert (first["amount"], last["amount"]) == ("1000.00", "3000.00")
    logged = [e["row_id"] for e in await AuditEntry.select(AuditEntry.row_id)
              .where(AuditEntry.table_name == "monthly_pay").order_by(AuditEntry.seq)]
    assert logged == [stored["id"], first["id"], last["id"]]
    await dense_and_verified()  # the aggregates too: the refused records' keys were recomputed to nothing


async def test_an_operator_in_a_batch_cannot_log_pay_at_another_operators_workshop(db):
    ids = await placements(2)
    workshop = (await Placement.select(Placement.workshop).first())["workshop"]

    async def as_operator(workshops: tuple[int, ...], record: dict[str, Any]) -> dict[str, Any]:
        with actor("operator", *workshops, username=f"op-{workshops}"):
            return await employment.create_pay(record)

    async with pooled():
        allowed, refused = await asyncio.gather(as_operator((workshop,), pay(ids[0], "2023-12")),
                                                as_operator((workshop + 1,), pay(ids[1], "2023-12")),
                                                return_exceptions=True)
    assert isinstance(allowed, dict) and isinstance(refused, Forbidden)
    assert [r["id"] for r in await MonthlyPay.select()] == [allowed["id"]]


async def test_when_a_batch_fails_as_a_whole_each_record_is_written_alone_and_only_once(db, monkeypatch):
    ids = await placements(3)
    run_many = employment._PAY_WRITES.run_many
    calls = []

    async def failing_after_writing(items):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        await run_many(items)  # written ...
        await Workshop.raw("SELECT * FROM no_such_table")  # ... then the database refuses: all rolled back

    monkeypatch.setattr(employment._PAY_WRITES, "run_many", failing_after_writing)
    async with pooled():
        answers = await asyncio.gather(*[employment.create_pay(pay(p, "2023-04")) for p in ids])
    assert calls == [3]
    assert sorted(r["id"] for r in await MonthlyPay.select()) == sorted(a["id"] for a in answers)
    assert await MonthlyPay.count() == 3
    await dense_and_verified()


@pytest.mark.skipif(engine().engine_type != "postgres", reason="the one-message commit is PostgreSQL's")
async def test_a_connection_lost_as_the_commit_went_out_tells_each_caller_so_and_runs_nothing_again(db, monkeypatch):
    """The connection breaks after PostgreSQL committed the batch but before the answer came
    back. Run alone again, each record would meet itself as a duplicate and its caller would
    hear 409 for a write that was saved: each caller hears instead that the outcome is unknown
    (503), nothing runs again, and the records are there, once."""
    import asyncpg
    from asyncpg.exceptions import ConnectionDoesNotExistError

    from ledger.errors import CommitOutcomeUnknown

    ids = await placements(3)
    execute = asyncpg.Connection.execute
    broken = []

    async def lost_after_commit(self, query, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = await execute(self, query, *args, **kwargs)
        if isinstance(query, str) and query.rstrip().endswith("COMMIT") and not broken:
            broken.append(query)
            self.terminate()
            raise ConnectionDoesNotExistError("connection was closed in the middle of operation")
        return result

    run_one = employment._PAY_WRITES.run_one
    alone = []

    async def counted(item):  # type: ignore[no-untyped-def]
        alone.append(item)
        return await run_one(item)

    monkeypatch.setattr(employment._PAY_WRITES, "run_one", counted)
    monkeypatch.setattr(asyncpg.Connection, "execute", lost_after_commit)
    async with pooled():
        answers = await asyncio.gather(*[employment.create_pay(pay(p, "2023-04")) for p in ids],
                                       return_exceptions=True)
    monkeypatch.setattr(asyncpg.Connection, "execute", execute)
    assert len(broken) == 1 and alone == []
    assert all(isinstance(a, CommitOutcomeUnknown) and a.status_code == 503 for a in answers), answers
    assert "请先查看该记录" in answers[0].message and "look the record up" in answers[0].message
    assert sorted(r["placement"] for r in await MonthlyPay.select()) == sorted(ids)
    await dense_and_verified()


async def test_the_first_unit_of_a_group_failing_after_writing_leaves_the_units_after_it(db):
    ids = await placements(3)

    async def unit(placement: int, fail: bool) -> Any:
        async with write_transaction():
            await employment.create_pay(pay(placement, "2023-04"))
            if fail:
                await Workshop.raw("SELECT * FROM no_such_table")
            return await transaction_id()

    async with pooled():
        answers = await asyncio.gather(unit(ids[0], True), unit(ids[1], False), unit(ids[2], False),
                                       return_exceptions=True)
    assert isinstance(answers[0], Exception)
    assert answers[1] == answers[2]  # one transaction, whose first unit rolled back to its savepoint
    assert sorted(r["placement"] for r in await MonthlyPay.select()) == sorted(ids[1:])
    await dense_and_verified()


@pytest.mark.skipif(engine().engine_type != "postgres", reason="the flush function is PostgreSQL's")
async def test_a_turn_that_finds_no_flush_function_creates_it_and_its_units_commit(db):
    ids = await placements(2)
    name = aggregates.flush_function_name()
    await Workshop.raw(f"DROP FUNCTION {name}()")
    async with pooled():
        answers = await asyncio.gather(*[own_unit(pay(p, "2023-05")) for p in ids])
    assert all("id" in a for a in answers)
    assert (await Workshop.raw("SELECT to_regproc({}) IS NOT NULL AS here", name))[0]["here"]
    await dense_and_verified()


@pytest.mark.skipif(engine().engine_type != "postgres", reason="the one-message commit is PostgreSQL's")
async def test_only_pay_entries_are_written_into_the_commit_message_never_a_workers(db, monkeypatch):
    """A failed statement is logged by PostgreSQL with its text: a worker's name and masked ID
    number go as parameters, never in it. Pay entries alone do go in it (ids, a month, amounts)."""
    import asyncpg

    ids = await placements(2)
    sent: list[str] = []
    execute = asyncpg.Connection.execute

    def recording(self, sql, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(sql, str):
            sent.append(sql)
        return execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "execute", recording)
    async with pooled():
        await asyncio.gather(own_unit(pay(ids[0], "2023-06")), own_unit(pay(ids[1], "2023-06")))
        pay_commits = [text for text in sent if text.rstrip().endswith("COMMIT") and "audit_entry" in text]
        assert pay_commits and "monthly_pay" in pay_commits[-1] and "280000" in pay_commits[-1]
        sent.clear()
        async with write_transaction():
            await people.create_worker({"name": "保密的名字", "id_number": make_id(77), "village": "花街村"})
    assert sent and not any("保密的名字" in text or make_id(77)[-4:] + '"' in text for text in sent)
    await dense_and_verified()


@pytest.mark.skipif(engine().engine_type != "postgres", reason="the one-message begin is PostgreSQL's")
async def test_a_turn_whose_begin_fails_hands_its_connection_back_to_the_pool(db):
    import asyncpg

    from ledger.db import WRITER_LOCK, start_pool

    ids = await placements(2)
    # one connection, which a leak would lose; a server that gives up waiting for a lock
    await start_pool(engine(), min_size=1, max_size=1, server_settings={"lock_timeout": "200ms"})
    holder = await asyncpg.connect(engine().config["dsn"])
    try:
        await holder.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITER_LOCK})")  # another process's turn
        with pytest.raises(asyncpg.exceptions.LockNotAvailableError):  # the begin fails; its connection lives on
            await own_unit(pay(ids[0], "2023-05"))
        assert engine().pool.get_idle_size() == 1  # and is back in the pool
        await holder.execute("ROLLBACK")
        answer = await own_unit(pay(ids[1], "2023-05"))
    finally:
        await holder.close()
        engine().pool.terminate()  # not close(), which would wait for ever for a connection a failure kept
        engine().pool = None
    assert "id" in answer
    assert [r["placement"] for r in await MonthlyPay.select()] == [ids[1]]
    await dense_and_verified()


async def _plans() -> tuple[str, str, int]:
    row = (await Workshop.raw("SELECT current_setting('plan_cache_mode') AS mode, "
                              "current_setting('enable_seqscan') AS seqscan, txid_current() AS xid"))[0]
    return row["mode"], row["seqscan"], row["xid"]


@pytest.mark.skipif(engine().engine_type != "postgres", reason="plan_cache_mode is PostgreSQL's")
@pytest.mark.parametrize("first_generic", [False, True])
async def test_each_unit_of_a_group_plans_as_it_asked_whatever_the_unit_before_it_did(db, first_generic):
    await world()

    async def unit(generic: bool, fail: bool = False) -> tuple[str, str, int]:
        async with write_transaction(generic_plans=generic):
            seen = await _plans()
            if fail:
                raise ValueError("this unit rolls back to its savepoint")
            return seen

    asked = [first_generic, not first_generic, True, False, True, False]
    async with pooled():
        seen = await asyncio.gather(unit(asked[0]), unit(asked[1]), unit(True, fail=True), unit(False),
                                    unit(True), unit(False), return_exceptions=True)
    assert isinstance(seen[2], ValueError)
    kept = [(generic, s) for generic, s in zip(asked, seen, strict=True) if not isinstance(s, BaseException)]
    assert len({s[2] for _, s in kept}) == 1  # one transaction
    for generic, (mode, seqscan, _) in kept:
        # a figure read in a unit beside pay writes (a sign-off, a dry run) plans for its values
        assert (mode, seqscan) == (("force_generic_plan", "off") if generic else ("force_custom_plan", "on"))


@pytest.mark.skipif(engine().engine_type != "postgres", reason="plan_cache_mode is PostgreSQL's")
async def test_the_pay_path_reads_its_facts_with_a_generic_plan_made_once_per_connection(db):
    from ledger.db import start_pool

    ids = await placements(3)
    await start_pool(engine(), min_size=1, max_size=1)  # every write and the look below on one connection
    try:
        for n, placement in enumerate(ids):
            assert "id" in await employment.create_pay(pay(placement, f"2023-0{n + 1}"))
        assert (await _plans())[:2] == ("force_custom_plan", "on")  # outside the writes, as configured
        [facts] = await Workshop.raw("SELECT SUM(generic_plans) AS generic, SUM(custom_plans) AS custom "
                                     "FROM pg_prepared_statements WHERE statement LIKE {}", "WITH k AS (%")
    finally:
        await engine().close_connection_pool()
    assert (facts["generic"], facts["custom"]) == (3, 0)
    await dense_and_verified()


async def _kept_plan(sql: str, keys: list[tuple[int, str]]) -> str:
    """The plan the pay path keeps for ``sql`` (``keys`` read, as many inserted), made as a
    writer's connection makes it: generic, no sequential scans, on the tables as they are."""
    import asyncpg

    values = [v for n, (placement, month) in enumerate(keys) for v in (n, placement, f"'{month}'")]
    values += [v for n, (placement, month) in enumerate(keys) for v in (n, placement, f"'{month}'", 280000, 20,
                                                                      "NULL", "NULL")]
    connection = await asyncpg.connect(engine().config["dsn"])
    try:
        # as a new installation's tables are until autovacuum first visits them: never
        # vacuumed nor analyzed, which the planner takes for ten pages (rolled back below)
        await connection.execute("BEGIN; UPDATE pg_class SET relpages = 0, reltuples = -1 "
                                 "WHERE oid = 'monthly_pay'::regclass")
        await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off")
        await connection.execute(f"PREPARE facts AS {ledger_db._numbered(sql)}")
        rows = await connection.fetch(f"EXPLAIN EXECUTE facts({', '.join(map(str, values))})")
        await connection.execute("ROLLBACK")
    finally:
        await connection.close()
    return "\n".join(row[0] for row in rows)


@pytest.mark.skipif(engine().engine_type != "postgres", reason="generic plans are PostgreSQL's")
async def test_the_plan_the_pay_path_keeps_probes_pay_by_key_however_small_the_table_was(db):
    # Planned on a small table, an EXISTS made of equalities became a hashed subplan over all
    # of monthly_pay: a plan the pay path then kept while the table grew, every write reading
    # every record.
    ids = await placements(8)
    await employment.create_pay_batch("2023-01", [{"placement": p, "amount": "2800.00", "days_worked": 20}
                                                  for p in ids])
    plan = await _kept_plan(employment._facts_inserting_sql(8, 8), [(p, "2023-11") for p in ids])
    assert "hashed SubPlan" not in plan, plan
    probes = [line for line in plan.splitlines() if "Scan" in line and "on monthly_pay" in line]
    assert probes and all("Index" in line for line in probes), plan
