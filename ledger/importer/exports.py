"""Templates and exports of monthly pay, per workshop: the sheets operators fill and keep.

Both use the importer's column names, so a template filled in, or an export edited, goes
straight back through ``run_import``. See ``workbook`` for what the files contain.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger import access
from ledger.core import rules
from ledger.core.problems import Problem
from ledger.errors import NotFound, ValidationFailed
from ledger.importer import workbook
from ledger.importer.headers import SheetKind
from ledger.services import bulk
from ledger.services.common import Collector, today


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    media_type: str


async def _workshop(code: str) -> dict:
    found = (await bulk.workshops_by_code([code])).get(code)
    if found is None or not access.owns_workshop(found["id"]):
        raise NotFound([Problem("workshop", "not_found", "工坊编码不存在", "no workshop with this code")])
    return found


def _media(file_format: str) -> tuple[str, str]:
    if file_format not in ("xlsx", "csv"):
        raise ValidationFailed([Problem("format", "choice", "格式应为 xlsx 或 csv", "format must be xlsx or csv")])
    return file_format, workbook.XLSX if file_format == "xlsx" else workbook.CSV


async def template(workshop_code: str, month: str, kind: str = "pay", file_format: str = "xlsx") -> Download:
    """A pay sheet for one workshop and month, one row per placement active that month,
    pre-filled with the pay already recorded; or an empty hires sheet."""
    checks = Collector()
    month_value = checks.take(rules.check_month("month", month, today()))
    if kind not in (SheetKind.pay, SheetKind.hires):
        checks.add([Problem("kind", "choice", "类型应为 pay 或 hires", "kind must be pay or hires")])
    checks.raise_if_any()
    suffix, media = _media(file_format)
    workshop = await _workshop(workshop_code)
    if kind == SheetKind.hires:
        return Download(workbook.write_hires_template(workshop["code"]), f"hires-{workshop['code']}.xlsx",
                        workbook.XLSX)
    first_day, last_day = rules.month_bounds(month_value)
    placements = await bulk.placements_active(workshop["id"], first_day, last_day)
    pay = await bulk.pay_records([p["id"] for p in placements], [month_value])
    rows = workbook.pay_rows(placements, month_value, pay)
    title = f"{workshop['code']} {month_value} 月收入表 / monthly pay"
    return Download(workbook.write_pay_sheet(title, rows, suffix), f"pay-{workshop['code']}-{month_value}.{suffix}",
                    media)


async def export_pay(workshop_code: str, first_month: str, last_month: str | None = None,
                     file_format: str = "xlsx") -> Download:
    """Every pay record of a workshop from first_month to last_month, in template columns."""
    checks = Collector()
    first = checks.take(rules.check_month("first", first_month, today()))
    last = checks.take(rules.check_month("last", last_month or first_month, today()))
    if first and last:
        checks.add(rules.check_period_order("first", *map(lambda m: rules.month_bounds(m)[0], (first, last))))
    checks.raise_if_any()
    suffix, media = _media(file_format)
    workshop = await _workshop(workshop_code)
    records = await bulk.pay_of_workshop(workshop["id"], first, last)
    placements = [{"id": r["placement"], "workshop_code": r["workshop_code"], "worker_id_number": r["worker_id_number"],
                   "worker_name": r["worker_name"], "month": r["month"]} for r in records]
    pay = {(r["placement"], r["month"]): r for r in records}
    title = f"{workshop['code']} {first}–{last} 月收入 / monthly pay"
    name = f"pay-{workshop['code']}-{first}-{last}.{suffix}"
    return Download(workbook.write_pay_sheet(title, workbook.pay_rows(placements, None, pay), suffix), name, media)
