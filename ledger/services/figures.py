"""The official figures, computed by the database.

Each figure group is one aggregate query (one round trip): workshops open in the period,
workshops certified on its last day (by level), workers employed, and the pay group
(total pay, person-months, workers paid, uplift over baseline — plain and low-income at
once). Money is summed as integer fen in SQL and divided exactly in Decimal at the end,
rounded half-up to the fen (SPEC "Money and time"). The definitions are those of
``ledger.core.figures`` (version 1); a test computes both on the same rows and compares.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger import access
from ledger.core.enums import CertificationStatus, Role
from ledger.core.figures import FigureSet, FigureValue, growth_percent
from ledger.core.metrics import (
    ArgumentError,
    Metric,
    Period,
    Scope,
    ScopeKind,
    figure_name,
)
from ledger.core.money import fen_to_yuan, round_fen
from ledger.core.problems import Problem
from ledger.db import is_sqlite
from ledger.errors import ValidationFailed
from ledger.services.common import MAX_ID
from ledger.tables import Workshop


def require_reader() -> None:
    """Figures, their rows and reconciliation are for auditors and admins (README matrix)."""
    access.require(Role.auditor, Role.admin, doing_zh="计算指标和对账", doing_en="figures and reconciliation")


def _month_of(column: str) -> str:
    """'YYYY-MM' of a DATE column, on either engine (SQLite stores dates as ISO text)."""
    return f"substr({column}, 1, 7)" if is_sqlite() else f"to_char({column}, 'YYYY-MM')"


def parse_scope_period(scope: str, period: str) -> tuple[Scope, Period]:
    problems = []
    parsed_scope = parsed_period = None
    try:
        parsed_scope = Scope.parse(scope)
        if parsed_scope.kind == ScopeKind.enterprise and not (
                str(parsed_scope.value).isdigit() and 1 <= int(str(parsed_scope.value)) <= MAX_ID):
            raise ArgumentError("scope", f"企业范围应为 enterprise:编号（1 到 {MAX_ID}）",
                                f"an enterprise scope is enterprise:ID (1 to {MAX_ID})")
    except ArgumentError as exc:
        problems.append(Problem(exc.field or "scope", "scope", exc.zh, exc.en))
    try:
        parsed_period = Period.parse(period)
    except ArgumentError as exc:
        problems.append(Problem(exc.field or "period", "period", exc.zh, exc.en))
    if problems:
        raise ValidationFailed(problems)
    assert parsed_scope is not None and parsed_period is not None
    return parsed_scope, parsed_period


def scope_sql(scope: Scope, alias: str = "w") -> tuple[str, list[Any]]:
    """The WHERE fragment that puts a workshop row (alias ``w``) inside the scope."""
    if scope.kind == ScopeKind.workshop:
        return f"{alias}.code = {{}}", [scope.value]
    if scope.kind == ScopeKind.enterprise:
        return f"{alias}.enterprise = {{}}", [int(str(scope.value))]
    if scope.kind == ScopeKind.region:
        inside, args = _inside(f"{alias}.region_code", str(scope.value))
        return f"{alias}.region_code LIKE {{}} AND {inside}", [f"{scope.value}%", *args]
    return "1 = 1", []


def low_income_in_month(worker: str, month: str) -> str:
    """SQL: the worker is low-income in the month (a status in force on any day of it)."""
    return (f"EXISTS (SELECT 1 FROM low_income_status s WHERE s.worker = {worker} "
            f"AND {_month_of('s.valid_from')} <= {month} "
            f"AND (s.valid_to IS NULL OR {_month_of('s.valid_to')} >= {month}))")


PAY_AND_ADJUSTMENTS = """
    SELECT placement, month, amount_fen AS fen FROM monthly_pay WHERE month >= {} AND month <= {}
    UNION ALL
    SELECT placement, month, delta_fen AS fen FROM adjustment WHERE month >= {} AND month <= {}"""
"""A month's pay is its pay records plus the adjustments of that month (SPEC: total_pay is
"sum of monthly pay plus adjustments"). Parameters: first, last, first, last month."""


def period_args(period: Period, scope_args: list[Any]) -> list[Any]:
    """The parameters of ``pay_months_sql``: the period twice (pay, adjustments), then the scope's."""
    first, last = str(period.first), str(period.last)
    return [first, last, first, last, *scope_args]


def pay_months_sql(scope: Scope) -> tuple[str, list[Any]]:
    """SQL of the (worker, month, fen, low, baseline) rows of a scope and period: the unit
    every pay figure aggregates. Parameters: ``period_args(period, args)``."""
    where, args = scope_sql(scope)
    sql = f"""
        SELECT pm.worker AS worker, pm.month AS month, pm.fen AS fen,
               CASE WHEN {low_income_in_month('pm.worker', 'pm.month')} THEN 1 ELSE 0 END AS low,
               wk.baseline_income_fen AS baseline
        FROM (
            SELECT p.worker AS worker, mp.month AS month, SUM(mp.fen) AS fen
            FROM ({PAY_AND_ADJUSTMENTS}) mp
            JOIN placement p ON p.id = mp.placement
            JOIN workshop w ON w.id = p.workshop
            WHERE {where}
            GROUP BY p.worker, mp.month
        ) pm
        JOIN worker wk ON wk.id = pm.worker"""
    return sql, args


def _pay_group_sql(scope: Scope) -> tuple[str, list[Any]]:
    inner, args = pay_months_sql(scope)
    columns = []
    for suffix, cond in (("", "1 = 1"), ("_low", "low = 1")):
        columns += [
            f"COALESCE(SUM(CASE WHEN {cond} THEN fen ELSE 0 END), 0) AS total_fen{suffix}",
            f"COALESCE(SUM(CASE WHEN {cond} AND fen > 0 THEN 1 ELSE 0 END), 0) AS person_months{suffix}",
            f"COUNT(DISTINCT CASE WHEN {cond} AND fen > 0 THEN worker END) AS workers_paid{suffix}",
            f"COALESCE(SUM(CASE WHEN {cond} AND fen > 0 AND baseline IS NOT NULL THEN fen - baseline ELSE 0 END), 0)"
            f" AS uplift_fen{suffix}",
            f"COALESCE(SUM(CASE WHEN {cond} AND fen > 0 AND baseline IS NOT NULL THEN 1 ELSE 0 END), 0)"
            f" AS uplift_n{suffix}",
        ]
    # MATERIALIZED: each (worker, month) row's low-income test runs once, not once per column.
    return f"WITH rows AS MATERIALIZED ({inner}) SELECT {', '.join(columns)} FROM rows", args


async def _run(sql: str, args: list[Any]) -> list[dict[str, Any]]:
    from ledger.db import read_raw  # the replica, if configured, unless inside a write transaction

    return await read_raw(sql, *args)


async def pay_group_from_rows(scope: Scope, period: Period) -> dict[str, int]:
    """The pay group computed from the business rows: what the aggregates must equal
    (``ledger figures --check``)."""
    sql, args = _pay_group_sql(scope)
    row = (await _run(sql, period_args(period, args)))[0]
    return {key: int(value or 0) for key, value in row.items()}


SPAN_MONTH_SUMS = ("person_months", "person_months_low", "uplift_fen", "uplift_n", "uplift_fen_low", "uplift_n_low")


def shared_group_sums(g: str = "g") -> list[str]:
    """The person-month and uplift sums over (worker, month) groups ``g`` (fen, low, baseline)
    — the rule for a (worker, month) with cells at two or more workshops, used by the query
    and by the aggregates alike."""
    columns = []
    for suffix, cond in (("", f"{g}.fen > 0"), ("_low", f"{g}.fen > 0 AND {g}.low = 1")):
        columns += [
            f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS person_months{suffix}",
            f"SUM(CASE WHEN {cond} AND {g}.baseline IS NOT NULL THEN {g}.fen - {g}.baseline ELSE 0 END)"
            f" AS uplift_fen{suffix}",
            f"SUM(CASE WHEN {cond} AND {g}.baseline IS NOT NULL THEN 1 ELSE 0 END) AS uplift_n{suffix}",
        ]
    return columns


def _year_masks(period: Period) -> dict[int, int]:
    """The period's months as one bit mask per year (bit 0 = January)."""
    masks: dict[int, int] = {}
    for month in period.months:
        masks[month.year] = masks.get(month.year, 0) | (1 << (month.month - 1))
    return masks


SPAN_PREFIX_MAX = 4
"""Region prefixes up to this many digits (a province, a city) are read through the workers'
spans; a county (6 digits, ~150 workshops at province scale) is read by workshop like a
workshop or an enterprise: its few thousand rows cost less than matching them to spans."""


def span_prefix(scope: Scope) -> str | None:
    """The region prefix a scope is read by through the workers' spans ('' for everything),
    or None for a scope read by workshop."""
    if scope.kind == ScopeKind.all:
        return ""
    if scope.kind == ScopeKind.region and len(str(scope.value)) <= SPAN_PREFIX_MAX:
        return str(scope.value)
    return None


def _prefix_range(prefix: str) -> tuple[str, str | None]:
    """The range of codes that start with a digit prefix: '33' <= x < '34' (no upper end for
    99…9). The codes are digits, so the range and the prefix are the same set, and the range
    is what an index reads on both engines."""
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return prefix, (upper if len(upper) == len(prefix) else None)


def _inside(column: str, prefix: str) -> tuple[str, list[Any]]:
    """SQL: a span (or region code) starts with the prefix."""
    if not prefix:
        return "1 = 1", []
    lower, upper = _prefix_range(prefix)
    if upper is None:
        return f"{column} >= {{}}", [lower]
    return f"{column} >= {{}} AND {column} < {{}}", [lower, upper]


def _outside(column: str, prefix: str) -> tuple[str, list[Any]]:
    """SQL: the complement of ``_inside``."""
    if not prefix:
        return "1 = 0", []
    lower, upper = _prefix_range(prefix)
    if upper is None:
        return f"{column} < {{}}", [lower]
    return f"({column} < {{}} OR {column} >= {{}})", [lower, upper]


# The scoped reads are written ``workshop w CROSS JOIN <aggregate>``: SQLite joins in the order
# written after a CROSS JOIN, and without statistics (an installed ledger never runs ANALYZE on
# its own) it otherwise started a county from the month index and read the province's cells
# (4.8 s); PostgreSQL reorders it like any join.


class Sql:
    """A statement built from fragments with ``{}`` placeholders, and their arguments in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def add(self, text: str, args: list[Any] | None = None) -> Sql:
        self.parts.append(text)
        self.args.extend(args or [])
        return self

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _mask_condition(column: str, masks: dict[int, int], year: str = "y.year") -> str:
    return " OR ".join(f"({year} = {y} AND ({column} & {m}) <> 0)" for y, m in masks.items())


def pay_group_sql(scope: Scope, period: Period, label: str = "") -> Sql:
    """One statement, one row: the pay group (total pay, person-months, workers paid, uplift;
    plain and low-income) of a scope and period, from the live aggregates. Column names carry
    ``label`` (the growth's earlier period is read in the same statement)."""
    first, last = str(period.first), str(period.last)
    masks = _year_masks(period)
    years = f"y.year >= {min(masks)} AND y.year <= {max(masks)}"
    where, scope_args = scope_sql(scope)
    prefix = span_prefix(scope)
    sums = ("total_fen", "total_fen_low", "person_months", "person_months_low", "uplift_fen", "uplift_n",
            "uplift_fen_low", "uplift_n_low")
    group = [f"COALESCE({expr}, 0) AS shared_{name}" for expr, name in
             (column.rsplit(" AS ", 1) for column in shared_group_sums("g"))]
    sql = Sql()
    sql.add("WITH ")
    # (1) the workshop-month sums: single cells, by workshop
    sql.add(f"""sums AS (
            SELECT {', '.join(f'COALESCE(SUM(a.{c}), 0) AS {c}' for c in sums)}
            FROM workshop w CROSS JOIN figure_workshop_month a
            WHERE a.workshop = w.id AND a.month >= {{}} AND a.month <= {{}} AND {where}),
        """, [first, last, *scope_args])
    # (2) the (worker, month)s with cells at two or more workshops, summed inside the scope —
    # for a region, only those of workers not inside it whole (the others are in (3))
    partial, partial_args = ("1 = 1", []) if prefix is None else _outside("ws.span", prefix)
    span_join = "" if prefix is None else "JOIN figure_worker_span ws ON ws.worker = c.worker"
    sql.add(f"""shared AS (
            SELECT c.worker AS worker, c.month AS month, SUM(c.fen) AS fen, MAX(c.low) AS low,
                   MAX(c.baseline) AS baseline
            FROM workshop w CROSS JOIN figure_cell c {span_join}
            WHERE c.workshop = w.id AND c.single = 0 AND c.month >= {{}} AND c.month <= {{}} AND {where} AND {partial}
            GROUP BY c.worker, c.month),
        shared_sums AS (SELECT {', '.join(group)} FROM shared g),
        """, [first, last, *scope_args, *partial_args])
    # (3) the shared groups of the workers inside the region whole: by (span, month), additive
    if prefix is not None:
        inside, inside_args = _inside("t.span", prefix)
        sql.add(f"""span_sums AS (
            SELECT {', '.join(f'COALESCE(SUM(t.{c}), 0) AS span_{c}' for c in SPAN_MONTH_SUMS)}
            FROM figure_span_month t WHERE t.month >= {{}} AND t.month <= {{}} AND {inside}),
        """, [first, last, *inside_args])
    # (4) workers paid: distinct workers with a paid month in the period
    paid = _mask_condition("y.paid_mask", masks)
    paid_low = _mask_condition("y.paid_low_mask", masks)
    sql.add(f"""partial_paid AS (
            SELECT y.worker AS worker, CASE WHEN {paid_low} THEN 1 ELSE 0 END AS low
            FROM workshop w CROSS JOIN figure_worker_year y {span_join.replace('c.worker', 'y.worker')}
            WHERE y.workshop = w.id AND {years} AND ({paid}) AND {where} AND {partial}
            UNION ALL
            SELECT s.worker, s.low FROM shared s WHERE s.fen > 0),
        partial_counts AS (
            SELECT COUNT(DISTINCT worker) AS partial_paid,
                   COUNT(DISTINCT CASE WHEN low = 1 THEN worker END) AS partial_paid_low FROM partial_paid)
        """, [*scope_args, *partial_args])
    if prefix is not None:
        inside, inside_args = _inside("y.span", prefix)
        # one row per worker and year: a one-year period counts rows, a longer one its workers
        count = "COUNT(*)" if len(masks) == 1 else "COUNT(DISTINCT y.worker)"
        count_low = ("COUNT(CASE WHEN {c} THEN 1 END)" if len(masks) == 1
                     else "COUNT(DISTINCT CASE WHEN {c} THEN y.worker END)").format(c=paid_low)
        sql.add(f""",
        inside_counts AS (
            SELECT {count} AS inside_paid, {count_low} AS inside_paid_low
            FROM figure_person_year y WHERE {years} AND ({paid}) AND {inside})
        """, inside_args)
    tables = "sums, shared_sums, partial_counts" + ("" if prefix is None else ", span_sums, inside_counts")
    columns = [f"total_fen AS total_fen{label}", f"total_fen_low AS total_fen_low{label}"]
    for suffix in ("", "_low"):
        for key in ("person_months", "uplift_fen", "uplift_n"):
            span_term = "" if prefix is None else f" + span_{key}{suffix}"
            columns.append(f"{key}{suffix} + shared_{key}{suffix}{span_term} AS {key}{suffix}{label}")
        inside_term = "" if prefix is None else f" + inside_paid{suffix}"
        columns.append(f"partial_paid{suffix}{inside_term} AS workers_paid{suffix}{label}")
    sql.add(f"SELECT {', '.join(columns)} FROM {tables}")
    return sql


PAY_GROUP_KEYS = ("total_fen", "total_fen_low", "person_months", "person_months_low", "uplift_fen", "uplift_n",
                  "uplift_fen_low", "uplift_n_low", "workers_paid", "workers_paid_low")


async def pay_group(scope: Scope, period: Period) -> dict[str, int]:
    """The pay group read from the live aggregates (``ledger.services.aggregates``), in one
    statement: the workshop-month sums, the few (worker, month)s shared by two workshops, and
    the workers paid — for a region, the workers inside it whole from their person-years and
    span-months (no DISTINCT), the rest by workshop."""
    sql = pay_group_sql(scope, period)
    row = (await _run(sql.text, sql.args))[0]
    return {key: int(row[key] or 0) for key in PAY_GROUP_KEYS}


def employment_group_sql(scope: Scope, period: Period, from_rows: bool = False) -> Sql:
    """One statement, one row: workers employed (plain, low-income). For a region, the workers
    inside it whole are counted from their employed intervals (each worker's first interval
    that meets the period: no DISTINCT); the others, and workshop or enterprise scopes, from
    the placements."""
    where, scope_args = scope_sql(scope)
    prefix = None if from_rows else span_prefix(scope)
    month = _month_of
    overlaps = "p.hired_on <= {} AND (p.left_on IS NULL OR p.left_on >= {})"
    days = [period.last_day, period.first_day]
    partial, partial_args = ("1 = 1", []) if prefix is None else _outside("ws.span", prefix)
    span_join = "" if prefix is None else "JOIN figure_worker_span ws ON ws.worker = p.worker"
    # A placement counts for the low-income variant when its months, the period's months and
    # one of the worker's low-income statuses share a month: every start ≤ every end.
    sql = Sql()
    sql.add(f"""SELECT (SELECT COUNT(DISTINCT p.worker) FROM workshop w CROSS JOIN placement p
                       {span_join} WHERE p.workshop = w.id AND {overlaps} AND {where} AND {partial})
                   AS partial_employed,
               (SELECT COUNT(DISTINCT p.worker)
                FROM workshop w CROSS JOIN placement p JOIN low_income_status s ON s.worker = p.worker {span_join}
                WHERE p.workshop = w.id AND {overlaps} AND {where} AND {partial}
                  AND {month('s.valid_from')} <= {{}}
                  AND (p.left_on IS NULL OR {month('s.valid_from')} <= {month('p.left_on')})
                  AND (s.valid_to IS NULL OR ({month('s.valid_to')} >= {{}}
                                              AND {month('s.valid_to')} >= {month('p.hired_on')}))
               ) AS partial_employed_low""",
            [*days, *scope_args, *partial_args, *days, *scope_args, *partial_args,
             str(period.last), str(period.first)])
    if prefix is not None:
        inside, inside_args = _inside("i.span", prefix)
        meets = "i.first_month <= {} AND i.last_month >= {} AND i.prev_last < {}"
        meets_args = [str(period.last), str(period.first), str(period.first)]
        sql.add(f""",
               (SELECT COUNT(*) FROM figure_interval i WHERE i.low = 0 AND {inside} AND {meets}) AS inside_employed,
               (SELECT COUNT(*) FROM figure_interval i WHERE i.low = 1 AND {inside} AND {meets})
                   AS inside_employed_low""", [*inside_args, *meets_args, *inside_args, *meets_args])
    return sql


async def employment_group(scope: Scope, period: Period, from_rows: bool = False) -> dict[str, int]:
    sql = employment_group_sql(scope, period, from_rows)
    row = (await _run(sql.text, sql.args))[0]
    return _employment(row)


def _employment(row: dict[str, Any]) -> dict[str, int]:
    return {"employed": int(row["partial_employed"]) + int(row.get("inside_employed") or 0),
            "employed_low": int(row["partial_employed_low"]) + int(row.get("inside_employed_low") or 0)}


def certification_in_force_sql(c: str, day: Any) -> tuple[str, list[Any]]:
    """SQL: certification ``c`` is in force on ``day`` — SPEC "certified on date d": past
    创建中, awarded on or before d, not expired by d and not withdrawn (摘牌) by d. The one
    home of the rule: the figure ``workshops_certified`` (and its count per level) and its
    drill-down both use it (``ledger.core.figures.CertificationRow.in_force_on`` is the
    reference the tests compare with)."""
    return (f"{c}.status <> '{CertificationStatus.creating.value}' AND {c}.awarded_on <= {{}} "
            f"AND ({c}.valid_until IS NULL OR {c}.valid_until >= {{}}) "
            f"AND ({c}.withdrawn_on IS NULL OR {c}.withdrawn_on > {{}})", [day, day, day])


async def workshop_group(scope: Scope, period: Period) -> tuple[int, int, list[tuple[str, int]]]:
    where, args = scope_sql(scope)
    in_force, in_force_args = certification_in_force_sql("c", period.last_day)
    sql = f"""
        SELECT 'open' AS kind, '' AS level, COUNT(*) AS n FROM workshop w
        WHERE w.opened_on <= {{}} AND (w.closed_on IS NULL OR w.closed_on >= {{}}) AND {where}
        UNION ALL
        SELECT 'certified', '', COUNT(DISTINCT c.workshop) FROM certification c JOIN workshop w ON w.id = c.workshop
        WHERE {in_force} AND {where}
        UNION ALL
        SELECT 'level', c.level, COUNT(DISTINCT c.workshop) FROM certification c JOIN workshop w ON w.id = c.workshop
        WHERE {in_force} AND {where}
        GROUP BY c.level"""
    cert_args = [*in_force_args, *args]
    rows = await _run(sql, [period.last_day, period.first_day, *args, *cert_args, *cert_args])
    open_count = next(int(r["n"]) for r in rows if r["kind"] == "open")
    certified = next(int(r["n"]) for r in rows if r["kind"] == "certified")
    levels = sorted((r["level"], int(r["n"])) for r in rows if r["kind"] == "level")
    return open_count, certified, levels


def _average(fen: int, count: int) -> Decimal | None:
    return None if count == 0 else round_fen(fen_to_yuan(fen) / count)


def _pay_figures(pay: dict[str, int], employed: int, period: Period, suffix: str) -> dict[Metric, FigureValue]:
    total, person_months, paid = pay[f"total_fen{suffix}"], pay[f"person_months{suffix}"], pay[f"workers_paid{suffix}"]
    return {
        Metric.workers_employed: employed,
        Metric.workers_paid: paid,
        Metric.person_months: person_months,
        Metric.total_pay: fen_to_yuan(total),
        Metric.avg_monthly_pay: _average(total, person_months),
        Metric.avg_monthly_pay_per_worker: _average(total, employed * period.month_count),
        Metric.avg_annual_pay: _average(total, paid) if period.month_count == 12 else None,
        Metric.uplift_over_baseline: _average(pay[f"uplift_fen{suffix}"], pay[f"uplift_n{suffix}"]),
    }


async def check_scope_exists(scope: Scope) -> None:
    """A workshop or enterprise scope must name a real one: a typo (workshop:YK-1) would
    otherwise read as a workshop with no one in it, every figure zero."""
    if scope.kind == ScopeKind.workshop:
        found = await Workshop.exists().where(Workshop.code == str(scope.value))
        what_zh, what_en = f"没有编码为 {scope.value} 的工坊", f"no workshop has the code {scope.value}"
    elif scope.kind == ScopeKind.enterprise:
        found = await Workshop.exists().where(Workshop.enterprise == int(str(scope.value)))
        what_zh, what_en = f"企业 {scope.value} 不存在或没有工坊", f"enterprise {scope.value} does not exist or has no workshop"
    else:
        return
    if not found:
        raise ValidationFailed([Problem("scope", "unknown_scope", what_zh, what_en)])


def figure_groups_sql(scope: Scope, period: Period, earlier: Period | None) -> Sql:
    """The one statement of ``_figure_groups`` (also what ``bench/explain_figures.py`` plans)."""
    parts = [pay_group_sql(scope, period), employment_group_sql(scope, period)]
    if earlier is not None:
        parts.append(pay_group_sql(scope, earlier, "_before"))
    sql = Sql().add("SELECT * FROM ")
    for n, part in enumerate(parts):
        sql.add(f"{', ' if n else ''}({part.text}) g{n}", part.args)
    return sql


async def _figure_groups(scope: Scope, period: Period, earlier: Period | None
                         ) -> tuple[dict[str, int], dict[str, int], dict[str, int] | None]:
    """The pay group of the period (and of the same months a year earlier) and workers
    employed, from the aggregates, in one statement (one round trip)."""
    sql = figure_groups_sql(scope, period, earlier)
    row = (await _run(sql.text, sql.args))[0]
    pay = {key: int(row[key] or 0) for key in PAY_GROUP_KEYS}
    before = None if earlier is None else {key: int(row[key + "_before"] or 0) for key in PAY_GROUP_KEYS}
    return pay, _employment(row), before


async def compute(scope: Scope, period: Period, *, with_growth: bool = True, from_rows: bool = False
                  ) -> FigureSet:
    """Every figure of definition version 1 for a scope and period, by aggregate SQL: the pay
    figures from the live aggregates, or (``from_rows``) from the business rows themselves."""
    from ledger.services import aggregates

    require_reader()
    await check_scope_exists(scope)
    if not from_rows:
        await aggregates.ensure_fresh()
    earlier_period = period.same_months_year_earlier() if with_growth else None
    if from_rows:
        pay = await pay_group_from_rows(scope, period)
        employment = await employment_group(scope, period, from_rows=True)
        earlier = await pay_group_from_rows(scope, earlier_period) if earlier_period else None
    else:
        pay, employment, earlier = await _figure_groups(scope, period, earlier_period)
    open_count, certified, levels = await workshop_group(scope, period)
    values: list[tuple[str, FigureValue]] = []
    for low_income, suffix in ((False, ""), (True, "_low")):
        employed = employment["employed_low" if low_income else "employed"]
        figures: dict[Metric, FigureValue] = {
            Metric.workshops: open_count,
            Metric.workshops_certified: certified,
            **_pay_figures(pay, employed, period, suffix),
            Metric.growth_total_pay: None,
            Metric.growth_avg_monthly_pay: None,
        }
        if earlier is not None:
            before_total = fen_to_yuan(earlier[f"total_fen{suffix}"])
            figures[Metric.growth_total_pay] = growth_percent(figures[Metric.total_pay], before_total)
            figures[Metric.growth_avg_monthly_pay] = growth_percent(
                figures[Metric.avg_monthly_pay], _average(earlier[f"total_fen{suffix}"],
                                                          earlier[f"person_months{suffix}"]))
        order = [Metric.workshops, Metric.workshops_certified, Metric.workers_employed, Metric.workers_paid,
                 Metric.person_months, Metric.total_pay, Metric.avg_monthly_pay,
                 Metric.avg_monthly_pay_per_worker, Metric.avg_annual_pay, Metric.growth_total_pay,
                 Metric.growth_avg_monthly_pay, Metric.uplift_over_baseline]
        values.extend((figure_name(m, low_income), figures[m]) for m in order)
    return FigureSet(scope=scope, period=period, values=tuple(values), certified_by_level=tuple(levels),
                     certified_by_level_low_income=tuple(levels))


async def monthly_pay_by_workshop(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Total pay per workshop and month (for the report's chart), by one aggregate query."""
    where, args = scope_sql(scope)
    require_reader()
    rows = await _run(f"""SELECT w.code AS workshop, mp.month AS month, SUM(mp.fen) AS fen
                          FROM ({PAY_AND_ADJUSTMENTS}) mp JOIN placement p ON p.id = mp.placement
                          JOIN workshop w ON w.id = p.workshop
                          WHERE {where}
                          GROUP BY w.code, mp.month ORDER BY w.code, mp.month""",
                      period_args(period, args))
    return [{"workshop": r["workshop"], "month": r["month"], "pay": fen_to_yuan(int(r["fen"]))} for r in rows]


async def low_income_pay_figures(scope: Scope, period: Period) -> dict[str, FigureValue]:
    """The ``_low_income`` figures a low-income status can move (workers employed and paid,
    person-months, total pay, its averages, uplift), by the same aggregates as ``compute``:
    what a roster import previews before and after, inside its transaction. No role check:
    the import checks its own caller."""
    from ledger.services import aggregates

    await aggregates.ensure_fresh()
    pay, employment, _ = await _figure_groups(scope, period, None)
    return {figure_name(m, True): v
            for m, v in _pay_figures(pay, employment["employed_low"], period, "_low").items()}
