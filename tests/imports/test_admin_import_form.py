"""The admin panel's import: the upload page at /admin/import/ (over HTTP, as its page calls it)
runs the same import service as the API, only for a signed-in admin with the panel's CSRF
token; the template and export forms still download workbooks."""

from __future__ import annotations

import io

import httpx
import openpyxl
import pytest
from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase
from sheets import shop, xlsx

from ledger.admin.imports import IMPORT_FORMS, TemplateForm, template_endpoint
from ledger.api.app import create_app
from ledger.cli import ensure_user
from ledger.tables import AuditEntry, MonthlyPay

HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]
_app = None


def app():
    global _app
    if _app is None:
        _app = create_app()
    return _app


def sheet(s, amount: str, tmp_path) -> bytes:
    rows = [HEADER] + [["T-01", p["id_number"], p["name"], "2023-03", amount, 20] for p in s["people"]]
    return xlsx(tmp_path / "pay.xlsx", rows).read_bytes()


class Panel:
    """A browser signed in to the admin panel: the session cookie and the panel's CSRF cookie."""

    def __init__(self, client: httpx.AsyncClient):
        self.client = client

    @property
    def token(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    async def sign_in(self, username: str, password: str) -> httpx.Response:
        await self.client.get("/admin/")
        return await self.client.post("/admin/public/login/", headers={"X-CSRFToken": self.token},
                                      json={"username": username, "password": password})

    async def upload(self, step: str, content: bytes, name: str = "pay.xlsx", headers: dict | None = None,
                     **fields: str) -> httpx.Response:
        return await self.client.post(f"/admin/import/{step}/", files={"file": (name, content)}, data=fields,
                                      headers={"X-CSRFToken": self.token} if headers is None else headers)


@pytest.fixture
async def panel(db):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://localhost") as c:
        yield Panel(c)


@pytest.fixture
async def admin_panel(panel):
    await ensure_user("admin", "admin-upload-pw-1", "admin")
    assert (await panel.sign_in("admin", "admin-upload-pw-1")).status_code == 200
    return panel


async def test_a_sheet_uploaded_in_the_panel_is_previewed_then_imported_by_the_import_service(admin_panel, tmp_path):
    s = await shop(2)
    page = await admin_panel.client.get("/admin/import/")
    assert page.status_code == 200 and "导入表格" in page.text and "Import a sheet" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    preview = await admin_panel.upload("check", sheet(s, "2,800.00", tmp_path), dry_run="1")
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert report["dry_run"] and report["created"] == 2 and not report["committed"]
    assert report["figures"][0]["delta"]["total_pay"] == "5600.00"
    assert await MonthlyPay.count() == 0
    done = await admin_panel.upload("check", sheet(s, "2800", tmp_path))
    assert done.status_code == 200 and done.json()["committed"] and "已新增 2 行" in done.json()["message"]
    assert await MonthlyPay.count() == 2
    entry = await AuditEntry.select().where(AuditEntry.table_name == "monthly_pay").first()
    assert (entry["username"], entry["path"]) == ("admin", "import")


async def test_a_sheet_with_problems_names_each_row_and_column_and_writes_nothing(admin_panel, tmp_path):
    s = await shop(1)
    answer = await admin_panel.upload("check", sheet(s, "两千", tmp_path), dry_run="0")
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "validation_failed" and body["report"]["problems"] == body["problems"]
    problem = body["problems"][0]
    assert (problem["row"], problem["column"], problem["field"]) == (2, "E", "amount")
    assert "金额" in problem["zh"] and problem["en"] and s["people"][0]["id_number"] not in answer.text
    assert await MonthlyPay.count() == 0
    annotated = await admin_panel.upload("annotated", sheet(s, "两千", tmp_path))
    assert annotated.status_code == 200 and annotated.headers["x-import-problems"] == "1"
    book = openpyxl.load_workbook(io.BytesIO(annotated.content)).active
    assert book["G1"].value == "错误 / errors" and "金额" in book["G2"].value


async def test_a_csv_saved_by_a_chinese_excel_uploads_as_well(admin_panel):
    s = await shop(1)
    person = s["people"][0]
    text = "\r\n".join([",".join(HEADER), f"T-01,{person['id_number']},{person['name']},2023年3月,2800元,20"])
    answer = await admin_panel.upload("check", text.encode("gb18030"), name="三月.csv", kind="pay", workshop="T-01")
    assert answer.status_code == 200, answer.text
    assert answer.json()["format"] == "csv" and answer.json()["created"] == 1
    assert (await MonthlyPay.select(MonthlyPay.amount_fen).first())["amount_fen"] == 280000


async def test_a_file_that_is_no_spreadsheet_or_no_file_at_all_is_refused_with_the_reason(admin_panel):
    unreadable = await admin_panel.upload("check", b"\x89PNG\r\n\x1a\n" + bytes(200), name="photo.xlsx")
    assert unreadable.status_code == 415 and unreadable.json()["problems"][0]["field"] == "file"
    missing = await admin_panel.client.post("/admin/import/check/", data={"kind": "wages", "dry_run": "1"},
                                            files={"other": ("x.txt", b"")},
                                            headers={"X-CSRFToken": admin_panel.token})
    assert missing.status_code == 422
    assert {p["field"] for p in missing.json()["problems"]} == {"file", "kind"}


async def test_an_upload_without_the_panels_csrf_token_or_from_another_site_is_refused(admin_panel, tmp_path):
    s = await shop(1)
    content = sheet(s, "2800", tmp_path)
    no_token = await admin_panel.upload("check", content, headers={})
    assert no_token.status_code == 403
    elsewhere = await admin_panel.upload("check", content, headers={"X-CSRFToken": admin_panel.token,
                                                                    "Origin": "https://evil.example"})
    assert elsewhere.status_code == 403 and elsewhere.json()["error"] == "cross_origin"
    same_site = await admin_panel.upload("check", content, headers={"X-CSRFToken": admin_panel.token,
                                                                    "Origin": "http://localhost"})
    assert same_site.status_code == 200
    assert await MonthlyPay.count() == 1


async def test_the_upload_page_is_for_signed_in_admins_only(panel, tmp_path):
    s = await shop(1)
    content = sheet(s, "2800", tmp_path)
    page = await panel.client.get("/admin/import/")
    assert page.status_code == 401 and "请先登录管理后台" in page.text
    await panel.client.get("/admin/")  # the CSRF cookie, but no session
    assert (await panel.upload("check", content)).status_code == 401
    await ensure_user("clerk", "clerk-upload-pw-1", "auditor")
    await BaseUser.update({BaseUser.admin: True}).where(BaseUser.username == "clerk")  # Piccolo's flag, not the role
    user = await BaseUser.select(BaseUser.id).where(BaseUser.username == "clerk").first()
    session = await SessionsBase.create_session(user["id"])
    panel.client.cookies.set("id", session.token)
    assert (await panel.client.get("/admin/import/")).status_code == 403
    refused = await panel.upload("check", content)
    assert refused.status_code == 403 and "仅限管理员" in refused.json()["message"]
    assert await MonthlyPay.count() == 0


async def test_the_template_form_downloads_a_workbook_and_names_the_forms_in_chinese_and_english(db):
    await shop(1)
    response = await template_endpoint(None, TemplateForm(workshop="T-01", month="2023-03"))
    assert response.file_name == "pay-T-01-2023-03.xlsx"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in f.name) and any(ch.isascii() and ch.isalpha() for ch in f.name)
               for f in IMPORT_FORMS)
    assert all("/admin/import/" in f.description for f in IMPORT_FORMS)  # where importing went


async def test_an_unusual_amount_uploaded_in_the_panel_is_refused_until_confirmed(admin_panel, tmp_path):
    s = await shop(1)
    refused = await admin_panel.upload("check", sheet(s, "60000.00", tmp_path))
    assert refused.status_code == 422 and await MonthlyPay.count() == 0
    assert any(p["column"] == "E" and "确认" in p["zh"] for p in refused.json()["problems"])
    done = await admin_panel.upload("check", sheet(s, "60000.00", tmp_path), confirm_unusual="1")
    assert done.status_code == 200 and done.json()["committed"]
    assert await MonthlyPay.count() == 1
