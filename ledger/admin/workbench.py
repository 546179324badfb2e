"""The admin panel's workbench forms (group 审核): the signals of a scope and period as a
download, a county's signal threshold, an audit sample drawn from a seed, a stored sample's
inspection sheet. The same services as the API and CLI; the panel is for admins, who may
read signals and samples and set thresholds — reviewing a signal and storing a sample are
the auditor's (API, CLI, the dashboard)."""

from __future__ import annotations

import io
import json
from enum import StrEnum

from piccolo_admin.endpoints import FileResponse, FormConfig
from pydantic import BaseModel, Field

from ledger import dashboard
from ledger.errors import LedgerError
from ledger.services import samples, signals


class SignalsFormat(StrEnum):
    html = "html"
    json = "json"


def _refusal(exc: LedgerError) -> ValueError:
    return ValueError("\n".join([exc.message, *(f"{p.field}: {p.message}" for p in exc.problems)]))


class SignalsForm(BaseModel):
    scope: str = Field(default="region:330784", max_length=64, description="范围 / scope, e.g. region:330784")
    period: str = Field(default="2023", max_length=32, description="期间 / period, e.g. 2023")
    format: SignalsFormat = Field(default=SignalsFormat.html, description="格式 / format")


async def signals_form(request, data: SignalsForm) -> FileResponse:
    try:
        report = await signals.compute(data.scope, data.period)
    except LedgerError as exc:
        raise _refusal(exc) from None
    body = report.as_json(with_reviews=True)
    if data.format == SignalsFormat.json:
        return FileResponse(io.StringIO(json.dumps(body, ensure_ascii=False, indent=2)), "signals.json",
                            "application/json")
    page = dashboard.signals_page(body, str(report.scope), str(report.period))
    return FileResponse(io.StringIO(page), "signals.html", "text/html")


class ThresholdForm(BaseModel):
    region_prefix: str = Field(default="", max_length=6, description="区划前缀（2/4/6 位，空为全部）/ region prefix")
    name: str = Field(max_length=40, description="阈值名称，如 heaping、pay_outlier / threshold name")
    value: str = Field(max_length=40, description="阈值 / value")


async def threshold_form(request, data: ThresholdForm) -> str:
    try:
        row = await signals.set_threshold(data.region_prefix, data.name, data.value)
    except LedgerError as exc:
        raise _refusal(exc) from None
    return f"已设定 set: {row['region_prefix'] or '全部 everywhere'} {row['name']} = {row['value']}"


class SampleForm(BaseModel):
    scope: str = Field(default="region:330784", max_length=64, description="范围 / scope")
    period: str = Field(max_length=32, description="期间，如 2023-03 / period")
    method: str = Field(default="random", max_length=16, description="random | stratified | mus")
    size: int = Field(default=20, ge=1, le=samples.MAX_SAMPLE_SIZE, description="样本量 / size")
    seed: str | None = Field(default=None, max_length=64, description="种子（空则生成）/ seed (made when empty)")


async def sample_form(request, data: SampleForm) -> FileResponse:
    try:
        drawn = await samples.draw_sample(data.scope, data.period, data.method, data.size, data.seed or None)
    except LedgerError as exc:
        raise _refusal(exc) from None
    text = json.dumps(samples.sample_json(drawn), ensure_ascii=False, indent=2)
    return FileResponse(io.StringIO(text), f"sample-{drawn.seed}.json", "application/json")


class SheetForm(BaseModel):
    sample_id: int = Field(ge=1, le=2**31 - 1, description="已保存样本的编号 / stored sample id")


async def sheet_form(request, data: SheetForm) -> FileResponse:
    try:
        content = await samples.inspection_sheet(data.sample_id)
    except LedgerError as exc:
        raise _refusal(exc) from None
    return FileResponse(io.BytesIO(content), f"sample-{data.sample_id}.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


WORKBENCH_FORMS = [
    FormConfig(name="异常信号 Signals", pydantic_model=SignalsForm, endpoint=signals_form, form_group="审核",
               description="下载某范围某期间的异常信号 / download the signals of a scope and period"),
    FormConfig(name="信号阈值 Signal threshold", pydantic_model=ThresholdForm, endpoint=threshold_form,
               form_group="审核", description="设定县（区划）的信号阈值 / set a county's signal threshold"),
    FormConfig(name="审计抽样 Audit sample", pydantic_model=SampleForm, endpoint=sample_form, form_group="审核",
               description="按种子抽取样本（同一种子同一样本）/ draw a sample from a seed (same seed, same sample)"),
    FormConfig(name="现场核查表 Inspection sheet", pydantic_model=SheetForm, endpoint=sheet_form, form_group="审核",
               description="下载已保存样本的现场核查表 / the inspector's sheet of a stored sample"),
]
