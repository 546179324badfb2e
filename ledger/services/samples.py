"""Audit samples drawn from the database, stored with the sign-off they support, re-drawn.

The population of a sample is the pay records (``monthly_pay``) of a scope and period,
read as (pay id, workshop, month, fen) — four small columns, the one thing a sample needs
row by row. The draw itself is ``ledger.core.sampling.draw``: the same seed and records
give the same sample on any engine. Storing a sample is a journaled write; re-drawing a
stored one says whether the records and the sample are still the same.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from ledger import access
from ledger.core.enums import Role
from ledger.core.money import fen_str
from ledger.core.problems import Problem
from ledger.core.sampling import MAX_SEED_LENGTH, Sample, SampleMethod, Unit, check_seed, draw
from ledger.db import write_transaction
from ledger.errors import ValidationFailed
from ledger.services import journal
from ledger.services.common import MAX_ID, get_row
from ledger.services.figures import check_scope_exists, parse_scope_period, require_reader, scope_sql
from ledger.tables import AuditSample, MonthLock, Workshop

MAX_SAMPLE_SIZE = 10_000


def new_seed() -> str:
    """A seed for whoever did not bring one: 16 random digits (recorded with the sample)."""
    return str(secrets.randbelow(10**16)).zfill(16)


def check_arguments(method: str, size: Any, seed: str | None) -> None:
    problems = []
    if method not in {m.value for m in SampleMethod}:
        problems.append(Problem("method", "method", "抽样方法应为 random、stratified 或 mus",
                                "the method is random, stratified or mus"))
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SAMPLE_SIZE:
        problems.append(Problem("size", "size", f"样本量应为 1 到 {MAX_SAMPLE_SIZE} 的整数",
                                f"the size is a whole number from 1 to {MAX_SAMPLE_SIZE}"))
    if seed is not None and not check_seed(seed):
        problems.append(Problem("seed", "seed", f"种子应为 1–{MAX_SEED_LENGTH} 个可打印 ASCII 字符（不含空格和 |）",
                                f"a seed is 1–{MAX_SEED_LENGTH} printable ASCII characters (no space, no |)"))
    if problems:
        raise ValidationFailed(problems)


async def population(scope_text: str, period_text: str) -> list[Unit]:
    scope, period = parse_scope_period(scope_text, period_text)
    await check_scope_exists(scope)
    where, args = scope_sql(scope)
    rows = await Workshop.raw(f"""
        SELECT mp.id AS pay_id, w.code AS workshop, mp.month AS month, mp.amount_fen AS fen
        FROM monthly_pay mp JOIN placement p ON p.id = mp.placement JOIN workshop w ON w.id = p.workshop
        WHERE mp.month >= {{}} AND mp.month <= {{}} AND {where} ORDER BY mp.id""",
                              str(period.first), str(period.last), *args)
    return [Unit(int(r["pay_id"]), r["workshop"], r["month"], int(r["fen"])) for r in rows]


async def draw_sample(scope_text: str, period_text: str, method: str, size: int, seed: str | None) -> Sample:
    """Draw (not store) a sample; without a seed, one is made and reported."""
    require_reader()
    check_arguments(method, size, seed)
    return draw(await population(scope_text, period_text), method, size, seed or new_seed())


def sample_json(sample: Sample) -> dict[str, Any]:
    """The CLI contract: {seed, method, size, records: [{pay_id, workshop, month, amount}]}."""
    return {"seed": sample.seed, "method": sample.method.value, "size": sample.size,
            "records": [{"pay_id": u.pay_id, "workshop": u.workshop, "month": u.month,
                         "amount": fen_str(u.amount_fen)} for u in sample.records]}


async def store_sample(scope_text: str, period_text: str, method: str, size: int, seed: str | None,
                       lock_id: int | None = None, note: str = "") -> dict[str, Any]:
    """Draw and store a sample with the sign-off (month lock) it supports; auditors only."""
    access.require(Role.auditor, doing_zh="保存审计抽样", doing_en="storing an audit sample")
    check_arguments(method, size, seed)
    problems = []
    scope, period = parse_scope_period(scope_text, period_text)
    if lock_id is not None:
        lock = None
        if isinstance(lock_id, int) and 1 <= lock_id <= MAX_ID:
            lock = await MonthLock.select(MonthLock.month, MonthLock.reopened_at).where(MonthLock.id == lock_id).first()
        if lock is None:
            problems.append(Problem("lock", "unknown_reference", f"锁定 #{lock_id} 不存在", f"no lock #{lock_id}"))
        elif lock["reopened_at"] or not str(period.first) <= lock["month"] <= str(period.last):
            problems.append(Problem("lock", "lock_mismatch",
                                    f"锁定 #{lock_id}（{lock['month']}）已撤销或不在抽样期间 {period} 内",
                                    f"lock #{lock_id} ({lock['month']}) was reopened or lies outside the period {period}"))
    if len(note or "") > 300:
        problems.append(Problem("note", "too_long", "说明至多 300 字", "a note is at most 300 characters"))
    if problems:
        raise ValidationFailed(problems)
    sample = draw(await population(scope_text, period_text), method, size, seed or new_seed())
    async with write_transaction():
        row = await journal.insert(AuditSample, {
            "scope": str(scope), "period": str(period), "method": sample.method.value, "seed": sample.seed,
            "size": sample.size, "month_lock": lock_id, "population_count": sample.population_count,
            "population_total_fen": sample.population_total_fen, "population_digest": sample.population_digest,
            "records": json.dumps([u.pay_id for u in sample.records]), "drawn_by": access.current().username,
            "drawn_at": journal.now_iso(), "note": note or ""})
    return stored_json(row)


def stored_json(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "scope": row["scope"], "period": row["period"], "method": row["method"],
            "seed": row["seed"], "size": row["size"], "lock": row["month_lock"],
            "population_count": row["population_count"],
            "population_total": fen_str(row["population_total_fen"]),
            "population_digest": row["population_digest"], "records": json.loads(row["records"]),
            "drawn_by": row["drawn_by"], "drawn_at": row["drawn_at"], "note": row["note"]}


async def get_sample(sample_id: int) -> dict[str, Any]:
    require_reader()
    return stored_json(await get_row(AuditSample, sample_id, "审计抽样", "audit sample"))


async def list_samples() -> list[dict[str, Any]]:
    require_reader()
    return [stored_json(r) for r in await AuditSample.select().order_by(AuditSample.id, ascending=False).limit(200)]


async def redraw(sample_id: int) -> dict[str, Any]:
    """Draw a stored sample again from its seed: are the records and the sample the same?"""
    stored = await get_sample(sample_id)
    again = draw(await population(stored["scope"], stored["period"]), stored["method"], stored["size"],
                 stored["seed"])
    same_population = again.population_digest == stored["population_digest"]
    same_records = [u.pay_id for u in again.records] == stored["records"]
    return {"sample": stored_json_id(stored), "same_population": same_population, "same_records": same_records,
            "redrawn": sample_json(again)}


def stored_json_id(stored: dict[str, Any]) -> dict[str, Any]:
    return {k: stored[k] for k in ("id", "scope", "period", "method", "seed", "size", "lock")}


async def inspection_sheet(sample_id: int) -> bytes:
    """The sheet an inspector takes to the workshop: one row per drawn record (workshop,
    month, name, masked ID number, amount, days) and empty columns for what was found."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ledger.services.signals import signal_rows

    stored = await get_sample(sample_id)
    rows = await signal_rows(stored["records"])
    book = Workbook()
    sheet = book.active
    sheet.title = "现场核查 Inspection"
    sheet.append([f"审计抽样 #{stored['id']} · 范围 {stored['scope']} · 期间 {stored['period']} · "
                  f"方法 {SampleMethod(stored['method']).label} ({stored['method']}) · 种子 seed {stored['seed']} · "
                  f"样本量 {stored['size']} · 总体 {stored['population_count']} 条 / {stored['population_total']} 元"])
    header = ["序号 No.", "工坊 workshop", "月份 month", "收入记录 pay id", "姓名 name", "身份证号（脱敏）ID (masked)",
              "金额（元）amount", "出勤天数 days", "核查结果 found", "核查人 inspector", "备注 note"]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for n, r in enumerate(rows, start=1):
        sheet.append([n, r["workshop"], r["month"], r["pay_id"], r["name"], r["id_number"], r["amount"],
                      r["days_worked"], "", "", ""])
    for column, width in zip("ABCDEFGHIJK", (6, 10, 9, 10, 10, 22, 14, 8, 30, 12, 20), strict=True):
        sheet.column_dimensions[column].width = width
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
