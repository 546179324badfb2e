"""Who is calling: session cookies (with CSRF) and bearer tokens, in one middleware.

Every request under /api/v1 except ``POST /auth/login`` must carry either
``Authorization: Bearer lgr_…`` (scripts) or the ``ledger_session`` cookie set by login
(people). A cookie-authenticated request that writes (anything but GET/HEAD/OPTIONS) must
also send ``X-CSRF-Token`` equal to the ``csrf_token`` login returned (it is also in the
readable ``ledger_csrf`` cookie): another site can make the browser send the cookie, but
cannot read the token. No credential, or a bad one: 401. The middleware then runs the
request as that user (``access.acting_as``); what the user may do is the services' call.

Failed logins are throttled per username and per client address (``LoginThrottle``):
after ``MAX_FAILURES`` within ``WINDOW`` seconds, 429 with Retry-After until the window
passes. The counts live in the process; with several server processes each counts its own.
"""

from __future__ import annotations

import hmac
import json
import time
from collections import defaultdict, deque
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Receive, Scope, Send
from pydantic import BaseModel, Field

from ledger import access
from ledger.api.schemas import Body
from ledger.core.enums import WritePath
from ledger.core.problems import Problem
from ledger.errors import LedgerError, TooManyAttempts, Unauthorized, ValidationFailed
from ledger.services import users
from ledger.settings import get_settings

SESSION_COOKIE = "ledger_session"
CSRF_COOKIE = "ledger_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PUBLIC_PATHS = {"/api/v1/auth/login"}


class LoginThrottle:
    MAX_FAILURES = 5
    WINDOW = 300.0

    def __init__(self) -> None:
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self.failures[key]
        while times and now - times[0] > self.WINDOW:
            times.popleft()
        return times

    def check(self, keys: list[str]) -> None:
        now = time.monotonic()
        for key in keys:
            times = self._recent(key, now)
            if len(times) >= self.MAX_FAILURES:
                wait = int(self.WINDOW - (now - times[0])) + 1
                raise TooManyAttempts([Problem("username", "throttled", f"请 {wait} 秒后再试",
                                               f"try again in {wait} seconds")], retry_after=wait)

    def failed(self, keys: list[str]) -> None:
        now = time.monotonic()
        for key in keys:
            self.failures[key].append(now)

    def succeeded(self, username: str) -> None:
        self.failures.pop(f"user:{username}", None)

    def reset(self) -> None:
        self.failures.clear()


THROTTLE = LoginThrottle()


def _error(exc: LedgerError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    headers = [(b"content-type", b"application/json; charset=utf-8")]
    if exc.status_code == 401:
        headers.append((b"www-authenticate", b'Bearer realm="ledger"'))
    return exc.status_code, headers, json.dumps(exc.as_dict(), ensure_ascii=False).encode()


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _cookie(scope: Scope, name: str) -> str:
    for part in _header(scope, b"cookie").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def refuse_nul_in_query(scope: Scope) -> None:
    """A NUL byte in a query parameter would reach SQL, where PostgreSQL refuses it (a 500);
    no filter value contains one, so say so up front."""
    query = scope.get("query_string", b"").lower()
    if b"%00" in query or b"\x00" in query:
        raise ValidationFailed([Problem("query", "control_character", "查询参数含有 NUL 字符",
                                        "a query parameter contains a NUL character")])


async def actor_of(scope: Scope) -> access.Actor:
    """The actor a request authenticates as, or Unauthorized."""
    authorization = _header(scope, b"authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        actor = await users.actor_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if actor is None:
            raise Unauthorized([Problem("authorization", "bad_token", "令牌无效或已吊销",
                                        "the token is not valid or was revoked")])
        return actor
    session = _cookie(scope, SESSION_COOKIE)
    if not session:
        raise Unauthorized()
    user_id = await users.session_user(session)
    actor = await users.actor_for_user(user_id, WritePath.api) if user_id else None
    if actor is None:
        raise Unauthorized([Problem("session", "expired", "会话已过期，请重新登录", "the session expired; sign in again")])
    if scope.get("method", "GET") not in SAFE_METHODS:
        sent = _header(scope, CSRF_HEADER.encode())
        if not hmac.compare_digest(sent, users.csrf_token(session)):
            raise Unauthorized([Problem("x-csrf-token", "csrf", "缺少或错误的 X-CSRF-Token 请求头（登录时返回）",
                                        "the X-CSRF-Token header is missing or wrong (login returns it)")])
    return actor


class AuthMiddleware:
    """ASGI middleware for the API router: authenticate, then run as that user."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            refuse_nul_in_query(scope)
            actor = await actor_of(scope)
        except LedgerError as exc:
            status, headers, body = _error(exc)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        with access.acting_as(actor):
            await self.app(scope, receive, send)


# --- endpoints ------------------------------------------------------------------------------------

class LoginIn(Body):
    username: str = Field(max_length=100, description="用户名 / username")
    password: str = Field(max_length=128, description="密码 / password")


class Me(BaseModel):
    username: str = Field(description="用户名 / username")
    role: str = Field(description="角色 / role: operator, auditor, admin")
    workshops: list[int] = Field(description="运营方负责的工坊编号 / an operator's workshop ids")


class LoginOut(Me):
    csrf_token: str = Field(description="以 Cookie 写入时放在 X-CSRF-Token 请求头 / send as X-CSRF-Token on cookie writes")


class UserCreate(Body):
    username: str = Field(max_length=50, description="用户名 / username")
    password: str = Field(max_length=128, description="密码（至少 10 个字符） / password (10+ characters)")
    role: str = Field(max_length=16, description="operator | auditor | admin")
    workshops: list[str] = Field(default_factory=list, max_length=1000,
                                 description="运营方的工坊编码 / an operator's workshop codes")


class UserOut(BaseModel):
    id: int
    username: str
    active: bool
    role: str | None
    workshops: list[str]


class TokenCreate(Body):
    username: str = Field(max_length=100, description="令牌所属用户 / the user the token acts as")
    name: str = Field(default="", max_length=100, description="用途 / what it is for")


class TokenOut(BaseModel):
    id: int
    user: int
    name: str
    prefix: str = Field(description="令牌前几位，便于辨认 / the token's first characters")
    created_by: str
    created_at: str
    revoked_at: str = Field(description="吊销时间，空为有效 / when revoked; empty while valid")


class TokenCreated(TokenOut):
    token: str = Field(description="令牌本身，只显示这一次 / the token itself, shown this once only")


def _me(actor: access.Actor) -> dict[str, Any]:
    return {"username": actor.username, "role": actor.role.value, "workshops": sorted(actor.workshops)}


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    path = "/auth"
    tags = ["登录 Sign-in"]

    @post("/login", summary="登录，取得会话 Cookie / Sign in: sets the session cookie", status_code=200,
          security=[])
    async def login(self, request: Request, data: LoginIn) -> Response[LoginOut]:
        keys = [f"user:{data.username}", f"ip:{_client(request)}"]
        THROTTLE.check(keys)
        user_id = await users.check_password(data.username, data.password)
        actor = await users.actor_for_user(user_id, WritePath.api) if user_id else None
        if actor is None:
            THROTTLE.failed(keys)
            raise Unauthorized([Problem("password", "bad_credentials", "用户名或密码错误",
                                        "wrong username or password")])
        THROTTLE.succeeded(data.username)
        session = await users.start_session(user_id)  # type: ignore[arg-type]
        csrf = users.csrf_token(session)
        secure = get_settings().secure_cookies
        return Response(LoginOut(**_me(actor), csrf_token=csrf), cookies=[
            Cookie(key=SESSION_COOKIE, value=session, httponly=True, samesite="strict", path="/api", secure=secure),
            Cookie(key=CSRF_COOKIE, value=csrf, httponly=False, samesite="strict", path="/", secure=secure)])

    @post("/logout", summary="退出登录 / Sign out", status_code=200)
    async def logout(self, request: Request) -> Response[dict[str, str]]:
        session = request.cookies.get(SESSION_COOKIE)
        if session:
            await users.end_session(session)
        return Response({"status": "signed out"}, cookies=[
            Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/api"),
            Cookie(key=CSRF_COOKIE, value="", max_age=0, path="/")])

    @get("/me", summary="当前用户 / Who am I")
    async def me(self) -> Me:
        return Me(**_me(access.current()))


class UserController(Controller):
    path = "/users"
    tags = ["用户 Users"]

    @post("/", summary="创建用户（管理员） / Create a user (admins)")
    async def create(self, data: UserCreate) -> UserOut:
        return UserOut(**await users.create_user(data.username, data.password, data.role, data.workshops))

    @get("/", summary="用户列表（管理员） / List users (admins)")
    async def list(self) -> list[UserOut]:
        return [UserOut(**u) for u in await users.list_users()]


class TokenController(Controller):
    path = "/tokens"
    tags = ["用户 Users"]

    @post("/", summary="创建 Bearer 令牌（管理员） / Create a bearer token (admins)")
    async def create(self, data: TokenCreate) -> TokenCreated:
        return TokenCreated(**await users.create_token(data.username, data.name))

    @get("/", summary="令牌列表（管理员） / List tokens (admins)")
    async def list(self) -> list[TokenOut]:
        return [TokenOut(**t) for t in await users.list_tokens()]

    @delete("/{token_id:int}", summary="吊销令牌（管理员） / Revoke a token (admins)", status_code=200)
    async def revoke(self, token_id: int) -> TokenOut:
        return TokenOut(**await users.revoke_token(token_id))


AUTH_CONTROLLERS = [AuthController, UserController, TokenController]
