"""Admin panel forms for imports, templates and exports (Piccolo Admin ``FormConfig``).

Piccolo Admin forms post JSON, so a sheet reaches the import either as pasted CSV text
(copy the cells from Excel or WPS and paste: tab-separated is fine) or as the name of a
file already placed in the server's import folder (``var/imports/``; nothing outside it
is read). The form runs ``ledger.importer.run_import`` — the service the API and the CLI
call — and answers with the report as a message, or, when the sheet has problems, with
the annotated workbook as a download (every problem in its row, offending cells red).
"""

from __future__ import annotations

import io
from typing import Any

from piccolo_admin.endpoints import FileResponse, FormConfig
from pydantic import BaseModel, Field

from ledger.errors import LedgerError
from ledger.importer import ImportFailed, ImportOptions, SheetKind, annotate, export_pay, open_sheet, run_import
from ledger.importer import template as make_template
from ledger.importer.workbook import XLSX
from ledger.settings import get_settings

IMPORT_DIR = get_settings().import_dir
"""Where admins may place sheets for the path variant of the import form (LEDGER_IMPORT_DIR)."""


class ImportForm(BaseModel):
    kind: SheetKind = Field(SheetKind.pay, description="pay = 月收入表，hires = 用工表")
    csv_text: str = Field("", description="粘贴表格内容（含表头，可从 Excel/WPS 直接复制） / paste the sheet, header included",
                          json_schema_extra={"extra": {"widget": "text-area"}})
    file_name: str = Field("", description=f"或：服务器 {IMPORT_DIR}/ 下的文件名 / or a file name in {IMPORT_DIR}/")
    workshop: str = Field("", description="工坊编码（表中无该列时） / workshop code, if the sheet has no such column")
    dry_run: bool = Field(True, description="只预演、不写入 / preview only")
    replace: bool = Field(False, description="覆盖冲突的已有记录 / overwrite conflicting records")


class TemplateForm(BaseModel):
    workshop: str = Field(description="工坊编码 / workshop code")
    month: str = Field(description="月份 YYYY-MM / month")


class ExportForm(BaseModel):
    workshop: str = Field(description="工坊编码 / workshop code")
    first: str = Field(description="起始月份 YYYY-MM / first month")
    last: str = Field("", description="截止月份 YYYY-MM（可空）/ last month (optional)")


def _source(data: ImportForm) -> Any:
    if data.csv_text.strip() and data.file_name.strip():
        raise ValueError("请只填“粘贴内容”或“文件名”之一 / give either pasted text or a file name, not both")
    if data.csv_text.strip():
        return io.BytesIO(data.csv_text.encode("utf-8"))
    name = data.file_name.strip()
    if not name:
        raise ValueError("请粘贴表格内容或填写文件名 / paste the sheet or give a file name")
    base = IMPORT_DIR.resolve()
    path = (base / name).resolve()
    if base not in path.parents or not path.is_file():
        raise ValueError(f"{IMPORT_DIR}/ 下没有该文件 / no such file in {IMPORT_DIR}/")
    return path


def _refusal(exc: LedgerError) -> ValueError:
    lines = [exc.message] + [f"{p.field}: {p.message}" for p in exc.problems]
    return ValueError("\n".join(lines))


async def import_endpoint(request: Any, data: ImportForm) -> str | FileResponse:
    source = _source(data)
    options = ImportOptions(kind=data.kind, dry_run=data.dry_run, replace=data.replace,
                            workshop=data.workshop.strip() or None)
    try:
        report = await run_import(source, options)
    except ImportFailed as exc:
        sheet, _ = open_sheet(source)
        if sheet is None:
            raise _refusal(exc) from None
        return FileResponse(io.BytesIO(annotate(sheet, exc.report.problems)), "checked.xlsx", XLSX)
    except LedgerError as exc:
        raise _refusal(exc) from None
    lines = [report.message]
    for delta in report.figures:
        change = delta.as_dict()["delta"]
        lines.append(f"{delta.workshop_code} {delta.first_month}–{delta.last_month}: Δ人月数 {change['person_months']:+d}，"
                     f"Δ合计增收 {change['total_pay']} 元，Δ人均月增收 {change['avg_monthly_pay'] or '—'} 元")
    return "\n".join(lines)


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
    FormConfig(name="导入表格 Import a sheet", pydantic_model=ImportForm, endpoint=import_endpoint,
               description="月收入表或用工表：全部写入或全部不写；有问题时下载标注后的表格。"
                           " / Pay or hires sheet, all or nothing; with problems you get the annotated sheet.",
               form_group="导入导出 Import"),
    FormConfig(name="下载月收入模板 Pay template", pydantic_model=TemplateForm, endpoint=template_endpoint,
               description="某工坊某月在岗人员，已登记的收入已填好 / a workshop's placements active that month",
               form_group="导入导出 Import"),
    FormConfig(name="导出月收入 Export pay", pydantic_model=ExportForm, endpoint=export_endpoint,
               description="与模板同列，可改后再导入 / same columns as the template; edit and import again",
               form_group="导入导出 Import"),
]
