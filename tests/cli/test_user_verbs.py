"""``ledger user list | deactivate | set-password``: the user service's rules, on the record."""

from __future__ import annotations

import json

from commandline import ledger
from dbfixtures import make_user, token_for, world

from ledger.services import users
from ledger.tables import AuditEntry


async def _journal(table: str) -> list[dict]:
    return await AuditEntry.select().where(AuditEntry.table_name == table).order_by(AuditEntry.seq)


async def test_user_list_shows_each_users_role_workshops_and_state_as_a_table_and_as_json(db, tmp_path):
    await world()
    await make_user("clerk", "operator", "T-01")
    await make_user("checker", "auditor")
    table = await ledger("user", "list", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert "用户名 username" in lines[0]
    assert any("clerk" in line and "operator" in line and "T-01" in line and "启用" in line for line in lines)
    rows = [json.loads(line) for line in (await ledger("user", "list", "--json", cwd=tmp_path)).stdout.splitlines()]
    assert [(r["username"], r["role"], r["workshops"], r["active"]) for r in rows] == [
        ("clerk", "operator", ["T-01"], True), ("checker", "auditor", [], True)]


async def test_deactivating_a_user_revokes_role_workshops_and_tokens_on_the_record(db, tmp_path):
    await world()
    token = await token_for("clerk", "operator", "T-01")
    result = await ledger("user", "deactivate", "clerk", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "已停用 clerk" in result.stdout
    user = next(u for u in await users.list_users() if u["username"] == "clerk")
    assert (user["active"], user["role"], user["workshops"]) == (False, None, [])
    assert await users.actor_for_token(token) is None
    for table in ("user_role", "user_workshop", "api_token"):
        last = (await _journal(table))[-1]
        assert (last["path"], last["username"].startswith("cli:")) == ("cli", True), table
    verify = await ledger("audit", "verify", cwd=tmp_path)
    assert verify.returncode == 0 and "完好" in verify.stdout, verify.stdout + verify.stderr
    assert "journal entries read" in verify.stderr and "replaying user_role" in verify.stderr


async def test_deactivating_someone_who_does_not_exist_says_so_and_exits_2(db, tmp_path):
    result = await ledger("user", "deactivate", "nobody", cwd=tmp_path)
    assert result.returncode == 2 and "用户不存在" in result.stderr and "Traceback" not in result.stderr


async def test_set_password_reads_the_new_password_from_stdin_ends_sessions_and_is_journaled(db, tmp_path):
    user = await make_user("checker", "auditor", password="the-old-password")
    session = await users.start_session(user["id"])
    result = await ledger("user", "set-password", "checker", cwd=tmp_path, stdin="the-new-password\n")
    assert result.returncode == 0, result.stderr
    assert "the-new-password" not in result.stdout + result.stderr
    assert await users.check_password("checker", "the-new-password") == user["id"]
    assert await users.check_password("checker", "the-old-password") is None
    assert await users.session_user(session) is None
    entry = (await _journal("piccolo_user"))[-1]
    assert (entry["row_id"], entry["action"], entry["path"]) == (user["id"], "update", "cli")
    assert json.loads(entry["before"])["password"] != json.loads(entry["after"])["password"]
    assert "the-new-password" not in entry["after"] and json.loads(entry["after"])["password"].startswith("sha256:")
    assert (await ledger("audit", "verify", cwd=tmp_path)).returncode == 0


async def test_set_password_takes_an_explicit_password_and_refuses_a_short_one_changing_nothing(db, tmp_path):
    user = await make_user("checker", "auditor", password="the-old-password")
    short = await ledger("user", "set-password", "checker", "--password", "short", cwd=tmp_path)
    assert short.returncode == 2 and "密码长度须为 10–128 个字符" in short.stderr
    empty = await ledger("user", "set-password", "checker", cwd=tmp_path, stdin="")
    assert empty.returncode == 2
    assert await users.check_password("checker", "the-old-password") == user["id"]
    given = await ledger("user", "set-password", "checker", "--password", "given-on-the-line", cwd=tmp_path)
    assert given.returncode == 0, given.stderr
    assert await users.check_password("checker", "given-on-the-line") == user["id"]
