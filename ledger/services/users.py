"""Users, their roles and workshops, sessions and bearer tokens.

One user table serves the API and the admin panel: Piccolo's ``BaseUser`` (password hashed
with PBKDF2 by Piccolo), with the ledger's role in ``UserRole`` and an operator's
workshops in ``UserWorkshop``. Only admins reach the admin panel: ``BaseUser.admin`` is
kept equal to "role is admin". Bearer tokens for scripts are random, shown once, stored
as a SHA-256 hash (a token is 256 random bits, so a plain hash suffices; no salt needed);
admins create and revoke them. Role grants and tokens are journaled like business rows.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from ledger import access, crypto
from ledger.access import Actor
from ledger.core import rules
from ledger.core.enums import JournalAction, Role, WritePath
from ledger.core.problems import Problem
from ledger.db import write_transaction
from ledger.errors import Conflict, NotFound, ValidationFailed
from ledger.services import journal
from ledger.services.actor_cache import ACTORS
from ledger.services.common import Collector
from ledger.tables import ApiToken, UserRole, UserWorkshop, Workshop

PERSON_ROLES = (Role.operator, Role.auditor, Role.admin)
USERNAME_RE = re.compile(r"[\w.@-]{2,50}")
MIN_PASSWORD = 10
TOKEN_PREFIX = "lgr_"


def valid_username(username: Any) -> bool:
    """Whether a username could exist: anything else is never sent to the database (a NUL
    byte, for one, is an error in PostgreSQL, not a miss)."""
    return isinstance(username, str) and USERNAME_RE.fullmatch(username) is not None


async def _user_id(username: Any) -> int:
    user = await BaseUser.select(BaseUser.id).where(BaseUser.username == username).first() \
        if valid_username(username) else None
    if user is None:
        raise ValidationFailed([Problem("username", "unknown_reference", "用户不存在", "no such user")])
    return user["id"]


def _require_admin() -> None:
    access.require(Role.admin, doing_zh="管理用户和令牌", doing_en="managing users and tokens")


def _password_problems(password: Any) -> list[Problem]:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= 128:
        return [Problem("password", "password", f"密码长度须为 {MIN_PASSWORD}–128 个字符",
                        f"a password has {MIN_PASSWORD}–128 characters")]
    if password.startswith("pbkdf2_sha256"):  # Piccolo would take it for a stored hash
        return [Problem("password", "password", "密码不能以 pbkdf2_sha256 开头", "a password cannot begin with pbkdf2_sha256")]
    return []


async def create_user(username: Any, password: Any, role: Any, workshops: list[Any] | None = None
                      ) -> dict[str, Any]:
    """Create a user with a role; an operator needs at least one workshop (by code)."""
    _require_admin()
    checks = Collector()
    if not valid_username(username):
        checks.add([Problem("username", "username", "用户名为 2–50 个字母、数字或 _.@-",
                            "a username is 2–50 letters, digits or _.@-")])
    checks.add(_password_problems(password))
    if role not in [r.value for r in PERSON_ROLES]:
        checks.add([Problem("role", "choice", "角色应为 operator、auditor 或 admin",
                            "role must be operator, auditor or admin")])
    codes = list(workshops or [])
    if role == Role.operator and not codes:
        checks.add([Problem("workshops", "required", "运营方须至少指定一个工坊",
                            "an operator needs at least one workshop")])
    if role != Role.operator and codes:
        checks.add([Problem("workshops", "not_operator", "只有运营方绑定工坊", "only operators are bound to workshops")])
    async with write_transaction():
        found = {w["code"]: w["id"] for w in await Workshop.select(Workshop.id, Workshop.code).where(
            Workshop.code.is_in([str(c) for c in codes] or [""]))}
        for code in codes:
            if str(code) not in found:
                checks.add([Problem("workshops", "unknown_reference", f"工坊编码不存在：{code}",
                                    f"no workshop with code {code}")])
        if valid_username(username) and await BaseUser.exists().where(BaseUser.username == username):
            checks.conflict(Problem("username", "duplicate", "用户名已存在", "this username is taken"))
        checks.raise_if_any()
        user = await BaseUser.create_user(username=username, password=password, active=True,
                                          admin=role == Role.admin, superuser=False,
                                          email=f"{username}@ledger.invalid")
        await journal.insert(UserRole, {"user": user.id, "role": role})
        await journal.insert_many(UserWorkshop, [{"user": user.id, "workshop": found[str(c)]} for c in codes])
    return await get_user(user.id)


async def get_user(user_id: int) -> dict[str, Any]:
    user = await BaseUser.select(BaseUser.id, BaseUser.username, BaseUser.active).where(
        BaseUser.id == user_id).first()
    if user is None:
        raise NotFound([Problem("id", "not_found", f"用户不存在（id={user_id}）", f"no user with id {user_id}")])
    role = await UserRole.select(UserRole.role).where(UserRole.user == user_id).first()
    codes = await UserWorkshop.select(UserWorkshop.workshop.code.as_alias("code")).where(
        UserWorkshop.user == user_id).order_by(UserWorkshop.id)
    return {**user, "role": role["role"] if role else None, "workshops": [c["code"] for c in codes]}


async def list_users() -> list[dict[str, Any]]:
    _require_admin()
    ids = await BaseUser.select(BaseUser.id).order_by(BaseUser.id)
    return [await get_user(row["id"]) for row in ids]


_ACTOR_SQL = """SELECT u.id AS id, u.username AS username, u.active AS active, r.role AS role,
                        uw.workshop AS workshop
                 FROM piccolo_user u JOIN user_role r ON r."user" = u.id
                 LEFT JOIN user_workshop uw ON uw."user" = u.id"""
"""Who someone is, their role and workshops in one query (a row per workshop): every request
asks it, so it is one round trip, not three."""


def _actor_of(rows: list[dict[str, Any]], path: WritePath) -> Actor | None:
    if not rows or not rows[0]["active"]:
        return None
    first = rows[0]
    return Actor(username=first["username"], role=Role(first["role"]), path=path, user_id=first["id"],
                 workshops=frozenset(r["workshop"] for r in rows if r["workshop"] is not None))


async def actor_for_user(user_id: int, path: WritePath) -> Actor | None:
    """The actor a signed-in user is, or None (inactive, or no ledger role)."""
    return _actor_of(await BaseUser.raw(f"{_ACTOR_SQL} WHERE u.id = {{}}", user_id), path)


# --- passwords and sessions ---------------------------------------------------------------------

async def check_password(username: str, password: str) -> int | None:
    if not valid_username(username) or not isinstance(password, str):
        return None
    return await BaseUser.login(username=username, password=password)


async def start_session(user_id: int) -> str:
    session = await SessionsBase.create_session(user_id=user_id)
    return session.token


SESSION_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-]{1,200}")


async def session_user(token: str) -> int | None:
    """The user of a session token; a value no session could have is not looked up."""
    return await SessionsBase.get_user_id(token) if SESSION_TOKEN_RE.fullmatch(token or "") else None


async def end_session(token: str) -> None:
    await SessionsBase.remove_session(token)


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: derived from it, so nothing more is stored."""
    return hmac.new(crypto.derive_key(b"csrf"), session_token.encode(), hashlib.sha256).hexdigest()


# --- bearer tokens --------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(username: Any, name: Any = "") -> dict[str, Any]:
    """A new bearer token for a user; the token itself is returned this once only."""
    _require_admin()
    user_id = await _user_id(username)
    checks = Collector()
    name = checks.take(rules.check_text("name", name, max_length=100, optional=True))
    checks.raise_if_any()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with write_transaction():
        row = await journal.insert(ApiToken, {
            "user": user_id, "name": name or "", "prefix": token[:10], "token_hash": _token_hash(token),
            "created_by": access.current().username, "created_at": journal.now_iso()})
    return {**_token_out(row), "token": token}


def _token_out(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "user", "name", "prefix", "created_by", "created_at", "revoked_at")}


async def list_tokens() -> list[dict[str, Any]]:
    _require_admin()
    rows = await ApiToken.select(ApiToken.all_columns(exclude=[ApiToken.token_hash])).order_by(ApiToken.id)
    return [_token_out(r) for r in rows]


async def revoke_token(token_id: int) -> dict[str, Any]:
    _require_admin()
    async with write_transaction():
        row = await ApiToken.select().where(ApiToken.id == token_id).first() if 1 <= token_id < 2**31 else None
        if row is None:
            raise NotFound([Problem("id", "not_found", f"令牌不存在（id={token_id}）", f"no token with id {token_id}")])
        if row["revoked_at"]:
            raise Conflict([Problem("id", "revoked", "令牌已吊销", "the token is already revoked")])
        updated = await journal.update(ApiToken, token_id, {"revoked_at": journal.now_iso()})
    ACTORS.forget()  # after the commit: this process refuses the token from now on
    assert updated is not None
    return _token_out(updated)


async def actor_for_token(token: str, path: WritePath = WritePath.api) -> Actor | None:
    """The actor a bearer token acts as, or None. A server process remembers it while the
    database tells it of changes (``ledger.services.actor_cache``)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    key = _token_hash(token)
    actor = ACTORS.get(key)
    if actor is None:
        generation = ACTORS.generation
        actor = await _read_token_actor(key, path)
        ACTORS.put(key, actor, generation)
    return actor if actor is None or actor.path is path else actor.via(path)


async def _read_token_actor(token_hash: str, path: WritePath) -> Actor | None:
    return _actor_of(await BaseUser.raw(
        f"{_ACTOR_SQL} JOIN api_token t ON t.\"user\" = u.id WHERE t.token_hash = {{}} AND t.revoked_at = ''",
        token_hash), path)


async def set_password(username: Any, password: Any) -> dict[str, Any]:
    """Give a user a new password, on the record: the journal keeps the account row before
    and after (the password hash only as a fingerprint, like every secret column), and the
    user's sessions end, so whoever knew the old password is signed out."""
    _require_admin()
    checks = Collector()
    checks.add(_password_problems(password))
    checks.raise_if_any()
    async with write_transaction():
        user_id = await _user_id(username)
        before = await BaseUser.select().where(BaseUser.id == user_id).first()
        await BaseUser.update_password(user_id, password)
        after = await BaseUser.select().where(BaseUser.id == user_id).first()
        await journal.append([journal.Change(BaseUser, user_id, JournalAction.update,
                                             journal.snapshot(BaseUser, before), journal.snapshot(BaseUser, after))])
        await SessionsBase.delete().where(SessionsBase.user_id == user_id)
    return await get_user(user_id)


async def deactivate_user(username: Any) -> dict[str, Any]:
    """Take someone's access away, on the record: their role and workshops are deleted and
    their tokens revoked (journaled), the account is marked inactive, their sessions end."""
    _require_admin()
    async with write_transaction():
        user = {"id": await _user_id(username)}
        if user["id"] == access.current().user_id:
            raise Conflict([Problem("username", "self", "不能停用自己", "you cannot deactivate yourself")])
        await journal.delete_where(UserWorkshop, UserWorkshop.user == user["id"])
        await journal.delete_where(UserRole, UserRole.user == user["id"])
        live = await ApiToken.select(ApiToken.id).where((ApiToken.user == user["id"]) & (ApiToken.revoked_at == ""))
        await journal.update_many(ApiToken, [(t["id"], {"revoked_at": journal.now_iso()}) for t in live])
        await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == user["id"])
        await SessionsBase.delete().where(SessionsBase.user_id == user["id"])
    ACTORS.forget()  # after the commit: this process refuses the user's tokens from now on
    return await get_user(user["id"])
