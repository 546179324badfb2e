"""The drill-down: the rows a figure is computed from, a page at a time (auditors and admins).

Three kinds of rows, each in one total order that the database walks by an index:

* the pay figures: one row per (worker, month) inside the scope — that worker's pay plus
  adjustments at the scope's workshops in the month — ordered by (month, worker). They are
  read from the live aggregate ``figure_cell`` (worker × workshop × month, see
  ``ledger.services.aggregates``): the scope's cells summed per (worker, month), which is
  what regrouping the raw pay rows gives, without reading them.
* workers employed: the placements overlapping the period, ordered by (worker, placement).
* workshops: the workshops open in the period, ordered by code (unique).
* workshops certified: the workshops holding a certification in force on the period's last
  day, by the figure's own rule (``figures.certification_in_force_sql``), ordered by code;
  each row lists those certifications. ``level`` keeps one level's (the figure's count per
  level).

Paging is by **keyset**: a page ends with an opaque cursor (``next``) naming the last row's
key, and the next page starts right after that key (``WHERE key > cursor ORDER BY key LIMIT
n``), so page 100,000 costs what page 1 costs. The cursor is URL-safe base64 of a small JSON
object: which drill-down it belongs to (a digest of scope, period and figure), the key, the
position of the next row, and the total (counted from the aggregates on the first page and
carried — see ``total_of``). ``page`` numbers still work for the first pages (``OFFSET``, at most
``MAX_OFFSET`` rows deep); deeper pages go through the cursor only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from ledger.core.enums import CertificationLevel
from ledger.core.metrics import Metric, Period, Scope, split_figure_name
from ledger.core.money import fen_to_yuan
from ledger.core.problems import Problem
from ledger.errors import ValidationFailed
from ledger.services.common import MAX_ID, check_paging
from ledger.services.figures import (
    _month_of,
    _run,
    certification_in_force_sql,
    check_scope_exists,
    require_reader,
    scope_sql,
)

PAY_METRICS = {Metric.total_pay, Metric.person_months, Metric.workers_paid, Metric.avg_monthly_pay,
               Metric.avg_monthly_pay_per_worker, Metric.avg_annual_pay, Metric.growth_total_pay,
               Metric.growth_avg_monthly_pay, Metric.uplift_over_baseline}

MAX_OFFSET = 10_000
"""How deep ``page`` may reach (rows skipped by OFFSET); past it, the cursor (``after``)."""

MAX_CURSOR = 512
"""A cursor's length in characters, at most (a workshop code of 32 Chinese characters makes
one of about 220; a pay row's, about 80)."""

MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class RowsPage:
    """One page of the rows behind a figure. ``first_row`` is the 0-based position of the
    page's first row in the whole list; ``next`` the cursor of the page after (None on the last)."""

    items: list[dict[str, Any]]
    total: int
    first_row: int
    page_size: int
    next: str | None

    @property
    def page(self) -> int:
        return self.first_row // self.page_size + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class Cursor:
    key: tuple[Any, ...]
    position: int
    total: int


def _kind(metric: Metric) -> str:
    if metric in PAY_METRICS:
        return "pay"
    if metric == Metric.workers_employed:
        return "employed"
    return "certified" if metric == Metric.workshops_certified else "workshops"


def _digest(scope: Scope, period: Period, metric_name: str, level: str | None = None) -> str:
    """Which drill-down a cursor belongs to: a cursor of another figure, level, scope or period is refused."""
    which = f"{scope}|{period}|{metric_name}" + ("" if level is None else f"|{level}")
    return hashlib.blake2b(which.encode(), digest_size=6).hexdigest()


def encode_cursor(digest: str, cursor: Cursor) -> str:
    text = json.dumps({"d": digest, "k": list(cursor.key), "p": cursor.position, "t": cursor.total},
                      separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _bad_cursor(zh: str, en: str) -> ValidationFailed:
    return ValidationFailed([Problem("after", "cursor", f"翻页游标无效：{zh}（请从第一页或上一页的 next 重新开始）",
                                     f"the paging cursor is not valid: {en} (start again from the first page "
                                     "or from a page's `next`)")])


def _is_int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def decode_cursor(text: str, digest: str, kind: str) -> Cursor:
    """The cursor a client sent back, checked in full: anything else is a 422 naming ``after``."""
    if not text or len(text) > MAX_CURSOR or not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise _bad_cursor("格式不对", "it is not one this server gave")
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _bad_cursor("格式不对", "it is not one this server gave") from None
    if not isinstance(raw, dict) or set(raw) != {"d", "k", "p", "t"}:
        raise _bad_cursor("格式不对", "it is not one this server gave")
    if raw["d"] != digest:
        raise _bad_cursor("它属于另一个指标、范围或期间", "it belongs to another figure, scope or period")
    key, position, total = raw["k"], raw["p"], raw["t"]
    if kind == "pay":
        valid = (isinstance(key, list) and len(key) == 2 and isinstance(key[0], str) and bool(MONTH.match(key[0]))
                 and _is_int(key[1], 0, MAX_ID))
    elif kind == "employed":
        valid = isinstance(key, list) and len(key) == 2 and _is_int(key[0], 0, MAX_ID) and _is_int(key[1], 0, MAX_ID)
    else:
        valid = isinstance(key, list) and len(key) == 1 and isinstance(key[0], str) and 0 < len(key[0]) <= 32
    if not valid or not _is_int(position, 1, 10**12) or not _is_int(total, 0, 10**12):
        raise _bad_cursor("内容不对", "its content is not valid")
    return Cursor(tuple(key), position, total)


def _paging_problems(page: int | None, page_size: int, after: str | None) -> list[Problem]:
    try:
        check_paging(page or 1, page_size)
    except ValidationFailed as failed:
        return list(failed.problems)
    if after is not None and page is not None:
        return [Problem("page", "page", "已给出翻页游标 after 时不要再给页码 page",
                        "give either page or the cursor after, not both")]
    if page is not None and (page - 1) * page_size > MAX_OFFSET:
        return [Problem(
            "page", "page_too_deep",
            f"第 {page} 页太深：按页码只能翻到前 {MAX_OFFSET} 条，更深处请用上一页回答里的 next 作为 after 继续翻",
            f"page {page} is too deep: page numbers reach the first {MAX_OFFSET} rows; deeper, pass the previous "
            "page's `next` as `after`")]
    return []


# --- the four kinds of rows ------------------------------------------------------------------

def _pay_sql(scope: Scope, period: Period, low: bool) -> tuple[str, list[Any]]:
    """The scope's cells of the period (``c``, joined to their workshop ``w``)."""
    where, args = scope_sql(scope)
    low_filter = " AND c.low = 1" if low else ""
    return (f"FROM figure_cell c JOIN workshop w ON w.id = c.workshop "
            f"WHERE c.month >= {{}} AND c.month <= {{}} AND {where}{low_filter}",
            [str(period.first), str(period.last), *args])


async def _pay_rows(scope: Scope, period: Period, low: bool, after: tuple[Any, ...] | None, offset: int,
                    limit: int) -> list[dict[str, Any]]:
    base, args = _pay_sql(scope, period, low)
    if after is not None:
        base += " AND (c.month, c.worker) > ({}, {})"
        args += [after[0], after[1]]
    # One row per (worker, month): the sum of the scope's cells. ``low`` and the baseline are
    # the same in every cell of a (worker, month); the name and the masked ID come from worker.
    rows = await _run(f"""
        SELECT r.worker AS worker, wk.name AS name, wk.id_number AS id_number, r.month AS month, r.fen AS fen,
               r.low AS low, wk.baseline_income_fen AS baseline
        FROM (SELECT c.month AS month, c.worker AS worker, SUM(c.fen) AS fen, MAX(c.low) AS low {base}
              GROUP BY c.month, c.worker ORDER BY c.month, c.worker LIMIT {limit} OFFSET {offset}) r
        JOIN worker wk ON wk.id = r.worker
        ORDER BY r.month, r.worker""", args)
    return [{"worker": r["worker"], "name": r["name"], "id_number": r["id_number"], "month": r["month"],
             "pay": str(fen_to_yuan(int(r["fen"]))), "low_income": bool(r["low"]),
             "counts_as_person_month": int(r["fen"]) > 0,
             "baseline": None if r["baseline"] is None else str(fen_to_yuan(int(r["baseline"]))),
             "_key": (r["month"], r["worker"])} for r in rows]


async def _pay_total(scope: Scope, period: Period, low: bool) -> int:
    """How many (worker, month) rows: a (worker, month) with cells at one workshop only is one
    *single* cell, counted per workshop-month in ``figure_workshop_month.cells`` (``cells_low``
    when low-income); one with cells at two or more workshops (rare) is counted once from its
    cells inside the scope. No scan of the scope's cells. Read workshop-first, as the figures
    are (``figures.py``: SQLite without statistics otherwise starts from the month index)."""
    where, args = scope_sql(scope)
    suffix = "_low" if low else ""
    first, last = str(period.first), str(period.last)
    rows = await _run(f"""
        SELECT (SELECT COALESCE(SUM(a.cells{suffix}), 0) FROM workshop w CROSS JOIN figure_workshop_month a
                WHERE a.workshop = w.id AND a.month >= {{}} AND a.month <= {{}} AND {where})
             + (SELECT COUNT(*) FROM (SELECT 1 AS one FROM workshop w CROSS JOIN figure_cell c
                                      WHERE c.workshop = w.id AND c.single = 0 AND c.month >= {{}} AND c.month <= {{}} AND {where}
                                      {"AND c.low = 1" if low else ""}
                                      GROUP BY c.worker, c.month) s) AS n""", [first, last, *args, first, last, *args])
    return int(rows[0]["n"])


def _employed_sql(scope: Scope, period: Period, low: bool) -> tuple[str, list[Any]]:
    where, args = scope_sql(scope)
    low_filter = f"AND {low_income_placement_sql('p', 's')}" if low else ""
    sql = f"""FROM placement p JOIN workshop w ON w.id = p.workshop
              WHERE p.hired_on <= {{}} AND (p.left_on IS NULL OR p.left_on >= {{}}) AND {where} {low_filter}"""
    return sql, [period.last_day, period.first_day, *args] + ([str(period.last), str(period.first)] if low else [])


def low_income_placement_sql(p: str, s: str) -> str:
    """SQL: placement ``p`` has a month inside the period (two ``{}``: its last and first
    month) in which its worker is low-income — a status in force on some day of a month the
    placement also covers. That month is what ``workers_employed_low_income`` counts; a status
    that meets the period but not the placement's months does not make it low-income."""
    sf, sl = _month_of(f"{s}.valid_from"), _month_of(f"{s}.valid_to")
    pf, pl = _month_of(f"{p}.hired_on"), _month_of(f"{p}.left_on")
    return (f"EXISTS (SELECT 1 FROM low_income_status {s} WHERE {s}.worker = {p}.worker "
            f"AND {sf} <= {{}} AND ({p}.left_on IS NULL OR {sf} <= {pl}) "
            f"AND ({s}.valid_to IS NULL OR ({sl} >= {{}} AND {sl} >= {pf})))")


async def _employed_rows(scope: Scope, period: Period, low: bool, after: tuple[Any, ...] | None, offset: int,
                         limit: int) -> list[dict[str, Any]]:
    base, args = _employed_sql(scope, period, low)
    if after is not None:
        base += " AND (p.worker, p.id) > ({}, {})"
        args += [after[0], after[1]]
    rows = await _run(f"""
        SELECT q.placement AS placement, q.worker AS worker, wk.name AS name, wk.id_number AS id_number,
               q.workshop AS workshop, q.hired_on AS hired_on, q.left_on AS left_on
        FROM (SELECT p.id AS placement, p.worker AS worker, w.code AS workshop, p.hired_on AS hired_on,
                     p.left_on AS left_on {base}
              ORDER BY p.worker, p.id LIMIT {limit} OFFSET {offset}) q
        JOIN worker wk ON wk.id = q.worker
        ORDER BY q.worker, q.placement""", args)
    return [{**r, "hired_on": str(r["hired_on"]), "left_on": None if r["left_on"] is None else str(r["left_on"]),
             "_key": (r["worker"], r["placement"])} for r in rows]


async def _employed_total(scope: Scope, period: Period, low: bool) -> int:
    base, args = _employed_sql(scope, period, low)
    return int((await _run(f"SELECT COUNT(*) AS n {base}", args))[0]["n"])


def _workshops_sql(scope: Scope, period: Period) -> tuple[str, list[Any]]:
    where, args = scope_sql(scope)
    return (f"FROM workshop w WHERE w.opened_on <= {{}} AND (w.closed_on IS NULL OR w.closed_on >= {{}}) AND {where}",
            [period.last_day, period.first_day, *args])


async def _workshop_rows(scope: Scope, period: Period, low: bool, after: tuple[Any, ...] | None, offset: int,
                         limit: int) -> list[dict[str, Any]]:
    base, args = _workshops_sql(scope, period)
    if after is not None:
        base += " AND w.code > {}"
        args += [after[0]]
    rows = await _run(f"SELECT w.id, w.code, w.name, w.opened_on, w.closed_on {base} ORDER BY w.code "
                      f"LIMIT {limit} OFFSET {offset}", args)
    return [{**r, "opened_on": str(r["opened_on"]),
             "closed_on": None if r["closed_on"] is None else str(r["closed_on"]), "_key": (r["code"],)}
            for r in rows]


async def _workshop_total(scope: Scope, period: Period, low: bool) -> int:
    base, args = _workshops_sql(scope, period)
    return int((await _run(f"SELECT COUNT(*) AS n {base}", args))[0]["n"])


def _certified_sql(scope: Scope, period: Period, level: str | None) -> tuple[str, str, list[Any], list[Any]]:
    """The scope's workshops (``w``) with a certification in force on the period's last day,
    and that certification's (``c``) condition, both by the figure's one rule: (FROM … WHERE of
    the workshops, condition on ``c``, their parameters). With ``level``, that level's only."""
    where, args = scope_sql(scope)
    in_force, in_force_args = certification_in_force_sql("c", period.last_day)
    if level is not None:
        in_force += " AND c.level = {}"
        in_force_args = [*in_force_args, level]
    return (f"FROM workshop w WHERE {where} AND EXISTS (SELECT 1 FROM certification c WHERE c.workshop = w.id "
            f"AND {in_force})", in_force, [*args, *in_force_args], in_force_args)


async def _certified_rows(scope: Scope, period: Period, level: str | None, after: tuple[Any, ...] | None,
                          offset: int, limit: int) -> list[dict[str, Any]]:
    base, in_force, args, in_force_args = _certified_sql(scope, period, level)
    if after is not None:
        base += " AND w.code > {}"
        args = [*args, after[0]]
    # a page of workshops by code, then the certifications in force of those workshops (same rule)
    rows = await _run(f"""
        SELECT q.id AS id, q.code AS code, q.name AS name, q.region_code AS region_code, c.id AS certification,
               c.title AS title, c.level AS level, c.awarded_on AS awarded_on, c.valid_until AS valid_until,
               c.status AS status
        FROM (SELECT w.id AS id, w.code AS code, w.name AS name, w.region_code AS region_code {base}
              ORDER BY w.code LIMIT {limit} OFFSET {offset}) q
        JOIN certification c ON c.workshop = q.id AND {in_force}
        ORDER BY q.code, c.awarded_on, c.id""", [*args, *in_force_args])
    out: list[dict[str, Any]] = []
    for r in rows:
        if not out or out[-1]["code"] != r["code"]:
            out.append({"id": r["id"], "code": r["code"], "name": r["name"], "region_code": r["region_code"],
                        "certifications": [], "_key": (r["code"],)})
        out[-1]["certifications"].append({
            "id": r["certification"], "title": r["title"], "level": r["level"], "awarded_on": str(r["awarded_on"]),
            "valid_until": None if r["valid_until"] is None else str(r["valid_until"]), "status": r["status"]})
    return out


async def _certified_total(scope: Scope, period: Period, level: str | None) -> int:
    base, _, args, _ = _certified_sql(scope, period, level)
    return int((await _run(f"SELECT COUNT(*) AS n {base}", args))[0]["n"])


ROWS = {"pay": _pay_rows, "employed": _employed_rows, "workshops": _workshop_rows}
TOTALS = {"pay": _pay_total, "employed": _employed_total, "workshops": _workshop_total}


async def total_of(kind: str, scope: Scope, period: Period, low: bool, level: str | None = None) -> int:
    """How many rows the drill-down has: counted on a page asked without a cursor, and carried
    in the cursor from then on, so a deep page pays for its rows only. The pay rows are
    counted from the workshop-month sums (``_pay_total``), not by reading millions of cells."""
    if kind == "certified":  # workshops carry no low-income restriction; the level may narrow them
        return await _certified_total(scope, period, level)
    return await TOTALS[kind](scope, period, low)


# --- the service ---------------------------------------------------------------------------------

async def rows_behind(scope: Scope, period: Period, metric_name: str, page: int | None = None,
                      page_size: int = 100, after: str | None = None, level: str | None = None) -> RowsPage:
    """The rows a figure is computed from, a page at a time: (worker, month, pay) for the pay
    figures, placements for workers employed, the open workshops for ``workshops``, the
    certified workshops with their certifications in force for ``workshops_certified`` (of one
    ``level``, when given: the figure's count per level). ID numbers appear masked, as stored.
    ``page`` (OFFSET, shallow pages only) or ``after`` (the ``next`` cursor of the page before)
    picks the page; neither is page 1."""
    from ledger.services import aggregates

    require_reader()
    problems = _paging_problems(page, page_size, after)
    base, low = split_figure_name(metric_name)
    metric = next((m for m in Metric if m.value == base), None)
    if metric is None:
        problems.append(Problem("metric", "metric", "未知指标", "unknown metric"))
    if level is not None and level not in CertificationLevel.__members__:
        problems.append(Problem("level", "level", "认定级别应为 county（县级）、city（市级）或 province（省级）",
                                "the certification level is county, city or province"))
    elif level is not None and metric is not None and metric != Metric.workshops_certified:
        problems.append(Problem("level", "level", "只有认定工坊数可以按级别列出明细",
                                "only workshops_certified has rows per level"))
    digest = _digest(scope, period, metric_name, level)
    cursor = None
    if after is not None:
        try:
            cursor = decode_cursor(after, digest, _kind(metric) if metric else "")
        except ValidationFailed as failed:
            problems += failed.problems
    if problems:
        raise ValidationFailed(problems)
    assert metric is not None
    await check_scope_exists(scope)
    kind = _kind(metric)
    if kind == "pay":
        await aggregates.ensure_fresh()  # what plain SQL left queued is counted before the cells are read
    if cursor is not None:
        key, first_row, total = cursor.key, cursor.position, cursor.total
        offset = 0
    else:
        key, first_row = None, ((page or 1) - 1) * page_size
        offset = first_row
        total = await total_of(kind, scope, period, low, level)
    if kind == "certified":
        rows = await _certified_rows(scope, period, level, key, offset, page_size + 1)
    else:
        rows = await ROWS[kind](scope, period, low, key, offset, page_size + 1)
    more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = None
    if more:
        next_cursor = encode_cursor(digest, Cursor(rows[-1]["_key"], first_row + len(rows),
                                                   max(total, first_row + len(rows) + 1)))
    items = [{k: v for k, v in r.items() if k != "_key"} for r in rows]
    return RowsPage(items=items, total=max(total, first_row + len(items)), first_row=first_row,
                    page_size=page_size, next=next_cursor)
