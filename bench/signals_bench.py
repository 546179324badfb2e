"""Time the anomaly signals over the demo beside the official figures, on the configured
database (loads the demo if it is not there). Usage:

    python bench/signals_bench.py [--scope region:330784] [--period 2023] [--repeat 5]

Prints the median of ``--repeat`` runs of: the figures (``ledger figures``), the signals by
aggregate SQL (``ledger signals``), the dashboard's data (signals included), and — for
comparison — the pure reference (``ledger.core.signals.detect``) fed by loading every pay
record of the period into Python.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def _reference(scope_text: str, period_text: str) -> int:
    from ledger.core.signals import PayRecord, detect, previous_month
    from ledger.services import signals
    from ledger.services.figures import parse_scope_period
    from ledger.tables import Workshop

    scope, period = parse_scope_period(scope_text, period_text)
    sql, args = signals.records_sql(scope)
    rows = await Workshop.raw(sql, previous_month(str(period.first)), str(period.last), *args)

    def employed(r: dict) -> int:
        first = date(int(r["month"][:4]), int(r["month"][5:]), 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        hired = date.fromisoformat(str(r["hired_on"])[:10])
        left = date.fromisoformat(str(r["left_on"])[:10]) if r["left_on"] else last
        return (min(last, left) - max(first, hired)).days + 1

    records = [PayRecord(int(r["pay_id"]), str(r["worker"]), r["workshop"], r["month"], int(r["fen"]), int(r["days"]),
                         employed(r)) for r in rows]
    return len(detect(records, [str(m) for m in period.months]))


async def main(scope: str, period: str, repeat: int) -> None:
    from ledger.cli import migrate
    from ledger.cli.imports import _with_engine
    from ledger.db import engine
    from ledger.services import claims, dashboard, signals
    from seeds.demo import load_demo

    async def run() -> None:
        await migrate()
        await load_demo()
        timings: dict[str, list[float]] = {}
        counts: dict[str, int] = {}
        for _ in range(repeat):
            for name, work in (("figures", lambda: claims.compute_figures(scope, period)),
                               ("signals (SQL)", lambda: signals.compute(scope, period)),
                               ("dashboard data", lambda: dashboard.dashboard(scope, period)),
                               ("signals (Python reference, every row loaded)", lambda: _reference(scope, period))):
                started = time.perf_counter()
                result = await work()
                timings.setdefault(name, []).append(time.perf_counter() - started)
                if name == "signals (SQL)":
                    counts[name] = len(result.signals)
                elif name.startswith("signals (Python"):
                    counts[name] = result
        print(f"engine {engine().engine_type}, scope {scope}, period {period}, median of {repeat} runs")
        for name, times in timings.items():
            extra = f"  ({counts[name]} signals)" if name in counts else ""
            print(f"  {name:<48} {statistics.median(times) * 1000:8.0f} ms{extra}")

    await _with_engine(run())


if __name__ == "__main__":
    import os

    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    parser = argparse.ArgumentParser()
    parser.add_argument("--scope", default="region:330784")
    parser.add_argument("--period", default="2023")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    asyncio.run(main(options.scope, options.period, options.repeat))
