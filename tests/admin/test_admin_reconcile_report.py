"""The admin panel's 对账 form downloads the same report in words as the API (issue 9)."""

from __future__ import annotations

import io
import re

from dbfixtures import world

FORM = "/admin/api/forms/对账/"
CLAIM = "建成共富工坊1家，吸纳就业1人，人均月增收3000元，合计年增收3600元。"


async def _claim() -> int:
    from ledger.services import claims, employment

    w = await world()
    for month in range(1, 13):
        await employment.create_pay_batch(f"2023-{month:02d}", [
            {"placement": w["placement"]["id"], "amount": "3000.00", "days_worked": 20}])
    return (await claims.create_claim({"title": "县报", "quote": CLAIM, "scope": "workshop:T-01",
                                       "period": "2023"}))["id"]


async def test_the_forms_csv_starts_with_a_bom_and_names_the_slip_in_chinese(admin):
    response = await admin.client.post(FORM, headers=admin._headers(), json={"claim_id": await _claim(),
                                                                             "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.headers["content-type"].count("charset") == 1
    text = response.content.decode("utf-8-sig")
    assert "公布数疑为少写一位（数量级错误，应为3.6万元）" in text and "合计年增收" in text


async def test_the_forms_xlsx_holds_numbers_and_its_html_links_back_to_this_server(admin):
    from openpyxl import load_workbook

    claim_id = await _claim()
    sheet = await admin.client.post(FORM, headers=admin._headers(), json={"claim_id": claim_id, "format": "xlsx"})
    book = load_workbook(io.BytesIO(sheet.content))
    values = [c for r in book["对账"].iter_rows() for c in r if c.value is not None]
    assert any(c.value == 3600 and c.data_type == "n" for c in values)
    assert any(c.value == 36000 and c.data_type == "n" for c in values)
    assert "各工坊月收入" in book.sheetnames and len(book["各工坊月收入"]._charts) == 1
    page = await admin.client.post(FORM, headers=admin._headers(), json={"claim_id": claim_id, "format": "html"})
    links = re.findall(r"href='([^']+)'", page.text)
    assert links and all(link.startswith("http://localhost/api/v1/figures/rows?") for link in links)
    assert "核对结果" in page.text
