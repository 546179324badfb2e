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
    assert login.status_code == 422
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


def _with_nul(schema: dict, components: dict, depth: int = 0) -> object:
    """A value of ``schema``'s shape whose every string carries a NUL."""
    if "$ref" in schema:
        return _with_nul(components[schema["$ref"].rsplit("/", 1)[-1]], components, depth)
    for choice in schema.get("anyOf", schema.get("oneOf", [])):
        if choice.get("type") != "null":
            return _with_nul(choice, components, depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: _with_nul(sub, components, depth + 1) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_with_nul(schema.get("items", {"type": "string"}), components, depth + 1)]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    return "1\x00"


def _strings_in(value: object) -> int:
    if isinstance(value, dict):
        return sum(_strings_in(v) for v in value.values())
    if isinstance(value, list):
        return sum(_strings_in(v) for v in value)
    return int(isinstance(value, str))


async def test_every_json_body_in_the_schema_refuses_a_nul_in_every_string_at_once(client):
    """Walks the OpenAPI schema, so a new endpoint is covered without a new test: each string
    (nested lists and objects too: the workshops of POST /users were the case CI found) carries a NUL,
    and the answer is one 422 naming every such field, before any look-up."""
    schema = (await client.get("/docs/openapi.json")).json()
    components = schema["components"]["schemas"]
    checked = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            payload = _with_nul(body["schema"], components)
            url = "/".join("1" if part.startswith("{") else part for part in path.split("/"))
            response = await client.request(method.upper(), url, json=payload)
            assert response.status_code == 422, (method, path, response.text)
            problems = response.json()["problems"]
            assert {p["code"] for p in problems} == {"control_character"}, (method, path)
            assert len(problems) == _strings_in(payload), (method, path, problems)
            checked += 1
    assert checked >= 15
