"""The web admin panel (Piccolo Admin), in Simplified Chinese, mounted at /admin.

Admin edits go through the same service validation as the API (pre_save / pre_patch
hooks call the services' ``validate_*``), so the panel cannot store what the API would
refuse; a refusal is an HTTP error naming every problem in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import HTTPException
from piccolo.apps.user.tables import BaseUser
from piccolo.table import Table
from piccolo_admin.endpoints import TableConfig, create_admin
from piccolo_api.crud.hooks import Hook, HookType
from piccolo_api.session_auth.tables import SessionsBase

from ledger.admin_forms import IMPORT_FORMS
from ledger.admin_reconcile import RECONCILE_FORMS
from ledger.core.money import fen_str
from ledger.errors import LedgerError
from ledger.services import claims, employment, masterdata, people
from ledger.services.common import check_deletable
from ledger.tables import (
    Certification,
    Claim,
    ClaimFigure,
    Enterprise,
    LowIncomeStatus,
    MonthlyPay,
    Placement,
    Worker,
    Workshop,
)

Validate = Callable[..., Awaitable[dict[str, Any]]]
SECRET_COLUMNS = {"id_hash", "id_cipher", "phone_cipher"}


def _refuse(exc: LedgerError) -> HTTPException:
    lines = [exc.message] + [f"{p.field}: {p.message}" for p in exc.problems]
    return HTTPException(status_code=exc.status_code, detail="\n".join(lines))


def _pay_data(values: dict[str, Any]) -> dict[str, Any]:
    """The admin edits integer fen; the service checks yuan."""
    data = dict(values)
    data["amount"] = fen_str(data.pop("amount_fen", None))
    hours = data.get("hours")
    data["hours"] = None if hours is None else f"{hours:f}"
    return data


def _identity(values: dict[str, Any]) -> dict[str, Any]:
    return dict(values)


def _hooks(table: type[Table], validate: Validate, to_data=_identity, by_row: bool = False) -> list[Hook]:
    """pre_save / pre_patch / pre_delete hooks that run the service's checks."""

    async def run(data: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
        try:
            if existing is None:
                return await validate(data)
            if by_row:
                return await validate(data, existing=existing)
            return await validate(data, existing_id=existing["id"])
        except LedgerError as exc:
            raise _refuse(exc) from None

    async def pre_save(row: Table) -> Table:
        data = {k: v for k, v in row.to_dict().items() if k not in SECRET_COLUMNS}
        clean = await run(to_data(data), None)
        for key, value in clean.items():
            setattr(row, key, value)
        return row

    async def pre_patch(row_id: Any, values: dict[Any, Any]) -> dict[str, Any]:
        current = await table.select().where(table._meta.primary_key == row_id).first()
        if current is None:
            raise HTTPException(status_code=404, detail="记录不存在 / no such record")
        changes = {getattr(k, "_meta", None) and k._meta.name or k: v for k, v in values.items()}
        changes = {k: v for k, v in changes.items() if k not in SECRET_COLUMNS}
        return await run(to_data({**current, **changes}), current)

    async def pre_delete(row_id: Any) -> None:
        try:
            await check_deletable(table, row_id)
        except LedgerError as exc:
            raise _refuse(exc) from None

    return [Hook(HookType.pre_save, pre_save), Hook(HookType.pre_patch, pre_patch),
            Hook(HookType.pre_delete, pre_delete)]


def _table_configs() -> list[TableConfig]:
    return [
        TableConfig(Enterprise, menu_group="工坊", hooks=_hooks(Enterprise, masterdata.validate_enterprise)),
        TableConfig(Workshop, menu_group="工坊", hooks=_hooks(Workshop, masterdata.validate_workshop)),
        TableConfig(Certification, menu_group="工坊",
                    hooks=_hooks(Certification, masterdata.validate_certification)),
        TableConfig(Worker, menu_group="人员", hooks=_hooks(Worker, people.validate_worker, by_row=True),
                    visible_columns=[Worker.id, Worker.name, Worker.id_number, Worker.village, Worker.phone,
                                     Worker.baseline_income_fen]),
        TableConfig(LowIncomeStatus, menu_group="人员", hooks=_hooks(LowIncomeStatus, people.validate_low_income)),
        TableConfig(Placement, menu_group="收入", hooks=_hooks(Placement, employment.validate_placement)),
        TableConfig(MonthlyPay, menu_group="收入",
                    hooks=_hooks(MonthlyPay, employment.validate_pay, to_data=_pay_data)),
        TableConfig(Claim, menu_group="对账", hooks=_hooks(Claim, claims.validate_claim_row)),
        TableConfig(ClaimFigure, menu_group="对账", hooks=_hooks(ClaimFigure, claims.validate_claim_figure_row)),
    ]


def build_admin():
    """Build the admin ASGI app once; the Litestar app mounts it at /admin."""
    return create_admin(
        tables=_table_configs(),
        forms=[*RECONCILE_FORMS, *IMPORT_FORMS],
        auth_table=BaseUser,
        session_table=SessionsBase,
        site_name="共富工坊台账 Ledger",
        default_language_code="zh-CN",
        page_size=50,
        production=False,
    )
