"""Public tables: figures by workshop (or region) and month that reveal no person.

One aggregate query gives, per row (a workshop, or a region code) and month, the people paid
(person-months: a worker paid at two workshops counts in both) and the pay; margins are the
sums of the cells. ``ledger.core.suppression`` decides which entries are withheld; the table
is published in long form — one line per entry, margins included — sorted, and sealed like
the records (kind ``table``), so anyone can check a copy against the seal.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ledger import access
from ledger.core import seal as core_seal
from ledger.core.enums import Role
from ledger.core.money import fen_str, fen_to_yuan
from ledger.core.suppression import TOTAL, Grid, Reason, suppress
from ledger.db import write_transaction
from ledger.services import figures as figure_service
from ledger.services import journal, seals
from ledger.tables import Seal

COLUMNS = ["行", "月份", "有收入人月数", "合计增收(元)", "人均月增收(元)", "说明"]
WITHHELD = "—"
DEFAULT_K = 5


def _publisher() -> access.Actor:
    return access.require(Role.auditor, Role.admin, doing_zh="发布公开表", doing_en="publishing a table")


async def _cells(scope_text: str, period_text: str, by: str) -> tuple[Any, list[str], list[str], dict]:
    scope, period = figure_service.parse_scope_period(scope_text, period_text)
    await figure_service.check_scope_exists(scope)
    where, args = figure_service.scope_sql(scope)
    label = "w.code" if by == "workshop" else "w.region_code"
    rows = await Seal.raw(f"""
        SELECT label, month, COUNT(*) AS people, SUM(fen) AS fen FROM (
            SELECT {label} AS label, mp.month AS month, p.worker AS worker, SUM(mp.fen) AS fen
            FROM ({figure_service.PAY_AND_ADJUSTMENTS}) mp
            JOIN placement p ON p.id = mp.placement JOIN workshop w ON w.id = p.workshop
            WHERE {where}
            GROUP BY {label}, mp.month, p.worker
            HAVING SUM(mp.fen) > 0
        ) paid GROUP BY label, month""", *figure_service.period_args(period, args))
    labels = sorted({r["label"] for r in rows})
    months = [str(m) for m in period.months]
    values = {(r["label"], r["month"]): (int(r["people"]), int(r["fen"])) for r in rows}
    return (scope, period), labels, months, values


def _line(label: str, month: str, people: int, fen: int, reason: Reason | None, k: int) -> list[str]:
    if reason is not None:
        return [label, month, WITHHELD, WITHHELD, WITHHELD, f"{reason.zh.format(k=k)} / {reason.en.format(k=k)}"]
    average = "" if people == 0 else str((fen_to_yuan(fen) / Decimal(people)).quantize(Decimal("0.01"),
                                                                                         rounding="ROUND_HALF_UP"))
    return [label, month, str(people), fen_str(fen), average, ""]


async def public_table(scope_text: str, period_text: str, *, k: int = DEFAULT_K, by: str = "workshop"
                       ) -> dict[str, Any]:
    """The table, its withheld entries and why, and its seal (stored and journaled)."""
    actor = _publisher()
    (scope, period), labels, months, values = await _cells(scope_text, period_text, by)
    people = Grid(tuple(tuple(values.get((lb, m), (0, 0))[0] for m in months) for lb in labels))
    money = Grid(tuple(tuple(values.get((lb, m), (0, 0))[1] for m in months) for lb in labels))
    withheld = suppress(people, k) if labels else {}
    row_names, col_names = [*labels, TOTAL], [*months, TOTAL]
    lines = []
    if labels:
        heads, fens = people.with_margins(), money.with_margins()
        lines = [_line(name, month, heads[r][c], fens[r][c], withheld.get((r, c)), k)
                 for r, name in enumerate(row_names) for c, month in enumerate(col_names)]
    lines.sort()
    async with write_transaction():
        previous = await Seal.select(Seal.id).where(
            (Seal.kind == "table") & (Seal.scope == str(scope)) & (Seal.period == str(period))
        ).order_by(Seal.id, ascending=False).first()
        at = journal.now_iso()
        seq, head = await journal.head()
        payload = core_seal.sheet_payload(COLUMNS, lines, group_by=["行"], sum_column=None, kind="table",
                                          scope=str(scope), period=str(period), by=by, k=k, sealed_at=at,
                                          sealed_by=actor.username, journal_head={"seq": seq, "hash": head},
                                          supersedes=previous["id"] if previous else None)
        document = core_seal.sign(payload, seals.signing_key())
        row = await journal.insert(Seal, {
            "kind": "table", "scope": str(scope), "period": str(period), "lock": None,
            "supersedes": previous["id"] if previous else None, "merkle_root": payload["merkle_root"],
            "created_by": actor.username, "created_at": at, "document": json.dumps(document, ensure_ascii=False)})
    suppressed = [{"row": row_names[r], "month": col_names[c], "reason": reason.value,
                   "zh": reason.zh.format(k=k), "en": reason.en.format(k=k)}
                  for (r, c), reason in sorted(withheld.items())]
    return {"scope": str(scope), "period": str(period), "by": by, "k": k, "columns": COLUMNS, "rows": lines,
            "suppressed": suppressed, "seal_id": row["id"], "seal": document,
            "note_zh": f"有收入人月数少于 {k} 的格不公布；合计为各格之和（一人在两个工坊务工计两次）。",
            "note_en": f"entries describing fewer than {k} people are withheld; totals are sums of the cells "
                       "(a person paid at two workshops counts in both)."}
