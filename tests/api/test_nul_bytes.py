"""A NUL byte (which PostgreSQL refuses in text) is the caller's mistake: a 4xx, never a 500.
schemathesis found it on POST /users and /tokens; these pin it on every kind of input."""

from __future__ import annotations

from dbfixtures import valid_credit_code
from piccolo.apps.user.tables import BaseUser

from ledger.tables import Enterprise


async def test_a_nul_in_a_username_is_refused_before_the_database_sees_it(client):
    created = await client.post("/api/v1/users/", json={"username": "a\x00b", "password": "a-long-password",
                                                         "role": "auditor"})
    assert created.status_code == 422 and created.json()["problems"][0]["field"] == "username"
    token = await client.post("/api/v1/tokens/", json={"username": "a\x00b"})
    assert token.status_code == 422
    login = await client.post("/api/v1/auth/login", json={"username": "a\x00b", "password": "x"})
    assert login.status_code == 401
    assert not await BaseUser.exists().where(BaseUser.username == "a")


async def test_a_nul_in_a_text_field_is_named_in_both_languages(client):
    response = await client.post("/api/v1/enterprises/", json={
        "name": "顺虎\x00公司", "credit_code": valid_credit_code(), "region_code": "330784"})
    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert problem["field"] == "name" and "控制字符" in problem["zh"] and "control character" in problem["en"]
    assert await Enterprise.count() == 0


async def test_a_nul_in_a_query_parameter_is_a_4xx(client):
    for url in ("/api/v1/workers/?village=%00", "/api/v1/enterprises/?region=33%00", "/api/v1/audit?user=%00"):
        response = await client.get(url)
        assert response.status_code == 422, url
        assert response.json()["problems"][0]["code"] == "control_character"


async def test_a_session_cookie_no_session_could_have_is_simply_not_signed_in(anonymous):
    anonymous.cookies.set("ledger_session", "abc\x01def")
    assert (await anonymous.get("/api/v1/auth/me")).status_code == 401


async def test_a_nul_in_a_claims_figure_text_or_a_token_name_is_refused(client):
    claim = await client.post("/api/v1/claims", json={
        "title": "某县报道", "scope": "region:330784", "period": "2023",
        "figures": [{"metric": "workshops", "value": "8", "unit": "家", "qualifier": "exact", "text": "8\x00家"}]})
    assert claim.status_code == 422 and claim.json()["problems"][0]["field"] == "figures[0].text"
    await client.post("/api/v1/users/", json={"username": "bot", "password": "a-long-password", "role": "auditor"})
    token = await client.post("/api/v1/tokens/", json={"username": "bot", "name": "nightly\x00"})
    assert token.status_code == 422 and token.json()["problems"][0]["field"] == "name"
