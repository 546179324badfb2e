"""The workbench over HTTP: signals with their rows (masked), reviews by auditors only,
samples that re-draw the same, the inspector's sheet, and the dashboard behind sign-in."""

from __future__ import annotations

import io

from dbfixtures import bearer, make_id, token_for
from signal_ledgers import PLANTS, clean_ledger, load

CONTRACT = {"kind", "workshop", "month", "score", "threshold", "rows", "explanation_zh", "explanation_en"}
Q = {"scope": "region:330784", "period": "2023"}


async def _auditor(anonymous):
    anonymous.headers.update(bearer(await token_for("wb-auditor", "auditor")))
    return anonymous


async def test_signals_answer_with_their_rows_and_the_rows_show_only_masked_id_numbers(anonymous):
    await load(PLANTS["identical_amounts"][0](clean_ledger(1, workers=8, workshops=["W-1", "W-2", "W-3"])))
    client = await _auditor(anonymous)
    body = (await client.get("/api/v1/signals/", params=Q)).json()
    assert body["definition_version"] == 1
    [signal] = [s for s in body["signals"] if s["kind"] == "identical_amounts"]
    assert CONTRACT <= set(signal) and signal["workshop"] == "W-2" and signal["month"] == "2023-03"
    rows = (await client.get("/api/v1/signals/rows", params={**Q, "key": signal["key"]})).json()
    assert [r["pay_id"] for r in rows] == signal["rows"]
    assert {r["amount"] for r in rows} == {"2488.00"}
    text = str(rows)
    assert "********" in text and make_id(0, birth="19600101") not in text
    missing = await client.get("/api/v1/signals/rows", params={**Q, "key": "heaping:W-2:2023-03"})
    assert missing.status_code == 404


async def test_an_auditor_reviews_a_signal_and_an_operator_may_not_even_read_signals(anonymous):
    await load(PLANTS["heaping"][0](clean_ledger(1, workers=12, workshops=["W-1", "W-2", "W-3"])))
    operator = await token_for("wb-operator", "operator", "W-3")
    refused = await anonymous.get("/api/v1/signals/", params=Q, headers=bearer(operator))
    assert refused.status_code == 403
    client = await _auditor(anonymous)
    [signal] = [s for s in (await client.get("/api/v1/signals/", params=Q)).json()["signals"] if s["kind"] == "heaping"]
    answer = await client.post("/api/v1/signals/reviews", json={"key": signal["key"], "note": "现场核实"})
    assert answer.status_code == 201, answer.text
    again = (await client.get("/api/v1/signals/", params={**Q, "kind": "heaping"})).json()["signals"]
    assert again[0]["review"]["note"] == "现场核实"
    admin = await token_for("wb-admin", "admin")
    assert (await anonymous.post("/api/v1/signals/reviews", json={"key": signal["key"], "note": "x"},
                                 headers=bearer(admin))).status_code == 403


async def test_a_bad_threshold_or_scope_is_a_4xx_naming_the_field(anonymous):
    client = await _auditor(anonymous)
    answer = await client.get("/api/v1/signals/", params={**Q, "threshold": ["heaping=much"]})
    assert answer.status_code == 422 and answer.json()["problems"][0]["field"] == "threshold.heaping"
    assert (await client.get("/api/v1/signals/", params={"scope": "workshop:NOPE", "period": "2023"})
            ).status_code == 422


async def test_a_sample_drawn_twice_is_the_same_and_a_stored_one_gives_the_inspectors_sheet(anonymous):
    from openpyxl import load_workbook

    await load(clean_ledger(2, workers=5, months=["2023-01"], workshops=["W-1", "W-2"]))
    client = await _auditor(anonymous)
    params = {"scope": "all", "period": "2023-01", "method": "stratified", "size": 4, "seed": "abc"}
    first = (await client.get("/api/v1/samples/draw", params=params)).json()
    assert first == (await client.get("/api/v1/samples/draw", params=params)).json()
    assert set(first) == {"seed", "method", "size", "records"} and len(first["records"]) == 4
    assert {r["workshop"] for r in first["records"]} == {"W-1", "W-2"}  # two per workshop
    stored = await client.post("/api/v1/samples/", json={"scope": "all", "period": "2023-01", "method": "stratified",
                                                          "size": 4, "seed": "abc"})
    assert stored.status_code == 201, stored.text
    sample = stored.json()
    assert sample["records"] == [r["pay_id"] for r in first["records"]]
    check = (await client.get(f"/api/v1/samples/{sample['id']}/redraw")).json()
    assert check["same_records"] and check["same_population"]
    sheet = await client.get(f"/api/v1/samples/{sample['id']}/sheet")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert [r[3] for r in rows[2:]] == sample["records"]
    bad = await client.get("/api/v1/samples/draw", params={**params, "method": "guess", "seed": "a|b"})
    assert bad.status_code in (400, 422)


async def test_the_dashboard_is_html_with_linked_svg_charts_behind_the_sign_in(anonymous):
    await load(clean_ledger(1, workers=4, months=["2023-01", "2023-02"], workshops=["W-1", "W-2"]))
    assert (await anonymous.get("/api/v1/dashboard/", params=Q)).status_code == 401
    assert (await anonymous.get("/workbench")).status_code == 200
    client = await _auditor(anonymous)
    page = await client.get("/api/v1/dashboard/", params=Q)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count("<svg") == 5
    assert "/api/v1/dashboard/rows?scope=workshop%3AW-1&amp;period=2023-01&amp;metric=total_pay" in page.text
    for attribute in ('src="http', "href=\"http", "href='http", "url(http", "@import"):
        assert attribute not in page.text  # nothing is fetched from anywhere else
    rows = await client.get("/api/v1/dashboard/rows", params={"scope": "workshop:W-1", "period": "2023-01",
                                                              "metric": "total_pay"})
    assert rows.status_code == 200 and rows.text.count("<tr class='row'>") == 4 and "********" in rows.text
