"""The database engine and the one way to open a write transaction.

Writers take turns. SQLite write transactions are IMMEDIATE: the default DEFERRED ones
fail with "database is locked" when two writers meet. On PostgreSQL the transaction
starts by taking one advisory transaction lock, the same one for every writer: the audit
journal's sequence stays dense (the next number is read inside the turn) and checks made
before a write (uniqueness, locks) still hold when it commits. Readers are never blocked.

Read-only figure work may run on a streaming replica (``LEDGER_READ_DATABASE_URL``):
``read_raw`` sends a statement there unless it runs inside a transaction on the primary
(a dry run or a sign-off reads its own writes) or inside ``primary_reads()``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from ledger.settings import get_settings


def make_engine() -> Engine:
    settings = get_settings()
    url = settings.database_url
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=30)
    parsed = urlparse(url)
    if parsed.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"LEDGER_DATABASE_URL: unsupported scheme {parsed.scheme!r}")
    return _postgres_engine(url)


def _postgres_engine(url: str, *, read_only: bool = False) -> PostgresEngine:
    # Custom plans always: a figure's scope is a LIKE on a region prefix whose selectivity is
    # everything (region:33) or one county; the generic plan a prepared statement switches to
    # after five runs cannot know which, and picked a plan 20x slower for the province.
    # No JIT: a figure's statement is short and planned afresh each time, and compiling it
    # cost 170 ms of a county's 460 ms at province scale.
    server_settings = {"plan_cache_mode": "force_custom_plan", "jit": "off"}
    if read_only:  # the read engine never writes, even when pointed at a primary by mistake
        server_settings["default_transaction_read_only"] = "on"
    return PostgresEngine(config={"dsn": url, "server_settings": server_settings})


def engine() -> Engine:
    from ledger.tables import Workshop

    return Workshop._meta.db


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


_READ_ENGINES: dict[str, PostgresEngine] = {}


def read_engine() -> Engine:
    """The engine of the read-only figure work: the replica named by
    ``LEDGER_READ_DATABASE_URL``, or the primary when it is empty."""
    url = get_settings().read_database_url
    if not url:
        return engine()
    if url not in _READ_ENGINES:
        _READ_ENGINES[url] = _postgres_engine(url, read_only=True)
    return _READ_ENGINES[url]


PRIMARY_READS: ContextVar[bool] = ContextVar("ledger_primary_reads", default=False)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads inside this block go to the primary even with a replica configured: for work
    that flushes and then compares (``ledger figures --check``), which must read what it
    flushed, not what the replica has replayed so far."""
    token = PRIMARY_READS.set(True)
    try:
        yield
    finally:
        PRIMARY_READS.reset(token)


def reading_engine() -> Engine:
    """Where a read-only statement runs now: the primary inside any transaction on it (a dry
    run previewing figures, a sign-off sealing them, the aggregates' flush: each reads its own
    writes) and inside ``primary_reads()``; else the read engine."""
    primary = engine()
    if PRIMARY_READS.get() or primary.transaction_exists():
        return primary
    return read_engine()


async def read_raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    """One read-only statement (``{}`` placeholders, as ``Table.raw``) on ``reading_engine()``."""
    from ledger.tables import Workshop

    db = reading_engine()
    if db is engine():
        return await Workshop.raw(sql, *args)
    return [dict(row) for row in await db.run_querystring(QueryString(sql, *args))]


WRITER_LOCK = 0x4C454447  # "LEDG": the advisory lock all writers share on PostgreSQL


TRANSACTION_STATE: ContextVar[dict[str, Any] | None] = ContextVar("ledger_write_transaction", default=None)
"""Scratch space of the current write transaction (the journal keeps its head here), gone
with the transaction whether it commits or rolls back."""


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction for a unit of work that writes; the service layer owns it.

    Nested use joins the outer transaction (Piccolo's default)."""
    from ledger.tables import Workshop

    db = engine()
    if TRANSACTION_STATE.get() is not None and db.transaction_exists():
        yield  # joins the outer one
        return
    from ledger.services.aggregates import flush

    token = TRANSACTION_STATE.set({})
    try:
        if isinstance(db, SQLiteEngine):
            async with db.transaction(transaction_type=TransactionType.immediate):
                yield
                await flush()  # the figures' aggregates commit with the rows they sum
            return
        async with db.transaction():
            await Workshop.raw("SELECT pg_advisory_xact_lock({})", WRITER_LOCK)
            yield
            await flush()
    finally:
        TRANSACTION_STATE.reset(token)
