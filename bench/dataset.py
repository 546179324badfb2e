"""The province-shaped benchmark data set, by one set of SQL statements that runs on SQLite and PostgreSQL.

    LEDGER_DATABASE_URL=sqlite:////tmp/county.sqlite3 .venv/bin/python bench/dataset.py --county 330784
    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/SCRATCH .venv/bin/python bench/dataset.py --scale 0.1

The shape and the arithmetic are those of ``bench/province.py``'s GENERATE (generate_series, PostgreSQL
only): ``--scale 1`` is 12,000 workshops of 10 per enterprise in 90 county codes under 33, 500,000 workers
each placed from 2022-01 (open-ended), every 20th also at a second workshop for 2023-03..08, every 9th with
a low-income status, every 4th with a baseline, pay for every month of the placement in 2022-2023 (one
month in 17 zero), an adjustment on every 997th pay row, a certification on every third workshop. No
randomness: the same scale gives the same rows on either engine. The rows are made by recursive CTEs
(``WITH RECURSIVE``) and integer arithmetic on the row numbers; the few things the two dialects spell
differently (a date literal, adding days to a date) are in ``Dialect``.

Differences from province.py, on purpose:

* The 90 county codes are 330701..330790 (province.py: 330001..330090), and a workshop's county is
  its enterprise's (``1 + enterprise % 90``; province.py gave the workshop ``1 + (enterprise - 1) %
  90``), so that the issue's county, region:330784 (永康市), is one of them. At ``--scale 1`` it has
  130 workshops of 13 enterprises, 5,417 workers, 541 of them also at a second workshop, and 133,254
  pay rows. The multiplicative hash puts every second placement 7 workshops after the first, in the
  same enterprise, and only in odd-numbered enterprises: half the counties have none, the other half
  twice the province's 5 %. 330784 is of the second kind, so its figures read shared (worker, month)s.
* Every row gets its id from its row number (pay row (placement − 1) × 24 + month index + 1), so a
  county's slice holds the very rows, ids included, that the whole province holds for it; and the
  adjustments are every pay row with id % 997 = 0, which province.py's insertion order made depend on
  the plan.

``county=`` generates one county's slice at full-province density (for SQLite, where 12 M pay rows is a
long load): the county's workshops, every worker with a placement there, *all* of those workers'
placements (a second one elsewhere is what makes a (worker, month) shared, read at query time), the
workshops and enterprises they name, and their statuses and pay. Any figure of that county's workshops
is the same as in the whole province (``tests/bench/test_dataset.py`` checks it at a small scale).

Writes go by a raw connection with the dirty-key triggers silent, as a bulk load should: on PostgreSQL
``session_replication_role = replica`` (province.py's way), on SQLite the triggers of the loaded tables
are dropped and recreated from their own ``sqlite_master`` text in the same transaction. The aggregates
are then built once by ``ledger.services.aggregates.rebuild()`` (``load`` does it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTIES = 90
BUSINESS_TABLES = ("enterprise", "workshop", "certification", "worker", "low_income_status", "placement",
                   "monthly_pay", "adjustment")


def county_code(county: int) -> str:
    """County ``county`` (1..90) is region 3307xx: county 84 is 330784."""
    return f"3307{county:02d}"


def county_of_code(code: str) -> int:
    county = int(code[4:]) if len(code) == 6 and code.startswith("3307") and code[4:].isdigit() else 0
    if not 1 <= county <= COUNTIES:
        raise ValueError(f"the data set's counties are {county_code(1)}..{county_code(COUNTIES)}, not {code}")
    return county


@dataclass(frozen=True)
class Sizes:
    """The province's size at a scale (1 = the issue's province), as province.py computes it."""

    workshops: int
    workers: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(workshops=max(10, int(12_000 * scale)), workers=max(20, int(500_000 * scale)))

    @property
    def enterprises(self) -> int:
        return (self.workshops + 9) // 10


@dataclass(frozen=True)
class Dialect:
    name: str

    def date(self, iso: str) -> str:
        # SQLite stores a Piccolo Date as ISO text; CAST(... AS DATE) there would give a number
        return f"'{iso}'" if self.name == "sqlite" else f"DATE '{iso}'"

    def add_days(self, iso: str, days: str) -> str:
        if self.name == "sqlite":
            return f"date('{iso}', '+' || ({days}) || ' days')"
        return f"(DATE '{iso}' + ({days}))"

    def timestamp(self, iso: str) -> str:
        return f"'{iso}'" if self.name == "sqlite" else f"TIMESTAMPTZ '{iso}'"


def _county_expr(workshop: str) -> str:
    """The county (1..90, its code's last two digits) of a workshop id: its enterprise's."""
    return f"(1 + (1 + ({workshop} - 1) / 10) % {COUNTIES})"


def _code(county: str) -> str:
    return f"'3307' || substr(CAST(100 + {county} AS TEXT), 2)"


def statements(sizes: Sizes, dialect: Dialect, county: int | None = None) -> list[str]:
    """The load, as statements over scratch tables ``bench_*`` (TEMP: one connection)."""
    W, K = sizes.workshops, sizes.workers  # noqa: N806
    d = dialect.date
    if county is None:
        keep_worker = keep_workshop = "1 = 1"
    else:
        keep_worker = f"worker IN (SELECT worker FROM every_placement WHERE {_county_expr('workshop')} = {county})"
        keep_workshop = (f"{_county_expr('w')} = {county} "
                         f"OR w IN (SELECT workshop FROM bench_placement)")
    workers = "(SELECT DISTINCT worker AS k FROM bench_placement) x"
    return [
        # months 2022-01 .. 2023-12 as index i (0..23), text and calendar month
        """CREATE TEMP TABLE bench_month AS
            WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 23)
            SELECT i, CAST(2022 + i / 12 AS TEXT) || '-' || CASE WHEN i % 12 < 9 THEN '0' ELSE '' END
                      || CAST(1 + i % 12 AS TEXT) AS month, 1 + i % 12 AS mon FROM m""",
        # placement ids as province.py's serial gave them: k for the first, K + k/20 for the second
        f"""CREATE TEMP TABLE bench_placement AS
            WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {K}),
            every_placement AS (
                SELECT k AS id, k AS worker, 1 + (k * 2654435761 % {W}) AS workshop, 0 AS first_i, 23 AS last_i
                FROM n
                UNION ALL
                SELECT {K} + k / 20, k, 1 + ((k * 2654435761 + 7) % {W}), 14, 19 FROM n WHERE k % 20 = 0)
            SELECT id, worker, workshop, first_i, last_i FROM every_placement WHERE {keep_worker}""",
        f"""CREATE TEMP TABLE bench_workshop AS
            WITH RECURSIVE s(w) AS (SELECT 1 UNION ALL SELECT w + 1 FROM s WHERE w < {W})
            SELECT w FROM s WHERE {keep_workshop}""",
        f"""INSERT INTO enterprise (id, name, credit_code, region_code, created_at)
            SELECT e, '企业' || CAST(e AS TEXT), '91' || substr(CAST(10000000000000000 + e AS TEXT), 2),
                   {_code(f'(1 + e % {COUNTIES})')}, {dialect.timestamp('2024-01-01 00:00:00+00:00')}
            FROM (SELECT DISTINCT 1 + (w - 1) / 10 AS e FROM bench_workshop) x""",
        f"""INSERT INTO workshop (id, code, name, enterprise, workshop_type, village, region_code, opened_on,
                                  closed_on)
            SELECT w, 'W' || CAST(w AS TEXT), '工坊' || CAST(w AS TEXT), 1 + (w - 1) / 10, '来料加工式',
                   '村' || CAST(w AS TEXT), {_code(_county_expr('w'))}, {d('2019-01-01')}, NULL
            FROM bench_workshop""",
        # province.py's ARRAY['county', 'city', 'province'][1 + w % 3] over w ≡ 1 (mod 3): every one 'city'
        f"""INSERT INTO certification (id, workshop, title, level, issuer, batch, awarded_on, valid_until,
                                       status, withdrawn_on)
            SELECT (w + 2) / 3, w, '示范点',
                   CASE w % 3 WHEN 0 THEN 'county' WHEN 1 THEN 'city' ELSE 'province' END,
                   '组织部', '', {d('2021-06-01')}, NULL, '授牌', NULL
            FROM bench_workshop WHERE w % 3 = 1""",
        f"""INSERT INTO worker (id, name, id_number, id_hash, id_cipher, village, phone, phone_cipher,
                                baseline_income_fen)
            SELECT k, '人' || CAST(k AS TEXT), '330784********' || substr(CAST(10000 + k % 10000 AS TEXT), 2),
                   'h' || CAST(k AS TEXT), '', '村', '', '',
                   CASE WHEN k % 4 = 0 THEN 150000 + (CAST(k AS BIGINT) * 7919) % 100000 END
            FROM {workers}""",
        # every 9th worker is also every 3rd: each status ends 2023-06-30, as in province.py
        f"""INSERT INTO low_income_status (id, worker, category, valid_from, valid_to, source_document)
            SELECT k / 9, k, '低保', {dialect.add_days('2021-01-01', '(k * 37) % 900')},
                   CASE WHEN k % 3 = 0 THEN {d('2023-06-30')} END, ''
            FROM {workers} WHERE k % 9 = 0""",
        f"""INSERT INTO placement (id, worker, workshop, hired_on, left_on, pay_basis)
            SELECT id, worker, workshop, CASE WHEN first_i = 0 THEN {d('2022-01-01')} ELSE {d('2023-03-01')} END,
                   CASE WHEN last_i = 23 THEN NULL ELSE {d('2023-08-31')} END,
                   CASE WHEN first_i = 0 THEN '计件' ELSE '计时' END
            FROM bench_placement""",
        """INSERT INTO monthly_pay (id, placement, month, amount_fen, days_worked, hours, pieces)
            SELECT (p.id - 1) * 24 + m.i + 1, p.id, m.month,
                   CASE WHEN (p.id + m.mon) % 17 = 0 THEN 0
                        ELSE 150000 + (CAST(p.id AS BIGINT) * 7919 + m.mon * 104729) % 300000 END, 20, NULL, NULL
            FROM bench_placement p JOIN bench_month m ON m.i >= p.first_i AND m.i <= p.last_i""",
        """INSERT INTO adjustment (placement, month, delta_fen, reason, created_by, created_at)
            SELECT placement, month, -(amount_fen / 10) - 1, '更正', 'bench', '2024-01-01T00:00:00+00:00'
            FROM monthly_pay WHERE id % 997 = 0""",
        "DROP TABLE bench_month",
        "DROP TABLE bench_placement",
        "DROP TABLE bench_workshop",
    ]


def _sqlite_load(path: str, sql: list[str]) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA cache_size = -200000")  # 200 MB for this connection's bulk load
        connection.execute("BEGIN IMMEDIATE")
        names = ", ".join(f"'{t}'" for t in BUSINESS_TABLES)
        triggers = connection.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({names})").fetchall()
        for name, _ in triggers:
            connection.execute(f'DROP TRIGGER "{name}"')
        for statement in sql:
            connection.execute(statement)
        for _, text in triggers:
            connection.execute(text)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


async def _postgres_load(dsn: str, sql: list[str]) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            await connection.execute("SET LOCAL session_replication_role = replica")
            for statement in sql:
                await connection.execute(statement)
            # ids were given, not drawn: the serial sequences go on after them
            for table in BUSINESS_TABLES:
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table} HAVING COUNT(*) > 0")
    finally:
        await connection.close()


async def load_rows(sizes: Sizes, county: int | None = None) -> None:
    """Insert the data set into the configured database (``LEDGER_DATABASE_URL``), whose business
    tables must be empty; the aggregates are not touched (``load`` builds them)."""
    from ledger.settings import get_settings

    settings = get_settings()
    if settings.is_sqlite:
        # the sqlite3 module blocks; a bench and a test have nothing else to run meanwhile
        _sqlite_load(str(settings.sqlite_path), statements(sizes, Dialect("sqlite"), county))
    else:
        await _postgres_load(settings.database_url, statements(sizes, Dialect("postgres"), county))


async def load(sizes: Sizes, county: int | None = None) -> dict[str, float]:
    """Rows, then the aggregates by ``aggregates.rebuild()``; the seconds each took."""
    from ledger.services import aggregates

    start = time.perf_counter()
    await load_rows(sizes, county)
    times = {"generate": time.perf_counter() - start}
    start = time.perf_counter()
    await aggregates.rebuild()
    times["rebuild aggregates"] = time.perf_counter() - start
    return times


async def reset_schema() -> None:
    """A scratch database, emptied and migrated (the SQLite file is deleted first)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from ledger.db import engine

    db = engine()
    if db.engine_type == "sqlite":
        Path(db.path).unlink(missing_ok=True)
    else:
        await db.run_ddl("DROP SCHEMA public CASCADE")
        await db.run_ddl("CREATE SCHEMA public")
    result = await run_forwards("all")
    assert result.success, result.message


# --- what the statements must give, counted in Python (the test's reference) --------------------

def expected(sizes: Sizes, county: int | None = None) -> dict[str, int]:
    """Row counts and money sums of the data set, by the same arithmetic in plain Python."""
    W, K = sizes.workshops, sizes.workers  # noqa: N806

    def county_of(workshop: int) -> int:
        return 1 + (1 + (workshop - 1) // 10) % COUNTIES

    placements = [(k, k, 1 + (k * 2654435761 % W), 0, 23) for k in range(1, K + 1)]
    placements += [(K + k // 20, k, 1 + ((k * 2654435761 + 7) % W), 14, 19) for k in range(20, K + 1, 20)]
    if county is not None:
        kept = {p[1] for p in placements if county_of(p[2]) == county}
        placements = [p for p in placements if p[1] in kept]
    named = {p[2] for p in placements}
    workshops = {w for w in range(1, W + 1) if county is None or county_of(w) == county or w in named}
    workers = {p[1] for p in placements}
    pay = []
    for pid, _, _, first, last in placements:
        for i in range(first, last + 1):
            month = 1 + i % 12
            fen = 0 if (pid + month) % 17 == 0 else 150000 + (pid * 7919 + month * 104729) % 300000
            pay.append(((pid - 1) * 24 + i + 1, fen))
    adjustments = [-(fen // 10) - 1 for pay_id, fen in pay if pay_id % 997 == 0]
    return {
        "enterprise": len({1 + (w - 1) // 10 for w in workshops}),
        "workshop": len(workshops),
        "certification": sum(1 for w in workshops if w % 3 == 1),
        "worker": len(workers),
        "baselines": sum(1 for k in workers if k % 4 == 0),
        "low_income_status": sum(1 for k in workers if k % 9 == 0),
        "placement": len(placements),
        "monthly_pay": len(pay),
        "zero_pay": sum(1 for _, fen in pay if fen == 0),
        "pay_fen": sum(fen for _, fen in pay),
        "adjustment": len(adjustments),
        "adjustment_fen": sum(adjustments),
    }


async def counted() -> dict[str, int]:
    """The same counts and sums, read from the database."""
    from ledger.tables import Workshop

    async def one(sql: str) -> int:
        return int((await Workshop.raw(sql))[0]["n"] or 0)

    out = {table: await one(f"SELECT COUNT(*) AS n FROM {table}") for table in BUSINESS_TABLES}
    out["baselines"] = await one("SELECT COUNT(*) AS n FROM worker WHERE baseline_income_fen IS NOT NULL")
    out["zero_pay"] = await one("SELECT COUNT(*) AS n FROM monthly_pay WHERE amount_fen = 0")
    out["pay_fen"] = await one("SELECT SUM(amount_fen) AS n FROM monthly_pay")
    out["adjustment_fen"] = await one("SELECT SUM(delta_fen) AS n FROM adjustment")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the issue's province (default)")
    parser.add_argument("--county", help="only this county's slice, e.g. 330784 (at the scale's density)")
    args = parser.parse_args()
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    county = county_of_code(args.county) if args.county else None

    async def run() -> None:
        await reset_schema()
        for step, seconds in (await load(Sizes.at(args.scale), county)).items():
            print(f"{step}: {seconds:.1f} s")
        print({k: v for k, v in (await counted()).items()})

    asyncio.run(run())


if __name__ == "__main__":
    main()
