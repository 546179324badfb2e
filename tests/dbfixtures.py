"""Database fixtures shared by the service, API and admin tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from stdnum.cn import ric

from ledger.db import engine

_migrated = False


async def reset_schema() -> None:
    """Empty database, then the real migrations: the schema tests run against is the one
    a user gets."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    db = engine()
    if db.engine_type == "sqlite":
        from pathlib import Path

        path = Path(db.path)
        if path.exists():
            path.unlink()
    else:
        await db.run_ddl("DROP SCHEMA public CASCADE")
        await db.run_ddl("CREATE SCHEMA public")
    result = await run_forwards("all")
    assert result.success, result.message


async def clear_tables() -> None:
    """Empty every table. On PostgreSQL by TRUNCATE: the journal refuses DELETE (trigger)."""
    from piccolo.apps.user.tables import BaseUser
    from piccolo_api.session_auth.tables import SessionsBase

    from ledger.tables import AGGREGATE_TABLES, JOURNALED_TABLES, AuditEntry, ClaimCheck

    tables = [ClaimCheck, *reversed(JOURNALED_TABLES), AuditEntry, SessionsBase, BaseUser, *AGGREGATE_TABLES]
    db = engine()
    if db.engine_type == "postgres":
        names = ", ".join(t._meta.tablename for t in tables)
        await db.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    for table in tables:
        await table.delete(force=True)


@pytest.fixture
async def db():
    global _migrated
    if not _migrated:
        await reset_schema()
        _migrated = True
    await clear_tables()
    yield engine()


def make_id(serial: int, region: str = "330784", birth: str = "19800101") -> str:
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def wrong_check_digit(number: str) -> str:
    digits = "0123456789X"
    return number[:-1] + digits[(digits.index(number[-1]) + 1) % 11]


async def world(**overrides: Any) -> dict[str, Any]:
    """One enterprise, one workshop, one worker, one placement from 2023-01-01."""
    from ledger.services import employment, masterdata, people

    enterprise = await masterdata.create_enterprise(
        {"name": "测试企业", "credit_code": valid_credit_code(), "region_code": "330784"}
        | overrides.get("enterprise", {}))
    workshop = await masterdata.create_workshop({
        "code": "T-01", "name": "测试工坊", "enterprise": enterprise["id"], "workshop_type": "来料加工式",
        "village": "花街村", "region_code": "330784", "opened_on": date(1995, 1, 1)})
    worker = await people.create_worker({"name": "张三", "id_number": make_id(1), "village": "花街村"})
    placement = await employment.create_placement({
        "worker": worker["id"], "workshop": workshop["id"], "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
    return {"enterprise": enterprise, "workshop": workshop, "worker": worker, "placement": placement}


def valid_credit_code(seed: str = "91330784MA2HABCDE") -> str:
    from stdnum.cn import uscc

    return seed + uscc.calc_check_digit(seed)


def actor(role: str, *workshops: int, path: str = "api", username: str | None = None):
    """Act as a user of a role (and, for an operator, of some workshops) in a service test."""
    from ledger.access import Actor, acting_as
    from ledger.core.enums import Role, WritePath

    return acting_as(Actor(username=username or f"test-{role}", role=Role(role), path=WritePath(path),
                           workshops=frozenset(workshops)))


async def make_user(username: str, role: str, *workshop_codes: str, password: str = "test-password-1") -> dict:
    from ledger.services import users

    return await users.create_user(username, password, role, list(workshop_codes))


async def token_for(username: str, role: str, *workshop_codes: str) -> str:
    """A bearer token of a new user with this role (and workshops, by code)."""
    from piccolo.apps.user.tables import BaseUser

    from ledger.services import users

    if not await BaseUser.exists().where(BaseUser.username == username):
        await make_user(username, role, *workshop_codes)
    return (await users.create_token(username, "test"))["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def xlsx(path, rows: list[list[Any]]):
    """A real .xlsx file of these rows (openpyxl), for import tests outside tests/imports."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


async def run_cli(*args: str, stdin: str | None = None):
    """``ledger ARGS…`` as someone on the server runs it: a real subprocess on the test database."""
    import asyncio
    import os
    import subprocess
    import sys

    command = [sys.executable, "-c", "from ledger.cli import main; main()", *args]
    return await asyncio.to_thread(subprocess.run, command, input=stdin, capture_output=True, text=True,
                                   env=dict(os.environ), timeout=120)


def id_numbers_in(content: bytes, numbers: list[str]) -> list[str]:
    """The full ID numbers ``content`` carries in any spelling a reader could undo: plain,
    percent-encoded (once or twice), full-width, or inside a workbook's XML parts."""
    import io
    import unicodedata
    import zipfile
    from urllib.parse import unquote

    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(name) for name in archive.namelist())
    text = content.decode("utf-8", "replace")
    spellings = {text}
    for _ in range(3):
        text = unquote(text)
        spellings.add(text)
    haystack = "\n".join(unicodedata.normalize("NFKC", s) for s in spellings).upper()
    return [number for number in numbers if number.upper() in haystack]
