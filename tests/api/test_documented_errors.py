"""The OpenAPI document describes the error answers the API really gives: one ``ErrorBody``
schema (``{error, message, problems: [{field, code, zh, en, message}]}``) for every 4xx of
every operation, and real answers of each status validate against it."""

from __future__ import annotations

import json

import jsonschema_rs
from dbfixtures import bearer, make_id, token_for, world

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


async def document(client) -> dict:
    return (await client.get("/docs/openapi.json")).json()


def body_schema(schema: dict, path: str, method: str, status: int) -> dict:
    response = schema["paths"][path.rstrip("/")][method]["responses"][str(status)]
    return {**response["content"]["application/json"]["schema"], "components": schema["components"]}


async def test_every_error_answer_of_every_operation_is_documented_with_the_ledgers_error_body(client):
    schema = await document(client)
    errors = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = {s for s in operation["responses"] if s.startswith("4")}
            assert {"400", "401", "403"} <= statuses, (method, path)
            assert ("404" in statuses) == ("{" in path), (method, path)
            if method in ("post", "put", "patch", "delete") and "/auth/" not in path:  # a COMMIT may be lost
                statuses.add("503")
            for status in statuses:
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
                assert " / " in operation["responses"][status]["description"]
                errors += 1
    assert errors > 200
    body = schema["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"error", "message", "problems"}
    problem = schema["components"]["schemas"]["ProblemBody"]
    assert set(problem["required"]) == {"field", "code", "zh", "en", "message"}
    assert "status_code" not in json.dumps(schema["components"]) and '"detail"' not in json.dumps(schema["paths"])


async def test_real_error_answers_of_each_status_match_the_documented_schema(client, anonymous):
    w = await world()
    schema = await document(client)
    pay = {"placement": w["placement"]["id"], "month": "2023-03", "amount": "2800.00", "days_worked": 20}
    assert (await client.post("/api/v1/pay/", json=pay)).status_code == 201
    auditor = bearer(await token_for("reader", "auditor"))
    answers = [
        ("/api/v1/pay/", "post", 400, await client.post("/api/v1/pay/", content=b"{not json",
                                                        headers={"Content-Type": "application/json"})),
        ("/api/v1/workers/", "get", 401, await anonymous.get("/api/v1/workers/", headers={"Authorization": ""})),
        ("/api/v1/pay/", "post", 403, await anonymous.post("/api/v1/pay/", json=pay, headers=auditor)),
        ("/api/v1/workers/{worker_id}", "get", 404, await client.get("/api/v1/workers/4242")),
        ("/api/v1/pay/", "post", 409, await client.post("/api/v1/pay/", json=pay | {"amount": "1000.00"})),
        ("/api/v1/imports", "post", 415, await client.post("/api/v1/imports", files={"file": ("a.xlsx", PNG)})),
        ("/api/v1/workers/", "post", 422, await client.post("/api/v1/workers/", json={
            "name": "李四", "id_number": make_id(7)[:-1] + "0", "village": "村"})),
    ]
    for path, method, status, answer in answers:
        assert answer.status_code == status, (path, status, answer.text)
        validator = jsonschema_rs.Draft202012Validator(body_schema(schema, path, method, status))
        errors = [e.message for e in validator.iter_errors(answer.json())]
        assert errors == [], (path, status, errors)
        if status != 401:
            assert answer.json()["problems"] or status == 403, answer.text
