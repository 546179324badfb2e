"""Helpers every service shares: problem collection, today, pagination, look-ups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from piccolo.table import Table

from ledger.core import rules
from ledger.core.problems import Problem
from ledger.errors import Conflict, NotFound, ValidationFailed
from ledger.settings import get_settings

T = TypeVar("T")

MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000
MAX_ID = 2**31 - 1
"""Row ids are 32-bit serials on PostgreSQL; a larger number names no row (and must not
reach the driver, which would overflow)."""


def in_list(values: Iterable[Any], none: Any = -1) -> list[Any]:
    """The values for an IN (...) list; never empty (``IN ()`` is not SQL), and the
    placeholder has the column's type (PostgreSQL's driver checks it)."""
    return list(values) or [none]


def today() -> date:
    override = get_settings().today
    return date.fromisoformat(override) if override else date.today()


def confirmed(data: dict[str, Any]) -> bool:
    """Whether a write says that its unusual amounts are meant (``confirm_unusual``)."""
    return data.get("confirm_unusual") is True


def plausible_month() -> rules.PlausibleMonth:
    return get_settings().plausible_month


def same_money(new: Any, stored: str | None) -> bool:
    """Whether a money value sent with an update is the stored one (then it is not asked about
    again: it was when it was set)."""
    return rules.check_money("amount", new, optional=True)[0] == rules.check_money("amount", stored, optional=True)[0]


class Collector:
    """Gathers problems from many checks so that all of them are reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.conflicts: list[Problem] = []

    def take(self, result: tuple[T, list[Problem]]) -> T:
        value, problems = result
        self.problems.extend(problems)
        return value

    def add(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def conflict(self, problem: Problem) -> None:
        self.conflicts.append(problem)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationFailed(self.problems + self.conflicts)
        if self.conflicts:
            raise Conflict(self.conflicts)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


def check_paging(page: int, page_size: int) -> None:
    problems = []
    if not 1 <= page <= MAX_PAGE:
        problems.append(Problem("page", "page", f"页码须在 1 到 {MAX_PAGE} 之间",
                                f"page must be between 1 and {MAX_PAGE}"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(Problem("page_size", "page_size", f"每页条数须在 1 到 {MAX_PAGE_SIZE} 之间",
                                f"page_size must be between 1 and {MAX_PAGE_SIZE}"))
    if problems:
        raise ValidationFailed(problems)


async def paginate(table: type[Table], where: list[Any], page: int, page_size: int,
                   columns: list[Any] | None = None) -> Page:
    check_paging(page, page_size)
    query = table.select(*(columns or []))
    count = table.count()
    for clause in where:
        query = query.where(clause)
        count = count.where(clause)
    rows = await query.order_by(table._meta.primary_key).limit(page_size).offset((page - 1) * page_size)
    return Page(items=rows, total=await count, page=page, page_size=page_size)


def hidden(label_zh: str, label_en: str, row_id: int) -> NotFound:
    """What an operator is told about another workshop's row: that it is not there for them
    (the same answer as for a row that does not exist, so existence does not leak)."""
    return NotFound([Problem("id", "not_found", f"{label_zh}不存在（id={row_id}）",
                             f"no {label_en} with id {row_id}")])


async def get_row(table: type[Table], row_id: int, label_zh: str, label_en: str) -> dict[str, Any]:
    row = None
    if 1 <= row_id <= MAX_ID:
        row = await table.select().where(table._meta.primary_key == row_id).first()
    if row is None:
        raise NotFound([Problem("id", "not_found", f"{label_zh}不存在（id={row_id}）",
                                f"no {label_en} with id {row_id}")])
    return row


def reference_problems(row_id: Any, field: str) -> list[Problem]:
    """What is wrong with a reference as given (missing, not an integer id), before any look-up."""
    if row_id is None:
        return [Problem(field, "required", "必填项不能为空", "is required")]
    if isinstance(row_id, bool) or not isinstance(row_id, int):
        return [Problem(field, "int", "应为整数编号", "must be an integer id")]
    return []


def unknown_reference(field: str, row_id: Any, label_zh: str, label_en: str) -> Problem:
    return Problem(field, "unknown_reference", f"{label_zh}不存在（id={row_id}）", f"no {label_en} with id {row_id}")


async def reference_exists(table: type[Table], row_id: Any, field: str, label_zh: str, label_en: str,
                           checks: Collector) -> dict[str, Any] | None:
    """Look up a referenced row; a missing one is a problem with the referring field."""
    problems = reference_problems(row_id, field)
    if problems:
        checks.add(problems)
        return None
    row = None
    if 1 <= row_id <= MAX_ID:
        row = await table.select().where(table._meta.primary_key == row_id).first()
    if row is None:
        checks.add([unknown_reference(field, row_id, label_zh, label_en)])
    return row


async def check_deletable(table: type[Table], row_id: Any) -> None:
    """A row that others refer to cannot be deleted (the foreign keys restrict it too);
    say so plainly rather than fail in the database."""
    from piccolo.columns import ForeignKey

    from ledger.tables import JOURNALED_TABLES

    for other in JOURNALED_TABLES:
        for column in other._meta.foreign_key_columns:
            assert isinstance(column, ForeignKey)
            if column._foreign_key_meta.resolved_references is table:
                if await other.exists().where(column == row_id):
                    name = other._meta.tablename
                    raise Conflict([Problem("id", "referenced", f"仍有{name}记录引用此行，不能删除",
                                            f"rows in {name} still refer to this row; it cannot be deleted")])
