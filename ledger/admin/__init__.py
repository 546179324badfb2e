"""The web admin panel (Piccolo Admin), in Simplified Chinese, mounted at /admin.

Admin edits are made by the same services as the API's (``ledger.admin.writes.LedgerCRUD``): the
panel cannot store what the API would refuse, every change is journaled with the path
``admin``, and locked months stay locked; a refusal names every problem in Chinese and
English. Only users whose role is admin get in.
"""

from __future__ import annotations

from typing import Any

from piccolo.apps.user.tables import BaseUser
from piccolo.table import Table
from piccolo_admin.endpoints import FormConfig, TableConfig, create_admin
from piccolo_api.crud.validators import Validators
from piccolo_api.rate_limiting.middleware import InMemoryLimitProvider
from piccolo_api.session_auth.tables import SessionsBase

from ledger.admin.imports import IMPORT_FORMS
from ledger.admin.reconcile import RECONCILE_FORMS
from ledger.admin.upload import UPLOAD_LINK, UPLOAD_PATH, upload_app
from ledger.admin.users import USER_FORMS
from ledger.admin.writes import admin_only, as_admin, ledger_crud
from ledger.settings import get_settings
from ledger.tables import (
    Adjustment,
    Certification,
    Claim,
    ClaimFigure,
    Enterprise,
    LowIncomeStatus,
    MonthLock,
    MonthlyPay,
    Placement,
    UserRole,
    UserWorkshop,
    Worker,
    Workshop,
)


def _config(table: type[Table], group: str, **options: Any) -> TableConfig:
    return TableConfig(table, menu_group=group, validators=Validators(every=[admin_only]), **options)


def _table_configs() -> list[TableConfig]:
    return [
        _config(Enterprise, "工坊"),
        _config(Workshop, "工坊"),
        _config(Certification, "工坊"),
        _config(Worker, "人员", visible_columns=[Worker.id, Worker.name, Worker.id_number, Worker.village,
                                                 Worker.phone, Worker.baseline_income_fen]),
        _config(LowIncomeStatus, "人员"),
        _config(Placement, "收入"),
        _config(MonthlyPay, "收入"),
        _config(MonthLock, "审核"),
        _config(Adjustment, "审核"),
        _config(Claim, "对账"),
        _config(ClaimFigure, "对账"),
        _config(UserRole, "用户"),
        _config(UserWorkshop, "用户"),
    ]


ADMIN_LOGIN_LIMIT = InMemoryLimitProvider(limit=20, timespan=300, block_duration=300)
"""Login attempts at /admin per client address: 20 in 5 minutes, then 5 minutes' wait.
Piccolo Admin's default blocks an address until the server restarts, which would lock a
whole office behind one NAT out of the panel."""


def build_admin():
    """Build the admin ASGI app once; the Litestar app mounts it at /admin."""
    forms = [FormConfig(name=f.name, pydantic_model=f.pydantic_model, endpoint=as_admin(f.endpoint),
                        description=f.description, form_group=f.form_group)
             for f in [*RECONCILE_FORMS, *IMPORT_FORMS, *USER_FORMS]]
    with ledger_crud():
        admin = create_admin(
            tables=_table_configs(),
            forms=forms,
            auth_table=BaseUser,
            session_table=SessionsBase,
            site_name="共富工坊台账 Ledger",
            default_language_code="zh-CN",
            page_size=50,
            rate_limit_provider=ADMIN_LOGIN_LIMIT,
            production=get_settings().secure_cookies,
            sidebar_links=UPLOAD_LINK,
        )
    admin.mount(UPLOAD_PATH, upload_app())  # the sheet upload page, behind the panel's session
    return admin
