"""Over HTTP: an unusual month's pay or baseline answers 422 with the reason, and goes
through with ``confirm_unusual: true``."""

from __future__ import annotations

from test_api import setup_world


async def test_pay_in_fen_is_a_422_with_the_reason_and_confirming_it_stores_it(client):
    w = await setup_world(client)
    body = {"placement": w["placement"]["id"], "month": "2023-03", "amount": "280000", "days_worked": 22}
    refused = await client.post("/api/v1/pay/", json=body)
    assert refused.status_code == 422
    [problem] = refused.json()["problems"]
    assert problem["field"] == "amount" and problem["code"] == "unusual_amount" and "280,000.00" in problem["zh"]
    assert (await client.get("/api/v1/pay/")).json()["total"] == 0
    stored = await client.post("/api/v1/pay/", json=body | {"confirm_unusual": True})
    assert stored.status_code == 201 and stored.json()["amount"] == "280000.00"


async def test_a_patch_and_a_batch_ask_too(client):
    w = await setup_world(client)
    made = (await client.post("/api/v1/pay/", json={"placement": w["placement"]["id"], "month": "2023-03",
                                                     "amount": "2800.00", "days_worked": 22})).json()
    patched = await client.patch(f"/api/v1/pay/{made['id']}", json={"amount": "28.00"})
    assert patched.status_code == 422 and patched.json()["problems"][0]["code"] == "unusual_amount"
    assert (await client.get(f"/api/v1/pay/{made['id']}")).json()["amount"] == "2800.00"
    batch = await client.post("/api/v1/pay/batch", json={"month": "2023-04", "items": [
        {"placement": w["placement"]["id"], "amount": "50000.01", "days_worked": 3}]})
    assert batch.status_code == 422 and batch.json()["problems"][0]["field"] == "items[0].amount"


async def test_a_baseline_of_twelve_yuan_is_asked_about(client):
    w = await setup_world(client)
    refused = await client.patch(f"/api/v1/workers/{w['worker']['id']}", json={"baseline_income": "12.00"})
    assert refused.status_code == 422 and refused.json()["problems"][0]["field"] == "baseline_income"
    ok = await client.patch(f"/api/v1/workers/{w['worker']['id']}",
                            json={"baseline_income": "12.00", "confirm_unusual": True})
    assert ok.status_code == 200 and ok.json()["baseline_income"] == "12.00"
