"""Where one group commit's time goes, seen from the server: ``write_bench.py --timeline``.

The bench serves the product through ``create_app`` here, which wraps four of the pay path's
steps with a clock before handing over to ``ledger.api.app.create_app``. Nothing in ``ledger``
changes; the wrappers only note when each step starts and ends:

* a pay record reaching the group commit (``ledger.db.Coalesced.__call__``),
* the message that begins a transaction and takes the writers' turn (``ledger.db._Turn._begin``),
* the statement that reads a batch's facts and inserts it (``employment.fetch_in_unit``),
* the journal's last INSERT, the aggregates' flush and the COMMIT (``aggregates.flush``).

When the server shuts down, the times go to the file named by ``LEDGER_BENCH_TIMELINE``, and
``summary`` turns them into the median of each phase of a group (PostgreSQL only: on SQLite
the pay path has no single facts statement). Use one concurrency per run (the medians mix the
groups of every round).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

ENV = "LEDGER_BENCH_TIMELINE"


def create_app() -> Any:
    import ledger.db as db
    from ledger.api.app import create_app as product
    from ledger.services import aggregates, employment

    events: list[tuple[Any, ...]] = []
    clock = time.perf_counter

    call, begin, fetch, flush = db.Coalesced.__call__, db._Turn._begin, employment.fetch_in_unit, aggregates.flush

    async def timed_call(self: Any, item: Any) -> Any:
        events.append(("arrive", clock()))
        return await call(self, item)

    async def timed_begin(self: Any) -> None:
        start = clock()
        await begin(self)
        events.append(("begin", start, clock()))

    async def timed_fetch(sql: str, *args: Any) -> Any:
        start = clock()
        rows = await fetch(sql, *args)
        events.append(("facts", start, clock()))
        return rows

    async def timed_flush(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        committed = await flush(*args, **kwargs)
        events.append(("commit", start, clock()))
        return committed

    db.Coalesced.__call__ = timed_call  # type: ignore[method-assign]
    db._Turn._begin = timed_begin  # type: ignore[method-assign]
    employment.fetch_in_unit = timed_fetch
    aggregates.flush = timed_flush
    app = product()
    app.on_shutdown.append(lambda: Path(os.environ[ENV]).write_text(json.dumps(events)))
    return app


PHASES = [
    ("answers out, first request of the next group in", "outside the turn: Python (answers, request) and the client"),
    ("requests of the group arriving", "Python: the group's other requests read and checked"),
    ("first request to BEGIN sent", "Python: the requests already read go first"),
    ("BEGIN and the writers' turn", "round trip"),
    ("last request to the batch taken", "idle: waiting for the BEGIN's answer"),
    ("facts read and records inserted", "round trip"),
    ("Python in the turn", "outcomes, journal entries"),
    ("journal, flush and COMMIT", "round trip (the commit's WAL flush included)"),
    ("cycle (COMMIT to COMMIT)", ""),
]


def summary(path: Path) -> list[str]:
    """The median of each phase over the groups in the file (ms), as lines to print."""
    events = json.loads(path.read_text())
    arrivals = sorted(e[1] for e in events if e[0] == "arrive")
    steps = {kind: sorted((e[1], e[2]) for e in events if e[0] == kind) for kind in ("begin", "facts", "commit")}
    phases: list[list[float]] = [[] for _ in PHASES]
    sizes = []
    previous_commit = None
    taken = 0  # arrivals already in a group
    for start, ready in steps["begin"]:
        facts = next(((a, b) for a, b in steps["facts"] if a >= ready), None)
        commit = next(((a, b) for a, b in steps["commit"] if facts and a >= facts[1]), None)
        if facts is None or commit is None:
            break
        mine = [t for t in arrivals[taken:] if t <= facts[0]]
        taken += len(mine)
        if not mine:
            continue
        if previous_commit is not None:
            values = [mine[0] - previous_commit, mine[-1] - mine[0], start - mine[0], ready - start,
                      max(0.0, ready - mine[-1]),
                      facts[1] - facts[0], commit[0] - facts[1], commit[1] - commit[0], commit[1] - previous_commit]
            for phase, value in zip(phases, values, strict=True):
                phase.append(value * 1000)
            sizes.append(len(mine))
        previous_commit = commit[1]
    if not sizes:
        return ["timeline: no complete group was recorded"]
    lines = [f"timeline of a group commit, medians over {len(sizes)} groups of {statistics.mean(sizes):.1f} "
             f"requests on average (ms):"]
    for (name, what), values in zip(PHASES, phases, strict=True):
        lines.append(f"    {statistics.median(values):6.3f}  {name}{f'  ({what})' if what else ''}")
    return lines
