"""Where a command is: the database and key file it opens, said on stderr, never made by accident.

Every command that touches the ledger first says which database it opened (a SQLite file's
absolute path, a server's URL with the password masked) on stderr, so stdout stays clean for
JSON and CSV. The default database and key file live in one folder (``LEDGER_HOME``), the
same wherever the command is run from. Only ``ledger migrate`` and ``ledger demo`` make a
database or a key file that is not there, and they say so; every other command refuses a
missing one and says where it looked. A second, empty ledger made by a typo or a
different folder would answer "no data" as if it were true, and a second key would make
the real ledger's ID numbers unreadable.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from ledger.settings import get_settings

CREATING = frozenset({"migrate", "demo"})
"""The commands that make a missing database and key file (and say so)."""

OLD_DEFAULT = Path("var")
"""Where the database and key used to be by default: relative to the current folder."""


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def refuse(message: str) -> NoReturn:
    say(message)
    raise SystemExit(2)


def opens_a_database(args: Any) -> bool:
    """``claims parse`` only reads text; ``seal verify`` is an outsider's check of a file
    against a seal: neither needs a ledger."""
    return not (args.command == "claims" or (args.command == "seal" and args.seal_command == "verify"))


def announce(command: str) -> None:
    """Say which database this command opens; refuse a missing database or key file, unless
    this command is one that makes them."""
    settings = get_settings()
    say(f"数据库 / database: {settings.database_label}")
    creating = command in CREATING
    if settings.is_sqlite and not settings.sqlite_path.exists():
        path = settings.sqlite_path
        if not creating:
            refuse(f"这里没有台账数据库：{path}。新台账请先运行 ledger migrate（或 ledger demo）；已有的台账请用 "
                   f"LEDGER_DATABASE_URL 指向它 / no ledger database at {path}: run `ledger migrate` (or "
                   f"`ledger demo`) to start a new one, or point LEDGER_DATABASE_URL at the existing one."
                   + _old_default_hint("ledger.sqlite3", path, "LEDGER_DATABASE_URL=sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        say(f"新建数据库 / creating a new database: {path}")
    if not creating and not settings.secret_key and not settings.key_file.exists():
        key = settings.key_file
        refuse(f"找不到密钥文件：{key}。身份证号以它加密，新的密钥读不出已存的号码，所以不会自动新建；请用 "
               f"LEDGER_KEY_FILE 指向本台账的密钥文件（或设置 LEDGER_SECRET_KEY）；新台账由 ledger migrate 生成 / "
               f"no key file at {key}: ID numbers are encrypted with it and a new key could not read them, so "
               f"none is made here; point LEDGER_KEY_FILE at this ledger's key (or set LEDGER_SECRET_KEY); "
               f"`ledger migrate` makes one for a new ledger."
               + _old_default_hint("secret.key", key, "LEDGER_KEY_FILE="))


def _old_default_hint(name: str, looked: Path, setting: str) -> str:
    old = (OLD_DEFAULT / name).absolute()
    if old == looked or not old.exists():
        return ""
    return (f"\n  当前文件夹下有 {old}（旧版的默认位置）/ found {old} here (the old default): "
            f"{setting}{old}")


async def ensure_key() -> None:
    """For ``migrate`` and ``demo``: make the key file of a new ledger (and say so), but
    never for a ledger that already has journal entries: they were made with another key."""
    from ledger import crypto
    from ledger.tables import AuditEntry

    settings = get_settings()
    if settings.secret_key or settings.key_file.exists():
        return
    entries = await AuditEntry.count() if await AuditEntry.table_exists() else 0
    if entries:
        refuse(f"此台账已有 {entries:,} 条审计日志，但找不到它的密钥文件 {settings.key_file}；新的密钥读不出已存的"
               f"身份证号，所以不会新建。请用 LEDGER_KEY_FILE 指向原来的密钥文件（或设置 LEDGER_SECRET_KEY）/ "
               f"this ledger has {entries:,} journal entries but no key file at {settings.key_file}; a new key "
               f"could not read its ID numbers, so none is made: point LEDGER_KEY_FILE at the original key "
               f"(or set LEDGER_SECRET_KEY).")
    crypto.derive_key(b"key-file")  # reading the master secret makes the file (mode 0600)
    say(f"新建密钥文件 / created the key file: {settings.key_file} — 请备份，丢失后身份证号无法读回 / "
        f"back it up: without it the ID numbers cannot be read back")


def cannot_connect(exc: BaseException) -> bool:
    """A database server that is not there, refuses us, or has no such database."""
    if isinstance(exc, ConnectionError | TimeoutError) or type(exc).__name__ == "gaierror":
        return True
    if isinstance(exc, OSError) and "connect" in str(exc).lower():
        return True  # asyncpg's "Multiple exceptions: Connect call failed …"
    return str(getattr(exc, "sqlstate", "") or "")[:2] in ("3D", "28")  # no such database; authentication

