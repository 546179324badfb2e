"""The admin panel's reconciliation form: pick a stored claim (or paste a sentence), a scope
and a period; the form runs the same service as the API and CLI and returns the report as
a download (HTML with its chart, XLSX, CSV or JSON)."""

from __future__ import annotations

import io
import json
from enum import StrEnum

from piccolo_admin.endpoints import FileResponse, FormConfig
from pydantic import BaseModel, Field

from ledger import reports
from ledger.errors import LedgerError
from ledger.services import claims, figures


class ReportFormat(StrEnum):
    html = "html"
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


class ReconcileForm(BaseModel):
    claim_id: int | None = Field(default=None, title="公开数据编号", description="已登记公开数据的编号（与原文二选一）/ stored claim id")
    text: str | None = Field(default=None, title="公开原文", description="或粘贴公开原文 / or paste the published text")
    scope: str | None = Field(default=None, title="范围", description="范围，如 region:330784（填写公开数据编号时可省略）/ scope")
    period: str | None = Field(default=None, title="期间", description="期间，如 2023 / period")
    format: ReportFormat = Field(default=ReportFormat.html, title="报告格式", description="报告格式 / report format")


async def reconcile_form(request, data: ReconcileForm) -> FileResponse:
    try:
        if data.claim_id is not None:
            report = await claims.reconcile_claim(data.claim_id, data.scope or None, data.period or None)
        elif data.text and data.scope and data.period:
            report = await claims.reconcile_text(data.text, data.scope, data.period)
        else:
            raise ValueError("请填写公开数据编号，或原文加范围和期间 / give a claim id, or text with scope and period")
    except LedgerError as exc:
        raise ValueError("\n".join([exc.message, *(f"{p.field}: {p.message}" for p in exc.problems)])) from None
    body = report.to_json_dict()
    if data.format == ReportFormat.csv:
        return FileResponse(io.StringIO(reports.to_csv(body)), "reconciliation.csv", "text/csv")
    if data.format == ReportFormat.json:
        return FileResponse(io.StringIO(json.dumps(body, ensure_ascii=False, indent=2)), "reconciliation.json",
                            "application/json")
    chart = await figures.monthly_pay_by_workshop(report.scope, report.period)
    if data.format == ReportFormat.xlsx:
        return FileResponse(io.BytesIO(reports.to_xlsx(body, chart)), "reconciliation.xlsx",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    # a downloaded page is opened from disk: its drill-down links name this server
    base_url = f"{request.url.scheme}://{request.url.netloc}"
    return FileResponse(io.StringIO(reports.to_html(body, chart, base_url)), "reconciliation.html", "text/html")


RECONCILE_FORMS = [FormConfig(name="对账", pydantic_model=ReconcileForm, endpoint=reconcile_form,
                              description="核对公开数据与台账，下载报告 / check a published claim against the ledger",
                              form_group="对账")]
