"""The import endpoints over HTTP (httpx.ASGITransport, the app in the test's event loop)."""

from __future__ import annotations

import io

import httpx
import openpyxl
import pytest
from dbfixtures import bearer, token_for, wrong_check_digit
from sheets import csv_file, shop, xlsx

from ledger.api.app import create_app
from ledger.tables import MonthlyPay

HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_app = None


@pytest.fixture
async def client(db):  # noqa: F811
    global _app
    _app = _app or create_app(with_admin=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app), base_url="http://testserver",
                                 headers=bearer(await token_for("importer", "admin"))) as c:
        yield c


def upload(path) -> dict:
    return {"file": (path.name, path.read_bytes(), XLSX)}


async def test_an_uploaded_sheet_is_previewed_then_imported(client, tmp_path):
    s = await shop(2)
    path = xlsx(tmp_path / "pay.xlsx", [HEADER, *[["T-01", p["id_number"], p["name"], "2023-03", "2800", 20]
                                                  for p in s["people"]]])
    preview = await client.post("/api/v1/imports", params={"dry_run": "true"}, files=upload(path))
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["dry_run"], body["committed"], body["created"]) == (True, False, 2)
    assert body["figures"][0]["delta"]["total_pay"] == "5600.00"
    assert await MonthlyPay.count() == 0
    done = await client.post("/api/v1/imports", params={"kind": "pay"}, files=upload(path))
    assert done.status_code == 200 and done.json()["created"] == 2
    again = await client.post("/api/v1/imports", files=upload(path))
    assert again.json()["unchanged"] == 2 and await MonthlyPay.count() == 2


async def test_an_upload_with_problems_answers_422_naming_each_row_and_column_with_ids_masked(client, tmp_path):
    s = await shop(2)
    bad = wrong_check_digit(s["people"][0]["id_number"])
    path = xlsx(tmp_path / "bad.xlsx", [HEADER, ["T-01", bad, "工人1", "2023-03", "2800", 20],
                                        ["T-01", s["people"][1]["id_number"], "工人2", "2023-03", "2,8", 99]])
    response = await client.post("/api/v1/imports", files=upload(path))
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed" and " / " in body["message"]
    assert [(p["row"], p["column"], p["code"]) for p in body["problems"]] == [
        (2, "B", "id_checksum"), (3, "E", "money_format"), (3, "F", "days_range")]
    assert bad not in response.text and body["problems"][0]["value"].count("*") == 8
    assert await MonthlyPay.count() == 0

    annotated = await client.post("/api/v1/imports/annotated", files=upload(path))
    assert annotated.status_code == 200 and annotated.headers["x-import-problems"] == "3"
    sheet = openpyxl.load_workbook(io.BytesIO(annotated.content)).active
    assert sheet["G1"].value == "错误 / errors" and "校验位" in sheet["G2"].value and "check digit" in sheet["G2"].value


@pytest.mark.parametrize("name, content", [
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 30),
    ("photo.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le")),
])
async def test_a_corrupt_locked_or_non_spreadsheet_file_gets_a_clear_4xx_never_a_500(client, name, content):
    for endpoint in ("/api/v1/imports", "/api/v1/imports/annotated"):
        response = await client.post(endpoint, files={"file": (name, content, XLSX)})
        assert response.status_code == 415, response.text
        problem = response.json()["problems"][0]
        assert problem["field"] == "file" and problem["zh"] and problem["en"]


async def test_an_upload_without_a_file_is_a_4xx(client):
    response = await client.post("/api/v1/imports", files={"other": ("a.txt", b"x", "text/plain")})
    assert 400 <= response.status_code < 500


async def test_a_template_and_an_export_are_downloaded_as_workbooks(client, tmp_path):
    s = await shop(2)
    template = await client.get("/api/v1/imports/template", params={"workshop": "T-01", "month": "2023-03"})
    assert template.status_code == 200 and template.headers["content-type"].startswith(XLSX)
    rows = list(openpyxl.load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[2:]] == [p["placement"]["id"] for p in s["people"]]
    path = tmp_path / "t.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    book.active["F3"], book.active["G3"] = "1000.50", 10
    book.save(path)
    assert (await client.post("/api/v1/imports", files=upload(path))).json()["created"] == 1
    export = await client.get("/api/v1/imports/export", params={"workshop": "T-01", "first": "2023-03",
                                                                "format": "csv"})
    assert export.status_code == 200 and export.content.startswith("\ufeff".encode())
    assert "1000.50" in export.content.decode("utf-8-sig")
    missing = await client.get("/api/v1/imports/template", params={"workshop": "NOPE", "month": "2023-03"})
    assert missing.status_code == 404
    bad_month = await client.get("/api/v1/imports/template", params={"workshop": "T-01", "month": "2023-13"})
    assert bad_month.status_code == 422


async def test_a_tab_is_picked_by_name_and_a_roster_imported_over_http(client, tmp_path):
    from pathlib import Path

    from ledger.services import employment
    from ledger.tables import LowIncomeStatus

    s = await shop(7)
    for person in s["people"]:
        await employment.create_pay({"placement": person["placement"]["id"], "month": "2023-03", "amount": "1000",
                                     "days_worked": 20})
    year = Path(__file__).parent / "fixtures" / "lo_clerk_year.xlsx"
    picked = await client.post("/api/v1/imports", params={"sheet": "旧表", "dry_run": "true"}, files=upload(year))
    assert picked.status_code == 200, picked.text
    assert [(t["name"], t["status"]) for t in picked.json()["sheets"]][:3] == [
        ("说明", "not_chosen"), ("旧表", "read"), ("1月", "not_chosen")]
    missing = await client.post("/api/v1/imports", params={"sheet": "4月"}, files=upload(year))
    assert missing.status_code == 422 and missing.json()["problems"][0]["code"] == "unknown_sheet"

    roster = Path(__file__).parent / "fixtures" / "lo_roster.xlsx"
    done = await client.post("/api/v1/imports", params={"kind": "low-income"}, files=upload(roster))
    assert done.status_code == 200, done.text
    assert done.json()["kind"] == "low-income" and done.json()["created"] == 7
    assert done.json()["figures"][0]["delta"]["total_pay_low_income"] == "7000.00"
    assert await LowIncomeStatus.count() == 7


async def test_the_annotated_copy_of_a_workbook_marks_each_tab_where_its_problems_are(client, tmp_path):
    s = await shop(1)
    book = openpyxl.Workbook()
    book.active.title = "1月"
    book.active.append(HEADER)
    book.active.append(["T-01", s["people"][0]["id_number"], "工人1", "2023-01", "2800", 20])
    february = book.create_sheet("2月")
    february.append(HEADER)
    february.append(["T-01", s["people"][0]["id_number"], "工人1", 2023.1, "2800", 20])
    path = tmp_path / "year.xlsx"
    book.save(path)
    annotated = await client.post("/api/v1/imports/annotated", files=upload(path))
    assert annotated.status_code == 200 and annotated.headers["x-import-problems"] == "1"
    out = openpyxl.load_workbook(io.BytesIO(annotated.content))
    assert out.sheetnames == ["1月", "2月"]
    assert out["1月"]["G2"].value is None and "2023-10" in out["2月"]["G2"].value


async def test_a_sheet_named_for_an_uploaded_csv_answers_422_naming_the_option_and_the_file(client, tmp_path):
    s = await shop(2)
    rows = [HEADER, *[["T-01", p["id_number"], p["name"], "2023-03", "2800", 20] for p in s["people"]]]
    path = csv_file(tmp_path / "pay.csv", rows)
    files = {"file": ("三月工资.csv", path.read_bytes(), "text/csv")}
    for endpoint in ("/api/v1/imports", "/api/v1/imports/annotated"):
        refused = await client.post(endpoint, params={"sheet": "3月"}, files=files)
        assert refused.status_code == 422, (endpoint, refused.text)
        body = refused.json()
        assert body["error"] == "sheet_of_csv"
        [problem] = body["problems"]
        assert problem["field"] == "sheet" and problem["code"] == "sheet_of_csv"
        assert "“三月工资.csv”是 CSV 文件" in problem["zh"] and "'三月工资.csv' is a CSV file" in problem["en"]
        assert "sheet" in problem["zh"] and "sheet" in problem["en"]
        assert s["people"][0]["id_number"] not in refused.text
    named = {"file": (f"{s['people'][0]['id_number']}.csv", path.read_bytes(), "text/csv")}
    masked = await client.post("/api/v1/imports", params={"sheet": "3月"}, files=named)
    assert masked.status_code == 422 and s["people"][0]["id_number"] not in masked.text  # nor from a file's name
    assert await MonthlyPay.count() == 0
    blank = await client.post("/api/v1/imports", params={"sheet": " ", "dry_run": "true"}, files=files)
    assert blank.status_code == 200, blank.text  # an empty field of a form is no tab named
    done = await client.post("/api/v1/imports", files=files)
    assert done.status_code == 200 and await MonthlyPay.count() == 2
