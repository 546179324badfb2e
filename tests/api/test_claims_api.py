"""Claims through the API: parse, confirm, store, reconcile; bad input named in both languages."""

from __future__ import annotations

import pytest
from test_api import setup_world

SENTENCE = "建成共富工坊1家，吸纳就业1人，人均月增收约2800元。"


async def test_a_claim_is_parsed_then_confirmed_by_a_person(client):
    await setup_world(client)
    parsed = (await client.post("/api/v1/claims/parse", json={"text": SENTENCE})).json()
    assert [f["metric"] for f in parsed["figures"]] == ["workshops", "workers_employed", "avg_monthly_pay"]
    confirmed = parsed["figures"][:2]  # the person drops the figure they do not want to check
    created = await client.post("/api/v1/claims/", json={"title": "县报", "quote": SENTENCE, "scope": "workshop:T-01",
                                                          "period": "2023", "figures": confirmed})
    assert created.status_code == 201, created.text
    claim = created.json()
    assert [f["metric"] for f in claim["figures"]] == ["workshops", "workers_employed"]
    report = (await client.get(f"/api/v1/claims/{claim['id']}/reconciliation")).json()
    assert [f["status"] for f in report["figures"]] == ["agrees", "agrees"]


async def test_a_claim_with_a_bad_scope_period_and_figure_names_each_problem(client):
    response = await client.post("/api/v1/claims/", json={
        "title": "", "scope": "county:1", "period": "2023-13",
        "figures": [{"metric": "happiness", "value": "1"}, {"metric": "workshops", "value": "-8"}]})
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["problems"]}
    assert fields == {"title", "scope", "period", "figures[0].metric", "figures[1].value"}
    for problem in response.json()["problems"]:
        assert problem["zh"] and problem["en"]


async def test_a_claimed_value_must_not_be_a_json_float(client):
    response = await client.post("/api/v1/claims/", json={"title": "t", "scope": "all", "period": "2023",
                                                          "figures": [{"metric": "workshops", "value": 8.5}]})
    assert response.status_code == 400
    assert any("value" in p["field"] for p in response.json()["problems"])


async def test_figures_for_a_malformed_period_are_a_422_not_a_500(client):
    response = await client.get("/api/v1/figures/", params={"scope": "region:330784", "period": "2023-00"})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "period"
    assert (await client.get("/api/v1/figures/rows", params={"scope": "all", "period": "2023",
                                                             "metric": "nonsense"})).status_code == 422


@pytest.mark.parametrize(("field", "raw", "code"), [
    ("value", "1e999999", "out_of_range"), ("value", "1e-999999", "out_of_range"), ("value", "NaN", "value"),
    ("value", "Infinity", "value"), ("value", "-8", "value"), ("value", "八", "decimal"),
    ("tolerance", "1e99999", "out_of_range"), ("tolerance", "NaN", "value"), ("tolerance", "-1", "value"),
])
async def test_a_figure_no_publication_could_state_is_a_422_naming_it(client, field, raw, code):
    """Found probing after CI's fuzz failure: 1e999999 overflowed the stored text (500 on
    PostgreSQL) and NaN tripped an assertion (500 on both)."""
    figure = {"metric": "workshops", "value": "8", "unit": "家", "qualifier": "exact", "text": "8家", field: raw}
    response = await client.post("/api/v1/claims", json={"title": "报道", "scope": "region:330784", "period": "2023",
                                                          "figures": [figure]})
    assert response.status_code == 422, response.text
    [problem] = response.json()["problems"]
    assert (problem["field"], problem["code"]) == (f"figures[0].{field}", code)
    assert (await client.get("/api/v1/claims")).json()["total"] == 0


async def test_an_enterprise_scope_beyond_any_id_is_a_422_not_a_database_overflow(client):
    response = await client.get("/api/v1/figures", params={"scope": "enterprise:99999999999999999999",
                                                           "period": "2023"})
    assert response.status_code == 422 and response.json()["problems"][0]["field"] == "scope"


async def test_a_scope_naming_no_workshop_or_enterprise_is_a_422_not_a_page_of_zeros(client):
    await setup_world(client)
    for scope in ("workshop:YK-1", "enterprise:999"):
        for url in ("/api/v1/figures", "/api/v1/figures/rows"):
            response = await client.get(url, params={"scope": scope, "period": "2023", "metric": "total_pay"})
            assert response.status_code == 422, (url, scope, response.text)
            [problem] = response.json()["problems"]
            assert (problem["field"], problem["code"]) == ("scope", "unknown_scope")
        claim = await client.post("/api/v1/claims", json={"title": "报道", "scope": scope, "period": "2023",
                                                          "quote": "建成共富工坊8家。"})
        assert claim.status_code == 422 and claim.json()["problems"][0]["code"] == "unknown_scope"
    assert (await client.get("/api/v1/claims")).json()["total"] == 0


async def test_parsing_keeps_targets_apart_gives_reasons_and_a_target_cannot_be_recorded_as_a_claim(client):
    await setup_world(client)
    text = "吸纳就业1人，带动就业2300人次，人均增收3000元，预计新建共富工坊5家。"
    parsed = (await client.post("/api/v1/claims/parse", json={"text": text})).json()
    assert [(f["metric"], f.get("period_assumed", False)) for f in parsed["figures"]] == [
        ("workers_employed", False), ("avg_annual_pay", True)]
    assert [(t["metric"], t["value"], t["target"]) for t in parsed["targets"]] == [("workshops", "5", True)]
    assert [r["reason"] for r in parsed["unrecognised_reasons"]] == ["person_times"]
    stored = await client.post("/api/v1/claims/", json={"title": "县报", "scope": "workshop:T-01", "period": "2023",
                                                         "figures": parsed["figures"]})
    assert stored.status_code == 201, stored.text
    refused = await client.post("/api/v1/claims/", json={"title": "县报", "scope": "workshop:T-01", "period": "2023",
                                                          "figures": parsed["targets"]})
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["problems"]] == ["figures[0].target"]
