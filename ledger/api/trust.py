"""Sign-off, adjustments and the audit journal over HTTP: thin, like every controller."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.params import Parameter
from pydantic import BaseModel, Field

from ledger.api.controllers import PageNo, PageOut, PageSize, WorkshopFilter, _page
from ledger.api.schemas import Body
from ledger.services import audit, locks
from ledger.services.common import MAX_ID

MonthFilter = Annotated[str | None, Parameter(max_length=7, description="月份 / month YYYY-MM")]


class LockCreate(Body):
    month: str = Field(max_length=7, description="签发的月份 / the month signed off, YYYY-MM")
    workshop: int | None = Field(default=None, ge=1, le=MAX_ID,
                                 description="工坊编号，空为全部工坊 / workshop id; empty for all workshops")
    note: str | None = Field(default=None, max_length=300, description="说明 / note")


class Reopen(Body):
    reason: str = Field(max_length=300, description="撤销理由（必填） / why the month is reopened (required)")


class LockOut(BaseModel):
    id: int
    month: str
    workshop: int | None
    workshop_code: str | None
    signed_by: str
    signed_at: str
    note: str
    journal_seq: int = Field(description="签发时审计日志的最后序号 / the journal's last entry when signed")
    reopened_by: str
    reopened_at: str = Field(description="撤销时间，空为仍锁定 / when reopened; empty while locked")
    reopen_reason: str


class AdjustmentCreate(Body):
    placement: int = Field(ge=1, le=MAX_ID, description="用工记录编号 / placement id")
    month: str = Field(max_length=7, description="已锁定的月份 / a locked month, YYYY-MM")
    delta: str | int = Field(description='带符号的金额（元），如 "-150.00" / signed yuan, e.g. "-150.00"')
    reason: str = Field(max_length=300, description="理由（必填） / reason (required)")


class AdjustmentOut(BaseModel):
    id: int
    placement: int
    month: str
    delta: str = Field(description="元，十进制字符串 / yuan as a decimal string")
    reason: str
    created_by: str
    created_at: str


class JournalEntryOut(BaseModel):
    seq: int
    at: str
    username: str
    path: str = Field(description="api / import / admin / cli / system")
    table_name: str
    row_id: int
    action: str = Field(description="create / update / delete / reveal")
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str


class FindingOut(BaseModel):
    kind: str
    seq: int | None
    message: str


class VerificationOut(BaseModel):
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    findings: list[FindingOut]


class LockController(Controller):
    path = "/locks"
    tags = ["审核锁定 Sign-off"]

    @post("/", summary="签发（锁定）一个月份（审核员） / Sign off a month (auditors)")
    async def create(self, data: LockCreate) -> LockOut:
        return LockOut(**await locks.sign_off(data.month, data.workshop, data.note))

    @get("/", summary="锁定列表 / List locks")
    async def list(self, page: PageNo = 1, page_size: PageSize = 50, month: MonthFilter = None,
                   workshop: WorkshopFilter = None,
                   active: Annotated[bool | None, Parameter(description="只看仍锁定的 / only locks in force")] = None,
                   ) -> PageOut[LockOut]:
        return _page(await locks.list_locks(page, page_size, month, workshop, active), LockOut)

    @get("/{lock_id:int}", summary="查看锁定 / Read a lock")
    async def read(self, lock_id: int) -> LockOut:
        return LockOut(**await locks.get_lock(lock_id))

    @post("/{lock_id:int}/reopen", summary="撤销锁定（审核员，须填理由） / Reopen a month (auditors, with a reason)",
          status_code=200)
    async def reopen(self, lock_id: int, data: Reopen) -> LockOut:
        return LockOut(**await locks.reopen(lock_id, data.reason))


class AdjustmentController(Controller):
    path = "/adjustments"
    tags = ["审核锁定 Sign-off"]

    @post("/", summary="记录调整（审核员；只增不改） / Record an adjustment to a locked month (auditors; append-only)")
    async def create(self, data: AdjustmentCreate) -> AdjustmentOut:
        return AdjustmentOut(**await locks.create_adjustment(data.model_dump()))

    @get("/", summary="调整列表 / List adjustments")
    async def list(self, page: PageNo = 1, page_size: PageSize = 50, month: MonthFilter = None,
                   placement: Annotated[int | None, Parameter(ge=1, le=MAX_ID, description="用工记录 / placement")] = None,
                   workshop: WorkshopFilter = None) -> PageOut[AdjustmentOut]:
        return _page(await locks.list_adjustments(page, page_size, month, placement, workshop), AdjustmentOut)

    @get("/{adjustment_id:int}", summary="查看调整 / Read an adjustment")
    async def read(self, adjustment_id: int) -> AdjustmentOut:
        return AdjustmentOut(**await locks.get_adjustment(adjustment_id))


class AuditController(Controller):
    path = "/audit"
    tags = ["审计日志 Audit journal"]

    @get("/", summary="审计日志（审核员、管理员） / The audit journal (auditors, admins)")
    async def list(self, page: PageNo = 1, page_size: PageSize = 50,
                   table: Annotated[str | None, Parameter(max_length=40, description="表名 / table, e.g. monthly_pay")] = None,
                   row_id: Annotated[int | None, Parameter(ge=1, le=2**62, description="行编号 / row id")] = None,
                   user: Annotated[str | None, Parameter(max_length=100, description="用户名 / username")] = None,
                   since: Annotated[str | None, Parameter(max_length=32, description="起始时间（含） / from (ISO time)")] = None,
                   until: Annotated[str | None, Parameter(max_length=32, description="截止时间（不含） / until (ISO time)")] = None,
                   ) -> PageOut[JournalEntryOut]:
        return _page(await audit.list_entries(page, page_size, table, row_id, user, since, until), JournalEntryOut)

    @get("/verify", summary="校验审计日志（哈希链与回放） / Verify the journal (hash chain and replay)")
    async def verify(self) -> VerificationOut:
        result = await audit.verify()
        return VerificationOut(ok=result.ok, entries=result.entries, head_seq=result.head_seq,
                               head_hash=result.head_hash, findings=[FindingOut(**f.as_dict()) for f in result.findings])


TRUST_CONTROLLERS = [LockController, AdjustmentController, AuditController]
