"""One county's figures at province density, on SQLite and on PostgreSQL, in one run (issue 14).

    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/SCRATCH \\
        .venv/bin/python bench/county.py [--county 330784] [--scale 1] [--repeat 5] [--sqlite PATH]

Both databases are scratch ones, emptied and migrated: the SQLite file (``--sqlite``, default a file in
the temporary folder) and the PostgreSQL database in LEDGER_DATABASE_URL (``--engines sqlite`` runs
without one). Each engine runs in a process of its own (the engine is chosen by LEDGER_DATABASE_URL
when the ledger is imported), one after the other.

Each loads the county's slice of the province data set (``bench/dataset.py``: at ``--scale 1`` region
330784 has 130 workshops, 5,417 workers, 541 of them placed twice, 133,254 pay rows; ``--whole`` loads
the whole province instead), builds the aggregates with ``aggregates.rebuild()``, runs ANALYZE, and
times, median of ``--repeat`` (interleaved), for the county / 2023 and one of its workshops / 2023-05:

* the product: ``figures.compute`` (every figure, plain and low-income, growth included), as the server
  calls it (a connection pool on PostgreSQL, as ``ledger serve`` starts it; SQLite has none);
* the hand-written baseline: one SQL statement giving the numbers behind the same figures (``HAND``:
  pay sums plain and low-income for the period and the year before, person-months, workers paid,
  uplift, workers employed plain and low-income, workshops open, certified by level) over the same
  aggregate tables a county is read from (by workshop), on one connection kept open (asyncpg; the
  sqlite3 module).

The baseline's numbers are checked against the product's before anything is timed. On SQLite the
figures are also timed before ANALYZE: the product never runs it there (``ledger figures --rebuild``
analyses on PostgreSQL only), so that row is what a real SQLite installation sees.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HAND = """
WITH sw AS (SELECT w.id FROM workshop w WHERE {where}),
shared AS (
    SELECT c.worker, c.month, SUM(c.fen) AS fen, MAX(c.low) AS low, MAX(c.baseline) AS baseline
    FROM {from_c}
    WHERE {on_c} AND c.single = 0 AND c.month >= $4 AND c.month <= $3 AND (c.month >= $2 OR c.month <= $5)
    GROUP BY c.worker, c.month),
sums AS (
    SELECT SUM(CASE WHEN a.month >= $2 THEN a.total_fen ELSE 0 END) AS total_fen,
           SUM(CASE WHEN a.month >= $2 THEN a.total_fen_low ELSE 0 END) AS total_fen_low,
           SUM(CASE WHEN a.month >= $2 THEN a.person_months ELSE 0 END) AS pm,
           SUM(CASE WHEN a.month >= $2 THEN a.person_months_low ELSE 0 END) AS pm_low,
           SUM(CASE WHEN a.month >= $2 THEN a.uplift_fen ELSE 0 END) AS uplift_fen,
           SUM(CASE WHEN a.month >= $2 THEN a.uplift_n ELSE 0 END) AS uplift_n,
           SUM(CASE WHEN a.month >= $2 THEN a.uplift_fen_low ELSE 0 END) AS uplift_fen_low,
           SUM(CASE WHEN a.month >= $2 THEN a.uplift_n_low ELSE 0 END) AS uplift_n_low,
           SUM(CASE WHEN a.month <= $5 THEN a.total_fen ELSE 0 END) AS total_fen0,
           SUM(CASE WHEN a.month <= $5 THEN a.total_fen_low ELSE 0 END) AS total_fen_low0,
           SUM(CASE WHEN a.month <= $5 THEN a.person_months ELSE 0 END) AS pm0,
           SUM(CASE WHEN a.month <= $5 THEN a.person_months_low ELSE 0 END) AS pm_low0
    FROM {from_a}
    WHERE {on_a} AND a.month >= $4 AND a.month <= $3),
shared_sums AS (
    SELECT SUM(CASE WHEN month >= $2 AND fen > 0 THEN 1 ELSE 0 END) AS s_pm,
           SUM(CASE WHEN month >= $2 AND fen > 0 AND low = 1 THEN 1 ELSE 0 END) AS s_pm_low,
           SUM(CASE WHEN month >= $2 AND fen > 0 AND baseline IS NOT NULL THEN fen - baseline ELSE 0 END)
               AS s_uplift_fen,
           SUM(CASE WHEN month >= $2 AND fen > 0 AND baseline IS NOT NULL THEN 1 ELSE 0 END) AS s_uplift_n,
           SUM(CASE WHEN month >= $2 AND fen > 0 AND low = 1 AND baseline IS NOT NULL THEN fen - baseline
                    ELSE 0 END) AS s_uplift_fen_low,
           SUM(CASE WHEN month >= $2 AND fen > 0 AND low = 1 AND baseline IS NOT NULL THEN 1 ELSE 0 END)
               AS s_uplift_n_low,
           SUM(CASE WHEN month <= $5 AND fen > 0 THEN 1 ELSE 0 END) AS s_pm0,
           SUM(CASE WHEN month <= $5 AND fen > 0 AND low = 1 THEN 1 ELSE 0 END) AS s_pm_low0
    FROM shared),
paid AS (
    SELECT y.worker, CASE WHEN (y.paid_low_mask & $7) <> 0 THEN 1 ELSE 0 END AS low
    FROM {from_y}
    WHERE {on_y} AND y.year = $6 AND (y.paid_mask & $7) <> 0
    UNION ALL
    SELECT worker, low FROM shared WHERE month >= $2 AND fen > 0),
paid_counts AS (
    SELECT COUNT(DISTINCT worker) AS workers_paid,
           COUNT(DISTINCT CASE WHEN low = 1 THEN worker END) AS workers_paid_low FROM paid),
employed AS (
    SELECT (SELECT COUNT(DISTINCT p.worker) FROM {from_p}
            WHERE {on_p} AND p.hired_on <= $9 AND (p.left_on IS NULL OR p.left_on >= $8)) AS employed,
           (SELECT COUNT(DISTINCT p.worker)
            FROM {from_p} JOIN low_income_status s ON s.worker = p.worker
            WHERE {on_p} AND p.hired_on <= $9 AND (p.left_on IS NULL OR p.left_on >= $8)
              AND {m_from} <= $3 AND (p.left_on IS NULL OR {m_from} <= {m_left})
              AND (s.valid_to IS NULL OR ({m_to} >= $2 AND {m_to} >= {m_hired}))) AS employed_low),
opened AS (
    SELECT COUNT(*) AS workshops FROM workshop w
    WHERE {where} AND w.opened_on <= $9 AND (w.closed_on IS NULL OR w.closed_on >= $8)),
certified AS (
    SELECT COUNT(DISTINCT c.workshop) AS certified,
           COUNT(DISTINCT CASE WHEN c.level = 'county' THEN c.workshop END) AS certified_county,
           COUNT(DISTINCT CASE WHEN c.level = 'city' THEN c.workshop END) AS certified_city,
           COUNT(DISTINCT CASE WHEN c.level = 'province' THEN c.workshop END) AS certified_province
    FROM {from_c2}
    WHERE {on_c2} AND c.status <> '创建中' AND c.awarded_on <= $9
      AND (c.valid_until IS NULL OR c.valid_until >= $9) AND (c.withdrawn_on IS NULL OR c.withdrawn_on > $9))
SELECT * FROM sums, shared_sums, paid_counts, employed, opened, certified
"""
"""Parameters: $1 the scope's value (a region prefix or a workshop code; $10 the prefix's upper end), $2..$3 the period's months,
$4..$5 the same months a year earlier, $6 the period's year and $7 its month mask (a period inside
one year), $8..$9 its first and last day. It reads the two periods as one month range $4..$3 (a
CASE tells them apart: an OR of two ranges made SQLite read every workshop's months by the month
index). Each table is read in one of two forms (``hand_sql``), both timed, the faster one is the
baseline: joined to ``workshop w`` and filtered there (the way the first generation's figures
read), or the scope's workshops first, ``sw CROSS JOIN`` the table (SQLite keeps that
order, whatever its statistics say; on PostgreSQL it is a plain join)."""


FORMS = ("joined", "scope first")


def hand_sql(engine: str, scope_kind: str, form: str = "joined") -> str:
    # a prefix as the range an index can read ('330784' <= code < '330785'), as the product does
    where = "w.region_code >= $1 AND w.region_code < $10" if scope_kind == "region" else "w.code = $1"
    tables = {"c": "figure_cell", "a": "figure_workshop_month", "y": "figure_worker_year", "p": "placement",
              "c2": "certification"}
    froms = {}
    for key, table in tables.items():
        alias = key[0]
        if form == "joined":
            froms[f"from_{key}"], froms[f"on_{key}"] = f"{table} {alias} JOIN workshop w ON w.id = {alias}.workshop", where
        else:
            froms[f"from_{key}"], froms[f"on_{key}"] = f"sw CROSS JOIN {table} {alias}", f"{alias}.workshop = sw.id"
    if engine == "sqlite":
        month = "substr({}, 1, 7)".format
    else:
        month = "to_char({}, 'YYYY-MM')".format
    return HAND.format(where=where, m_from=month("s.valid_from"), m_to=month("s.valid_to"),
                       m_left=month("p.left_on"), m_hired=month("p.hired_on"), **froms)


def sqlite_numbered(sql: str) -> str:
    return re.sub(r"\$(\d+)", r"?\1", sql)


class Hand:
    """The baseline's connection, kept open: asyncpg, or the sqlite3 module."""

    def __init__(self, url: str, sqlite_path: str | None) -> None:
        self.url, self.sqlite_path = url, sqlite_path
        self.connection: Any = None

    async def open(self) -> None:
        if self.sqlite_path:
            self.connection = sqlite3.connect(self.sqlite_path)
        else:
            import asyncpg

            self.connection = await asyncpg.connect(self.url)

    async def fetch(self, sql: str, args: list[Any]) -> dict[str, Any]:
        if self.sqlite_path:
            args = [a.isoformat() if isinstance(a, date) else a for a in args]
            cursor = self.connection.execute(sqlite_numbered(sql), args)
            row = cursor.fetchone()
            return dict(zip([c[0] for c in cursor.description], row, strict=True))
        return dict(await self.connection.fetchrow(sql, *args))

    async def close(self) -> None:
        if self.sqlite_path:
            self.connection.close()
        else:
            await self.connection.close()


def hand_args(kind: str, scope_value: str, period: Any) -> list[Any]:
    earlier = period.same_months_year_earlier()
    assert period.first.year == period.last.year, "the hand-written statement takes a period inside one year"
    mask = sum(1 << (m.month - 1) for m in period.months)
    upper = [str(int(scope_value) + 1).zfill(len(scope_value))] if kind == "region" else []
    return [scope_value, str(period.first), str(period.last), str(earlier.first), str(earlier.last),
            period.first.year, mask, period.first_day, period.last_day, *upper]


def agrees(hand: dict[str, Any], pay: dict[str, int], earlier: dict[str, int], employment: dict[str, int],
           workshops: tuple[int, int, list[tuple[str, int]]]) -> list[str]:
    """The names of the numbers where the baseline and the product differ (none, or the bench is void)."""
    h = {k: int(v or 0) for k, v in hand.items()}
    pairs = {
        "total_fen": (h["total_fen"], pay["total_fen"]),
        "total_fen_low": (h["total_fen_low"], pay["total_fen_low"]),
        "person_months": (h["pm"] + h["s_pm"], pay["person_months"]),
        "person_months_low": (h["pm_low"] + h["s_pm_low"], pay["person_months_low"]),
        "uplift_fen": (h["uplift_fen"] + h["s_uplift_fen"], pay["uplift_fen"]),
        "uplift_n": (h["uplift_n"] + h["s_uplift_n"], pay["uplift_n"]),
        "uplift_fen_low": (h["uplift_fen_low"] + h["s_uplift_fen_low"], pay["uplift_fen_low"]),
        "uplift_n_low": (h["uplift_n_low"] + h["s_uplift_n_low"], pay["uplift_n_low"]),
        "workers_paid": (h["workers_paid"], pay["workers_paid"]),
        "workers_paid_low": (h["workers_paid_low"], pay["workers_paid_low"]),
        "earlier total_fen": (h["total_fen0"], earlier["total_fen"]),
        "earlier total_fen_low": (h["total_fen_low0"], earlier["total_fen_low"]),
        "earlier person_months": (h["pm0"] + h["s_pm0"], earlier["person_months"]),
        "earlier person_months_low": (h["pm_low0"] + h["s_pm_low0"], earlier["person_months_low"]),
        "employed": (h["employed"], employment["employed"]),
        "employed_low": (h["employed_low"], employment["employed_low"]),
        "workshops": (h["workshops"], workshops[0]),
        "certified": (h["certified"], workshops[1]),
        "certified by level": (sorted((lv, h[f"certified_{lv}"]) for lv in ("county", "city", "province")
                                      if h[f"certified_{lv}"]), workshops[2]),
    }
    return [name for name, (a, b) in pairs.items() if a != b]


async def time_figures(engine: str, hand: Hand, county: str, shop: str, repeat: int) -> list[dict[str, Any]]:
    from ledger.core.metrics import Period, Scope
    from ledger.services import figures

    results = []
    for scope_text, period_text in ((f"region:{county}", "2023"), (f"workshop:{shop}", "2023-05")):
        scope, period = Scope.parse(scope_text), Period.parse(period_text)
        kind = scope_text.split(":")[0]
        value = county if kind == "region" else shop
        sqls, args = {form: hand_sql(engine, kind, form) for form in FORMS}, hand_args(kind, value, period)
        product_numbers = (await figures.pay_group(scope, period),
                           await figures.pay_group(scope, period.same_months_year_earlier()),
                           await figures.employment_group(scope, period), await figures.workshop_group(scope, period))
        for form, sql in sqls.items():
            differ = agrees(await hand.fetch(sql, args), *product_numbers)
            if differ:
                raise SystemExit(f"{engine} {scope_text} {period_text}: the hand-written statement ({form}) "
                                 f"differs in {differ}")
        times: dict[str, list[float]] = {"product": [], **{f: [] for f in FORMS}}
        for _ in range(repeat):
            calls: tuple[tuple[str, Any, tuple[Any, ...]], ...] = (
                ("product", figures.compute, (scope, period)),
                *((form, hand.fetch, (sql, args)) for form, sql in sqls.items()))
            for name, call, call_args in calls:
                start = time.perf_counter()
                await call(*call_args)
                times[name].append(time.perf_counter() - start)
        medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
        best = min(FORMS, key=lambda form: medians[form])
        results.append({"scope": scope_text, "period": period_text, **medians, "hand": medians[best],
                        "hand form": best})
    return results


async def child(args: argparse.Namespace) -> None:
    import dataset

    from ledger.db import engine as ledger_engine
    from ledger.settings import get_settings
    from ledger.tables import MonthlyPay, Workshop

    settings = get_settings()
    engine = "sqlite" if settings.is_sqlite else "postgresql"
    out: dict[str, Any] = {"engine": engine}
    county = None if args.whole else dataset.county_of_code(args.county)
    if not args.skip_generate:
        await dataset.reset_schema()
        out["load"] = await dataset.load(dataset.Sizes.at(args.scale), county)
    db = ledger_engine()
    out["pay rows"] = await MonthlyPay.count()
    in_county = Workshop.region_code.like(f"{args.county}%")
    out["county workshops"] = await Workshop.count().where(in_county)
    shop = (await Workshop.select(Workshop.code).where(in_county).order_by(Workshop.id).first())["code"]
    hand = Hand(settings.database_url, str(settings.sqlite_path) if settings.is_sqlite else None)
    await hand.open()
    if settings.is_sqlite:
        await db.run_ddl("DROP TABLE IF EXISTS sqlite_stat1")  # never analysed, as the product leaves it
        out["before ANALYZE"] = await time_figures(engine, hand, args.county, shop, args.repeat)
    start = time.perf_counter()
    await db.run_ddl("ANALYZE")
    out["analyze"] = time.perf_counter() - start
    if not settings.is_sqlite:
        await db.start_connection_pool()  # as ledger serve's lifespan does (PostgreSQL only)
    out["after ANALYZE"] = await time_figures(engine, hand, args.county, shop, args.repeat)
    if not settings.is_sqlite:
        await db.close_connection_pool()
    await hand.close()
    print("RESULT " + json.dumps(out), flush=True)


def report(out: dict[str, Any]) -> None:
    print(f"\n== {out['engine']}: {out['pay rows']:,} pay rows, {out['county workshops']} workshops in the county")
    for step, seconds in out.get("load", {}).items():
        print(f"   {step}: {seconds:.1f} s")
    print(f"   ANALYZE: {out['analyze']:.1f} s")
    for when in ("before ANALYZE", "after ANALYZE"):
        for r in out.get(when, []):
            print(f"   {when:<15} {r['scope']:<14} {r['period']:<8} product (all figures + growth) "
                  f"{r['product']:7.1f} ms | hand-written, same figures {r['hand']:6.1f} ms ({r['hand form']}) | "
                  f"product ÷ hand {r['product'] / r['hand']:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--county", default="330784", help="a county code of the data set (330701..330790)")
    parser.add_argument("--scale", type=float, default=1.0, help="the province's density (1 = the issue's)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sqlite", help="the scratch SQLite file (default: one in the temporary folder)")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--whole", action="store_true", help="load the whole province, not the county's slice")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the data sets already loaded")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    if args.child:
        asyncio.run(child(args))
        return
    engines = args.engines.split(",")
    postgres = os.environ.get("LEDGER_DATABASE_URL", "")
    if "postgresql" in engines and not postgres.startswith("postgres"):
        raise SystemExit("give a scratch PostgreSQL database in LEDGER_DATABASE_URL (or --engines sqlite)")
    sqlite_path = Path(args.sqlite or Path(tempfile.gettempdir()) / "ledger-county-bench.sqlite3").resolve()
    key = Path(tempfile.gettempdir()) / "ledger-county-bench.key"
    if not key.exists():
        key.write_text("bench-only key: the data set holds no real ID numbers")
    passed = [a for a in sys.argv[1:] if a not in ("--child",)]
    for name in engines:
        url = f"sqlite:///{sqlite_path}" if name == "sqlite" else postgres
        env = dict(os.environ, LEDGER_DATABASE_URL=url, LEDGER_KEY_FILE=str(key))
        run = subprocess.run([sys.executable, __file__, *passed, "--child"], env=env, capture_output=True,
                             text=True, check=False)
        result = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
        if run.returncode or not result:
            sys.stderr.write(run.stdout + run.stderr)
            raise SystemExit(f"{name}: the run failed (exit {run.returncode})")
        report(json.loads(result[0].removeprefix("RESULT ")))


if __name__ == "__main__":
    main()
