"""The auditor's workbench over HTTP: signals, reviews, thresholds, samples, the dashboard.

Thin translations to the services (``ledger.services.signals``, ``samples``, ``dashboard``);
the dashboard pages are HTML with inline SVG charts, behind the same sign-in as the API
(the session cookie, or a bearer token); ``/workbench`` is the public sign-in page that
opens them.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from ledger import dashboard as pages
from ledger.api.schemas import Body
from ledger.core.problems import Problem
from ledger.errors import NotFound
from ledger.services import dashboard as dashboard_service
from ledger.services import drilldown
from ledger.services import figures as figure_service
from ledger.services import samples as sample_service
from ledger.services import signals as signal_service
from ledger.services.common import MAX_ID, MAX_PAGE

ScopeParam = Annotated[str, Parameter(query="scope", max_length=64,
                                      description="范围 / scope: all, workshop:CODE, enterprise:ID, region:PREFIX")]
PeriodParam = Annotated[str, Parameter(max_length=32, description="期间 / period: 2023, 2023-03 or 2023-01..2023-06")]
KindParam = Annotated[str | None, Parameter(max_length=32, description="信号类型 / signal kind")]
WorkshopParam = Annotated[str | None, Parameter(max_length=32, description="工坊编码 / workshop code")]
HTML = "text/html; charset=utf-8"
ROWS_PAGE_SIZE = 500


class SignalOut(BaseModel):
    kind: str = Field(description="pay_outlier, identical_amounts, heaping, multiple_workshops, pay_without_days, "
                                  "total_vs_headcount, first_digit")
    workshop: str = Field(description="工坊编码 / workshop code")
    month: str | None = Field(description="月份（整期信号为 null）/ month, null for a whole-period signal")
    score: float = Field(description="得分 / score (a statistic, not money)")
    threshold: float = Field(description="越过的阈值 / the threshold it crossed")
    rows: list[int] = Field(description="背后的月收入记录编号 / the pay records behind it")
    explanation_zh: str
    explanation_en: str
    key: str = Field(description="信号标识（复核用）/ the signal's key, kind:workshop:month")
    review: dict[str, Any] | None = Field(description="最近一次复核 / the latest review, if any")


class SignalsOut(BaseModel):
    definition_version: int = Field(description="信号定义版本 / signal definition version")
    scope: str
    period: str
    thresholds: dict[str, float] = Field(description="所用阈值 / the thresholds used")
    signals: list[SignalOut]


class ReviewIn(Body):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(max_length=120, description="信号标识 / signal key, kind:workshop:month (* for a period)")
    note: str = Field(max_length=500, description="复核说明 / what the auditor found")
    score: str | None = Field(default=None, max_length=40, description="复核时的得分 / score seen")


class ThresholdIn(Body):
    model_config = ConfigDict(extra="forbid")
    region_prefix: str = Field(default="", max_length=6, description="区划前缀（空为全部）/ region prefix")
    name: str = Field(max_length=40, description="阈值名称 / threshold name, e.g. heaping")
    value: str = Field(max_length=40, description="阈值 / value as a decimal string")


class SampleIn(Body):
    model_config = ConfigDict(extra="forbid")
    scope: str = Field(max_length=64, description="范围 / scope")
    period: str = Field(max_length=32, description="期间 / period")
    method: str = Field(max_length=16, description="random | stratified | mus")
    size: int = Field(ge=1, le=sample_service.MAX_SAMPLE_SIZE, description="样本量 / sample size")
    seed: str | None = Field(default=None, max_length=64, description="种子（缺省时生成）/ seed (made when omitted)")
    lock: int | None = Field(default=None, ge=1, le=MAX_ID, description="所支持的锁定 / the sign-off it supports")
    note: str | None = Field(default=None, max_length=300, description="说明 / note")


def _overrides(threshold: list[str] | None) -> dict[str, float]:
    return signal_service.parse_overrides(threshold or [])


class SignalController(Controller):
    path = "/signals"
    tags = ["审计工作台 Auditor's workbench"]

    @get("/", summary="异常信号 / Anomaly signals in the pay records (advice, never refusals)")
    async def signals(self, scope_text: ScopeParam, period: PeriodParam, kind: KindParam = None,
                      workshop: WorkshopParam = None,
                      threshold: Annotated[list[str] | None, Parameter(
                          description="覆盖阈值 NAME=VALUE，可多次 / override a threshold, NAME=VALUE")] = None,
                      ) -> SignalsOut:
        report = await signal_service.compute(scope_text, period, _overrides(threshold), {kind} if kind else None,
                                              workshop)
        return SignalsOut.model_validate(report.as_json(with_reviews=True))

    @get("/rows", summary="信号背后的记录 / The pay records behind a signal (ID numbers masked)")
    async def rows(self, scope_text: ScopeParam, period: PeriodParam,
                   key: Annotated[str, Parameter(max_length=120, description="信号标识 / signal key")]
                   ) -> list[dict[str, Any]]:
        return await signal_service.signal_rows(await _signal_ids(scope_text, period, key))

    @post("/reviews", summary="标记信号已复核（审核员，记入审计日志） / Mark a signal reviewed (auditors; journaled)")
    async def review(self, data: ReviewIn) -> dict[str, Any]:
        return await signal_service.review(data.key, data.note, data.score or "")

    @post("/thresholds", summary="设定县（区划）信号阈值 / Set a county's signal threshold (journaled)")
    async def threshold(self, data: ThresholdIn) -> dict[str, Any]:
        return await signal_service.set_threshold(data.region_prefix, data.name, data.value)


async def _signal_ids(scope_text: str, period: str, key: str) -> list[int]:
    workshop = key.split(":")[1] if key.count(":") >= 2 else None
    report = await signal_service.compute(scope_text, period, workshop=workshop)
    for signal in report.signals:
        if signal.key == key:
            return list(signal.rows)
    raise NotFound([Problem("key", "not_found", f"本范围和期间没有信号 {key}", f"no signal {key} in this scope and period")])


class SampleController(Controller):
    path = "/samples"
    tags = ["审计工作台 Auditor's workbench"]

    @get("/draw", summary="抽取审计样本（不保存） / Draw an audit sample (not stored); same seed, same records")
    async def draw(self, scope_text: ScopeParam, period: PeriodParam,
                   method: Annotated[str, Parameter(max_length=16, description="random | stratified | mus")],
                   size: Annotated[int, Parameter(ge=1, le=sample_service.MAX_SAMPLE_SIZE, description="样本量")],
                   seed: Annotated[str | None, Parameter(max_length=64, description="种子 / seed")] = None,
                   ) -> dict[str, Any]:
        return sample_service.sample_json(await sample_service.draw_sample(scope_text, period, method, size, seed))

    @post("/", summary="抽取并保存审计样本（审核员） / Draw and store an audit sample with its sign-off (auditors)")
    async def store(self, data: SampleIn) -> dict[str, Any]:
        return await sample_service.store_sample(data.scope, data.period, data.method, data.size, data.seed,
                                                 data.lock, data.note or "")

    @get("/", summary="已保存的样本 / Stored samples")
    async def list(self) -> list[dict[str, Any]]:
        return await sample_service.list_samples()

    @get("/{sample_id:int}", summary="查看样本 / A stored sample")
    async def read(self, sample_id: Annotated[int, Parameter(ge=1, le=MAX_ID)]) -> dict[str, Any]:
        return await sample_service.get_sample(sample_id)

    @get("/{sample_id:int}/redraw", summary="按种子重抽并比对 / Re-draw from the seed and compare")
    async def redraw(self, sample_id: Annotated[int, Parameter(ge=1, le=MAX_ID)]) -> dict[str, Any]:
        return await sample_service.redraw(sample_id)

    @get("/{sample_id:int}/sheet", summary="现场核查表 .xlsx / The inspector's sheet (names, masked IDs, amounts)")
    async def sheet(self, sample_id: Annotated[int, Parameter(ge=1, le=MAX_ID)]) -> Response:
        return Response(await sample_service.inspection_sheet(sample_id),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename=sample-{sample_id}.xlsx"})


class DashboardController(Controller):
    path = "/dashboard"
    tags = ["审计工作台 Auditor's workbench"]

    @get("/", summary="看板（HTML，图表） / The figures dashboard (HTML with charts)", media_type=HTML)
    async def dashboard(self, scope_text: ScopeParam, period: PeriodParam) -> Response:
        data = await dashboard_service.dashboard(scope_text, period)
        return Response(pages.dashboard_page(data), media_type=HTML)

    @get("/rows", summary="图中一点背后的记录（HTML） / The rows behind a point (HTML)", media_type=HTML)
    async def rows(self, scope_text: ScopeParam, period: PeriodParam,
                   metric: Annotated[str, Parameter(max_length=64, description="指标 / metric")],
                   page: Annotated[int | None, Parameter(
                       ge=1, le=MAX_PAGE, description="页码（浅页）/ page number (shallow pages)")] = None,
                   after: Annotated[str | None, Parameter(
                       max_length=drilldown.MAX_CURSOR, description="游标：下一页链接所带 / cursor of the next page")
                   ] = None) -> Response:
        scope, parsed = figure_service.parse_scope_period(scope_text, period)
        found = await drilldown.rows_behind(scope, parsed, metric, page, ROWS_PAGE_SIZE, after)
        return Response(pages.rows_page(f"{metric} 的记录 Rows behind {metric}", found.items, found.total, found.page,
                                        ROWS_PAGE_SIZE, str(scope), str(parsed), {"metric": metric},
                                        next_after=found.next,
                                        numbered_pages=drilldown.MAX_OFFSET // ROWS_PAGE_SIZE + 1),
                        media_type=HTML)

    @get("/signals", summary="信号列表（HTML） / Signals (HTML)", media_type=HTML)
    async def signals(self, scope_text: ScopeParam, period: PeriodParam, kind: KindParam = None,
                      workshop: WorkshopParam = None) -> Response:
        report = await signal_service.compute(scope_text, period, None, {kind} if kind else None, workshop)
        return Response(pages.signals_page(report.as_json(with_reviews=True), str(report.scope), str(report.period)),
                        media_type=HTML)

    @get("/signal-rows", summary="信号背后的记录（HTML） / The rows behind a signal (HTML)", media_type=HTML)
    async def signal_rows(self, scope_text: ScopeParam, period: PeriodParam,
                          key: Annotated[str, Parameter(max_length=120, description="信号标识 / signal key")]
                          ) -> Response:
        rows = await signal_service.signal_rows(await _signal_ids(scope_text, period, key))
        return Response(pages.rows_page(f"信号 {key} 的记录 Rows behind {key}", rows, len(rows), 1, max(len(rows), 1),
                                        scope_text, period, {}), media_type=HTML)


@get("/workbench", include_in_schema=False, media_type=HTML)
async def workbench_page() -> Response:
    """The public sign-in page that opens the dashboard (the pages themselves need a session)."""
    return Response(pages.SIGN_IN_PAGE, media_type=HTML)


WORKBENCH_CONTROLLERS = [SignalController, SampleController, DashboardController]
