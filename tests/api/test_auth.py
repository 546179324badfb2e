"""Signing in over HTTP: who may call the API at all, and how they prove it.

People sign in with a password and get a session cookie; a write made with that cookie
must also carry the CSRF token login returned. Scripts use a bearer token an admin made,
stored only as its hash. No credential, or a bad one, is 401 in Chinese and English;
repeated wrong passwords are throttled. Only admins get into the admin panel.
"""

from __future__ import annotations

import asyncio
import hashlib
from contextlib import asynccontextmanager

import httpx
import pytest
from api.conftest import app
from dbfixtures import bearer, make_user, token_for, valid_credit_code, world
from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from ledger.cli import main
from ledger.db import engine
from ledger.services import users
from ledger.services.actor_cache import ACTORS
from ledger.tables import JOURNALED_TABLES, ApiToken, AuditEntry, Enterprise

PASSWORD = "test-password-1"  # what make_user gives every user
ENTERPRISE = {"name": "新企业", "credit_code": valid_credit_code("91330784MA2H00001"), "region_code": "330784"}


@asynccontextmanager
async def browser(base_url: str = "http://testserver"):
    """A client of its own, with its own cookie jar, as a second browser would be."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url=base_url) as c:
        yield c


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"username": username, "password": password})


async def counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in [*JOURNALED_TABLES, AuditEntry]}


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == 'Bearer realm="ledger"'
    body = response.json()
    assert body["error"] == "unauthorized"
    assert "登录" in body["message"] and "sign in" in body["message"]


# --- no credential -------------------------------------------------------------------------------

async def test_a_read_without_a_credential_is_401_saying_so_in_chinese_and_english(anonymous):
    response = await anonymous.get("/api/v1/workshops/")
    assert_unauthorized(response)
    assert response.json()["message"] == "请先登录（会话 Cookie 或 Bearer 令牌） / sign in first (session cookie or bearer token)"


async def test_a_write_without_a_credential_is_401_and_writes_nothing(anonymous):
    before = await counts()
    assert_unauthorized(await anonymous.post("/api/v1/enterprises/", json=ENTERPRISE))
    assert await counts() == before


async def test_a_made_up_bearer_token_is_401_naming_the_token(anonymous):
    response = await anonymous.get("/api/v1/auth/me", headers=bearer("lgr_not-a-real-token"))
    assert_unauthorized(response)
    assert response.json()["problems"][0]["code"] == "bad_token"


# --- session cookies -----------------------------------------------------------------------------

async def test_signing_in_sets_an_httponly_session_cookie_and_a_readable_csrf_cookie(anonymous):
    await make_user("clerk", "auditor")
    response = await sign_in(anonymous, "clerk")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["username"], body["role"], body["workshops"]) == ("clerk", "auditor", [])
    cookies = set_cookies(response)
    assert "httponly" in cookies["ledger_session"].lower()
    assert "httponly" not in cookies["ledger_csrf"].lower()  # the page's script reads it
    assert anonymous.cookies["ledger_csrf"] == body["csrf_token"]

    me = await anonymous.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "clerk"


async def test_a_cookie_write_needs_the_csrf_header_and_without_it_writes_nothing(anonymous):
    await make_user("keeper", "admin")
    csrf = (await sign_in(anonymous, "keeper")).json()["csrf_token"]
    before = await counts()

    missing = await anonymous.post("/api/v1/enterprises/", json=ENTERPRISE)
    assert_unauthorized(missing)
    assert missing.json()["problems"][0]["field"] == "x-csrf-token"
    wrong = await anonymous.post("/api/v1/enterprises/", json=ENTERPRISE, headers={"X-CSRF-Token": "0" * 64})
    assert_unauthorized(wrong)
    assert await counts() == before

    made = await anonymous.post("/api/v1/enterprises/", json=ENTERPRISE, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    assert await Enterprise.count() == 1


async def test_signing_out_ends_the_session_on_the_server_not_only_in_the_browser(anonymous):
    await make_user("clerk", "auditor")
    csrf = (await sign_in(anonymous, "clerk")).json()["csrf_token"]
    session = anonymous.cookies["ledger_session"]

    out = await anonymous.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 200, out.text
    assert_unauthorized(await anonymous.get("/api/v1/auth/me"))
    async with browser() as copied:  # someone who kept a copy of the cookie
        replayed = await copied.get("/api/v1/auth/me", headers={"Cookie": f"ledger_session={session}"})
    assert_unauthorized(replayed)
    assert replayed.json()["problems"][0]["code"] == "expired"


async def test_a_wrong_password_is_401_and_the_sixth_try_is_429_even_with_the_right_one(anonymous):
    await make_user("clerk", "auditor")
    for _ in range(5):
        wrong = await sign_in(anonymous, "clerk", "not-the-password")
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == 'Bearer realm="ledger"'
        assert wrong.json()["problems"][0]["code"] == "bad_credentials"
        assert "用户名或密码错误" in wrong.text and "wrong username or password" in wrong.text
    throttled = await sign_in(anonymous, "clerk")
    assert throttled.status_code == 429, throttled.text
    assert throttled.json()["error"] == "too_many_attempts"
    assert 0 < int(throttled.headers["retry-after"]) <= 301
    assert "秒后再试" in throttled.text and "try again in" in throttled.text
    assert "ledger_session" not in anonymous.cookies


async def test_five_failures_from_one_address_hold_back_every_username_from_it(anonymous):
    await make_user("clerk", "auditor")
    await make_user("colleague", "auditor")
    for attempt in range(5):
        assert (await sign_in(anonymous, f"guess-{attempt}", "not-the-password")).status_code == 401
    assert (await sign_in(anonymous, "colleague")).status_code == 429


async def test_an_unknown_username_is_answered_like_a_wrong_password(anonymous):
    await make_user("clerk", "auditor")
    unknown = await sign_in(anonymous, "nobody")
    wrong = await sign_in(anonymous, "clerk", "not-the-password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


# --- bearer tokens -------------------------------------------------------------------------------

@pytest.fixture(params=["reading every time", "remembering actors"])
async def tokens_as_served(request, client):
    """As the tests' in-process app serves tokens (read at every request), and as a server
    on PostgreSQL does: remembering who they are while it listens for changes."""
    if request.param == "reading every time":
        yield client
        return
    if engine().engine_type != "postgres":
        pytest.skip("actors are remembered on PostgreSQL only")
    await ACTORS.start(engine().config["dsn"])
    try:
        yield client
    finally:
        await ACTORS.stop()


async def test_a_bearer_token_works_until_an_admin_revokes_it(tokens_as_served):
    client = tokens_as_served
    await make_user("script-owner", "auditor")
    created = await client.post("/api/v1/tokens", json={"username": "script-owner", "name": "nightly export"})
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert token.startswith("lgr_") and created.json()["prefix"] == token[:10]

    async with browser() as script:
        me = await script.get("/api/v1/auth/me", headers=bearer(token))
        assert me.status_code == 200 and me.json()["username"] == "script-owner"

        revoked = await client.delete(f"/api/v1/tokens/{created.json()['id']}")
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["revoked_at"]
        refused = await script.get("/api/v1/auth/me", headers=bearer(token))
    assert_unauthorized(refused)
    assert refused.json()["problems"][0]["code"] == "bad_token"


async def test_a_token_is_stored_only_as_its_sha256(client):
    await make_user("script-owner", "auditor")
    created = (await client.post("/api/v1/tokens", json={"username": "script-owner"})).json()
    token = created["token"]
    stored = await ApiToken.select().where(ApiToken.id == created["id"]).first()
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(await ApiToken.select()) and token not in str(await AuditEntry.select())
    listed = await client.get("/api/v1/tokens")
    assert token not in listed.text and "token_hash" not in listed.text


async def test_a_token_of_a_user_who_was_made_inactive_is_refused(anonymous):
    token = await token_for("leaver", "auditor")
    assert (await anonymous.get("/api/v1/auth/me", headers=bearer(token))).status_code == 200
    await BaseUser.update({BaseUser.active: False}).where(BaseUser.username == "leaver")
    assert_unauthorized(await anonymous.get("/api/v1/auth/me", headers=bearer(token)))
    assert (await sign_in(anonymous, "leaver")).status_code == 401


# --- the admin panel -----------------------------------------------------------------------------

async def sign_in_to_the_panel(panel: httpx.AsyncClient, username: str) -> httpx.Response:
    await panel.get("/admin/")  # sets the csrftoken cookie the login form sends back
    return await panel.post("/admin/public/login/", headers={"X-CSRFToken": panel.cookies.get("csrftoken", "")},
                            json={"username": username, "password": PASSWORD})


async def test_only_admins_reach_the_admin_panel_tables(db):
    await world()
    await make_user("keeper", "admin")
    await make_user("checker", "auditor")
    await make_user("clerk", "operator", "T-01")

    async with browser("http://localhost") as panel:
        assert (await sign_in_to_the_panel(panel, "keeper")).status_code == 200
        allowed = await panel.get("/admin/api/tables/workshop/")
    assert allowed.status_code == 200
    assert [row["code"] for row in allowed.json()["rows"]] == ["T-01"]

    for username in ("checker", "clerk"):
        async with browser("http://localhost") as panel:
            # The right password, the wrong role: told so, and no session is left open.
            sessions = await SessionsBase.count()
            signed_in = await sign_in_to_the_panel(panel, username)
            assert signed_in.status_code == 403 and "仅限管理员" in signed_in.text, (username, signed_in.text)
            assert await SessionsBase.count() == sessions
            refused = await panel.get("/admin/api/tables/workshop/")
        assert refused.status_code == 401, (username, refused.text)
        assert "T-01" not in refused.text and "rows" not in refused.text
        async with browser("http://localhost") as panel:  # a wrong password gets Piccolo's own answer
            await panel.get("/admin/")
            wrong = await panel.post("/admin/public/login/", headers={"X-CSRFToken": panel.cookies.get("csrftoken", "")},
                                     json={"username": username, "password": "not-the-password"})
            assert wrong.status_code == 401 and "仅限管理员" not in wrong.text


async def test_a_session_a_non_admin_already_holds_still_reaches_no_table(db):
    # Made outside the login (say, before a demotion): the tables still ask for the ledger role.
    await world()
    clerk = await make_user("clerk", "operator", "T-01")
    session = await SessionsBase.create_session(user_id=clerk["id"])
    async with browser("http://localhost") as panel:
        panel.cookies.set("id", session.token)
        refused = await panel.get("/admin/api/tables/workshop/")
    assert refused.status_code in (401, 403) and "T-01" not in refused.text


async def test_the_panel_asks_for_the_ledger_role_not_only_piccolos_admin_flag(db):
    await world()
    await make_user("checker", "auditor")
    await BaseUser.update({BaseUser.admin: True}).where(BaseUser.username == "checker")  # out of step
    async with browser("http://localhost") as panel:
        assert (await sign_in_to_the_panel(panel, "checker")).status_code == 403
        refused = await panel.get("/admin/api/tables/workshop/")
    assert refused.status_code in (401, 403)
    assert "T-01" not in refused.text
    session = await SessionsBase.create_session(user_id=(await BaseUser.select(BaseUser.id).where(
        BaseUser.username == "checker").first())["id"])
    async with browser("http://localhost") as panel:  # a session from elsewhere: the tables still ask the role
        panel.cookies.set("id", session.token)
        refused = await panel.get("/admin/api/tables/workshop/")
    assert refused.status_code == 403 and "T-01" not in refused.text


# --- the ledger command --------------------------------------------------------------------------

async def test_ledger_user_create_makes_an_operator_bound_to_their_workshops(anonymous, capsys):
    w = await world()
    # In a thread: the command runs its own event loop (asyncio.run), as it does from a shell.
    await asyncio.to_thread(main, ["user", "create", "clerk", "--role", "operator", "--workshop", "T-01",
                                   "--password", "clerk-password-1"])
    assert '"workshops": ["T-01"]' in capsys.readouterr().out
    user = await users.get_user((await BaseUser.select(BaseUser.id).where(BaseUser.username == "clerk").first())["id"])
    assert (user["role"], user["workshops"], user["active"]) == ("operator", ["T-01"], True)
    journaled = await AuditEntry.select(AuditEntry.username, AuditEntry.path).where(
        AuditEntry.table_name == "user_role")
    assert journaled[0]["path"] == "cli" and journaled[0]["username"].startswith("cli:")

    signed_in = await sign_in(anonymous, "clerk", "clerk-password-1")
    assert signed_in.status_code == 200
    assert (signed_in.json()["role"], signed_in.json()["workshops"]) == ("operator", [w["workshop"]["id"]])


async def test_ledger_user_create_refuses_an_operator_of_an_unknown_workshop_and_creates_no_one(db, capsys):
    await world()
    with pytest.raises(SystemExit) as exit_:
        await asyncio.to_thread(main, ["user", "create", "clerk", "--role", "operator", "--workshop", "NOPE",
                                       "--password", "clerk-password-1"])
    assert exit_.value.code == 2
    assert "工坊编码不存在：NOPE" in capsys.readouterr().err
    assert not await BaseUser.exists().where(BaseUser.username == "clerk")
