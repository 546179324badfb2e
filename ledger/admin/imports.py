"""Admin panel forms for templates and exports (Piccolo Admin ``FormConfig``); imports have a page.

Importing a sheet is the upload page ``ledger.admin.upload`` (``/admin/import/``, the sidebar's
链接 → 导入表格（从本机上传）): Piccolo Admin's forms post JSON, so they cannot carry a file, and
in Piccolo Admin 1.14 a form field is always a one-line input (its form renderer passes no
widget, so a ``text-area`` hint is ignored and pasted rows collapse into one). The former import
form — pasted CSV, or a file name in the server's ``LEDGER_IMPORT_DIR`` — is retired: the upload
page takes the file from the admin's own computer, shows every problem on screen and calls the
same ``ledger.importer.run_import``.
"""

from __future__ import annotations

import io
from typing import Any

from piccolo_admin.endpoints import FileResponse, FormConfig
from pydantic import BaseModel, Field

from ledger.errors import LedgerError
from ledger.importer import export_pay
from ledger.importer import template as make_template

UPLOAD_HINT = "导入表格请用左侧“链接”中的“导入表格（从本机上传）”（/admin/import/） / to import a sheet, use " \
              "“Upload a sheet” under Links in the sidebar (/admin/import/)"


class TemplateForm(BaseModel):
    workshop: str = Field(description="工坊编码 / workshop code")
    month: str = Field(description="月份 YYYY-MM / month")


class ExportForm(BaseModel):
    workshop: str = Field(description="工坊编码 / workshop code")
    first: str = Field(description="起始月份 YYYY-MM / first month")
    last: str = Field("", description="截止月份 YYYY-MM（可空）/ last month (optional)")


def _refusal(exc: LedgerError) -> ValueError:
    lines = [exc.message] + [f"{p.field}: {p.message}" for p in exc.problems]
    return ValueError("\n".join(lines))


async def template_endpoint(request: Any, data: TemplateForm) -> FileResponse:
    try:
        item = await make_template(data.workshop.strip(), data.month.strip())
    except LedgerError as exc:
        raise _refusal(exc) from None
    return FileResponse(io.BytesIO(item.content), item.filename, item.media_type)


async def export_endpoint(request: Any, data: ExportForm) -> FileResponse:
    try:
        item = await export_pay(data.workshop.strip(), data.first.strip(), data.last.strip() or None)
    except LedgerError as exc:
        raise _refusal(exc) from None
    return FileResponse(io.BytesIO(item.content), item.filename, item.media_type)


IMPORT_FORMS: list[FormConfig] = [
    FormConfig(name="下载月收入模板 Pay template", pydantic_model=TemplateForm, endpoint=template_endpoint,
               description="某工坊某月在岗人员，已登记的收入已填好 / a workshop's placements active that month. "
                           + UPLOAD_HINT,
               form_group="导入导出 Import"),
    FormConfig(name="导出月收入 Export pay", pydantic_model=ExportForm, endpoint=export_endpoint,
               description="与模板同列，可改后再导入 / same columns as the template; edit and import again. "
                           + UPLOAD_HINT,
               form_group="导入导出 Import"),
]
