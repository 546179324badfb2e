"""The API as a new user meets it: JSON in and out, money as decimal strings, and bad input
answered 4xx naming every problem in Chinese and English, with nothing written."""

from __future__ import annotations

from dbfixtures import make_id, valid_credit_code, wrong_check_digit

from ledger.tables import LEDGER_TABLES


async def counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in LEDGER_TABLES}


async def setup_world(client) -> dict:
    e = (await client.post("/api/v1/enterprises/", json={
        "name": "测试企业", "credit_code": valid_credit_code(), "region_code": "330784"})).json()
    w = (await client.post("/api/v1/workshops/", json={
        "code": "T-01", "name": "测试工坊", "enterprise": e["id"], "workshop_type": "来料加工式",
        "village": "花街村", "region_code": "330784", "opened_on": "2022-01-01"})).json()
    p = (await client.post("/api/v1/workers/", json={
        "name": "张三", "id_number": make_id(1), "village": "花街村", "baseline_income": "1200.00"})).json()
    pl = (await client.post("/api/v1/placements/", json={
        "worker": p["id"], "workshop": w["id"], "hired_on": "2023-01-01", "pay_basis": "计件"})).json()
    return {"enterprise": e, "workshop": w, "worker": p, "placement": pl}


async def test_a_pay_record_round_trips_with_money_as_a_decimal_string(client):
    w = await setup_world(client)
    response = await client.post("/api/v1/pay/", json={
        "placement": w["placement"]["id"], "month": "2023-03", "amount": "2800.10", "days_worked": 22})
    assert response.status_code == 201, response.text
    assert response.json()["amount"] == "2800.10"
    listed = (await client.get("/api/v1/pay/", params={"workshop": w["workshop"]["id"], "month": "2023-03"})).json()
    assert listed["total"] == 1 and listed["items"][0]["amount"] == "2800.10"
    assert w["worker"]["id_number"] == make_id(1)[:6] + "********" + make_id(1)[-4:]
    assert w["worker"]["baseline_income"] == "1200.00"


async def test_bad_pay_is_refused_naming_every_problem_and_nothing_is_written(client):
    w = await setup_world(client)
    before = await counts()
    response = await client.post("/api/v1/pay/", json={
        "placement": w["placement"]["id"], "month": "2023-13", "amount": "2,800元", "days_worked": 45})
    assert response.status_code == 422
    body = response.json()
    assert {p["field"] for p in body["problems"]} == {"month", "amount", "days_worked"}
    for problem in body["problems"]:
        assert problem["zh"] and problem["en"] and " / " in problem["message"]
    assert await counts() == before


async def test_a_wrong_id_check_digit_gets_a_422_that_does_not_echo_the_number(client):
    number = wrong_check_digit(make_id(5))
    response = await client.post("/api/v1/workers/", json={"name": "李四", "id_number": number, "village": "村"})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "id_number"
    assert number not in response.text


async def test_a_second_record_for_the_same_month_is_409(client):
    w = await setup_world(client)
    body = {"placement": w["placement"]["id"], "month": "2023-03", "amount": "2800.00", "days_worked": 22}
    assert (await client.post("/api/v1/pay/", json=body)).status_code == 201
    again = await client.post("/api/v1/pay/", json=body | {"amount": "1000.00"})
    assert again.status_code == 409
    assert again.json()["problems"][0]["code"] == "duplicate_pay"


async def test_a_json_number_with_a_fraction_is_not_accepted_as_money(client):
    w = await setup_world(client)
    response = await client.post("/api/v1/pay/", json={
        "placement": w["placement"]["id"], "month": "2023-03", "amount": 2800.5, "days_worked": 22})
    assert response.status_code in (400, 422)
    assert any(p["field"].endswith("amount") for p in response.json()["problems"])


async def test_wrong_json_types_are_400_with_every_field_named(client):
    response = await client.post("/api/v1/placements/", json={"worker": "abc", "workshop": [], "hired_on": 5})
    assert response.status_code == 400
    fields = {p["field"] for p in response.json()["problems"]}
    assert {"worker", "workshop", "hired_on"} <= fields


async def test_overlapping_hires_and_unknown_workshops_are_refused(client):
    w = await setup_world(client)
    overlap = await client.post("/api/v1/placements/", json={
        "worker": w["worker"]["id"], "workshop": w["workshop"]["id"], "hired_on": "2023-05-01", "pay_basis": "计时"})
    assert overlap.status_code == 409
    unknown = await client.post("/api/v1/placements/", json={
        "worker": w["worker"]["id"], "workshop": 9999, "hired_on": "2023-05-01", "pay_basis": "计时"})
    assert unknown.status_code == 422
    assert unknown.json()["problems"][0]["field"] == "workshop"


async def test_the_batch_endpoint_is_all_or_nothing(client):
    w = await setup_world(client)
    bad = await client.post("/api/v1/pay/batch", json={"month": "2023-04", "items": [
        {"placement": w["placement"]["id"], "amount": "100.00", "days_worked": 3},
        {"placement": 77777, "amount": "100.001", "days_worked": 3}]})
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["problems"]} == {"items[1].placement", "items[1].amount"}
    assert (await client.get("/api/v1/pay/")).json()["total"] == 0
    good = await client.post("/api/v1/pay/batch", json={"month": "2023-04", "items": [
        {"placement": w["placement"]["id"], "amount": "100.00", "days_worked": 3}]})
    assert good.status_code == 201 and good.json()[0]["amount"] == "100.00"


async def test_patch_changes_only_what_it_names_and_keeps_the_rules(client):
    w = await setup_world(client)
    pid = w["placement"]["id"]
    ok = await client.patch(f"/api/v1/placements/{pid}", json={"left_on": "2023-08-31"})
    assert ok.status_code == 200 and ok.json()["left_on"] == "2023-08-31"
    bad = await client.patch(f"/api/v1/placements/{pid}", json={"left_on": "2022-08-31"})
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "left_on"


async def test_lists_filter_and_paginate(client):
    w = await setup_world(client)
    for serial in range(2, 6):
        await client.post("/api/v1/workers/", json={"name": f"工{serial}", "id_number": make_id(serial),
                                                    "village": "花街村"})
    page = (await client.get("/api/v1/workers/", params={"page": 2, "page_size": 2})).json()
    assert page["total"] == 5 and len(page["items"]) == 2 and page["page"] == 2
    found = (await client.get("/api/v1/workers/", params={"id_number": make_id(3)})).json()
    assert [i["name"] for i in found["items"]] == ["工3"]
    active = (await client.get("/api/v1/placements/", params={"active_on": "2022-12-31"})).json()
    assert active["total"] == 0
    assert (await client.get("/api/v1/placements/", params={"workshop": w["workshop"]["id"]})).json()["total"] == 1
    too_big = await client.get("/api/v1/workers/", params={"page_size": 100000})
    assert too_big.status_code == 400


async def test_an_unknown_id_is_404_in_both_languages(client):
    response = await client.get("/api/v1/workshops/4242")
    assert response.status_code == 404
    assert "工坊不存在" in response.json()["problems"][0]["zh"]


async def test_the_openapi_schema_describes_every_operation_in_both_languages(client):
    schema = (await client.get("/docs/openapi.json")).json()
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            assert " / " in op["summary"], (path, method)
    worker = schema["components"]["schemas"]["WorkerCreate"]["properties"]
    assert all(" / " in field["description"] for field in worker.values())
    page = await client.get("/docs/swagger")
    assert page.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in page.text
