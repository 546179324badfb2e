"""Reading the audit journal: for auditors and admins only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger import access
from ledger.core.enums import Role
from ledger.core.problems import Problem
from ledger.errors import ValidationFailed
from ledger.services import journal
from ledger.services.common import Page, paginate
from ledger.tables import AuditEntry


def require_reader() -> None:
    access.require(Role.auditor, Role.admin, doing_zh="查看审计日志", doing_en="reading the journal")


def _time(field: str, value: str | None) -> str | None:
    from datetime import UTC, datetime

    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed([Problem(field, "datetime", "时间格式应为 ISO 8601，如 2026-11-26T08:00:00Z",
                                        "a time is ISO 8601, e.g. 2026-11-26T08:00:00Z")]) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="microseconds")


async def list_entries(page: int = 1, page_size: int = 50, table: str | None = None, row_id: int | None = None,
                       user: str | None = None, since: str | None = None, until: str | None = None) -> Page:
    require_reader()
    where: list[Any] = []
    if table:
        where.append(AuditEntry.table_name == table)
    if row_id is not None:
        where.append(AuditEntry.row_id == row_id)
    if user:
        where.append(AuditEntry.username == user)
    if (start := _time("since", since)) is not None:
        where.append(AuditEntry.at >= start)
    if (end := _time("until", until)) is not None:
        where.append(AuditEntry.at < end)
    result = await paginate(AuditEntry, where, page, page_size)
    return Page([journal.entry_out(r) for r in result.items], result.total, result.page, result.page_size)


async def verify(progress: Callable[[str], None] | None = None) -> journal.Verification:
    """The journal's chain and replay, and the figures' aggregates against the rows they sum.
    ``progress`` hears a line per step (entries read, chain checked, each table replayed)."""
    from dataclasses import replace

    from ledger.services import aggregates

    require_reader()
    result = await journal.verify(progress=progress)
    if progress:
        progress("汇总表与原始记录比对中 / checking the figures' aggregates against the rows")
    differs = [journal.Finding("aggregate_differs", None,
                               f"汇总表 {d.table} 与原始记录不符：缺 {d.missing} 行、多 {d.extra} 行"
                               "（请运行 ledger figures --check 查看，--rebuild 重建）",
                               f"aggregate table {d.table} differs from the rows: {d.missing} missing, "
                               f"{d.extra} extra (see ledger figures --check; --rebuild repairs it)")
               for d in await aggregates.check()]
    return replace(result, findings=[*result.findings, *differs]) if differs else result
