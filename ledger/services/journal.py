"""The audit journal: every change to a business row, by any door, in the same transaction.

The services never write a table directly; they call ``insert``/``insert_many``/``update``/
``update_many``/``delete``/``delete_where`` here, which make the change, take what was
stored (an insert's ``RETURNING``, else a read) and append one entry per changed row: a
dense sequence number, the time, who and by which path (api / import / admin / cli /
system), the table and row, and the row before and after as JSON. Sensitive columns (those
declared ``secret=True``: the ID number's keyed hash and cipher, the phone's cipher, token
hashes) are never copied: the journal keeps only a SHA-256 fingerprint of them, enough to
check a replay, useless to read a number.
ID numbers and phones appear only in the masked form the tables already hold.

Each entry's ``hash`` is an HMAC-SHA256, keyed by a key derived from the ledger's secret,
over the entry and the previous entry's hash. Whoever can write the database but does not
hold the key can edit, delete, insert or reorder entries, but cannot make the chain verify
again; ``verify`` also replays the journal and compares the result with the tables, so a
row changed behind the journal's back (or a journal cut short) shows too.

Density: appends happen inside ``write_transaction``, which admits one writer at a time
(IMMEDIATE on SQLite, an advisory transaction lock on PostgreSQL), so ``max(seq) + 1`` is
never taken twice and a rolled-back write leaves no entry and no gap.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any

from piccolo.columns import Numeric
from piccolo.columns.defaults.base import Default
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

from ledger import access, crypto
from ledger.core.enums import JournalAction
from ledger.db import TRANSACTION_SHARED, TRANSACTION_STATE, engine
from ledger.tables import JOURNALED_TABLES, AuditEntry

GENESIS = "0" * 64
_CHUNK = 500


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


# --- what an entry says about a row --------------------------------------------------------

def fingerprint(value: Any) -> str:
    """Stands in for a secret column: equal values give equal fingerprints, nothing more."""
    return "sha256:" + hashlib.sha256(str(value or "").encode()).hexdigest()


def _plain(column: Any, value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(column, Numeric) or isinstance(value, Decimal | float):
        scale = column._meta.params.get("digits", (None, 2))[1] if isinstance(column, Numeric) else 2
        return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-(scale or 0))))
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@lru_cache(maxsize=64)
def _snapshot_columns(table: type[Table]) -> tuple[tuple[str, Any, bool], ...]:
    return tuple((c._meta.name, c, bool(c._meta.secret)) for c in table._meta.columns)


def snapshot(table: type[Table], row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as the journal keeps it: JSON values, secrets fingerprinted."""
    out = {}
    for name, column, secret in _snapshot_columns(table):
        value = row.get(name)
        if secret:
            out[name] = fingerprint(value)
        elif value is None or type(value) is int or type(value) is bool:  # as _plain has them, at less cost
            out[name] = value
        else:
            out[name] = _plain(column, value)
    return out


def _dump(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=1)
def _key() -> bytes:
    return crypto.derive_key(b"audit-journal")


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    message = json.dumps([prev_hash, fields["seq"], fields["at"], fields["username"], fields["path"],
                          fields["table_name"], fields["row_id"], fields["action"], fields["before"],
                          fields["after"]], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(_key(), message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Change:
    table: type[Table]
    row_id: int
    action: JournalAction
    before: dict[str, Any] | None
    after: dict[str, Any] | None


READ_CACHE = "read_cache"
"""Key prefix in the write transaction's scratch space for what a service read of a table and
may read again in the same transaction (``(READ_CACHE, table name)``); every append drops the
entries of the tables it records, and the transaction's end drops them all."""


async def append(changes: Sequence[Change]) -> None:
    """Append entries for changes already made in the current write transaction.

    The entries are chained here, and written with the transaction's next batch of them:
    when it commits (``write_pending``, before the aggregates' flush), or sooner once
    ``_CHUNK`` wait. Units of work that share a transaction (``ledger.db``) thus write their
    entries in one statement; a unit rolled back to its savepoint takes its entries along,
    the written and the waiting alike."""
    if not changes:
        return
    shared = TRANSACTION_SHARED.get()
    if shared is None or not engine().transaction_exists():
        raise RuntimeError("journal entries are written only inside write_transaction()")
    actor = access.current()
    seq, prev = shared["journal_head"] if "journal_head" in shared else await _stored_head()
    at = now_iso()
    rows = shared.setdefault("journal_pending", [])
    for change in changes:
        seq += 1
        fields = {"seq": seq, "at": at, "username": actor.username, "path": actor.path.value,
                  "table_name": change.table._meta.tablename, "row_id": change.row_id,
                  "action": change.action.value, "before": _dump(change.before), "after": _dump(change.after)}
        digest = entry_hash(prev, fields)
        rows.append([*fields.values(), prev, digest])
        prev = digest
    shared["journal_head"] = (seq, prev)  # the next append in this transaction starts here
    if len(rows) >= _CHUNK:
        await write_pending(shared)
    state = TRANSACTION_STATE.get()
    if state is not None:
        for name in {change.table._meta.tablename for change in changes}:
            state.pop((READ_CACHE, name), None)  # what was read of a table it has just written is stale


async def write_pending(shared: dict[str, Any] | None = None, *, keep_last: bool = False
                        ) -> tuple[str, list[Any]] | None:
    """Write the entries this transaction has chained and not yet written (``shared``: the
    transaction's scratch; the current one if omitted). With ``keep_last`` the last INSERT
    is returned, not run (SQL with ``{}`` placeholders, and its values), for the commit to
    send with the aggregates' flush in one round trip."""
    shared = TRANSACTION_SHARED.get() if shared is None else shared
    rows = shared.pop("journal_pending", []) if shared is not None else []
    chunks = [_entries_insert(rows[start:start + _CHUNK]) for start in range(0, len(rows), _CHUNK)]
    last = chunks.pop() if keep_last and chunks else None
    for sql, values in chunks:
        await AuditEntry.raw(sql, *values)
    return last


_ENTRY_COLUMNS = ("seq", "at", "username", "path", "table_name", "row_id", "action", "before", "after",
                  "prev_hash", "hash")


def _entries_insert(rows: list[list[Any]]) -> tuple[str, list[Any]]:
    """One parametrised multi-row INSERT. The values are plain text and integers, so this
    skips building a Piccolo ``Table`` instance (and its query string) per entry, which cost
    more than everything else the journal does on a large import."""
    one = "(" + ", ".join(["{}"] * len(_ENTRY_COLUMNS)) + ")"
    sql = (f"INSERT INTO audit_entry ({', '.join(_ENTRY_COLUMNS)}) VALUES "
           + ", ".join([one] * len(rows)))
    return sql, [value for row in rows for value in row]


def literal(value: Any) -> str:
    """A journal value as a PostgreSQL literal, for a statement sent with its values written
    in (``inline``): an integer as its digits, None as NULL, text dollar-quoted with a tag it
    does not contain — nothing inside a dollar-quoted string is special, whatever
    ``standard_conforming_strings`` says. Anything else is refused."""
    if value is None:
        return "NULL"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        n = 0
        while f"$j{n}$" in value:
            n += 1
        return f"$j{n}${value}$j{n}$"
    raise TypeError(f"no literal for a {type(value).__name__} in the journal")


WRITTEN_IN_TABLES = frozenset({"monthly_pay"})
"""Whose entries may be written into a statement's text (``inline``): a statement that fails
is logged by PostgreSQL with its text (``log_min_error_statement``), so only entries of
tables with no personal data in them — a pay record is ids, a month and amounts — and not a
worker's (name, masked ID number) or a low-income status."""


def may_write_in(values: list[Any]) -> bool:
    """Whether ``_entries_insert``'s values are all entries of ``WRITTEN_IN_TABLES``."""
    width, at = len(_ENTRY_COLUMNS), _ENTRY_COLUMNS.index("table_name")
    return all(values[start + at] in WRITTEN_IN_TABLES for start in range(0, len(values), width))


def inline(sql: str, values: list[Any]) -> str:
    """``_entries_insert``'s statement with its values written in (its SQL has ``{}`` for
    each value and no other braces)."""
    parts = sql.split("{}")
    if len(parts) != len(values) + 1:
        raise ValueError("placeholders and values differ in number")
    return "".join(part + literal(value) for part, value in zip(parts, values, strict=False)) + parts[-1]


async def head() -> tuple[int, str]:
    """The journal's last entry (seq, hash), counting those this transaction has chained."""
    shared = TRANSACTION_SHARED.get()
    if shared is not None and "journal_head" in shared and engine().transaction_exists():
        return shared["journal_head"]
    return await _stored_head()


async def _stored_head() -> tuple[int, str]:
    last = await AuditEntry.select(AuditEntry.seq, AuditEntry.hash).order_by(
        AuditEntry.seq, ascending=False).first()
    return (last["seq"], last["hash"]) if last else (0, GENESIS)


HEAD_COLUMNS = ("(SELECT seq FROM audit_entry ORDER BY seq DESC LIMIT 1) AS journal_seq, "
                "(SELECT hash FROM audit_entry ORDER BY seq DESC LIMIT 1) AS journal_hash")
"""The journal's head as two columns that a service's own read inside the writers' turn can
carry along (``SELECT …, {HEAD_COLUMNS} FROM …``), saving the append its own round trip;
hand the row to ``keep_head``."""


def keep_head(row: dict[str, Any]) -> None:
    """Take the head read with ``HEAD_COLUMNS`` as this write transaction's, for the appends
    that follow. Only inside ``write_transaction`` (where the read was in the writers' turn,
    so no one else can append before this transaction ends), and only before its first append
    (after it, the transaction's own head is already kept and is the newer)."""
    shared = TRANSACTION_SHARED.get()
    if shared is None or "journal_head" in shared or not engine().transaction_exists():
        return
    shared["journal_head"] = (row["journal_seq"], row["journal_hash"]) if row["journal_seq"] else (0, GENESIS)


# --- the only way the services write ---------------------------------------------------------

def _pk(table: type[Table]) -> Any:
    return table._meta.primary_key


async def _rows(table: type[Table], ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start:start + _CHUNK])
        for row in await table.select().where(_pk(table).is_in(chunk)):
            found[row["id"]] = row
    return found


async def insert(table: type[Table], values: dict[str, Any]) -> dict[str, Any]:
    """Insert one row; returns it as stored."""
    return (await insert_many(table, [values]))[0]


async def insert_many(table: type[Table], values: Sequence[dict[str, Any]],
                      actors: Sequence[access.Actor] | None = None) -> list[dict[str, Any]]:
    """Bulk insert, one statement per chunk, that returns the rows as stored (``RETURNING``
    every column, in the order given, as Piccolo maps ids): what the journal records is what
    the database holds, with no second read. ``actors``: who wrote each row, when the rows
    come from several callers (``ledger.db.Coalesced``); else the current actor."""
    args = [insert_args(table, v) for v in values]
    rows: list[dict[str, Any]] = []
    for start in range(0, len(args), _CHUNK):
        chunk = args[start:start + _CHUNK]
        rows.extend(await table.raw(_insert_sql(table, len(chunk)), *[a for row in chunk for a in row]))
    await record_inserted(table, rows, actors)
    return rows


async def record_inserted(table: type[Table], rows: Sequence[dict[str, Any]],
                          actors: Sequence[access.Actor] | None = None) -> None:
    """Journal rows this unit of work has just inserted, as stored (every column, as an
    INSERT's ``RETURNING`` gives them): ``insert_many``'s second half, for a service that
    wrote them in a statement of its own (the pay path's, ``employment._create_pays``)."""
    changes = [Change(table, r["id"], JournalAction.create, None, snapshot(table, r)) for r in rows]
    if actors is None:
        await append(changes)
        return
    start = 0
    for end in range(1, len(changes) + 1):  # one append per run of rows by the same actor
        if end == len(changes) or actors[end] != actors[start]:
            with access.acting_as(actors[start]):
                await append(changes[start:end])
            start = end


def _inserted(table: type[Table]) -> list[Any]:
    """The columns an INSERT names: all but the serial key, which the database numbers."""
    return [c for c in table._meta.columns if c is not table._meta.primary_key]


@lru_cache(maxsize=64)
def insert_column_types(table: type[Table]) -> tuple[tuple[str, str], ...]:
    """(database name, SQL type as Piccolo declares it) of the columns ``insert_args`` gives
    values for, in its order (for a statement that casts its parameters to the table's
    types). Built once per table: a foreign key's attributes go through Piccolo's slow
    ``__getattribute__``."""
    return tuple((c._meta.db_column_name, c.column_type) for c in _inserted(table))


def insert_column_names(table: type[Table]) -> list[str]:
    """The database names of the columns ``insert_args`` gives values for, in its order."""
    return [name for name, _ in insert_column_types(table)]


def returning_columns(table: type[Table]) -> str:
    """Every column, for an INSERT's ``RETURNING`` that gives rows as stored."""
    return ", ".join(f'"{c._meta.db_column_name}"' for c in table._meta.columns)


@lru_cache(maxsize=256)
def _insert_sql(table: type[Table], rows: int) -> str:
    """What ``table.insert(*rows).returning(*all columns)`` sends, built once per table and
    row count: Piccolo builds a row object and a query string per row, the write path's
    largest cost in Python. The key is left out rather than sent as DEFAULT (PostgreSQL)
    or null (SQLite): the same number either way."""
    names = insert_column_names(table)
    quoted = ",".join(f'"{name}"' for name in names)
    one = "(" + ",".join("{}" for _ in names) + ")"
    return (f"INSERT INTO {table._meta.get_formatted_tablename()} ({quoted}) VALUES {','.join([one] * rows)} "
            f"RETURNING {returning_columns(table)}")


@lru_cache(maxsize=64)
def _insert_columns(table: type[Table]) -> tuple[frozenset[str], tuple[tuple[str, Any], ...]]:
    """The names of all ``table``'s columns, and (name, column) of those an INSERT names."""
    return frozenset(c._meta.name for c in table._meta.columns), tuple((c._meta.name, c) for c in _inserted(table))


_SENT_AS_IS = (int, str, type(None), Decimal, date)
"""Values ``convert_to_sql_value`` gives back unchanged whatever the column (bool is an int,
datetime a date, and a str stays a str even for a JSON column): every other value, and any
Enum, still goes through it."""


def insert_args(table: type[Table], values: dict[str, Any]) -> list[Any]:
    """A row's values in ``_insert_sql``'s order, as Piccolo would send them: a column not
    given takes its default, and a value is converted as Piccolo converts it."""
    names, columns = _insert_columns(table)
    if not names.issuperset(values):
        raise ValueError(f"Unrecognized columns - {sorted(set(values) - names)}")
    out = []
    for name, column in columns:
        if name in values:
            value = values[name]
        else:
            value = column.get_default_value()
            if isinstance(value, Default):
                value = value.python()
            if value is None and not column._meta.null:
                raise ValueError(f"{name} wasn't provided")
        out.append(value if isinstance(value, _SENT_AS_IS) and not isinstance(value, Enum)
                   else convert_to_sql_value(value, column))
    return out


async def update(table: type[Table], row_id: int, values: dict[str, Any]) -> dict[str, Any] | None:
    return (await update_many(table, [(row_id, values)])).get(row_id)


async def update_many(table: type[Table], changes: Sequence[tuple[int, dict[str, Any]]]
                      ) -> dict[int, dict[str, Any]]:
    """Update rows by id; a row whose stored values do not change gets no entry."""
    ids = [row_id for row_id, _ in changes]
    before = await _rows(table, ids)
    for row_id, values in changes:
        if row_id in before and values:
            await table.update(values).where(_pk(table) == row_id)
    after = await _rows(table, ids)
    entries = []
    for row_id in dict.fromkeys(ids):
        if row_id not in before:
            continue
        old, new = snapshot(table, before[row_id]), snapshot(table, after[row_id])
        if old != new:
            entries.append(Change(table, row_id, JournalAction.update, old, new))
    await append(entries)
    return after


async def delete(table: type[Table], row_id: int) -> bool:
    return bool(await delete_where(table, _pk(table) == row_id))


async def delete_where(table: type[Table], where: Any) -> list[dict[str, Any]]:
    rows = await table.select().where(where).order_by(_pk(table))
    if rows:
        await table.delete().where(_pk(table).is_in([r["id"] for r in rows]))
        await append([Change(table, r["id"], JournalAction.delete, snapshot(table, r), None) for r in rows])
    return rows


# --- reading and verifying ---------------------------------------------------------------------

def entry_out(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in ("seq", "at", "username", "path", "table_name", "row_id", "action", "hash",
                              "prev_hash")}
    out["before"] = json.loads(row["before"]) if row["before"] else None
    out["after"] = json.loads(row["after"]) if row["after"] else None
    return out


@dataclass(frozen=True)
class Finding:
    """One thing ``verify`` found wrong; ``kind`` is a stable code."""

    kind: str
    seq: int | None
    zh: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "seq": self.seq, "message": f"{self.zh} / {self.en}"}


@dataclass(frozen=True)
class Verification:
    entries: int
    head_seq: int
    head_hash: str
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


_FIELDS = [AuditEntry.seq, AuditEntry.at, AuditEntry.username, AuditEntry.path, AuditEntry.table_name,
           AuditEntry.row_id, AuditEntry.action, AuditEntry.before, AuditEntry.after, AuditEntry.prev_hash,
           AuditEntry.hash]


def check_chain(entries: Iterable[dict[str, Any]]) -> tuple[list[Finding], dict[tuple[str, int], Any], int, str]:
    """Walk the entries in ``seq`` order: gaps, duplicates, altered entries, broken links.

    Returns the findings, the state the entries replay to (``(table, row) → after``, None for
    a deleted row), and the head (last seq, its hash).
    """
    findings: list[Finding] = []
    state: dict[tuple[str, int], Any] = {}
    entries = list(entries)
    position = {e["hash"]: e["seq"] for e in entries}
    expected, prev = 1, GENESIS
    for entry in entries:
        seq = entry["seq"]
        if seq > expected:
            findings.append(Finding("entry_missing", expected,
                                    f"缺少序号 {expected}–{seq - 1} 的日志条目（被删除）",
                                    f"entries {expected}–{seq - 1} are missing (deleted)"))
        elif seq < expected:
            findings.append(Finding("sequence_duplicate", seq, f"序号 {seq} 重复出现（被插入）",
                                    f"sequence number {seq} occurs again (inserted)"))
        if entry_hash(entry["prev_hash"], entry) != entry["hash"]:
            findings.append(Finding("entry_altered", seq, f"第 {seq} 条日志的内容与其哈希不符（被修改或伪造）",
                                    f"entry {seq} does not match its hash (edited or forged)"))
        elif entry["prev_hash"] != prev:
            if entry["prev_hash"] in position and position[entry["prev_hash"]] != seq - 1:
                findings.append(Finding("out_of_order", seq,
                                        f"第 {seq} 条日志原本在第 {position[entry['prev_hash']]} 条之后（顺序被调换）",
                                        f"entry {seq} was chained after entry {position[entry['prev_hash']]} "
                                        "(reordered)"))
            else:
                findings.append(Finding("chain_broken", seq, f"第 {seq} 条日志与上一条的哈希链断开（有条目被插入或删除）",
                                        f"entry {seq} is not chained to the entry before it (inserted or deleted)"))
        if entry["action"] != JournalAction.reveal:
            state[(entry["table_name"], entry["row_id"])] = json.loads(entry["after"]) if entry["after"] else None
        expected, prev = max(expected, seq + 1), entry["hash"]
    head_seq = entries[-1]["seq"] if entries else 0
    return findings, state, head_seq, prev


async def verify(limit: int = 50, progress: Callable[[str], None] | None = None) -> Verification:
    """Check the chain, then replay it against every journaled table (``progress`` hears
    a line per step: the journal of a large ledger takes a while)."""
    from ledger.tables import MonthLock

    def step(line: str) -> None:
        if progress is not None:
            progress(line)

    if engine().transaction_exists():
        await write_pending()  # a verify inside a write transaction reads its own entries too
    entries = await AuditEntry.select(*_FIELDS).order_by(AuditEntry.seq).order_by(AuditEntry.id)
    step(f"已读日志 {len(entries):,} 条 / {len(entries):,} journal entries read")
    findings, state, head_seq, head_hash = check_chain(entries)
    step(f"哈希链已核对 / hash chain checked ({len(findings)} 处问题 / findings)")
    differ: list[Finding] = []
    for table in JOURNALED_TABLES:
        name = table._meta.tablename
        seen = set()
        rows = await table.select().order_by(_pk(table))
        step(f"回放 / replaying {name}: {len(rows):,} 行 / rows")
        for row in rows:
            seen.add(row["id"])
            if state.get((name, row["id"])) != snapshot(table, row):
                differ.append(Finding("table_differs", None,
                                      f"表 {name} 第 {row['id']} 行与审计日志不符（未经日志的修改，或日志被截断）",
                                      f"row {row['id']} of {name} differs from the journal (changed without an "
                                      "entry, or the journal was cut short)"))
        for (table_name, row_id), after in state.items():
            if table_name == name and after is not None and row_id not in seen:
                differ.append(Finding("table_differs", None,
                                      f"表 {name} 第 {row_id} 行在日志中存在，但已被绕过日志删除",
                                      f"row {row_id} of {name} is in the journal but was deleted without an entry"))
    for lock in await MonthLock.select(MonthLock.id, MonthLock.journal_seq):
        if lock["journal_seq"] > head_seq:
            findings.append(Finding("anchor_missing", lock["journal_seq"],
                                    f"锁定 #{lock['id']} 签发时日志已到第 {lock['journal_seq']} 条，现只剩 {head_seq} 条（日志被截断）",
                                    f"lock #{lock['id']} was signed at entry {lock['journal_seq']}, the journal now "
                                    f"ends at {head_seq} (cut short)"))
    return Verification(len(entries), head_seq, head_hash, findings[:limit] + differ[:limit])
