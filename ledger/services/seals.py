"""Seals: what a sign-off fixed, signed so that anyone can check a published sheet against it.

Signing off a month seals it: the month's pay records and adjustments in the lock's scope (a
sheet of rows, one per record, persons as their keyed hash), the figures at that moment and
the journal head, under a Merkle root signed with the installation's Ed25519 key
(``ledger/core/seal.py`` is the format and the verifier). A seal is never deleted: after a
reopening, the next sign-off makes a new one that names the one it supersedes, and every
stored claim whose period it touches is reconciled against it and recorded — so a
restatement (a claim whose reconciliation moved between seals) can be listed.

A year (or any span of months) is sealed on request once every month in it is signed off.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import Workbook

from ledger import access, crypto
from ledger.core import seal as core
from ledger.core.enums import Role
from ledger.core.metrics import Period, Scope, ScopeKind
from ledger.core.money import fen_str
from ledger.core.problems import Problem
from ledger.db import write_transaction
from ledger.errors import Conflict, NotFound
from ledger.services import figures as figure_service
from ledger.services import journal
from ledger.tables import Claim, ClaimCheck, MonthLock, Seal, Workshop

RECORD_COLUMNS = ["月份", "工坊编码", "人员标识", "类别", "金额(元)", "出勤天数"]
"""The sealed sheet of records: month, workshop, person (keyed hash of the ID number), kind
(工资 a pay record, 调整 an adjustment), amount in yuan, days worked (empty for adjustments)."""
GROUP_BY = ["工坊编码", "月份"]
SUM_COLUMN = "金额(元)"
RECORDS_SQL = """
    SELECT placement, month, 'pay' AS kind, amount_fen AS fen, days_worked AS days
    FROM monthly_pay WHERE month >= {} AND month <= {}
    UNION ALL
    SELECT placement, month, 'adjustment' AS kind, delta_fen AS fen, NULL AS days
    FROM adjustment WHERE month >= {} AND month <= {}"""


def signing_key() -> Ed25519PrivateKey:
    """The installation's seal key, derived from its master secret (nothing more to back up)."""
    return Ed25519PrivateKey.from_private_bytes(crypto.derive_key(b"seal-signing"))


def public_key_pem() -> str:
    return core.public_pem(signing_key())


def require_reader() -> None:
    access.require(Role.auditor, Role.admin, doing_zh="查看封存", doing_en="reading seals")


async def record_rows(scope: Scope, period: Period) -> list[list[str]]:
    """The sheet of records of a scope and period, in the sealed order."""
    where, args = figure_service.scope_sql(scope)
    rows = await Seal.raw(f"""
        SELECT r.month AS month, w.code AS workshop, wk.id_hash AS person, r.kind AS kind, r.fen AS fen,
               r.days AS days
        FROM ({RECORDS_SQL}) r
        JOIN placement p ON p.id = r.placement JOIN workshop w ON w.id = p.workshop JOIN worker wk ON wk.id = p.worker
        WHERE {where}""", *figure_service.period_args(period, args))
    sheet = [[r["month"], r["workshop"], r["person"], "工资" if r["kind"] == "pay" else "调整", fen_str(int(r["fen"])),
              "" if r["days"] is None else str(r["days"])] for r in rows]
    return sorted(sheet)


async def _latest(kind: str, scope: Scope, period: Period) -> dict[str, Any] | None:
    return await Seal.select().where((Seal.kind == kind) & (Seal.scope == str(scope)) & (Seal.period == str(period))
                                     ).order_by(Seal.id, ascending=False).first()


async def make_seal(scope: Scope, period: Period, lock_id: int | None = None) -> dict[str, Any]:
    """Seal the records of a scope and period now (inside the caller's transaction, if any)."""
    from ledger.services.claims import figures_json

    actor = access.current()
    async with write_transaction():
        rows = await record_rows(scope, period)
        figure_set = await figure_service.compute(scope, period, with_growth=False)
        seq, head_hash = await journal.head()
        previous = await _latest("records", scope, period)
        at = journal.now_iso()
        payload = core.sheet_payload(
            RECORD_COLUMNS, rows, group_by=GROUP_BY, sum_column=SUM_COLUMN,
            kind="records", scope=str(scope), period=str(period), sealed_at=at, sealed_by=actor.username,
            lock=lock_id, supersedes=previous["id"] if previous else None,
            journal_head={"seq": seq, "hash": head_hash}, figures=figures_json(figure_set))
        document = core.sign(payload, signing_key())
        row = await journal.insert(Seal, {
            "kind": "records", "scope": str(scope), "period": str(period), "lock": lock_id,
            "supersedes": previous["id"] if previous else None, "merkle_root": payload["merkle_root"],
            "created_by": actor.username, "created_at": at, "document": json.dumps(document, ensure_ascii=False)})
        await record_claim_checks(row["id"], period)
    return row


async def seal_lock(lock: dict[str, Any]) -> dict[str, Any]:
    """The seal a sign-off makes: the lock's month, for its workshop or for all workshops."""
    if lock["workshop"] is None:
        scope = Scope(ScopeKind.all)
    else:
        code = (await Workshop.select(Workshop.code).where(Workshop.id == lock["workshop"]).first())["code"]
        scope = Scope(ScopeKind.workshop, code)
    return await make_seal(scope, Period.parse(lock["month"]), lock["id"])


def _scope_of(workshop: str | None) -> Scope:
    return Scope(ScopeKind.workshop, workshop) if workshop else Scope(ScopeKind.all)


async def _open_months(scope: Scope, period: Period) -> list[str]:
    """The months of the period that no active lock covers for this scope."""
    covering = MonthLock.workshop.is_null()
    if scope.kind is ScopeKind.workshop:
        workshop = await Workshop.select(Workshop.id).where(Workshop.code == scope.value).first()
        if workshop is not None:
            covering = covering | (MonthLock.workshop == workshop["id"])
    locked = {r["month"] for r in await MonthLock.select(MonthLock.month).where((MonthLock.reopened_at == "") & covering)}
    return [str(m) for m in period.months if str(m) not in locked]


async def seal_for(period_text: str, workshop: str | None = None) -> dict[str, Any]:
    """The current seal of a period (the newest), made now for a span of signed-off months
    that has none yet; refused while a month in it is open."""
    require_reader()
    scope, period = figure_service.parse_scope_period(str(_scope_of(workshop)), period_text)
    await figure_service.check_scope_exists(scope)
    open_months = await _open_months(scope, period)
    if open_months:
        raise Conflict([Problem("period", "not_signed_off",
                                f"以下月份尚未签发锁定，不能封存：{'、'.join(open_months)}",
                                f"these months are not signed off, so they cannot be sealed: {', '.join(open_months)}")],
                       zh="期间未全部签发", en="the period is not wholly signed off")
    latest = await _latest("records", scope, period)
    if latest is not None and not await _changed_since(latest, scope, period):
        return latest
    return await make_seal(scope, period)


async def _changed_since(seal_row: dict[str, Any], scope: Scope, period: Period) -> bool:
    rows = await record_rows(scope, period)
    return core.tree_root([core.leaf_hash(r) for r in rows]).hex() != seal_row["merkle_root"]


def document(seal_row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(seal_row["document"])


async def get_seal(seal_id: int) -> dict[str, Any]:
    require_reader()
    row = await Seal.select().where(Seal.id == seal_id).first()
    if row is None:
        raise NotFound([Problem("id", "not_found", f"封存不存在（id={seal_id}）", f"no seal with id {seal_id}")])
    return row


def sheet_bytes(columns: list[str], rows: list[list[str]], fmt: str) -> bytes:
    """The sealed sheet as CSV (UTF-8 with BOM, for Excel) or XLSX (text cells: exact as sealed)."""
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "封存记录"
        sheet.append(columns)
        for row in rows:
            sheet.append(row)
        for letter, width in zip("ABCDEF", (10, 12, 66, 8, 14, 10), strict=False):
            sheet.column_dimensions[letter].width = width
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


async def sealed_rows(seal_row: dict[str, Any]) -> list[list[str]]:
    """The rows a seal covers, as the ledger holds them now (they match the seal unless the
    period was reopened and changed since)."""
    scope, period = figure_service.parse_scope_period(seal_row["scope"], seal_row["period"])
    return await record_rows(scope, period)


async def proof(seal_row: dict[str, Any], row_number: int) -> dict[str, Any]:
    """An inclusion proof for one row of the sealed sheet (1 = the first row under the header)."""
    rows = await sealed_rows(seal_row)
    if not 1 <= row_number <= len(rows):
        raise NotFound([Problem("row", "no_such_row", f"封存表中没有第 {row_number} 行（共 {len(rows)} 行）",
                                f"the sealed sheet has no row {row_number} ({len(rows)} rows)")])
    return core.inclusion_proof(document(seal_row), rows, row_number - 1)


# --- claims against seals: restatements -----------------------------------------------------------

def _check_summary(report_json: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{item['metric']}": {"status": item.get("status"), "ledger": item.get("ledger"),
                                  "diagnosis": item.get("diagnosis")}
            for item in report_json.get("figures", [])}


async def record_claim_checks(seal_id: int, period: Period) -> None:
    """Reconcile every stored claim whose period overlaps the sealed one, and keep the result."""
    from ledger.services import claims

    at = journal.now_iso()
    checks = []
    for claim in await Claim.select(Claim.id, Claim.period):
        claim_period = Period.parse(claim["period"])
        if claim_period.last < period.first or period.last < claim_period.first:
            continue
        report = await claims.reconcile_claim(claim["id"])
        checks.append({"claim": claim["id"], "seal": seal_id, "checked_at": at,
                       "result": json.dumps(_check_summary(report.to_json_dict()), ensure_ascii=False)})
    if checks:
        await ClaimCheck.insert(*[ClaimCheck(**c) for c in checks])


async def restatements(claim_id: int | None = None) -> list[dict[str, Any]]:
    """Every claim (or one) whose reconciliation changed between two consecutive seals it was
    checked against: which figures, their old and new status, ledger value and diagnosis."""
    require_reader()
    query = ClaimCheck.select(ClaimCheck.id, ClaimCheck.claim, ClaimCheck.seal, ClaimCheck.checked_at,
                              ClaimCheck.result, ClaimCheck.claim.title).order_by(ClaimCheck.id)
    rows = await (query.where(ClaimCheck.claim == claim_id) if claim_id is not None else query)
    last: dict[int, dict[str, Any]] = {}
    out = []
    for row in rows:
        before = last.get(row["claim"])
        last[row["claim"]] = row
        if before is None:
            continue
        old, new = json.loads(before["result"]), json.loads(row["result"])
        changes = [{"metric": metric, "old": old.get(metric), "new": new.get(metric)}
                   for metric in sorted(set(old) | set(new)) if old.get(metric) != new.get(metric)]
        if changes:
            out.append({"claim": row["claim"], "title": row["claim.title"], "old_seal": before["seal"],
                        "new_seal": row["seal"], "checked_at": row["checked_at"], "changes": changes})
    return out


async def last_seal_checked(claim_id: int) -> int | None:
    """The seal a stored claim was last reconciled against (None before any sign-off touched it)."""
    row = await ClaimCheck.select(ClaimCheck.seal).where(ClaimCheck.claim == claim_id).order_by(
        ClaimCheck.id, ascending=False).first()
    return None if row is None else row["seal"]
