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
from piccolo_api.crud.endpoints import OrderBy
from piccolo_api.crud.validators import Validators
from piccolo_api.rate_limiting.middleware import InMemoryLimitProvider
from piccolo_api.session_auth.tables import SessionsBase

from ledger.admin.imports import IMPORT_FORMS
from ledger.admin.page import localise
from ledger.admin.reconcile import RECONCILE_FORMS
from ledger.admin.upload import UPLOAD_LINK, UPLOAD_PATH, upload_app
from ledger.admin.users import USER_FORMS
from ledger.admin.workbench import WORKBENCH_FORMS
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


def _config(table: type[Table], group: str, columns: list[Any], filters: list[Any], link: Any = None,
            latest_first: Any = None) -> TableConfig:
    """A table in the panel: its list shows ``columns`` (the first one opens the row, unless
    ``link`` says otherwise; no internal id column — people find rows by what they know), its
    filter sidebar ``filters``; ``latest_first`` orders it by that column, newest on top."""
    order = [OrderBy(latest_first, ascending=False)] if latest_first is not None else None
    return TableConfig(table, menu_group=group, validators=Validators(every=[admin_only]), visible_columns=columns,
                       link_column=columns[0] if link is None else link, visible_filters=filters, order_by=order)


def _table_configs() -> list[TableConfig]:
    e, w, c, p = Enterprise, Workshop, Certification, Placement
    return [
        _config(e, "工坊", [e.name, e.credit_code, e.region_code], [e.name, e.credit_code, e.region_code]),
        _config(w, "工坊", [w.code, w.name, w.enterprise, w.workshop_type, w.village, w.region_code, w.opened_on,
                           w.closed_on], [w.code, w.name, w.enterprise, w.workshop_type, w.village, w.region_code]),
        _config(c, "工坊", [c.title, c.workshop, c.level, c.issuer, c.awarded_on, c.valid_until, c.status],
                [c.workshop, c.title, c.level, c.status, c.awarded_on]),
        _config(Worker, "人员", [Worker.name, Worker.id_number, Worker.village, Worker.phone,
                                 Worker.baseline_income_fen], [Worker.name, Worker.village]),
        _config(LowIncomeStatus, "人员", [LowIncomeStatus.valid_from, LowIncomeStatus.worker, LowIncomeStatus.category,
                                          LowIncomeStatus.valid_to, LowIncomeStatus.source_document],
                [LowIncomeStatus.worker, LowIncomeStatus.category, LowIncomeStatus.valid_from]),
        # Hires and pay: found by the person (the pickers search name and masked ID), the
        # workshop and the month — the filters the panel offers on these tables' own columns.
        _config(p, "收入", [p.hired_on, p.worker, p.workshop, p.left_on, p.pay_basis],
                [p.worker, p.workshop, p.hired_on, p.left_on, p.pay_basis], latest_first=p.hired_on),
        _config(MonthlyPay, "收入", [MonthlyPay.month, MonthlyPay.placement, MonthlyPay.amount_fen,
                                     MonthlyPay.days_worked, MonthlyPay.hours, MonthlyPay.pieces],
                [MonthlyPay.placement, MonthlyPay.month, MonthlyPay.days_worked], latest_first=MonthlyPay.month),
        _config(MonthLock, "审核", [MonthLock.month, MonthLock.workshop, MonthLock.signed_by, MonthLock.signed_at,
                                    MonthLock.note, MonthLock.reopened_by, MonthLock.reopened_at,
                                    MonthLock.reopen_reason], [MonthLock.month, MonthLock.workshop],
                latest_first=MonthLock.month),
        _config(Adjustment, "审核", [Adjustment.month, Adjustment.placement, Adjustment.delta_fen, Adjustment.reason,
                                     Adjustment.created_by, Adjustment.created_at],
                [Adjustment.placement, Adjustment.month], latest_first=Adjustment.month),
        _config(Claim, "对账", [Claim.title, Claim.publisher, Claim.published_on, Claim.scope, Claim.period],
                [Claim.title, Claim.publisher, Claim.period]),
        _config(ClaimFigure, "对账", [ClaimFigure.metric, ClaimFigure.claim, ClaimFigure.low_income, ClaimFigure.value,
                                      ClaimFigure.unit, ClaimFigure.qualifier, ClaimFigure.text],
                [ClaimFigure.claim, ClaimFigure.metric]),
        # Read-only here (the 用户 forms change them, on the record): listed, not opened.
        _config(UserRole, "用户", [UserRole.user, UserRole.role], [UserRole.user, UserRole.role], link=UserRole.id),
        _config(UserWorkshop, "用户", [UserWorkshop.user, UserWorkshop.workshop],
                [UserWorkshop.user, UserWorkshop.workshop], link=UserWorkshop.id),
        _config(BaseUser, "用户", [BaseUser.username, BaseUser.active, BaseUser.admin, BaseUser.last_login],
                [BaseUser.username, BaseUser.active]),
    ]


ADMIN_LOGIN_LIMIT = InMemoryLimitProvider(limit=20, timespan=300, block_duration=300)
"""Login attempts at /admin per client address: 20 in 5 minutes, then 5 minutes' wait.
Piccolo Admin's default blocks an address until the server restarts, which would lock a
whole office behind one NAT out of the panel."""


def build_admin():
    """Build the admin ASGI app once; the Litestar app mounts it at /admin."""
    forms = [FormConfig(name=f.name, pydantic_model=f.pydantic_model, endpoint=as_admin(f.endpoint),
                        description=f.description, form_group=f.form_group)
             for f in [*RECONCILE_FORMS, *IMPORT_FORMS, *USER_FORMS, *WORKBENCH_FORMS]]
    with ledger_crud():
        admin = create_admin(
            tables=_table_configs(),
            forms=forms,
            auth_table=BaseUser,
            session_table=SessionsBase,
            site_name="共富工坊台账 · 管理后台",
            default_language_code="zh-CN",
            page_size=50,
            rate_limit_provider=ADMIN_LOGIN_LIMIT,
            production=get_settings().secure_cookies,
            sidebar_links=UPLOAD_LINK,
        )
    admin.template = localise(admin.template)
    admin.mount(UPLOAD_PATH, upload_app())  # the sheet upload page, behind the panel's session
    return admin
