"""The database engine and the one way to open a write transaction.

SQLite write transactions are IMMEDIATE: the default DEFERRED ones fail with "database is
locked" when two writers meet. On PostgreSQL a plain transaction does.
"""

from __future__ import annotations

from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

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
    return PostgresEngine(config={"dsn": url})


def engine() -> Engine:
    from ledger.tables import Workshop

    return Workshop._meta.db


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


def write_transaction():
    """A transaction for a unit of work that writes; the service layer owns it."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()
