"""Figures read from a real streaming replica (``LEDGER_READ_DATABASE_URL``).

``.ci/run`` starts a PostgreSQL 15 replica of the test server (``.ci/replica.sh``) and gives
its URL, for the same database, in ``LEDGER_TEST_REPLICA_URL``; without it these tests skip.
Writes go through the services to the primary; the tests wait until the replica has replayed
them (primary's ``pg_current_wal_lsn`` against the replica's ``pg_last_wal_replay_lsn``).
Pausing the replica's replay makes it stale on purpose: a figure read there then misses the
latest write, which proves where the read went; a read that must see its own writes (a dry
run, a sign-off, ``figures --check``) still sees them.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import asyncpg
import pytest
from dbfixtures import actor, make_id, world, xlsx
from piccolo.querystring import QueryString

from ledger.core.metrics import Period, Scope
from ledger.db import engine, primary_reads, read_engine, read_raw, write_transaction
from ledger.importer import ImportOptions, run_import
from ledger.services import aggregates, drilldown, employment, figures, locks
from ledger.settings import get_settings
from ledger.tables import MonthlyPay, Seal, Workshop

REPLICA_URL = os.environ.get("LEDGER_TEST_REPLICA_URL", "")
PRIMARY_URL = os.environ.get("LEDGER_TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not (REPLICA_URL and PRIMARY_URL.startswith("postgres")),
    reason="no streaming replica: LEDGER_TEST_REPLICA_URL (with a PostgreSQL LEDGER_TEST_DATABASE_URL) "
           "names one; .ci/run starts one for the PostgreSQL pass")

ALL_2023 = (Scope.parse("all"), Period.parse("2023"))


@pytest.fixture
async def replica(db) -> AsyncIterator[None]:
    """The ledger configured with the replica as its read database, for this test."""
    assert urlsplit(REPLICA_URL).path == urlsplit(PRIMARY_URL).path, \
        "LEDGER_TEST_REPLICA_URL must name the test database on the replica"
    os.environ["LEDGER_READ_DATABASE_URL"] = REPLICA_URL
    get_settings.cache_clear()
    try:
        assert read_engine() is not engine()
        yield
    finally:
        await _replica_sql("SELECT pg_wal_replay_resume()")  # whatever the test did
        del os.environ["LEDGER_READ_DATABASE_URL"]
        get_settings.cache_clear()


async def _replica_sql(sql: str, *args) -> list[dict]:
    """A statement on the replica itself, whatever the routing says."""
    return [dict(r) for r in await read_engine().run_querystring(QueryString(sql, *args))]


async def replayed() -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = (await Workshop.raw("SELECT pg_current_wal_lsn()::text AS lsn"))[0]["lsn"]
    for _ in range(6000):  # generous: a loaded machine may lag; this is not a timing assertion
        row = (await _replica_sql("SELECT pg_last_wal_replay_lsn() >= CAST({} AS text)::pg_lsn AS done", target))[0]
        if row["done"]:
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"the replica did not replay up to {target}")


@asynccontextmanager
async def replay_paused() -> AsyncIterator[None]:
    await _replica_sql("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        await _replica_sql("SELECT pg_wal_replay_resume()")


async def pay(placement: int, month: str, amount: str) -> None:
    await employment.create_pay({"placement": placement, "month": month, "amount": amount, "days_worked": 20})


async def compute(scope: Scope = ALL_2023[0], period: Period = ALL_2023[1]) -> dict:
    return (await figures.compute(scope, period)).as_dict()


async def test_figures_read_from_the_replica_equal_the_primary_and_lag_only_by_its_replay(replica):
    w = await world()
    placement = w["placement"]["id"]
    for month, amount in (("2023-01", "2800.00"), ("2023-02", "3100.50")):
        await pay(placement, month, amount)
    await replayed()

    # Routing: outside a transaction the read engine is the replica, inside one the primary.
    assert (await read_raw("SELECT pg_is_in_recovery() AS r"))[0]["r"] is True
    async with write_transaction():
        assert (await read_raw("SELECT pg_is_in_recovery() AS r"))[0]["r"] is False
    with primary_reads():
        assert (await read_raw("SELECT pg_is_in_recovery() AS r"))[0]["r"] is False
        from_primary = await compute()
    from_replica = await compute()
    assert from_replica == from_primary
    assert str(from_replica["total_pay"]) == "5900.50" and from_replica["person_months"] == 2

    async with replay_paused():
        await pay(placement, "2023-03", "1000.00")
        with primary_reads():
            moved = await compute()
            on_primary = await drilldown.rows_behind(*ALL_2023, "total_pay", 1, 50)
        stale = await compute()
        on_replica = await drilldown.rows_behind(*ALL_2023, "total_pay", 1, 50)
    assert str(moved["total_pay"]) == "6900.50"
    assert stale == from_primary  # the replica had not replayed the March pay: the read went there
    assert (on_primary.total, on_replica.total) == (3, 2)
    assert len(on_primary.items) == 3 and len(on_replica.items) == 2

    await replayed()
    assert await compute() == moved  # caught up


async def test_a_dry_run_previews_its_own_writes_and_a_sign_off_seals_them_with_the_replica_set(
        replica, tmp_path):
    w = await world()
    await pay(w["placement"]["id"], "2023-03", "2800.00")
    await replayed()
    roster = xlsx(tmp_path / "roster.xlsx", [["身份证号", "姓名", "类别", "认定日期", "退出日期"],
                                             [make_id(1), "张三", "低保", "2023-01-01", None]])
    async with replay_paused():
        preview = await run_import(roster, ImportOptions(dry_run=True))
        [delta] = [d.as_dict() for d in preview.figures]
        # read inside the import's transaction, from the primary: its own uncommitted status counts
        assert delta["before"]["total_pay_low_income"] == "0.00"
        assert delta["after"]["total_pay_low_income"] == "2800.00"

        await pay(w["placement"]["id"], "2023-04", "1500.00")  # not replayed: the replica is paused
        with actor("auditor"):
            lock = await locks.sign_off("2023-04")
        sealed = await Seal.select(Seal.document).where(Seal.lock == lock["id"]).first()
        figures_sealed = json.loads(sealed["document"])["payload"]["figures"]["figures"]
        # computed inside the sign-off's transaction, from the primary: the April pay is in
        assert {f["metric"]: f["value"] for f in figures_sealed}["total_pay"] == "1500.00"
        stale = await compute(Scope.parse("all"), Period.parse("2023-04"))
    assert str(stale["total_pay"]) == "0.00"  # the replica, paused, had not seen April


async def test_figures_check_reads_the_primary_it_flushed(replica):
    w = await world()
    # A write behind the services' back: queued, flushed by the next reader on the primary.
    await MonthlyPay(placement=w["placement"]["id"], month="2023-05", amount_fen=123456, days_worked=1).save()
    assert await aggregates.pending() > 0
    await replayed()  # the replica has the row and the queue, not yet the flush
    async with replay_paused():
        report = await aggregates.check_all("all", "2023")
        assert report["ok"], report
        assert await aggregates.pending() == 0
        # Without primary_reads() the same comparison would mix an unflushed replica's
        # aggregates with its rows: that is what the check must not do.
        kept = await compute()
        rows = (await figures.compute(*ALL_2023, from_rows=True)).as_dict()
    assert str(rows["total_pay"]) == "1234.56" and str(kept["total_pay"]) == "0.00"
    await replayed()
    assert str((await compute())["total_pay"]) == "1234.56"


async def test_the_replica_is_read_only_and_writes_still_go_to_the_primary(replica):
    with pytest.raises(asyncpg.exceptions.ReadOnlySQLTransactionError):
        await _replica_sql("CREATE TABLE replica_probe (x int)")
    w = await world()
    await pay(w["placement"]["id"], "2023-06", "1000.00")  # through the services, with the replica set
    assert await MonthlyPay.count() == 1
    await replayed()
    assert (await _replica_sql("SELECT COUNT(*) AS n FROM monthly_pay"))[0]["n"] == 1
