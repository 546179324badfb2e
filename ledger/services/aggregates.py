"""Live, exact aggregates of the figures, kept in the same transaction as every write.

Three tables, each a pure function of the business rows (``cells_sql``,
``workshop_months_sql`` and ``worker_years_sql`` are the one definition, used by the
incremental flush, the rebuild and the check alike):

* ``figure_cell`` (worker, workshop, month): that worker's pay plus adjustments at that
  workshop in that month, whether the worker is low-income in the month, whether this is the
  worker's only workshop with rows in the month (``single``), and the worker's baseline.
* ``figure_workshop_month`` (workshop, month): additive sums over the cells — total pay
  (all cells) and, over the *single* cells only, person-months and the uplift sums; plain
  and low-income.
* ``figure_worker_year`` (worker, workshop, year): the months (one bit each) of the
  worker's single cells with pay > 0, plain and low-income — for ``workers_paid``, a count
  of distinct workers that does not add up across months or workshops.
* ``figure_worker_span`` (worker): the longest common prefix of the region codes of every
  workshop the worker was ever placed at — the smallest region that holds all of that
  worker's rows. For a region scope, a worker whose span starts with the scope's prefix is
  *inside* it whole; only the others (few: people placed in two counties) are read by
  workshop at query time.
* ``figure_person_year`` (worker, year): the months whose pay summed over all the worker's
  workshops is > 0 (plain, low-income) — ``workers_paid`` of the inside workers is a plain
  ``COUNT(*)``, no ``DISTINCT``.
* ``figure_interval`` (worker, low): the months the worker holds a placement (low = 1: a
  placement and a low-income status at once), merged into disjoint intervals, each with the
  end of the one before — ``workers_employed`` of the inside workers counts each worker's
  first interval meeting the period, again without ``DISTINCT``.
* ``figure_span_month`` (span, month): the person-months and uplift sums of the (worker,
  month)s with cells at two or more workshops, by the worker's span — additive for the
  inside workers; kept by adding and subtracting each flush's changes.

Why this is exact for any scope (a set of workshops) and period: a (worker, month) with rows
at one workshop only has the same month's pay in every scope that holds the workshop, so its
person-month and uplift add up per workshop; one with rows at two or more workshops (rare)
is read from its cells and summed per (worker, month) inside the scope at query time.

Keeping them: triggers on the business tables queue the (worker, month) keys a row change
touches in ``figure_dirty`` (month '' = all the worker's months); ``flush`` recomputes
exactly those keys — cells, then the workshop-months and worker-years they belong to, before
and after — and empties the queue, in one round trip on PostgreSQL. ``ledger.db.write_transaction`` flushes before commit, so
the aggregates commit with the rows; a reader flushes what plain SQL left queued. On
PostgreSQL, when only (worker, month) keys are queued (pay and adjustments), the flush
instead adds each change (new cells − old) to the sums (``fast_flush_statements``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ledger.db import (
    TRANSACTION_STATE,
    committed_groups,
    engine,
    is_sqlite,
    primary_reads,
    send_commit,
    write_transaction,
)
from ledger.services.figures import SPAN_MONTH_SUMS, _month_of, low_income_in_month, shared_group_sums
from ledger.tables import AGGREGATE_TABLES, FigureCell

log = logging.getLogger(__name__)


async def _run(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await FigureCell.raw(sql, *args)


def _year(column: str) -> str:
    return f"CAST(substr({column}, 1, 4) AS INTEGER)"


def _bit(column: str) -> str:
    """The month's bit in a year mask: bit 0 = January."""
    return f"(1 << (CAST(substr({column}, 6, 2) AS INTEGER) - 1))"


CELL_COLUMNS = "worker, workshop, month, fen, low, single, baseline"


def cells_sql(keyed: str | None, months_only: bool = False) -> str:
    """SELECT of the cells, from the business rows. ``keyed``: the SQL of a (worker, month)
    key set (month '' = every month); None for all cells (the rebuild and the check).
    ``months_only``: the key set holds no '' (the fast flush), so a key's month is matched
    by the index alone."""
    month = "{t}.month = k.month" if months_only else "(k.month = '' OR {t}.month = k.month)"
    if keyed is None:
        source = """
            SELECT p.worker AS worker, p.workshop AS workshop, mp.month AS month, mp.amount_fen AS fen
            FROM monthly_pay mp JOIN placement p ON p.id = mp.placement
            UNION ALL
            SELECT p.worker, p.workshop, a.month, a.delta_fen FROM adjustment a JOIN placement p ON p.id = a.placement"""
    elif months_only:
        # From each key to its worker's placements, then to each placement's pay of that month by
        # the unique (placement, month) index: OFFSET 0 keeps the planner from reading all of a
        # month's pay and keeping the key's (what it chose on a small table; at province scale a
        # month is half a million rows).
        source = f"""
            SELECT p.worker AS worker, p.workshop AS workshop, k.month AS month, mp.amount_fen AS fen
            FROM ({keyed}) k JOIN placement p ON p.worker = k.worker
            CROSS JOIN LATERAL (SELECT m.amount_fen FROM monthly_pay m
                                WHERE m.placement = p.id AND m.month = k.month OFFSET 0) mp
            UNION ALL
            SELECT p.worker, p.workshop, k.month, a.delta_fen
            FROM ({keyed}) k JOIN placement p ON p.worker = k.worker
            CROSS JOIN LATERAL (SELECT j.delta_fen FROM adjustment j
                                WHERE j.placement = p.id AND j.month = k.month OFFSET 0) a"""
    else:
        source = f"""
            SELECT p.worker AS worker, p.workshop AS workshop, mp.month AS month, mp.amount_fen AS fen
            FROM ({keyed}) k JOIN placement p ON p.worker = k.worker
            JOIN monthly_pay mp ON mp.placement = p.id AND {month.format(t='mp')}
            UNION ALL
            SELECT p.worker, p.workshop, a.month, a.delta_fen
            FROM ({keyed}) k JOIN placement p ON p.worker = k.worker
            JOIN adjustment a ON a.placement = p.id AND {month.format(t='a')}"""
    return f"""
        SELECT c.worker AS worker, c.workshop AS workshop, c.month AS month, c.fen AS fen,
               CASE WHEN {low_income_in_month('c.worker', 'c.month')} THEN 1 ELSE 0 END AS low,
               CASE WHEN COUNT(*) OVER (PARTITION BY c.worker, c.month) = 1 THEN 1 ELSE 0 END AS single,
               wk.baseline_income_fen AS baseline
        FROM (SELECT worker, workshop, month, SUM(fen) AS fen FROM ({source}) src
              GROUP BY worker, workshop, month) c
        JOIN worker wk ON wk.id = c.worker"""


WORKSHOP_MONTH_COLUMNS = ("workshop, month, total_fen, total_fen_low, person_months, person_months_low, "
                          "uplift_fen, uplift_n, uplift_fen_low, uplift_n_low, cells, cells_low, all_cells")
WORKSHOP_MONTH_SUMS = WORKSHOP_MONTH_COLUMNS.split(", ")[2:]


def _weighted(value: str, signed: bool) -> str:
    """A summand, times the row's ``sign`` (+1 a cell written, -1 a cell replaced) when the
    sum is a flush's change rather than a total."""
    return f"({value}) * c.sign" if signed else value


def workshop_months_sql(where: str = "1 = 1", cells: str = "figure_cell", signed: bool = False) -> str:
    """SELECT of the workshop-month sums from the cells (``where`` filters the cells ``c``).
    ``signed``: ``cells`` carry a ``sign`` column and the sums are the change it weighs."""
    def add(cond: str, value: str, name: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN {_weighted(value, signed)} ELSE 0 END) AS {name}"

    cols = []
    for suffix, cond in (("", "1 = 1"), ("_low", "c.low = 1")):
        cols.append(add(cond, "c.fen", f"total_fen{suffix}"))
    for suffix, cond in (("", "1 = 1"), ("_low", "c.low = 1")):
        cols.append(add(f"{cond} AND c.single = 1 AND c.fen > 0", "1", f"person_months{suffix}"))
    for suffix, cond in (("", "1 = 1"), ("_low", "c.low = 1")):
        uplift = f"{cond} AND c.single = 1 AND c.fen > 0 AND c.baseline IS NOT NULL"
        cols.append(add(uplift, "c.fen - c.baseline", f"uplift_fen{suffix}"))
        cols.append(add(uplift, "1", f"uplift_n{suffix}"))
    for suffix, cond in (("", "1 = 1"), ("_low", "c.low = 1")):
        cols.append(add(f"{cond} AND c.single = 1", "1", f"cells{suffix}"))
    cols.append(add("1 = 1", "1", "all_cells"))  # the row exists while this is > 0
    return f"""SELECT c.workshop AS workshop, c.month AS month, {', '.join(cols)}
               FROM {cells} c WHERE {where} GROUP BY c.workshop, c.month"""


WORKER_YEAR_COLUMNS = "worker, workshop, year, paid_mask, paid_low_mask"


def worker_years_sql(where: str = "1 = 1", cells: str = "figure_cell", signed: bool = False) -> str:
    """SELECT of the paid-month masks from the cells (each month once per group: SUM is OR;
    ``signed``: the change, as in ``workshop_months_sql``)."""
    bit = _weighted(_bit("c.month"), signed)
    return f"""SELECT c.worker AS worker, c.workshop AS workshop, {_year('c.month')} AS year,
                      SUM({bit}) AS paid_mask,
                      SUM(CASE WHEN c.low = 1 THEN {bit} ELSE 0 END) AS paid_low_mask
               FROM {cells} c WHERE c.single = 1 AND c.fen > 0 AND {where}
               GROUP BY c.worker, c.workshop, {_year('c.month')}"""


OPEN_END = "9999-12"
"""The last month of an interval that has not ended (a placement or status with no end)."""


def _common_prefix(a: str, b: str, width: int = 6) -> str:
    """SQL: the longest common prefix of two strings of at most ``width`` characters."""
    cases = " ".join(f"WHEN substr({a}, 1, {k}) = substr({b}, 1, {k}) THEN substr({a}, 1, {k})"
                     for k in range(width, 0, -1))
    return f"CASE {cases} ELSE '' END"


WORKER_SPAN_COLUMNS = "worker, span"


def worker_spans_sql(where: str = "1 = 1") -> str:
    """SELECT of each placed worker's span: the common prefix of the least and the greatest
    region code of the workshops of the worker's placements (``where`` filters ``p``) —
    the common prefix of a set of strings is that of its least and greatest member."""
    code = "w.region_code" if is_sqlite() else 'w.region_code COLLATE "C"'
    return f"""SELECT x.worker AS worker, {_common_prefix('x.lo', 'x.hi')} AS span
               FROM (SELECT p.worker AS worker, MIN({code}) AS lo, MAX({code}) AS hi
                     FROM placement p JOIN workshop w ON w.id = p.workshop WHERE {where}
                     GROUP BY p.worker) x"""


PERSON_YEAR_COLUMNS = "worker, year, span, paid_mask, paid_low_mask"


def person_years_sql(where: str = "1 = 1", cells: str = "figure_cell", spans: str = "figure_worker_span",
                     sign: str = "") -> str:
    """SELECT of each worker's paid months per year: months whose pay over all the worker's
    workshops is > 0 (``where`` filters the cells ``c``; ``sign`` '-' negates the masks)."""
    return f"""SELECT g.worker AS worker, {_year('g.month')} AS year, s.span AS span,
                      {sign}SUM({_bit('g.month')}) AS paid_mask,
                      {sign}SUM(CASE WHEN g.low = 1 THEN {_bit('g.month')} ELSE 0 END) AS paid_low_mask
               FROM (SELECT c.worker AS worker, c.month AS month, MAX(c.low) AS low FROM {cells} c
                     WHERE {where} GROUP BY c.worker, c.month HAVING SUM(c.fen) > 0) g
               JOIN {spans} s ON s.worker = g.worker
               GROUP BY g.worker, {_year('g.month')}, s.span"""


INTERVAL_COLUMNS = "worker, low, first_month, last_month, prev_last, span"


def intervals_sql(where: str = "1 = 1", spans: str = "figure_worker_span") -> str:
    """SELECT of each worker's employed months as disjoint intervals (low = 1: the months a
    placement and a low-income status share), each with the end of the one before ('' for
    the first). ``where`` filters the placements ``p``. A worker is employed in a period
    exactly when one interval meets it, and counted once by taking the first that does:
    the one whose predecessor ends before the period."""
    m = _month_of
    pf, pl = m("p.hired_on"), f"COALESCE({m('p.left_on')}, '{OPEN_END}')"
    sf, sl = m("s.valid_from"), f"COALESCE({m('s.valid_to')}, '{OPEN_END}')"
    spans_source = f"""
        SELECT p.worker AS worker, 0 AS low, {pf} AS first, {pl} AS last FROM placement p WHERE {where}
        UNION ALL
        SELECT p.worker, 1, CASE WHEN {pf} > {sf} THEN {pf} ELSE {sf} END,
               CASE WHEN {pl} < {sl} THEN {pl} ELSE {sl} END
        FROM placement p JOIN low_income_status s ON s.worker = p.worker
        WHERE {where} AND {pf} <= {sl} AND {sf} <= {pl}"""
    window = "PARTITION BY worker, low ORDER BY first, last"
    return f"""
        SELECT g.worker AS worker, g.low AS low, g.first_month AS first_month, g.last_month AS last_month,
               COALESCE(LAG(g.last_month) OVER (PARTITION BY g.worker, g.low ORDER BY g.first_month), '')
                   AS prev_last,
               s.span AS span
        FROM (SELECT worker, low, MIN(first) AS first_month, MAX(last) AS last_month
              FROM (SELECT worker, low, first, last,
                           SUM(start) OVER ({window} ROWS UNBOUNDED PRECEDING) AS island
                    FROM (SELECT worker, low, first, last,
                                 CASE WHEN MAX(last) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING
                                                           AND 1 PRECEDING) >= first THEN 0 ELSE 1 END AS start
                          FROM ({spans_source}) b) marked) islands
              GROUP BY worker, low, island) g
        JOIN {spans} s ON s.worker = g.worker"""


SPAN_MONTH_COLUMNS = "span, month, " + ", ".join(SPAN_MONTH_SUMS)


def span_months_sql(where: str = "1 = 1", cells: str = "figure_cell", spans: str = "figure_worker_span",
                    sign: str = "") -> str:
    """SELECT of the shared (worker, month) groups' sums by (worker's span, month); ``where``
    filters the cells ``c``; ``sign`` '-' negates them (a flush subtracting what it replaces)."""
    by_name = {name: expr for expr, name in (column.rsplit(" AS ", 1) for column in shared_group_sums())}
    sums = [f"{sign}{by_name[name]} AS {name}" for name in SPAN_MONTH_SUMS]
    return f"""SELECT s.span AS span, g.month AS month, {', '.join(sums)}
               FROM (SELECT c.worker AS worker, c.month AS month, SUM(c.fen) AS fen, MAX(c.low) AS low,
                            MAX(c.baseline) AS baseline
                     FROM {cells} c WHERE c.single = 0 AND {where} GROUP BY c.worker, c.month) g
               JOIN {spans} s ON s.worker = g.worker
               WHERE 1 = 1
               GROUP BY s.span, g.month"""


SPAN_MONTH_NONZERO = " OR ".join(f"{c} <> 0" for c in SPAN_MONTH_SUMS)
"""A (span, month) row exists while one of its sums is not zero: the flush's additions and
subtractions and the rebuild's recomputation then agree row for row."""

SPAN_MONTH_ZERO = " AND ".join(f"{c} = 0" for c in SPAN_MONTH_SUMS)
"""The rows a flush deletes: the same words as the partial index ``figure_span_month_zero``,
so PostgreSQL finds them in it instead of scanning the table."""


def span_month_upsert(select: str) -> str:
    updates = ", ".join(f"{c} = figure_span_month.{c} + excluded.{c}" for c in SPAN_MONTH_SUMS)
    return (f"INSERT INTO figure_span_month ({SPAN_MONTH_COLUMNS}) {select} "
            f"ON CONFLICT (span, month) DO UPDATE SET {updates}")


# --- keeping them ------------------------------------------------------------------------------

async def pending() -> int:
    """The last queued key's id (0 when nothing waits)."""
    row = (await _run("SELECT MAX(id) AS last FROM figure_dirty"))[0]
    return int(row["last"] or 0)


CLAIMED = "SELECT worker FROM figure_dirty WHERE workshop = -1"
"""The keys this flush took: queued rows have workshop 0, a flush marks them -1 first, so a
row a writer outside the services queues meanwhile waits for the next flush."""

KEYS = """SELECT DISTINCT worker, month FROM figure_dirty d
           WHERE d.workshop = -1 AND (d.month = '' OR NOT EXISTS (
               SELECT 1 FROM figure_dirty e WHERE e.workshop = -1 AND e.worker = d.worker AND e.month = ''))"""
"""The taken keys without overlap: a worker queued for all months ('') is not also taken
month by month (a month would be counted twice)."""

TOUCHED = "SELECT workshop, month FROM figure_dirty WHERE worker = 0 AND workshop > 0"
"""The workshop-months whose cells a flush removed or wrote (rows with worker 0)."""


def _in_keys(alias: str) -> str:
    return (f"{alias}.worker IN ({CLAIMED}) AND EXISTS (SELECT 1 FROM figure_dirty d WHERE d.workshop = -1 "
            f"AND d.worker = {alias}.worker AND (d.month = '' OR d.month = {alias}.month))")


def _in_years(alias: str, year: str) -> str:
    """Rows of the taken workers in the years of their taken months (all years for a worker
    taken with every month): ``year`` is the row's year, an integer. The cells
    of the other years did not change, and neither did what was summed from them."""
    return (f"{alias}.worker IN ({CLAIMED}) AND EXISTS (SELECT 1 FROM figure_dirty d WHERE d.workshop = -1 "
            f"AND d.worker = {alias}.worker AND (d.month = '' OR {_year('d.month')} = {year}))")


REPLACED = "SELECT worker FROM figure_dirty WHERE workshop = -1 AND month = ''"
"""The workers taken with every month: their placements, statuses, baseline or a workshop's
region changed — the only changes that move a span or an employed interval."""


def flush_statements() -> list[str]:
    """The flush as statements that need nothing from each other but the tables: on
    PostgreSQL the body of the flush function (one call, one round trip inside the writers'
    turn), or one script where the role may not create functions."""
    cell_years = _in_years("c", _year("c.month"))
    touched = (f"INSERT INTO figure_dirty (worker, workshop, month) "
               f"SELECT DISTINCT 0, c.workshop, c.month FROM figure_cell c WHERE {_in_keys('c')}")
    return [
        "UPDATE figure_dirty SET workshop = -1 WHERE workshop = 0",
        touched,  # the workshop-months of the cells about to go ...
        # ... their shared groups' sums leave their (span, month), by the span they were added with
        span_month_upsert(span_months_sql(_in_keys("c"), sign="-")),
        f"DELETE FROM figure_cell WHERE {_in_keys('figure_cell')}",
        f"INSERT INTO figure_cell ({CELL_COLUMNS}) {cells_sql(KEYS)}",
        touched,  # ... and of those written
        f"DELETE FROM figure_workshop_month WHERE (workshop, month) IN ({TOUCHED})",
        f"INSERT INTO figure_workshop_month ({WORKSHOP_MONTH_COLUMNS}) "
        f"{workshop_months_sql(f'(c.workshop, c.month) IN ({TOUCHED})')}",
        f"DELETE FROM figure_worker_year WHERE {_in_years('figure_worker_year', 'figure_worker_year.year')}",
        f"INSERT INTO figure_worker_year ({WORKER_YEAR_COLUMNS}) {worker_years_sql(cell_years)}",
        f"DELETE FROM figure_worker_span WHERE worker IN ({REPLACED})",
        f"INSERT INTO figure_worker_span ({WORKER_SPAN_COLUMNS}) {worker_spans_sql(f'p.worker IN ({REPLACED})')}",
        f"DELETE FROM figure_person_year WHERE {_in_years('figure_person_year', 'figure_person_year.year')}",
        f"INSERT INTO figure_person_year ({PERSON_YEAR_COLUMNS}) {person_years_sql(cell_years)}",
        f"DELETE FROM figure_interval WHERE worker IN ({REPLACED})",
        f"INSERT INTO figure_interval ({INTERVAL_COLUMNS}) {intervals_sql(f'p.worker IN ({REPLACED})')}",
        # the new shared groups' sums join their (span, month), by the span just written
        span_month_upsert(span_months_sql(_in_keys("c"))),
        f"DELETE FROM figure_span_month WHERE {SPAN_MONTH_ZERO}",
        "DELETE FROM figure_dirty WHERE workshop <> 0",
    ]


ALL_MONTHS_QUEUED = "SELECT 1 FROM figure_dirty WHERE month = ''"
"""A worker queued with every month: the flush then takes the full path (``flush_statements``)."""


def _upsert(table: str, columns: str, key: str, select: str, sums: list[str]) -> str:
    """Add a change (``select``: one row per ``key``) to ``table``'s rows; a change that is zero
    in every sum is skipped (it would write nothing)."""
    nonzero = " OR ".join(f"d.{c} <> 0" for c in sums)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    return (f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({select}) d WHERE {nonzero} "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}")


def _summed(selects: list[str], keys: str, sums: list[str]) -> str:
    """The sum of the changes ``selects`` give, per ``keys``."""
    union = " UNION ALL ".join(f"({s})" for s in selects)
    return (f"SELECT {keys}, {', '.join(f'SUM(u.{c}) AS {c}' for c in sums)} FROM ({union}) u "
            f"GROUP BY {keys}")


MASKS = ["paid_mask", "paid_low_mask"]
"""The month-mask columns of ``figure_worker_year`` and ``figure_person_year``, which the fast
flushes add changes to."""


def _claimed_keys(fresh: bool = False) -> str:
    """The keys a fast flush takes (deleting them from the queue), and their cells as the rows
    now give them: the start of ``fast_flush_statements``' first statement and of
    ``fresh_flush_statement``. ``fresh``: only the keys that have no cell yet."""
    none_yet = (" AND NOT EXISTS (SELECT 1 FROM figure_cell c WHERE c.worker = figure_dirty.worker "
                "AND c.month = figure_dirty.month)") if fresh else ""
    return f"""claimed AS (DELETE FROM figure_dirty WHERE workshop = 0 AND month <> ''{none_yet}
                   RETURNING worker, month),
        keys AS (SELECT DISTINCT worker, month FROM claimed),
        new_cells AS ({cells_sql("SELECT worker, month FROM keys", months_only=True)})"""


def fast_flush_statements() -> list[str]:
    """The flush when only (worker, month) keys are queued — pay and adjustments changed,
    nothing that moves a low-income month, a baseline, a span or an interval (those queue
    month '' and take ``flush_statements``). PostgreSQL only (data-modifying WITH).

    One statement takes the keys (deleting them; a key queued meanwhile by a writer outside
    the services stays for the next flush, and so does a '' one), reads the keys' cells as
    they were (``old_cells``) and recomputes them from the rows (``new_cells``), matches the
    two by grouping (``changed``: +1 only new, -1 only old, 0 unchanged), deletes the old
    cells that changed and inserts the new ones (disjoint rows), and adds new − old to the
    workshop-months, worker-years, person-years and (span, month)s. Every sum there adds up
    over cells, the masks included (a month's bit occurs once per row, so subtracting the
    old bits is exact), and all cells of a (worker, month) are replaced together, so
    ``single`` and the person-month groups are recomputed whole. A second statement deletes
    the rows that reached zero — a workshop-month with no cells, a year with no paid month,
    a (span, month) of zero sums — found in partial indexes that hold only those rows.

    ``fresh_flush_statement`` runs before them and takes the keys that have no cell yet (new
    months: the common case), so the first statement runs only when keys with cells are left
    (``MONTH_KEYS_QUEUED``)."""
    cells = CELL_COLUMNS.split(", ")
    o_cols, n_cols = (", ".join(f"{a}.{c}" for c in cells) for a in ("o", "n"))
    changes = f"""WITH {_claimed_keys()},
        old_cells AS (SELECT c.id AS id, {', '.join(f'c.{c} AS {c}' for c in cells)}
                FROM keys k JOIN figure_cell c ON c.worker = k.worker AND c.month = k.month),
        signed AS (SELECT {n_cols}, NULL AS id, 1 AS sign FROM new_cells n
                   UNION ALL SELECT {o_cols}, o.id, -1 FROM old_cells o),
        changed AS (SELECT {CELL_COLUMNS}, MAX(id) AS id, SUM(sign) AS sign FROM signed GROUP BY {CELL_COLUMNS}),
        gone AS (DELETE FROM figure_cell WHERE id IN (SELECT id FROM changed WHERE sign < 0)),
        written AS (INSERT INTO figure_cell ({CELL_COLUMNS}) SELECT {CELL_COLUMNS} FROM changed WHERE sign > 0),
        workshop_months AS ({_upsert("figure_workshop_month", WORKSHOP_MONTH_COLUMNS, "month, workshop",
                                     workshop_months_sql(cells="changed", signed=True), WORKSHOP_MONTH_SUMS)}),
        worker_years AS ({_upsert("figure_worker_year", WORKER_YEAR_COLUMNS, "worker, workshop, year",
                                  worker_years_sql(cells="changed", signed=True), MASKS)}),
        person_years AS ({_upsert("figure_person_year", PERSON_YEAR_COLUMNS, "worker, year",
                                  _summed([person_years_sql(cells="new_cells"),
                                           person_years_sql(cells="old_cells", sign="-")],
                                          "worker, year, span", MASKS), MASKS)})
        {_upsert("figure_span_month", SPAN_MONTH_COLUMNS, "span, month",
                 _summed([span_months_sql(cells="new_cells"), span_months_sql(cells="old_cells", sign="-")],
                         "span, month", SPAN_MONTH_SUMS), SPAN_MONTH_SUMS)}"""
    zeros = ("WITH workshop_months AS (DELETE FROM figure_workshop_month WHERE all_cells = 0), "
             "worker_years AS (DELETE FROM figure_worker_year WHERE paid_mask = 0), "
             "person_years AS (DELETE FROM figure_person_year WHERE paid_mask = 0) "
             f"DELETE FROM figure_span_month WHERE {SPAN_MONTH_ZERO}")
    return [changes, zeros]


MONTH_KEYS_QUEUED = "SELECT 1 FROM figure_dirty WHERE workshop = 0 AND month <> ''"
"""A (worker, month) key still queued: after ``fresh_flush_statement``, one that has cells."""


def fresh_flush_statement() -> str:
    """The fast flush of the queued (worker, month) keys that have no cell yet — records of
    new months, the common case; the keys with cells stay queued for
    ``fast_flush_statements``. With no old cells every new cell is a change of +1, so each
    sum's change is the new cells' sum: it adds those, and skips reading, matching and
    deleting cells that are not there (the flush of 8 new records: 0.45–0.51 ms instead of
    0.49–0.59, called and rolled back in a loop on one connection). The two sets of keys
    are disjoint and every sum adds up over keys, so the two statements together make the
    same change as the first statement of ``fast_flush_statements`` alone. A key queued by
    a writer outside the services between them waits, as ever, for the next flush."""
    return f"""WITH {_claimed_keys(fresh=True)},
        written AS (INSERT INTO figure_cell ({CELL_COLUMNS}) SELECT {CELL_COLUMNS} FROM new_cells),
        workshop_months AS ({_upsert("figure_workshop_month", WORKSHOP_MONTH_COLUMNS, "month, workshop",
                                     workshop_months_sql(cells="new_cells"), WORKSHOP_MONTH_SUMS)}),
        worker_years AS ({_upsert("figure_worker_year", WORKER_YEAR_COLUMNS, "worker, workshop, year",
                                  worker_years_sql(cells="new_cells"), MASKS)}),
        person_years AS ({_upsert("figure_person_year", PERSON_YEAR_COLUMNS, "worker, year",
                                  person_years_sql(cells="new_cells"), MASKS)})
        {_upsert("figure_span_month", SPAN_MONTH_COLUMNS, "span, month",
                 span_months_sql(cells="new_cells"), SPAN_MONTH_SUMS)}"""


FAST_PLANS = "set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)"
"""How the fast path is planned: nested loops only. Its joins all go from the keys to a table
by an index (the cells, placements, pay, adjustments, workers, spans; the old and new cells
are matched by grouping, not joined), so a plan is as long as the key set whatever the
statistics say. They say little about a queue that is empty between flushes: estimating a
few hundred keys, PostgreSQL otherwise hashes all of a month's pay for five (6 ms, not 0.5)."""

BULK = "(SELECT COUNT(*) FROM (SELECT 1 FROM figure_dirty LIMIT 1001) q) > 1000"

ANALYZE_IF_BULK = f"""DO $$ BEGIN
    IF {BULK} THEN
        ANALYZE figure_dirty; ANALYZE figure_cell;
    END IF;
END $$"""
"""PostgreSQL plans the flush from the tables' statistics; after a bulk write they still say
the queue is nearly empty (and, on a new installation, that there are no cells), and a plan
made for a handful of keys probes the queue once per cell: 20,000 queued keys took 125 s.
Counting at most 1,001 rows costs nothing for a single write. (ANALYZE also invalidates the
flush function's cached plans, so a bulk flush is planned for its size.)"""


def flush_function(fast: bool = True) -> tuple[str, str]:
    """The flush as a PL/pgSQL function: (its name, its CREATE statement). A function's
    statements are planned once per connection and their plans kept (they take no
    parameters), where a script is planned statement by statement at every write — 19
    plannings were most of a single write's flush (12 ms of 13 at province scale). It
    returns at once when nothing is queued, and skips the spans and intervals unless a
    worker was queued with all months. When none was, it takes the fast path
    (``fresh_flush_statement``, then ``fast_flush_statements`` for the keys left; ``fast``
    False leaves it out: the baseline of ``bench/flush_bench.py``). The name carries a hash
    of the body, so a changed flush (its body or its settings) is a new function."""
    body = []
    for statement in flush_statements():
        if REPLACED in statement:
            body.append(f"IF EXISTS ({REPLACED}) THEN {statement}; END IF;")
        else:
            body.append(f"{statement};")
    if fast:
        changes, zeros = fast_flush_statements()
        body = [f"IF NOT EXISTS ({ALL_MONTHS_QUEUED}) THEN",
                f"    PERFORM {FAST_PLANS};",
                f"    {fresh_flush_statement()};",
                f"    IF EXISTS ({MONTH_KEYS_QUEUED}) THEN {changes}; END IF;",
                f"    {zeros};",
                "ELSE", *(f"    {statement}" for statement in body), "END IF;"]
    # After a bulk flush the queue is empty again: statistics gathered while it held 20,000
    # keys would have the next small flushes planned for 20,000 (hash joins over whole tables:
    # 7 ms instead of 0.5 for five keys), so they are gathered again, from the emptied queue.
    text = ("DECLARE\n    bulk boolean;\nBEGIN\n"
            "    IF NOT EXISTS (SELECT 1 FROM figure_dirty) THEN RETURN; END IF;\n"
            f"    bulk := {BULK};\n"
            "    IF bulk THEN ANALYZE figure_dirty; ANALYZE figure_cell; END IF;\n    "
            + "\n    ".join(body)
            + "\n    IF bulk THEN ANALYZE figure_dirty; END IF;\nEND")
    settings = ("SET plan_cache_mode = force_generic_plan SET enable_seqscan = off "
                "SET enable_hashjoin = on SET enable_mergejoin = on SET jit = off")
    name = "figure_flush_" + hashlib.sha256((settings + text).encode()).hexdigest()[:12]
    # Generic plans: the engine's connections force custom ones (for the figures' LIKE), which
    # would plan every statement here afresh at every call. No sequential scans where an index
    # serves: every statement reads by the queued keys, and a plan cached while the tables
    # were small (a new installation; statistics not yet gathered) otherwise keeps scanning a
    # table that has since grown (figure_cell, at every write). Hash and merge joins on, so
    # the fast path's settings (``FAST_PLANS``) end with the call and never reach the full path.
    # No JIT, whoever calls it (the ledger's connections have it off; psql may not): the
    # costs that enable_seqscan = off inflates would have it compile a 1 ms statement.
    return name, (f"CREATE FUNCTION {name}() RETURNS void LANGUAGE plpgsql "
                  f"{settings} AS $fn$\n{text}\n$fn$")


@lru_cache(maxsize=1)
def flush_function_name() -> str:
    return flush_function()[0]


_FLUSH_SQL: str | None = None
"""What a PostgreSQL flush sends, decided by the first turn of the process: the call of the
flush function, or (where the ledger's role may not create functions) the statements as
one script."""


async def prepare_flush(connection: Any, function_exists: bool) -> None:
    """At the start of every writers' turn on PostgreSQL (``ledger.db``), told whether this
    database holds the flush function: create it if it is missing (a new installation, a
    dropped schema; the turn keeps two processes from creating it at once), so every flush
    in the transaction is one short call."""
    global _FLUSH_SQL
    if function_exists:
        if _FLUSH_SQL is None:
            _FLUSH_SQL = f"SELECT {flush_function_name()}()"
        return
    if await connection.fetchval("SELECT has_schema_privilege(current_schema(), 'CREATE')"):
        await connection.execute(flush_function()[1])
        _FLUSH_SQL = f"SELECT {flush_function_name()}()"
    else:
        _FLUSH_SQL = ";\n".join([ANALYZE_IF_BULK, *flush_statements()])


async def flush(together_with: tuple[str, list[Any]] | None = None, *, then_commit: bool = False) -> bool:
    """Recompute what the queue names, in the current write transaction. Over-approximating
    a key set is always safe: recomputing an unchanged aggregate row gives it again.

    ``together_with``: a statement that must run first (SQL with ``{}`` placeholders, and its
    values; the commit's last journal INSERT), sent in the same round trip where it can be.
    ``then_commit``: the transaction may commit right after (a group's own, ``ledger.db``):
    on PostgreSQL with the flush function the statement (its values written in as literals,
    ``journal.inline``; only for entries without personal data, ``journal.may_write_in``), the
    call and COMMIT go as one simple-protocol message — one round trip in the writers' turn,
    not two. Returns whether it committed."""
    if is_sqlite():
        if together_with is not None:
            await _run(together_with[0], *together_with[1])
        for statement in flush_statements():
            await _run(statement)
        return False
    transaction = engine().current_transaction.get()  # type: ignore[attr-defined]
    if transaction is None or _FLUSH_SQL is None:
        raise RuntimeError("the aggregates are flushed only inside write_transaction()")
    from ledger.services.journal import inline, may_write_in

    if then_commit and _FLUSH_SQL.startswith("SELECT") and (together_with is None or may_write_in(together_with[1])):
        first = f"{inline(*together_with)}; " if together_with is not None else ""
        await send_commit(transaction.connection, f"{first}{_FLUSH_SQL}; COMMIT")
        return True
    if together_with is not None and _FLUSH_SQL.startswith("SELECT"):
        sql, values = together_with  # a WITH's INSERT runs to completion; the flush reads none of it
        await _run(f"WITH first AS ({sql}) {_FLUSH_SQL}", *values)
        return False
    if together_with is not None:
        await _run(together_with[0], *together_with[1])
    # no parameters: one simple-protocol round trip, inside the writers' turn
    await transaction.connection.execute(_FLUSH_SQL)
    return False


class QueueSweeper:
    """Vacuums the aggregates' queue (``figure_dirty``) while a server writes, on PostgreSQL.

    Every write queues its keys there and its flush deletes them in the same transaction,
    so the table is empty between writes but fills with dead rows: a thousand writes leave
    a thousand. Autovacuum visits a database at most once a minute (``autovacuum_naptime``),
    and until it does every flush walks past all of them: over 8,000 pay writes made 8 at a
    time in one process, PostgreSQL's time per write grew from 0.20 to 0.39 ms; vacuumed
    every 1,600 writes, it stayed at 0.16-0.29 ms. So each ``EVERY`` seconds in which a
    group committed, the server runs ``VACUUM (TRUNCATE false)`` on the queue from a pooled
    connection, outside the writers' turn. It takes no lock a writer waits for
    (``TRUNCATE false``: the table keeps its pages, so the exclusive lock that gives them back
    is never taken). While writes come in it lasts about 140 ms, mostly waiting: B-tree
    vacuum takes a cleanup lock on each leaf page of the queue's index, so it waits until no
    writer holds a pin there, and a writer waits at most for one page's cleanup. Where the
    ledger's role does not own the table (``owns_queue``) the sweeper stays off and
    autovacuum does the work, as before."""

    EVERY = 0.5  # seconds

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if not is_sqlite() and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._sweep_while_writes_come())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _sweep_while_writes_come(self) -> None:
        seen = committed_groups()
        try:
            owned = await owns_queue()
        except Exception as error:  # noqa: BLE001 - the database unreachable at start: autovacuum sweeps
            log.warning("queue sweeper off (%s)", type(error).__name__)
            return
        if not owned:
            log.info("queue sweeper off: the database role does not own figure_dirty (autovacuum sweeps it)")
            return
        while True:
            await asyncio.sleep(self.EVERY)
            if committed_groups() == seen:
                continue
            seen = committed_groups()
            try:
                await sweep_queue()
            except Exception as error:  # noqa: BLE001 - a lost connection, say: try again next time
                log.warning("queue sweep failed (%s)", type(error).__name__)


async def owns_queue() -> bool:
    """Whether the ledger's role may vacuum the queue (it owns it, or is a member of the role
    that does): otherwise every sweep would only leave a warning in PostgreSQL's log."""
    rows = await _run("SELECT pg_has_role(c.relowner, 'USAGE') AS owns FROM pg_class c "
                      "WHERE c.oid = to_regclass('figure_dirty')")
    return bool(rows and rows[0]["owns"])


async def sweep_queue() -> None:
    """``VACUUM (TRUNCATE false) figure_dirty`` on a connection of its own (VACUUM cannot run
    inside a transaction). PostgreSQL only."""
    sweep = "VACUUM (TRUNCATE false) figure_dirty"
    db = engine()
    pool = getattr(db, "pool", None)
    if pool is not None:
        async with pool.acquire() as connection:
            await connection.execute(sweep)
        return
    connection = await db.get_new_connection()  # type: ignore[attr-defined]
    try:
        await connection.execute(sweep)
    finally:
        await connection.close()


QUEUE_SWEEPER = QueueSweeper()


async def ensure_fresh() -> None:
    """For a reader: recompute whatever writes outside the services left queued (a write
    transaction flushes before it commits). Inside a write transaction (a dry run previewing
    how figures move, a sign-off sealing them) it flushes there and then, so the transaction
    reads its own writes."""
    if not await pending():
        return
    if TRANSACTION_STATE.get() is not None and engine().transaction_exists():
        await flush()
        return
    async with write_transaction():
        pass


async def rebuild() -> dict[str, int]:
    """Rewrite every aggregate from the business rows (for migrations and repairs), as one
    journaled unit of work. Returns the row counts."""
    from ledger import access
    from ledger.core.enums import JournalAction, Role
    from ledger.services import journal

    access.require(Role.admin, doing_zh="重建指标汇总表", doing_en="rebuilding the figures' aggregates")
    async with write_transaction():
        before = await counts()
        for table in AGGREGATE_TABLES:
            await _run(f"DELETE FROM {table._meta.tablename}")
        await _run(f"INSERT INTO figure_cell ({CELL_COLUMNS}) {cells_sql(None)}")
        await _run(f"INSERT INTO figure_workshop_month ({WORKSHOP_MONTH_COLUMNS}) {workshop_months_sql()}")
        await _run(f"INSERT INTO figure_worker_year ({WORKER_YEAR_COLUMNS}) {worker_years_sql()}")
        await _run(f"INSERT INTO figure_worker_span ({WORKER_SPAN_COLUMNS}) {worker_spans_sql()}")
        await _run(f"INSERT INTO figure_person_year ({PERSON_YEAR_COLUMNS}) {person_years_sql()}")
        await _run(f"INSERT INTO figure_interval ({INTERVAL_COLUMNS}) {intervals_sql()}")
        await _run(f"INSERT INTO figure_span_month ({SPAN_MONTH_COLUMNS}) "
                   f"SELECT * FROM ({span_months_sql()}) x WHERE {SPAN_MONTH_NONZERO}")
        after = await counts()
        if not is_sqlite():
            await _drop_old_flush_functions()
        await journal.append([journal.Change(FigureCell, 0, JournalAction.rebuild, before, after)])
    if is_sqlite():
        await _run("ANALYZE")  # SQLite plans from these statistics; without them it guesses
    else:
        for table in AGGREGATE_TABLES:
            # VACUUM too: the visibility map lets the covering indexes answer without the table
            await _run(f"VACUUM ANALYZE {table._meta.tablename}")
    return after


OLD_FLUSH_FUNCTIONS = """SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
    WHERE p.pronamespace = current_schema()::regnamespace AND p.proname LIKE 'figure\\_flush\\_%'
      AND p.proname <> {} AND pg_get_userbyid(p.proowner) = current_user"""


async def _drop_old_flush_functions() -> None:
    """A changed flush is a new function (its name has the body's hash); the versions before
    it stay in the database until a rebuild (for migrations and repairs) drops them, those
    the ledger's role owns. A server still running an older version meanwhile finds its own
    missing at its next turn and creates it again (``ledger.db._Turn``), so nothing breaks
    during an upgrade."""
    for row in await _run(OLD_FLUSH_FUNCTIONS, flush_function_name()):
        await _run(f"DROP FUNCTION {row['signature']}")


async def counts() -> dict[str, int]:
    out = {}
    for table in AGGREGATE_TABLES:
        out[table._meta.tablename] = int((await _run(f"SELECT COUNT(*) AS n FROM {table._meta.tablename}"))[0]["n"])
    return out


# --- checking them -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    """Rows of an aggregate table that the business rows do not give (``extra``) or that
    they give but the table lacks (``missing``)."""

    table: str
    missing: int
    extra: int
    examples: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "missing": self.missing, "extra": self.extra,
                "examples": list(self.examples)}


async def check() -> list[Difference]:
    """Recompute every aggregate from the business rows and compare row by row (money to the
    fen: the columns are integers). Pending keys are flushed first: queued work is not drift."""
    await ensure_fresh()
    differences = []
    cells, spans = f"({cells_sql(None)})", f"({worker_spans_sql()})"
    for table, columns, expected in (
            ("figure_cell", CELL_COLUMNS, cells_sql(None)),
            ("figure_workshop_month", WORKSHOP_MONTH_COLUMNS,
             workshop_months_sql().replace("FROM figure_cell c", f"FROM {cells} c")),
            ("figure_worker_year", WORKER_YEAR_COLUMNS,
             worker_years_sql().replace("FROM figure_cell c", f"FROM {cells} c")),
            ("figure_worker_span", WORKER_SPAN_COLUMNS, worker_spans_sql()),
            ("figure_person_year", PERSON_YEAR_COLUMNS, person_years_sql(cells=cells, spans=spans)),
            ("figure_interval", INTERVAL_COLUMNS, intervals_sql(spans=spans)),
            ("figure_span_month", SPAN_MONTH_COLUMNS,
             f"SELECT * FROM ({span_months_sql(cells=cells, spans=spans)}) y WHERE {SPAN_MONTH_NONZERO}")):
        stored = f"SELECT {columns} FROM {table}"
        wanted = f"SELECT {columns} FROM ({expected}) x"
        found = {}
        for kind, sql in (("missing", f"{wanted} EXCEPT {stored}"), ("extra", f"{stored} EXCEPT {wanted}")):
            n = int((await _run(f"SELECT COUNT(*) AS n FROM ({sql}) d"))[0]["n"])
            found[kind] = (n, [{kind: True, **r} for r in await _run(f"SELECT * FROM ({sql}) d LIMIT 3")] if n else [])
        if found["missing"][0] or found["extra"][0]:
            differences.append(Difference(table, found["missing"][0], found["extra"][0],
                                          tuple(found["missing"][1] + found["extra"][1])))
    return differences


async def check_all(scope: str | None = None, period: str | None = None) -> dict[str, Any]:
    """``ledger figures --check``: every aggregate row against the business rows, then every
    figure (plain and low-income, to the fen) read from the aggregates against the same figure
    computed from the rows — for the scope and period given, else for everything in each year
    that has pay."""
    with primary_reads():  # it flushes, then compares: the replica may not have replayed the flush
        return await _check_all(scope, period)


async def _check_all(scope: str | None, period: str | None) -> dict[str, Any]:
    from ledger.core.metrics import Period, Scope
    from ledger.services import figures

    differences = await check()
    if scope and period:
        asked = [figures.parse_scope_period(scope, period)]
    else:
        years = await _run("SELECT DISTINCT substr(month, 1, 4) AS year FROM figure_workshop_month ORDER BY 1")
        asked = [(Scope.parse(scope or "all"), Period.parse(str(r["year"]))) for r in years]
    figure_differences = []
    for one_scope, one_period in asked:
        kept = (await figures.compute(one_scope, one_period)).as_dict()
        recomputed = (await figures.compute(one_scope, one_period, from_rows=True)).as_dict()
        for name, value in recomputed.items():
            if kept.get(name) != value:
                figure_differences.append({"scope": str(one_scope), "period": str(one_period), "figure": name,
                                           "aggregates": _text(kept.get(name)), "rows": _text(value)})
    return {"ok": not differences and not figure_differences,
            "tables": await counts(),
            "figures_compared": [f"{s} {p}" for s, p in asked],
            "table_differences": [d.as_dict() for d in differences],
            "figure_differences": figure_differences}


def _text(value: Any) -> Any:
    return None if value is None else str(value) if not isinstance(value, int) else value
