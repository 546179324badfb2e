"""The database engine and the one way to open a write transaction.

Writers take turns. SQLite write transactions are IMMEDIATE: the default DEFERRED ones
fail with "database is locked" when two writers meet. On PostgreSQL the transaction
starts by taking one advisory transaction lock, the same one for every writer: the audit
journal's sequence stays dense (the next number is read inside the turn) and checks made
before a write (uniqueness, locks) still hold when it commits. Readers are never blocked.

A turn is paid per transaction (its COMMIT's WAL flush, the aggregates' flush), so the
units of work that meet in a process share one (group commit, ``write_transaction``):
each in its own savepoint, one after another on one connection, committed together.

Read-only figure work may run on a streaming replica (``LEDGER_READ_DATABASE_URL``):
``read_raw`` sends a statement there unless it runs inside a transaction on the primary
(a dry run or a sign-off reads its own writes) or inside ``primary_reads()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from ledger.errors import CommitOutcomeUnknown
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


async def _keep_session(connection: Any) -> None:
    """The pool's reset, which runs when a connection goes back: nothing. asyncpg's default
    sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` every time, a
    round trip per request, to undo session state the ledger never makes (its advisory lock
    is a transaction's, its settings are the connection's own). An open transaction is still
    rolled back by asyncpg before this runs."""


async def start_pool(db: PostgresEngine, **options: Any) -> None:
    """Open the engine's connection pool, as the server, the CLI and the benches use it."""
    await db.start_connection_pool(reset=_keep_session, **options)


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


@lru_cache(maxsize=1024)
def _numbered(sql: str) -> str:
    """``{}`` placeholders (as ``Table.raw`` takes them) as PostgreSQL's ``$1``, ``$2``, …"""
    parts = sql.split("{}")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], start=1)) + parts[-1]


async def fetch_in_unit(sql: str, *args: Any) -> list[dict[str, Any]]:
    """One statement (``{}`` placeholders) on the connection of the current unit of work's
    PostgreSQL transaction, handed to asyncpg as it is: for the pay path's statement in the
    writers' turn, where Piccolo's building of the query around it was a fifth of the
    turn's Python. The values must be what asyncpg sends as they are (integers, text,
    None); the statement's own casts type them."""
    transaction = engine().current_transaction.get()  # type: ignore[attr-defined]
    if transaction is None:
        raise RuntimeError("fetch_in_unit runs inside write_transaction() on PostgreSQL")
    return [dict(row) for row in await transaction.connection.fetch(_numbered(sql), *args)]


WRITER_LOCK = 0x4C454447  # "LEDG": the advisory lock all writers share on PostgreSQL


TRANSACTION_STATE: ContextVar[dict[str, Any] | None] = ContextVar("ledger_write_transaction", default=None)
"""Scratch space of the current unit of work (what it read and may read again), gone with the
unit whether it commits or rolls back."""

TRANSACTION_SHARED: ContextVar[dict[str, Any] | None] = ContextVar("ledger_shared_transaction", default=None)
"""Scratch space of the whole transaction, which the units sharing it hand on to each other
(the journal's head and the entries it has yet to write). A unit rolled back to its
savepoint leaves it as it found it (a shallow copy: lists are copied)."""

_COMMITTED = 0
"""Group transactions this process has committed (``committed_groups``)."""


def committed_groups() -> int:
    """How many group transactions this process has committed so far: what the aggregates'
    queue sweeper (``aggregates.QueueSweeper``) watches to know that writes happened."""
    return _COMMITTED


GROUP_LIMIT = 32
"""Units of work one shared transaction takes at most. Each runs in a savepoint, and
PostgreSQL keeps 64 subtransactions of a transaction in shared memory; beyond that every
reader's snapshot pays. It also bounds how long the first unit waits for the commit."""


@dataclass(eq=False)
class _Group:
    """One shared transaction and the units of work that meet in it (see ``write_transaction``)."""

    db: Engine
    ready: asyncio.Future[Any]  # the open transaction, once it began and holds the writers' turn
    done: asyncio.Future[None]  # resolved when it committed, or with why it did not
    idle: asyncio.Event = field(default_factory=asyncio.Event)  # taking no more units, none left to run
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # one unit on the connection at a time
    members: int = 0  # units that joined
    running: int = 0  # units that joined and have not finished
    turns: int = 0  # units that have had the connection (names their savepoints)
    kept: int = 0  # units that finished without error: what the commit is for
    broken: BaseException | None = None  # a unit's rollback failed: the whole transaction goes
    shared: dict[str, Any] = field(default_factory=dict)  # TRANSACTION_SHARED of its units
    leader: asyncio.Task[None] | None = None
    generic_plans: bool = False  # how the first unit plans (``plan_cache_mode``): the begin sets it


@dataclass(eq=False)
class _LoopWriters:
    """Per event loop: the group taking units now, and (SQLite) the lock a group's leader
    holds from BEGIN to COMMIT."""

    open: _Group | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


_LOOPS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopWriters] = weakref.WeakKeyDictionary()


def _writers() -> _LoopWriters:
    loop = asyncio.get_running_loop()
    if loop not in _LOOPS:
        _LOOPS[loop] = _LoopWriters()
    return _LOOPS[loop]


@asynccontextmanager
async def _begin(db: Engine, generic_plans: bool = False) -> AsyncIterator[Any]:
    """A transaction holding the writers' turn: IMMEDIATE on SQLite; on PostgreSQL the shared
    advisory lock, which writers of other processes wait for. A new PostgreSQL transaction
    is a ``_Turn``: it also holds the first unit's savepoint."""
    from ledger.tables import Workshop

    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate) as transaction:
            yield transaction
        return
    if not db.transaction_exists():
        async with _Turn(db, generic_plans=generic_plans) as transaction:  # type: ignore[arg-type]
            yield transaction
        return
    from ledger.services.aggregates import flush_function_name, prepare_flush

    async with db.transaction() as transaction:  # the caller's own (``_own_transaction``)
        [turn] = await Workshop.raw("SELECT pg_advisory_xact_lock({}), to_regproc({}) IS NOT NULL AS flush_ready",
                                    WRITER_LOCK, flush_function_name())
        await prepare_flush(transaction.connection, turn["flush_ready"])
        yield transaction


FIRST_SAVEPOINT = "unit_1"  # the name write_transaction gives the first unit's


def plans_sql(generic: bool) -> str:
    """How a unit of work's statements are planned, for the rest of its transaction or until
    the next unit says otherwise (``write_transaction(generic_plans=...)``). The connections
    force custom plans, for the figures (``_postgres_engine``); a unit whose statements are
    all lookups by key (the pay path) asks for generic ones, made once per connection and
    kept: planning the pay path's read of its facts took three times as long as running it
    (0.27 ms against 0.09, in PostgreSQL's statement log). Any other unit gets the
    connection's own settings back."""
    if generic:
        # No sequential scans in them: a generic plan is kept while the tables grow, and one made
        # on a new installation's near-empty tables would otherwise scan them for ever after.
        return "SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off"
    return "SET LOCAL plan_cache_mode TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT"


def _outcome_unknown(error: BaseException) -> bool:
    """Whether an error met by a message that ends in COMMIT leaves the commit's outcome
    unknown: the connection broke (PostgreSQL may have committed before it did), rather than
    the server answering with an error (then the transaction was rolled back)."""
    from asyncpg.exceptions import PostgresConnectionError, PostgresError

    return isinstance(error, PostgresConnectionError) or (
        isinstance(error, Exception) and not isinstance(error, PostgresError))


async def send_commit(connection: Any, sql: str) -> None:
    """Send a simple-protocol message that ends in COMMIT; a lost connection raises
    ``CommitOutcomeUnknown`` (503), which callers must not retry as if nothing was written."""
    try:
        await connection.execute(sql)
    except Exception as error:
        if _outcome_unknown(error):
            raise CommitOutcomeUnknown() from error
        raise


class _Turn(PostgresTransaction):
    """A PostgreSQL transaction that begins in the writers' turn, in one round trip: BEGIN,
    how the first unit plans (``plans_sql``), the advisory lock, a check that the
    aggregates' flush function exists and the first unit's savepoint go as one
    simple-protocol message (they were three round trips, the most of any group after the
    statements its units make). The check answers by failing (a division by zero): the rare
    turn that finds no flush function (a new or rebuilt schema) rolls back and begins the
    long way, creating it. Commit and rollback are sent as plain statements, as the begin
    was."""

    def __init__(self, engine: PostgresEngine, generic_plans: bool = False) -> None:
        super().__init__(engine)
        self.generic_plans = generic_plans

    async def begin(self) -> None:
        try:
            await self._begin()
        except BaseException:
            # the context manager never opened, so its exit will not hand the connection back
            if self.engine.pool:
                await self.engine.pool.release(self.connection)
            else:
                await self.connection.close()
            raise

    async def _begin(self) -> None:
        from asyncpg.exceptions import DivisionByZeroError

        from ledger.services.aggregates import flush_function_name, prepare_flush

        check = f"1 / (to_regproc('{flush_function_name()}') IS NOT NULL)::int"
        try:
            await self.connection.execute(f"BEGIN; {plans_sql(self.generic_plans)}; "
                                          f"SELECT pg_advisory_xact_lock({WRITER_LOCK}), {check}; "
                                          f"SAVEPOINT {FIRST_SAVEPOINT}")
            ready = True
        except DivisionByZeroError:
            await self.connection.execute("ROLLBACK")
            await self.connection.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITER_LOCK})")
            ready = False
        await prepare_flush(self.connection, ready)
        if not ready:
            await self.connection.execute(f"{plans_sql(self.generic_plans)}; SAVEPOINT {FIRST_SAVEPOINT}")

    async def commit(self) -> None:
        await send_commit(self.connection, "COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        from asyncpg.exceptions import InterfaceError

        try:
            lost = self.connection.is_closed()
        except InterfaceError:  # lost, and asyncpg has already taken it back into the pool
            lost = True
        if not lost:  # a lost connection's transaction ended with it
            await self.connection.execute("ROLLBACK")
        self._rolled_back = True


async def _lead(group: _Group) -> None:
    """The group's own task: open the transaction and take the writers' turn, let the units
    run, then write their journal entries, flush the aggregates and commit, once for all of
    them."""
    # On SQLite a process's groups queue here, not in SQLite's busy handler (which sleeps and
    # polls). On PostgreSQL the next group opens its connection and waits for the advisory
    # lock while the one before commits: the server hands the lock over at COMMIT.
    sqlite = isinstance(group.db, SQLiteEngine)
    try:
        async with _writers().lock if sqlite else contextlib.nullcontext(), _begin(group.db, group.generic_plans) as transaction:
            group.ready.set_result(transaction)
            await group.idle.wait()
            if group.broken is not None:
                raise group.broken
            if group.kept == 0:
                raise _NothingKept  # every unit rolled back: roll back, skip the flush
            if await _before_commit(group.shared, then_commit=isinstance(transaction, _Turn)):
                transaction._committed = True  # with the flush, in one message
    except _NothingKept:
        pass
    except BaseException as error:  # the units learn it from the futures
        _close(group)
        for future in (group.ready, group.done):
            if not future.done():
                future.set_exception(error)
        if not isinstance(error, Exception):
            raise
        return
    global _COMMITTED
    _COMMITTED += 1
    group.done.set_result(None)


class _NothingKept(Exception):
    pass


async def _before_commit(shared: dict[str, Any], then_commit: bool = False) -> bool:
    """Write the journal's last entries and flush the aggregates, in one round trip; with
    ``then_commit`` (a group's own transaction) the COMMIT may go in it too. Returns whether
    it committed."""
    from ledger.services.aggregates import flush
    from ledger.services.journal import write_pending

    # the figures' aggregates commit with the rows they sum
    return await flush(together_with=await write_pending(shared, keep_last=True), then_commit=then_commit)


def _close(group: _Group) -> None:
    """Take no more units into this group; whoever comes next opens the next one."""
    writers = _writers()
    if writers.open is group:
        writers.open = None


def _join(db: Engine, generic_plans: bool) -> _Group:
    writers = _writers()
    group = writers.open
    if group is None or group.db is not db:
        loop = asyncio.get_running_loop()
        group = _Group(db=db, ready=loop.create_future(), done=loop.create_future(), generic_plans=generic_plans)
        for future in (group.ready, group.done):  # a failure nobody waits for is not an unhandled error
            future.add_done_callback(lambda f: f.cancelled() or f.exception())
        writers.open = group
        # a context of its own: nothing of the request that happened to come first
        group.leader = loop.create_task(_lead(group), context=contextvars.Context())
    group.members += 1
    group.running += 1
    if group.members >= GROUP_LIMIT:
        _close(group)
    return group


@asynccontextmanager
async def write_transaction(*, generic_plans: bool = False) -> AsyncIterator[None]:
    """A transaction for a unit of work that writes; the service layer owns it.

    Writers take turns (see the module's docstring), and the turn's costly part is paid per
    transaction: the commit's WAL flush, the aggregates' flush. So the units of work that
    arrive while a transaction is busy share the next one (group commit). Each runs alone on
    its connection, in its own savepoint and with its own scratch space, and sees the units
    before it as it would have seen their commits; a unit that fails rolls back to its
    savepoint and leaves the others alone. When no unit is left waiting (or ``GROUP_LIMIT``
    have joined), the aggregates are flushed and the transaction commits, once. A unit
    returns only after that commit: what a caller is told was written, is. The journal stays
    one dense chain, in the order the units ran.

    ``generic_plans``: on PostgreSQL the unit's statements take generic plans (``plans_sql``):
    only for a unit whose every read is a lookup by key. Any other unit, in the same
    transaction before or after it, plans as the connections do (custom plans).

    Nested use joins the outer unit of work (Piccolo's default)."""
    db = engine()
    if TRANSACTION_STATE.get() is not None and db.transaction_exists():
        yield  # joins the outer one
        return
    if db.transaction_exists():  # inside a bare Piccolo transaction its caller opened
        async with _own_transaction(db):
            yield
        return
    group = _join(db, generic_plans)
    failed = False  # the unit itself raised (not while it waited for its turn)
    try:
        transaction = await asyncio.shield(group.ready)
        async with group.turn:
            if group.broken is not None:
                raise group.broken
            group.turns += 1
            savepoint = f"unit_{group.turns}"
            if isinstance(transaction, _Turn):
                # each unit says how it plans, in the message of its savepoint (a unit rolled
                # back to its savepoint leaves the plans as the unit before it had them)
                if group.turns > 1:
                    await transaction.connection.execute(f"SAVEPOINT {savepoint}; {plans_sql(generic_plans)}")
                elif transaction.generic_plans != generic_plans:  # the begin set them for another
                    await transaction.connection.execute(plans_sql(generic_plans))
            else:  # SQLite
                await transaction.connection.execute(f"SAVEPOINT {savepoint}")
            outer = db.current_transaction.set(transaction)  # type: ignore[attr-defined]
            state, shared = TRANSACTION_STATE.set({}), TRANSACTION_SHARED.set(group.shared)
            found = {key: list(value) if isinstance(value, list) else value for key, value in group.shared.items()}
            try:
                yield
            except BaseException:
                failed = True
                group.shared.clear()
                group.shared.update(found)
                try:
                    await transaction.connection.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                except BaseException as error:
                    group.broken = error
                raise
            finally:
                TRANSACTION_SHARED.reset(shared)
                TRANSACTION_STATE.reset(state)
                db.current_transaction.reset(outer)  # type: ignore[attr-defined]
            group.kept += 1
    finally:
        group.running -= 1
        if group.running == 0:
            _close(group)
            group.idle.set()
        if failed:
            # a unit that failed still returns after its transaction ends: nothing it began is
            # left running (a CLI's event loop would cancel the commit of the units beside it)
            await asyncio.wait([group.done])
    await asyncio.shield(group.done)


@asynccontextmanager
async def _own_transaction(db: Engine) -> AsyncIterator[None]:
    """A unit of work inside a transaction its caller opened with Piccolo: it joins that
    transaction, takes the writers' turn there and flushes before returning."""
    shared: dict[str, Any] = {}
    state, shared_token = TRANSACTION_STATE.set({}), TRANSACTION_SHARED.set(shared)
    try:
        async with _begin(db):
            yield
            await _before_commit(shared)
    finally:
        TRANSACTION_SHARED.reset(shared_token)
        TRANSACTION_STATE.reset(state)


def in_unit_of_work() -> bool:
    """Whether the caller runs inside a write transaction's unit of work."""
    return TRANSACTION_STATE.get() is not None and engine().transaction_exists()


class Coalesced:
    """Calls of one service that meet, run as one unit of work: for the write path's hottest
    call (a pay record a request), where each unit's own statements, one after another in
    the writers' turn, were most of the turn.

    A call queues its item and waits. The first call of a batch starts a task that waits for
    a turn in a write transaction and, once it has one, takes every item queued by then;
    ``run_many(items)`` reads what they need together, checks each, writes the good ones
    together and answers each in order (a result, or the exception its caller gets). An
    item carries whatever its caller's context must give it (the actor). Callers hear back
    after the commit. If the unit fails as a whole (a database error), nothing of it was
    written and each item is run alone (``run_one(item)``, concurrently, so in a group
    commit), so that only its own caller hears of its own error. Except when the connection
    broke while the COMMIT was on its way (``CommitOutcomeUnknown``): the batch may have been
    written, so each caller hears that, and nothing runs again. A call cancelled before its
    batch is taken writes nothing."""

    LIMIT = 200  # items a batch takes at most

    def __init__(self, run_many: Any, run_one: Any, *, generic_plans: bool = False) -> None:
        self.run_many, self.run_one = run_many, run_one
        self.generic_plans = generic_plans  # ``write_transaction``'s: for a batch whose reads are by key
        self._open: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[tuple[Any, asyncio.Future[Any]]]] = \
            weakref.WeakKeyDictionary()

    async def __call__(self, item: Any) -> Any:
        loop = asyncio.get_running_loop()
        batch = self._open.get(loop)
        if batch is None or len(batch) >= self.LIMIT:
            batch = []
            self._open[loop] = batch
            loop.create_task(self._run(loop, batch), context=contextvars.Context())
        future: asyncio.Future[Any] = loop.create_future()
        batch.append((item, future))
        return await future

    async def _run(self, loop: asyncio.AbstractEventLoop, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        taken: list[tuple[Any, asyncio.Future[Any]]] | None = None
        outcomes: list[Any] | None = None
        try:
            async with write_transaction(generic_plans=self.generic_plans):
                if self._open.get(loop) is batch:
                    del self._open[loop]  # calls from now on start the next batch
                taken = [(item, future) for item, future in batch if not future.cancelled()]
                outcomes = await self.run_many([item for item, _ in taken])
        except CommitOutcomeUnknown:  # perhaps written: each caller is told so, none runs again
            outcomes = None if taken is None else [CommitOutcomeUnknown() for _ in taken]
        except Exception:
            outcomes = None  # rolled back, or never began
        except BaseException:  # the loop is closing: nobody will write these
            for _, future in batch:
                future.cancel()
            raise
        finally:
            if self._open.get(loop) is batch:
                del self._open[loop]
        if taken is None:
            taken = [(item, future) for item, future in batch if not future.cancelled()]
        if outcomes is None:  # nothing of the batch was written: each item alone
            outcomes = await asyncio.gather(*[self.run_one(item) for item, _ in taken], return_exceptions=True)
        for (_, future), outcome in zip(taken, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
