"""Figures, claims and reconciliation over HTTP: thin translations to the services."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, patch, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from ledger import reports
from ledger.api.schemas import Body
from ledger.services import claims as claim_service
from ledger.services import drilldown
from ledger.services import figures as figure_service
from ledger.services.common import MAX_ID, MAX_PAGE

# "scope" is Litestar's reserved name for the ASGI scope: the Python names differ, the query
# parameter is still called "scope".
ScopeParam = Annotated[str, Parameter(query="scope",
                                      description="范围 / scope: all, workshop:CODE, enterprise:ID, region:PREFIX")]
PeriodParam = Annotated[str, Parameter(description="期间 / period: 2023, 2023-03 or 2023-01..2023-06")]
FormatParam = Annotated[str, Parameter(description="格式 / format: json, csv, xlsx, html",
                                       pattern="^(json|csv|xlsx|html)$")]


class FigureOut(BaseModel):
    metric: str = Field(description="指标 / metric (SPEC name, `_low_income` suffix for the variants)")
    label: str = Field(description="中文名称 / Chinese label")
    value: str | None = Field(description="数值（十进制字符串；无定义时为 null）/ value as a decimal string, null if undefined")
    unit: str = Field(description="单位 / unit")


class FiguresOut(BaseModel):
    definition_version: int = Field(description="指标定义版本 / metric definition version")
    scope: str = Field(description="范围 / scope")
    period: str = Field(description="期间 / period")
    figures: list[FigureOut] = Field(description="全部指标 / every figure")
    workshops_certified_by_level: dict[str, int] = Field(description="按级别的认定工坊数 / certified workshops by level")


class RowsOut(BaseModel):
    items: list[dict[str, Any]] = Field(description="指标背后的记录 / the rows behind the figure (ID numbers masked)")
    total: int = Field(description="总数（第一页时计数，随游标带到后面各页）/ total rows (counted on the first page, "
                                   "carried by the cursor to the pages after it)")
    page: int = Field(description="页码（按本页第一条的位置）/ page number (from the position of the page's first row)")
    page_size: int = Field(description="每页条数 / page size")
    first_row: int = Field(description="本页第一条在全部记录中的位置（从 1 起）/ position of the page's first row (from 1)")
    next: str | None = Field(description="下一页的游标，作为 after 传回；最后一页为 null / the next page's cursor, to pass "
                                         "back as `after`; null on the last page")


class ClaimFigureIn(Body):
    model_config = ConfigDict(extra="forbid")
    metric: str = Field(description="指标 / metric, e.g. workers_employed_low_income, total_pay_annual")
    value: str | int = Field(description="数值（基本单位，十进制字符串）/ value in base units: 336万元 → \"3360000\"")
    unit: str | None = Field(default=None, description="单位 / unit: 家 人 户 元 %")
    qualifier: str | None = Field(default=None, description="限定词 / qualifier: exact about over at_least")
    text: str | None = Field(default=None, description="原文片段 / the exact fragment")
    low_income: bool | None = Field(default=None, description="是否指低收入人群 / about low-income workers")
    tolerance: str | None = Field(default=None, description="自带容差 / the claim's own tolerance (wins)")
    period_assumed: bool | None = Field(
        default=None, description="原文未说明期间，按惯例视为年 / no period in the text, read as annual by convention")
    target: bool | None = Field(
        default=None, description="计划或要求的数字（不可登记为已实现）/ a planned or required figure (refused: not an achievement)")


class ClaimIn(Body):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(description="来源标题 / source title")
    publisher: str | None = Field(default=None, description="发布者 / publisher")
    published_on: str | None = Field(default=None, description="发布日期 / published on (YYYY-MM-DD)")
    url: str | None = Field(default=None, description="来源网址 / source URL")
    quote: str | None = Field(default=None, description="原文 / the quoted text as published")
    scope: str | None = Field(description="范围 / scope, e.g. region:330784")
    period: str | None = Field(description="期间 / period, e.g. 2023")
    figures: list[ClaimFigureIn] | None = Field(
        default=None, description="数字（缺省时由原文解析）/ figures; parsed from the quote when omitted")


class ClaimUpdate(Body):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, description="来源标题 / title")
    publisher: str | None = Field(default=None, description="发布者 / publisher")
    published_on: str | None = Field(default=None, description="发布日期 / published on")
    url: str | None = Field(default=None, description="来源网址 / URL")
    quote: str | None = Field(default=None, description="原文 / quote")
    scope: str | None = Field(default=None, description="范围 / scope")
    period: str | None = Field(default=None, description="期间 / period")
    figures: list[ClaimFigureIn] | None = Field(default=None, description="数字（替换全部）/ figures (replace all)")


class TextIn(Body):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="公开发布的中文原文 / the published Chinese text")


class ReconcileTextIn(TextIn):
    scope: str = Field(description="范围 / scope")
    period: str = Field(description="期间 / period")


def _report_response(report: claim_service.Report, fmt: str, chart: list[dict[str, Any]]) -> Response:
    # Litestar adds "; charset=utf-8" to a text/* media type itself: name the type alone, so the
    # header says it once.
    body = report.to_json_dict()
    if fmt == "csv":
        return Response(reports.to_csv(body).encode("utf-8"), media_type="text/csv",
                        headers={"Content-Disposition": "attachment; filename=reconciliation.csv"})
    if fmt == "xlsx":
        return Response(reports.to_xlsx(body, chart),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": "attachment; filename=reconciliation.xlsx"})
    if fmt == "html":
        return Response(reports.to_html(body, chart), media_type="text/html")
    return Response(body)


async def _chart(report: claim_service.Report, fmt: str) -> list[dict[str, Any]]:
    """Monthly pay per workshop, for the formats that draw it (HTML and XLSX)."""
    if fmt not in ("html", "xlsx"):
        return []
    return await figure_service.monthly_pay_by_workshop(report.scope, report.period)


class FiguresController(Controller):
    path = "/figures"
    tags = ["官方数字 Figures"]

    @get("/", summary="计算官方数字 / Compute the official figures for a scope and period")
    async def figures(self, scope_text: ScopeParam, period: PeriodParam) -> FiguresOut:
        figures = await claim_service.compute_figures(scope_text, period)
        return FiguresOut.model_validate(claim_service.figures_json(figures))

    @get("/rows", summary="数字背后的记录（游标翻页） / The rows behind a figure (drill-down, keyset paging)",
         description="按固定顺序分页：工资类指标按（月份，人），吸纳就业按（人，用工），工坊数按编码；"
                     "认定工坊数列出期末日有有效认定的工坊及其认定，按编码（给 level 只列该级别）。"
                     "第一页不带参数；之后把上一页的 next 作为 after 传回（任意深度都一样快）。"
                     f"页码 page 只用于前 {drilldown.MAX_OFFSET} 条，与 after 不能同时给。 / "
                     "Rows in a fixed order: pay figures by (month, worker), workers employed by (worker, "
                     "placement), workshops by code; workshops_certified: the workshops certified on the period's "
                     "last day with those certifications, by code (with `level`, that level's only). Ask for the first page with neither; then pass the "
                     "previous page's `next` as `after` (as fast at any depth). `page` numbers reach the first "
                     f"{drilldown.MAX_OFFSET} rows only and cannot be combined with `after`.")
    async def rows(self, scope_text: ScopeParam, period: PeriodParam,
                   metric: Annotated[str, Parameter(description="指标 / metric name")],
                   page: Annotated[int | None, Parameter(
                       ge=1, le=MAX_PAGE, description=f"页码（浅页，前 {drilldown.MAX_OFFSET} 条内；缺省为第 1 页） / "
                                                      f"page number (shallow: within the first {drilldown.MAX_OFFSET} "
                                                      "rows; default 1)")] = None,
                   page_size: Annotated[int, Parameter(ge=1, le=500, description="每页条数 / page size")] = 100,
                   after: Annotated[str | None, Parameter(
                       max_length=drilldown.MAX_CURSOR,
                       description="游标：上一页回答中的 next / cursor: the `next` of the previous page's answer",
                   )] = None,
                   format: Annotated[str, Parameter(description="格式 / format: json, or html (a page to read)",
                                                    pattern="^(json|html)$")] = "json",
                   level: Annotated[str | None, Parameter(
                       max_length=16, description="认定级别（仅认定工坊数）：county、city、province / certification "
                                                  "level (workshops_certified only): county, city, province")] = None,
                   ) -> RowsOut | Response:
        parsed_scope, parsed_period = figure_service.parse_scope_period(scope_text, period)
        found = await drilldown.rows_behind(parsed_scope, parsed_period, metric, page, page_size, after, level)
        if format == "html":
            def link(**extra: Any) -> str:
                return claim_service.drilldown_link(str(parsed_scope), str(parsed_period), metric,
                                                    page_size=page_size, format="html",
                                                    **({"level": level} if level else {}), **extra)

            return Response(reports.rows_to_html(metric, str(parsed_scope), str(parsed_period), found,
                                                 first_link=link(), next_link=link(after=found.next) if found.next
                                                 else None, level=level), media_type="text/html")
        return RowsOut(items=found.items, total=found.total, page=found.page, page_size=page_size,
                       first_row=found.first_row + 1 if found.items else 0, next=found.next)


class ClaimController(Controller):
    path = "/claims"
    tags = ["公开数据与对账 Claims and reconciliation"]

    @post("/parse", status_code=200, summary="解析公开文字为数字（待人确认） / Parse published text into figures, for a person to confirm")
    async def parse(self, data: TextIn) -> dict[str, Any]:
        return claim_service.parse_text(data.text).to_json_dict()

    @post("/", summary="登记公开数据 / Record a claim (figures given, or parsed from the quote)")
    async def create(self, data: ClaimIn) -> dict[str, Any]:
        return _claim_out(await claim_service.create_claim(data.model_dump(exclude_none=True)))

    @get("/", summary="公开数据列表 / List claims")
    async def list(self, page: Annotated[int, Parameter(ge=1, le=MAX_PAGE, description="页码 / page")] = 1,
                   page_size: Annotated[int, Parameter(ge=1, le=500, description="每页条数 / page size")] = 50,
                   ) -> dict[str, Any]:
        found = await claim_service.list_claims(page, page_size)
        return {"items": [_claim_out(i) for i in found.items], "total": found.total, "page": found.page,
                "page_size": found.page_size}

    @get("/{claim_id:int}", summary="查看公开数据 / Read a claim")
    async def read(self, claim_id: Annotated[int, Parameter(ge=1, le=MAX_ID)]) -> dict[str, Any]:
        return _claim_out(await claim_service.get_claim(claim_id))

    @patch("/{claim_id:int}", summary="修改公开数据 / Update a claim")
    async def update(self, claim_id: Annotated[int, Parameter(ge=1, le=MAX_ID)], data: ClaimUpdate) -> dict[str, Any]:
        return _claim_out(await claim_service.update_claim(claim_id, data.model_dump(exclude_unset=True)))

    @get("/{claim_id:int}/reconciliation", summary="对账 / Reconcile a claim against the ledger")
    async def reconciliation(self, claim_id: Annotated[int, Parameter(ge=1, le=MAX_ID)],
                             scope_text: Annotated[str | None, Parameter(
                                 query="scope", description="范围（缺省用公开数据的）/ scope")] = None,
                             period: Annotated[str | None, Parameter(description="期间 / period")] = None,
                             format: FormatParam = "json") -> Response:
        report = await claim_service.reconcile_claim(claim_id, scope_text, period)
        return _report_response(report, format, await _chart(report, format))


class ReconcileController(Controller):
    path = "/reconcile"
    tags = ["公开数据与对账 Claims and reconciliation"]

    @post("/", status_code=200, summary="直接对账一段文字 / Reconcile published text directly")
    async def reconcile_text(self, data: ReconcileTextIn, format: FormatParam = "json") -> Response:
        report = await claim_service.reconcile_text(data.text, data.scope, data.period)
        return _report_response(report, format, await _chart(report, format))


def _claim_out(claim: dict[str, Any]) -> dict[str, Any]:
    out = dict(claim)
    for key in ("published_on", "created_at"):
        if out.get(key) is not None:
            out[key] = str(out[key])
    return out


RECONCILIATION_CONTROLLERS = [FiguresController, ClaimController, ReconcileController]
