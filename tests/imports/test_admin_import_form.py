"""The admin panel's import forms call the same import service (their endpoints, directly)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from piccolo_admin.endpoints import FileResponse
from sheets import shop

from ledger.admin.imports import IMPORT_FORMS, ImportForm, TemplateForm, import_endpoint, template_endpoint
from ledger.tables import MonthlyPay


def pasted(s, amount: str) -> str:
    lines = ["工坊编码\t身份证号\t姓名\t月份\t收入(元)\t出勤天数"]
    lines += [f"T-01\t{p['id_number']}\t{p['name']}\t2023-03\t{amount}\t20" for p in s["people"]]
    return "\n".join(lines)


async def test_pasted_cells_are_previewed_then_imported_from_the_admin_form(db):
    s = await shop(2)
    preview = await import_endpoint(None, ImportForm(csv_text=pasted(s, "2,800.00"), dry_run=True))
    assert "预演" in preview and "Δ人月数 +2" in preview and await MonthlyPay.count() == 0
    done = await import_endpoint(None, ImportForm(csv_text=pasted(s, "2800"), dry_run=False))
    assert "新增 2 行" in done and await MonthlyPay.count() == 2


async def test_a_pasted_sheet_with_problems_comes_back_as_the_annotated_workbook(db):
    s = await shop(1)
    response = await import_endpoint(None, ImportForm(csv_text=pasted(s, "两千"), dry_run=False))
    assert isinstance(response, FileResponse) and response.file_name == "checked.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(response.contents.getvalue())).active
    assert sheet["G1"].value == "错误 / errors" and "金额" in sheet["G2"].value
    assert await MonthlyPay.count() == 0


async def test_a_file_outside_the_import_folder_is_never_read(db):
    with pytest.raises(ValueError, match="var/imports"):
        await import_endpoint(None, ImportForm(file_name="../../etc/passwd"))


async def test_the_template_form_downloads_a_workbook_and_names_the_forms_in_chinese_and_english(db):
    await shop(1)
    response = await template_endpoint(None, TemplateForm(workshop="T-01", month="2023-03"))
    assert response.file_name == "pay-T-01-2023-03.xlsx"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in f.name) and any(ch.isascii() and ch.isalpha() for ch in f.name)
               for f in IMPORT_FORMS)
