"""Published claims: stored, parsed from text, and reconciled against the ledger's figures.

A claim is a source (title, publisher, date, quote), a scope, a period and its figures.
Creating one from text is two steps a person controls: ``parse`` proposes figures, the
person confirms (or corrects) them by creating the claim with those figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from ledger import access
from ledger.core import rules
from ledger.core.claims import ClaimFigure as CoreFigure
from ledger.core.claims import ParseResult, decimal_str, parse_claim_text
from ledger.core.enums import Role
from ledger.core.figures import FigureSet
from ledger.core.labels import metric_label
from ledger.core.metrics import Metric, Period, Scope, split_figure_name
from ledger.core.money import money_str
from ledger.core.privacy import mask_personal_text
from ledger.core.problems import Problem
from ledger.core.reconcile import Reconciliation, reconcile
from ledger.db import write_transaction
from ledger.errors import ValidationFailed
from ledger.services import figures as figure_service
from ledger.services import journal
from ledger.services.common import Collector, Page, get_row, paginate
from ledger.tables import Claim, ClaimFigure

MAX_TEXT = 20_000
MAX_INTEGER_DIGITS = 18
"""A figure's value in its base unit (元, 人, 家, %): 18 digits is ten billion 亿元, far past any county."""
MAX_DECIMALS = 6


def _figure_number_problems(field: str, raw: Any, *, optional: bool) -> list[Problem]:
    """A figure's value or tolerance: a non-negative decimal string of sane size (it is stored
    as its decimal text, and ``1e999999`` is not a published figure)."""
    if raw is None and optional:
        return []
    if isinstance(raw, float | bool) or raw is None:
        return [Problem(field, "type", "数值请用十进制字符串", "must be a decimal string")]
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        return [Problem(field, "decimal", "不是十进制数", "is not a decimal number")]
    if not number.is_finite() or number < 0:
        return [Problem(field, "value", "数值应为非负十进制数", "must be a non-negative decimal")]
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if number.adjusted() >= MAX_INTEGER_DIGITS or -exponent > MAX_DECIMALS:
        return [Problem(field, "out_of_range",
                        f"数值过大或小数位过多（整数最多 {MAX_INTEGER_DIGITS} 位，小数最多 {MAX_DECIMALS} 位）",
                        f"too large or too many decimals (at most {MAX_INTEGER_DIGITS} integer digits, "
                        f"{MAX_DECIMALS} decimals)")]
    return []


def parse_text(text: Any) -> ParseResult:
    require_claims_role()
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed([Problem("text", "required", "请提供要解析的文字", "give the text to parse")])
    if len(text) > MAX_TEXT:
        raise ValidationFailed([Problem("text", "too_long", f"文字过长（最多 {MAX_TEXT} 字）",
                                        f"text is too long (at most {MAX_TEXT} characters)")])
    return parse_claim_text(mask_personal_text(text))


def _figure_from_input(item: Any, index: int, checks: Collector) -> CoreFigure | None:
    prefix = f"figures[{index}]."
    if not isinstance(item, dict):
        checks.add([Problem(f"figures[{index}]", "type", "应为对象", "must be an object")])
        return None
    numbers = (_figure_number_problems(prefix + "value", item.get("value"), optional=False)
               + _figure_number_problems(prefix + "tolerance", item.get("tolerance"), optional=True))
    if numbers:
        checks.add(numbers)
        return None
    try:
        figure = CoreFigure.from_json_dict(item)
    except (KeyError, ValueError, InvalidOperation, TypeError):
        checks.add([Problem(prefix + "metric", "figure", "指标、数值、单位或限定词无效（见接口说明）",
                            "invalid metric, value, unit or qualifier (see the API description)")])
        return None
    if figure.target:
        checks.add([Problem(prefix + "target", "target", "计划或要求的数字不是已实现的数字，不能作为公开数字登记核对",
                            "a planned or required figure is not an achievement and is not recorded for reconciling")])
        return None
    _, text_problems = rules.check_text(prefix + "text", figure.text, max_length=MAX_TEXT, optional=True)
    if text_problems:
        checks.add(text_problems)
        return None
    return figure


def validate_claim(data: dict[str, Any]) -> tuple[dict[str, Any], list[CoreFigure]]:
    checks = Collector()
    clean = {
        "title": checks.take(rules.check_text("title", data.get("title"), max_length=300)),
        "publisher": checks.take(rules.check_text("publisher", data.get("publisher"), max_length=200, optional=True)),
        "published_on": checks.take(rules.check_date("published_on", data.get("published_on"), optional=True)),
        "url": checks.take(rules.check_text("url", data.get("url"), max_length=500, optional=True)),
        "quote": checks.take(rules.check_text("quote", data.get("quote"), max_length=MAX_TEXT, optional=True)),
    }
    try:
        scope, period = figure_service.parse_scope_period(str(data.get("scope") or ""), str(data.get("period") or ""))
        clean["scope"], clean["period"] = str(scope), str(period)
    except ValidationFailed as exc:
        checks.add(exc.problems)
    if clean.get("quote"):
        clean["quote"] = mask_personal_text(clean["quote"])  # published text holds no one's ID number or phone
    items = data.get("figures")
    if items is None and clean.get("quote"):
        items = parse_claim_text(clean["quote"]).to_json_dict()["figures"]
    if not isinstance(items, list):
        checks.add([Problem("figures", "type", "figures 应为列表", "figures must be a list")])
        items = []
    figures = [f for i, item in enumerate(items) if (f := _figure_from_input(item, i, checks)) is not None]
    checks.raise_if_any()
    return clean, figures


def _figure_row(claim_id: int, figure: CoreFigure) -> dict[str, Any]:
    return dict(claim=claim_id, metric=str(figure.metric), low_income=figure.low_income,
                value=decimal_str(figure.value), unit=str(figure.unit), qualifier=str(figure.qualifier),
                place=decimal_str(figure.place), resolution=f"{figure.resolution:f}",
                tolerance=None if figure.tolerance is None else decimal_str(figure.tolerance),
                text=figure.text[:300])


def require_claims_role() -> None:
    """Claims are recorded and read by auditors (and admins, who keep them in the panel)."""
    access.require(Role.auditor, Role.admin, doing_zh="记录和查看公开数据", doing_en="claims")


async def create_claim(data: dict[str, Any]) -> dict[str, Any]:
    require_claims_role()
    clean, figures = validate_claim(data)
    await figure_service.check_scope_exists(Scope.parse(clean["scope"]))
    async with write_transaction():
        claim = await journal.insert(Claim, clean)
        if figures:
            await journal.insert_many(ClaimFigure, [_figure_row(claim["id"], f) for f in figures])
    return await get_claim(claim["id"])


async def update_claim(claim_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    require_claims_role()
    async with write_transaction():
        current = await get_claim(claim_id)
        merged = {**current, **changes}
        clean, figures = validate_claim(merged)
        if "scope" in changes:
            await figure_service.check_scope_exists(Scope.parse(clean["scope"]))
        await journal.update(Claim, claim_id, clean)
        if "figures" in changes:
            await journal.delete_where(ClaimFigure, ClaimFigure.claim == claim_id)
            if figures:
                await journal.insert_many(ClaimFigure, [_figure_row(claim_id, f) for f in figures])
    return await get_claim(claim_id)


async def delete_claim(claim_id: int) -> None:
    require_claims_role()
    async with write_transaction():
        await get_claim(claim_id)
        await journal.delete_where(ClaimFigure, ClaimFigure.claim == claim_id)
        await journal.delete(Claim, claim_id)


async def create_claim_figure(data: dict[str, Any]) -> dict[str, Any]:
    require_claims_role()
    async with write_transaction():
        return await journal.insert(ClaimFigure, await validate_claim_figure_row(data))


async def update_claim_figure(figure_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    require_claims_role()
    async with write_transaction():
        current = await get_row(ClaimFigure, figure_id, "公开数据中的数字", "claim figure")
        clean = await validate_claim_figure_row({**current, **changes}, existing_id=figure_id)
        updated = await journal.update(ClaimFigure, figure_id, clean)
    assert updated is not None
    return updated


async def delete_claim_figure(figure_id: int) -> None:
    require_claims_role()
    async with write_transaction():
        await get_row(ClaimFigure, figure_id, "公开数据中的数字", "claim figure")
        await journal.delete(ClaimFigure, figure_id)


def _core_figure(row: dict[str, Any]) -> CoreFigure:
    return CoreFigure(metric=row["metric"], value=Decimal(row["value"]), unit=row["unit"],
                      qualifier=row["qualifier"], text=row["text"], low_income=row["low_income"],
                      place=Decimal(row["place"] or 0), resolution=Decimal(row["resolution"] or 0),
                      tolerance=None if row["tolerance"] is None else Decimal(row["tolerance"]))


async def claim_figures(claim_id: int) -> list[CoreFigure]:
    rows = await ClaimFigure.select().where(ClaimFigure.claim == claim_id).order_by(ClaimFigure.id)
    return [_core_figure(r) for r in rows]


async def get_claim(claim_id: int) -> dict[str, Any]:
    require_claims_role()
    claim = await get_row(Claim, claim_id, "公开数据", "claim")
    claim["figures"] = [{**f.to_json_dict(), "low_income": f.low_income} for f in await claim_figures(claim_id)]
    return claim


async def list_claims(page: int = 1, page_size: int = 50) -> Page:
    require_claims_role()
    return await paginate(Claim, [], page, page_size)


# --- figures and reconciliation -----------------------------------------------------------------

def figure_value_str(metric: str, value: Any) -> str | None:
    if value is None:
        return None
    base, _ = split_figure_name(metric)
    if Metric(base).is_money:
        return money_str(value)
    return decimal_str(value) if isinstance(value, Decimal) else str(value)


def figures_json(fs: FigureSet) -> dict[str, Any]:
    out = []
    for name, value in fs.values:
        metric = Metric(split_figure_name(name)[0])
        out.append({"metric": name, "label": metric_label(name)[0],
                    "value": figure_value_str(name, value), "unit": str(metric.unit)})
    return {"definition_version": fs.definition_version, "scope": str(fs.scope), "period": str(fs.period),
            "figures": out, "workshops_certified_by_level": dict(fs.certified_by_level)}


async def compute_figures(scope: str, period: str) -> FigureSet:
    parsed_scope, parsed_period = figure_service.parse_scope_period(scope, period)
    return await figure_service.compute(parsed_scope, parsed_period)


def drilldown_link(scope: str, period: str, metric: str, **extra: Any) -> str:
    """The one address of the rows behind a ledger figure (``GET /api/v1/figures/rows``)."""
    query = urlencode({"scope": scope, "period": period, "metric": metric, **extra})
    return f"/api/v1/figures/rows?{query}"


@dataclass(frozen=True)
class Report:
    """A reconciliation with everything a reader needs to follow it."""

    scope: Scope
    period: Period
    reconciliation: Reconciliation
    ledger: FigureSet
    source: dict[str, Any]
    unrecognised: tuple[str, ...] = ()
    targets: tuple[CoreFigure, ...] = ()  # planned or required figures in the text: shown, never reconciled
    restatements: tuple[dict[str, Any], ...] = ()  # a stored claim's reconciliation moved between seals
    sealed_against: int | None = None  # the seal a stored claim was last reconciled against

    def drilldown(self, ledger_metric: str | None) -> str | None:
        """The link to the rows behind a ledger figure (None when the ledger has no such figure)."""
        return None if ledger_metric is None else drilldown_link(str(self.scope), str(self.period), ledger_metric)

    def to_json_dict(self) -> dict[str, Any]:
        body = self.reconciliation.to_json_dict()
        for item in body["figures"]:
            # a claim metric (total_pay_annual) drills down to the ledger figure behind it (total_pay)
            item["drilldown"] = self.drilldown(item["ledger_metric"])
        ledger_figures = figures_json(self.ledger)["figures"]
        for item in ledger_figures:
            item["drilldown"] = self.drilldown(item["metric"])
        return {**body, "scope": str(self.scope), "period": str(self.period), "source": self.source,
                "unrecognised": list(self.unrecognised), "targets": [f.to_json_dict() for f in self.targets],
                "ledger_figures": ledger_figures, "restatements": list(self.restatements),
                "sealed_against": self.sealed_against}


async def reconcile_figures(figures: list[CoreFigure], scope: str, period: str, source: dict[str, Any],
                            unrecognised: tuple[str, ...] = (), targets: tuple[CoreFigure, ...] = ()) -> Report:
    parsed_scope, parsed_period = figure_service.parse_scope_period(scope, period)
    ledger = await figure_service.compute(parsed_scope, parsed_period)
    result = reconcile(figures, ledger.as_dict(), parsed_period.month_count)
    return Report(parsed_scope, parsed_period, result, ledger, source, unrecognised, targets)


async def reconcile_claim(claim_id: int, scope: str | None = None, period: str | None = None) -> Report:
    require_claims_role()
    claim = await get_row(Claim, claim_id, "公开数据", "claim")
    source = {k: claim[k] for k in ("id", "title", "publisher", "published_on", "url", "quote")}
    source["published_on"] = None if claim["published_on"] is None else str(claim["published_on"])
    from dataclasses import replace

    from ledger.services import seals  # seals reconcile claims when they are made

    report = await reconcile_figures(await claim_figures(claim_id), scope or claim["scope"],
                                     period or claim["period"], source)
    return replace(report, restatements=tuple(await seals.restatements(claim_id)),
                   sealed_against=await seals.last_seal_checked(claim_id))


async def reconcile_text(text: str, scope: str, period: str) -> Report:
    parsed = parse_text(text)
    return await reconcile_figures(list(parsed.figures), scope, period, {"quote": mask_personal_text(text)},
                                   parsed.unrecognised, parsed.targets)


# --- the admin panel edits claims and their figures row by row ---------------------------------

async def validate_claim_row(data: dict[str, Any], existing_id: int | None = None) -> dict[str, Any]:
    """A claim's own fields (its figures are rows of their own)."""
    clean, _ = validate_claim({**data, "figures": []})
    return clean


async def validate_claim_figure_row(data: dict[str, Any], existing_id: int | None = None) -> dict[str, Any]:
    checks = Collector()
    claim = data.get("claim")
    if not isinstance(claim, int) or not await Claim.exists().where(Claim.id == claim):
        checks.add([Problem("claim", "unknown_reference", "公开数据不存在", "no such claim")])
    item = {k: data.get(k) for k in ("metric", "value", "unit", "qualifier", "text", "low_income", "tolerance")}
    figure = _figure_from_input(item, 0, checks)
    checks.raise_if_any()
    assert figure is not None and isinstance(claim, int)
    return _figure_row(claim, figure)
