"""Anomaly signals computed by the database, reviews of them, and the county thresholds.

The pure definitions are ``ledger.core.signals``; here the database computes what they
score, one aggregate query per group, over the pay records of the scope in the period (and
the month before it, for month-over-month): workshop-month totals and counts, repeated
amounts, each month's median and median absolute deviation (window functions, both
engines) with only the records beyond the threshold returned, people paid at two
workshops, records paid without days, first-digit counts. Nothing loads every row.

Reviewing a signal (a note by an auditor) and setting a county threshold are writes: in a
write transaction, through the journal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger import access
from ledger.core.enums import Role
from ledger.core.metrics import Period, Scope, ScopeKind
from ledger.core.problems import Problem
from ledger.core.signals import (
    MAD_TO_SIGMA,
    MEAN_AD_TO_SIGMA,
    SIGNALS_DEFINITION_VERSION,
    Aggregates,
    Signal,
    SignalKind,
    Spread,
    Thresholds,
    WorkshopMonth,
    previous_month,
    score_all,
)
from ledger.db import is_sqlite, read_raw, write_transaction
from ledger.errors import ValidationFailed
from ledger.services import journal
from ledger.services.figures import check_scope_exists, parse_scope_period, require_reader, scope_sql
from ledger.tables import SignalReview, SignalThreshold, Workshop


def require_auditor() -> None:
    access.require(Role.auditor, doing_zh="复核信号", doing_en="reviewing signals")


# --- the records the signals read ----------------------------------------------------------------

def records_sql(scope: Scope) -> tuple[str, list[Any]]:
    """The pay records of the scope from a first to a last month (parameters: first, last, scope's)."""
    where, args = scope_sql(scope)
    return f"""SELECT mp.id AS pay_id, p.worker AS worker, w.code AS workshop, mp.month AS month,
                      mp.amount_fen AS fen, mp.days_worked AS days, p.hired_on AS hired_on, p.left_on AS left_on
               FROM monthly_pay mp JOIN placement p ON p.id = mp.placement JOIN workshop w ON w.id = p.workshop
               WHERE mp.month >= {{}} AND mp.month <= {{}} AND {where}""", args


def _employed_days() -> str:
    """SQL: days of the record's month inside its placement (hired on … left on)."""
    if is_sqlite():
        start, end = "(r.month || '-01')", "date(r.month || '-01', '+1 month', '-1 day')"
        return (f"CAST(julianday(MIN({end}, COALESCE(r.left_on, {end}))) - "
                f"julianday(MAX({start}, r.hired_on)) + 1 AS INTEGER)")
    start = "to_date(r.month || '-01', 'YYYY-MM-DD')"
    end = f"CAST({start} + INTERVAL '1 month' - INTERVAL '1 day' AS DATE)"
    return f"(LEAST({end}, COALESCE(r.left_on, {end})) - GREATEST({start}, r.hired_on) + 1)"


def _float(sql: str) -> str:
    return f"CAST({sql} AS DOUBLE PRECISION)"


def _median_of(table: str, column: str) -> str:
    """SQL: the median of ``column`` per month of ``table`` (rows numbered per month)."""
    return f"""SELECT month, MAX(n) AS n, {_float(f'SUM({column})')} / COUNT(*) AS value FROM (
                   SELECT month, {column}, ROW_NUMBER() OVER (PARTITION BY month ORDER BY {column}) AS rn,
                          COUNT(*) OVER (PARTITION BY month) AS n FROM {table}) o
               WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2 GROUP BY month"""


def _spread_ctes(records: str) -> str:
    return f"""r AS ({records}),
        inside AS (SELECT * FROM r WHERE month >= {{}}),
        med AS ({_median_of('inside', 'fen')}),
        dev AS (SELECT inside.month AS month, ABS(inside.fen - med.value) AS d FROM inside
                JOIN med ON med.month = inside.month),
        mad AS ({_median_of('dev', 'd')}),
        mean_ad AS (SELECT month, AVG(d) AS value FROM dev GROUP BY month),
        spread AS (SELECT med.month AS month, med.n AS n, med.value AS median, mad.value AS mad,
                          {_float('mean_ad.value')} AS mean_ad
                   FROM med JOIN mad ON mad.month = med.month JOIN mean_ad ON mean_ad.month = med.month)"""


async def _run(sql: str, args: list[Any]) -> list[dict[str, Any]]:
    return await read_raw(sql, *args)  # the replica, if configured


async def aggregates(scope: Scope, period: Period, t: Thresholds) -> Aggregates:
    """What the signals score, by aggregate SQL (the reference computes the same from rows)."""
    first, last = str(period.first), str(period.last)
    before = previous_month(first)
    records, scope_args = records_sql(scope)
    base = [before, last, *scope_args]

    groups_rows = await _run(f"""
        SELECT workshop, month, COUNT(*) AS head, SUM(fen) AS total,
               SUM(CASE WHEN fen % 10000 = 0 THEN 1 ELSE 0 END) AS rnd
        FROM ({records}) r WHERE fen > 0 GROUP BY workshop, month""", base)
    repeated = await _run(f"""
        SELECT workshop, month, fen, COUNT(*) AS c FROM ({records}) r WHERE fen > 0
        GROUP BY workshop, month, fen HAVING COUNT(*) >= 2""", base)
    top: dict[tuple[str, str], tuple[int, int]] = {}
    for row in repeated:
        k, candidate = (row["workshop"], row["month"]), (int(row["fen"]), int(row["c"]))
        if k not in top or (-candidate[1], candidate[0]) < (-top[k][1], top[k][0]):
            top[k] = candidate
    groups = tuple(sorted((WorkshopMonth(
        r["workshop"], r["month"], int(r["head"]), int(r["total"]), int(r["rnd"]),
        top.get((r["workshop"], r["month"]), (None, 0))[0], top.get((r["workshop"], r["month"]), (None, 0))[1])
        for r in groups_rows), key=lambda g: (g.workshop, g.month)))

    ctes = _spread_ctes(records)
    slack = t.pay_outlier * 0.999  # the SQL pre-selects; the core's rule decides on exactly these numbers
    # One statement: each month's spread, then the records beyond the threshold (the window
    # functions run once). Column "pay_id" is NULL on the spread rows.
    spread_and_outliers = await _run(f"""WITH {ctes}
        SELECT NULL AS pay_id, NULL AS workshop, month, NULL AS fen, n, median, mad, mean_ad FROM spread
        UNION ALL
        SELECT inside.pay_id, inside.workshop, inside.month, inside.fen, NULL, NULL, NULL, NULL
        FROM inside JOIN spread s ON s.month = inside.month
        WHERE s.n >= {int(t.outlier_min_count)} AND (
            (s.mad > 0 AND {MAD_TO_SIGMA!r} * ABS(inside.fen - s.median) > {float(slack)!r} * s.mad)
            OR (s.mad = 0 AND s.mean_ad > 0
                AND ABS(inside.fen - s.median) > {float(slack)!r} * {MEAN_AD_TO_SIGMA!r} * s.mean_ad))""",
                                     [*base, first])
    spreads = {r["month"]: Spread(int(r["n"]), float(r["median"]), float(r["mad"]), float(r["mean_ad"]))
               for r in spread_and_outliers if r["pay_id"] is None}
    outlier_rows = [r for r in spread_and_outliers if r["pay_id"] is not None]

    elsewhere = await _run(f"""WITH r AS ({records})
        SELECT r.pay_id, r.worker, r.workshop, r.month FROM r JOIN (
            SELECT worker, month FROM r WHERE fen > 0 AND month >= {{}}
            GROUP BY worker, month HAVING COUNT(DISTINCT workshop) >= 2) m
        ON m.worker = r.worker AND m.month = r.month WHERE r.fen > 0""", [*base, first])
    dayless = await _run(f"""SELECT * FROM (
            SELECT r.pay_id, r.workshop, r.month, r.fen, r.days, {_employed_days()} AS employed
            FROM ({records}) r WHERE r.fen > 0 AND r.month >= {{}}) x
        WHERE days = 0 OR days > employed""", [*base, first])
    digit_rows = await _run(f"""SELECT workshop, d, COUNT(*) AS n FROM (
            SELECT workshop, substr(CAST(fen / 100 AS TEXT), 1, 1) AS d FROM ({records}) r
            WHERE fen >= 100 AND month >= {{}}) x GROUP BY workshop, d""", [*base, first])
    digits: dict[str, dict[int, int]] = defaultdict(dict)
    for row in digit_rows:
        digits[row["workshop"]][int(row["d"])] = int(row["n"])

    return Aggregates(
        months=frozenset(str(m) for m in period.months), groups=groups, spreads=spreads,
        outlier_rows=tuple((int(r["pay_id"]), r["workshop"], r["month"], int(r["fen"])) for r in outlier_rows),
        paid_elsewhere=tuple((int(r["pay_id"]), str(r["worker"]), r["workshop"], r["month"]) for r in elsewhere),
        dayless=tuple((int(r["pay_id"]), r["workshop"], r["month"], int(r["fen"]), int(r["days"]),
                       int(r["employed"])) for r in dayless),
        digits=dict(digits),
    )


def _filter_sql(f: Any) -> tuple[str, list[Any]]:
    conditions, args = ["fen > 0", "workshop = {}"], [f.workshop]
    if f.month is not None:
        conditions.append("month = {}")
        args.append(f.month)
    if f.amount_fen is not None:
        conditions.append("fen = {}")
        args.append(f.amount_fen)
    if f.round_only:
        conditions.append("fen % 10000 = 0")
    if f.first_digit is not None:
        conditions += ["fen >= 100", "substr(CAST(fen / 100 AS TEXT), 1, 1) = {}"]
        args.append(str(f.first_digit))
    return " AND ".join(conditions), args


async def _rows_behind(found: list[Signal], scope: Scope, period: Period) -> list[tuple[int, ...]]:
    """The ids of the records behind each signal (pay > 0, in the period): one statement, the
    period's records read once (materialised), one branch per signal that needs them."""
    wanted = [(n, s.behind) for n, s in enumerate(found) if not s.behind.pay_ids]
    ids: dict[int, list[int]] = {n: list(s.behind.pay_ids) for n, s in enumerate(found)}
    if wanted:
        records, scope_args = records_sql(scope)
        branches, args = [], [str(period.first), str(period.last), *scope_args]
        for n, behind in wanted:
            where, where_args = _filter_sql(behind)
            branches.append(f"SELECT {int(n)} AS signal, pay_id FROM r WHERE {where}")
            args += where_args
        rows = await _run(f"WITH r AS MATERIALIZED ({records}) {' UNION ALL '.join(branches)} ORDER BY 1, 2", args)
        for row in rows:
            ids[int(row["signal"])].append(int(row["pay_id"]))
    return [tuple(ids[n]) for n in range(len(found))]


# --- thresholds a county sets --------------------------------------------------------------------

def _region_of_scope(scope: Scope, workshop_region: str | None) -> str | None:
    if scope.kind == ScopeKind.region:
        return str(scope.value)
    if scope.kind == ScopeKind.workshop:
        return workshop_region
    return None


async def thresholds_for(scope: Scope, overrides: dict[str, float] | None = None) -> Thresholds:
    """Defaults, then the thresholds set for the scope's region (shorter prefixes first, the
    longer, more local ones win), then the caller's overrides."""
    workshop_region = None
    if scope.kind == ScopeKind.workshop:
        row = await Workshop.select(Workshop.region_code).where(Workshop.code == str(scope.value)).first()
        workshop_region = row["region_code"] if row else None
    region = _region_of_scope(scope, workshop_region)
    rows = await SignalThreshold.select().order_by(SignalThreshold.id)
    applicable = sorted((r for r in rows if r["region_prefix"] == "" or (region or "").startswith(r["region_prefix"])),
                        key=lambda r: (len(r["region_prefix"]), r["id"]))
    values = {r["name"]: float(Decimal(r["value"])) for r in applicable}
    return Thresholds().with_overrides({**values, **(overrides or {})})


def parse_overrides(items: list[str] | dict[str, Any] | None) -> dict[str, float]:
    """``name=value`` pairs (CLI) or a mapping (API) into threshold overrides; all problems at once."""
    pairs = list(items.items()) if isinstance(items, dict) else [tuple(i.partition("=")[::2]) for i in items or []]
    known = Thresholds().as_dict()
    out, problems = {}, []
    for name, value in pairs:
        field = f"threshold.{name}"
        if name not in known:
            problems.append(Problem(field, "unknown_threshold", f"没有名为 {name} 的阈值（可用：{', '.join(known)}）",
                                    f"no threshold is called {name} (known: {', '.join(known)})"))
            continue
        try:
            number = Decimal(str(value))
            if not number.is_finite() or number < 0 or number > 10**9:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.append(Problem(field, "threshold", "阈值应为 0 到 10⁹ 之间的数", "a threshold is a number from 0 to 10⁹"))
            continue
        out[name] = float(number)
    if problems:
        raise ValidationFailed(problems)
    return out


async def set_threshold(region_prefix: str, name: str, value: str) -> dict[str, Any]:
    """A county (region prefix, "" for everywhere) sets one threshold; auditors and admins."""
    access.require(Role.auditor, Role.admin, doing_zh="设定信号阈值", doing_en="setting signal thresholds")
    problems = []
    if not (region_prefix == "" or (region_prefix.isascii() and region_prefix.isdigit()
                                     and len(region_prefix) in (2, 4, 6))):
        problems.append(Problem("region_prefix", "region", "区划前缀应为 2、4 或 6 位数字（空为全部）",
                                "a region prefix is 2, 4 or 6 digits (empty for everywhere)"))
    try:
        parsed = parse_overrides({name: value})
    except ValidationFailed as exc:
        problems.extend(exc.problems)
        parsed = {}
    if problems:
        raise ValidationFailed(problems)
    async with write_transaction():
        return await journal.insert(SignalThreshold, {
            "region_prefix": region_prefix, "name": name, "value": str(Decimal(str(parsed[name]))),
            "set_by": access.current().username, "set_at": journal.now_iso()})


# --- the signals ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignalReport:
    scope: Scope
    period: Period
    thresholds: Thresholds
    signals: tuple[Signal, ...]
    reviews: dict[str, dict[str, Any]]

    def as_json(self, with_reviews: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"definition_version": SIGNALS_DEFINITION_VERSION,
                                "signals": [s.as_json() for s in self.signals]}
        if with_reviews:
            body["scope"], body["period"] = str(self.scope), str(self.period)
            body["thresholds"] = self.thresholds.as_dict()
            for signal, out in zip(self.signals, body["signals"], strict=True):
                out["key"] = signal.key
                review = self.reviews.get(signal.key)
                out["review"] = None if review is None else {
                    k: review[k] for k in ("note", "reviewed_by", "reviewed_at", "score")}
        return body


async def compute(scope_text: str, period_text: str, overrides: dict[str, float] | None = None,
                  kinds: set[str] | None = None, workshop: str | None = None) -> SignalReport:
    """Every signal of the scope and period (optionally of some kinds or one workshop)."""
    require_reader()
    scope, period = parse_scope_period(scope_text, period_text)
    await check_scope_exists(scope)
    thresholds = await thresholds_for(scope, overrides)
    found = score_all(await aggregates(scope, period, thresholds), thresholds)
    found = [s for s in found if (not kinds or s.kind.value in kinds) and (workshop is None or s.workshop == workshop)]
    behind = await _rows_behind(found, scope, period)
    signals = tuple(replace(s, rows=rows) for s, rows in zip(found, behind, strict=True))
    reviews: dict[str, dict[str, Any]] = {}
    keys = [s.key for s in signals]
    if keys:
        for row in await SignalReview.select().where(SignalReview.key.is_in(keys)).order_by(SignalReview.id):
            reviews[row["key"]] = row  # the latest review of each signal
    return SignalReport(scope, period, thresholds, signals, reviews)


async def review(key: str, note: str, score: str = "") -> dict[str, Any]:
    """An auditor marks a signal reviewed, with a note (journaled). The key is
    ``kind:workshop:month`` as the signal reports it (``*`` for a whole-period signal)."""
    require_auditor()
    problems = []
    kind, _, rest = key.partition(":")
    workshop, _, month = rest.rpartition(":")
    if kind not in {k.value for k in SignalKind} or not workshop or not (month == "*" or len(month) == 7):
        problems.append(Problem("key", "signal_key", "信号标识应为 类型:工坊编码:月份（整期为 *）",
                                "a signal key is kind:workshop:month (* for a whole period)"))
    elif not await Workshop.exists().where(Workshop.code == workshop):
        problems.append(Problem("key", "unknown_workshop", f"没有编码为 {workshop} 的工坊",
                                f"no workshop has the code {workshop}"))
    if not note or not note.strip():
        problems.append(Problem("note", "required", "复核说明不能为空", "a review needs a note"))
    elif len(note) > 500:
        problems.append(Problem("note", "too_long", "复核说明至多 500 字", "a note is at most 500 characters"))
    if problems:
        raise ValidationFailed(problems)
    async with write_transaction():
        return await journal.insert(SignalReview, {
            "key": key, "kind": kind, "workshop": workshop, "month": "" if month == "*" else month,
            "definition_version": SIGNALS_DEFINITION_VERSION, "score": score[:40], "note": note.strip(),
            "reviewed_by": access.current().username, "reviewed_at": journal.now_iso()})


async def signal_rows(pay_ids: list[int]) -> list[dict[str, Any]]:
    """The records behind a signal or a sample, for a person: names, masked ID numbers as
    stored, amounts as decimal strings, days worked."""
    from ledger.core.money import fen_str
    from ledger.services.common import in_list
    from ledger.tables import MonthlyPay

    rows = await MonthlyPay.select(
        MonthlyPay.id, MonthlyPay.month, MonthlyPay.amount_fen, MonthlyPay.days_worked,
        MonthlyPay.placement.workshop.code.as_alias("workshop"),
        MonthlyPay.placement.worker.name.as_alias("name"),
        MonthlyPay.placement.worker.id_number.as_alias("id_number"),
        MonthlyPay.placement.hired_on.as_alias("hired_on"), MonthlyPay.placement.left_on.as_alias("left_on"),
    ).where(MonthlyPay.id.is_in(in_list(pay_ids)))
    by_id = {r["id"]: r for r in rows}
    return [{"pay_id": i, "workshop": by_id[i]["workshop"], "month": by_id[i]["month"], "name": by_id[i]["name"],
             "id_number": by_id[i]["id_number"], "amount": fen_str(by_id[i]["amount_fen"]),
             "days_worked": by_id[i]["days_worked"], "hired_on": str(by_id[i]["hired_on"]),
             "left_on": None if by_id[i]["left_on"] is None else str(by_id[i]["left_on"])}
            for i in pay_ids if i in by_id]
