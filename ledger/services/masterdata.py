"""Enterprises, workshops and certifications: the master data admins keep."""

from __future__ import annotations

from typing import Any

from ledger import access
from ledger.core import rules
from ledger.core.enums import CertificationLevel, CertificationStatus, Role, WorkshopType
from ledger.core.problems import Problem
from ledger.db import write_transaction
from ledger.services import journal
from ledger.services.common import (
    Collector,
    Page,
    check_deletable,
    get_row,
    hidden,
    in_list,
    paginate,
    reference_exists,
)
from ledger.tables import Certification, Enterprise, Workshop


def _require_admin() -> None:
    access.require(Role.admin, doing_zh="维护主数据（企业、工坊、认定）", doing_en="master data changes")


# --- enterprises -------------------------------------------------------------------------

async def validate_enterprise(data: dict[str, Any], existing_id: int | None = None) -> dict[str, Any]:
    checks = Collector()
    clean = {
        "name": checks.take(rules.check_text("name", data.get("name"), max_length=200)),
        "credit_code": checks.take(rules.check_credit_code("credit_code", data.get("credit_code"))),
        "region_code": checks.take(rules.check_region_code("region_code", data.get("region_code"))),
    }
    if clean["credit_code"]:
        query = Enterprise.exists().where(Enterprise.credit_code == clean["credit_code"])
        if existing_id is not None:
            query = query.where(Enterprise.id != existing_id)
        if await query:
            checks.conflict(Problem("credit_code", "duplicate", "该统一社会信用代码已登记",
                                    "an enterprise with this credit code exists"))
    checks.raise_if_any()
    return clean


async def create_enterprise(data: dict[str, Any]) -> dict[str, Any]:
    _require_admin()
    async with write_transaction():
        clean = await validate_enterprise(data)
        row = await journal.insert(Enterprise, clean)
    return await get_enterprise(row["id"])


async def update_enterprise(enterprise_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    _require_admin()
    async with write_transaction():
        current = await get_enterprise(enterprise_id)
        clean = await validate_enterprise({**current, **changes}, existing_id=enterprise_id)
        await journal.update(Enterprise, enterprise_id, clean)
    return await get_enterprise(enterprise_id)


async def get_enterprise(enterprise_id: int) -> dict[str, Any]:
    return await get_row(Enterprise, enterprise_id, "企业", "enterprise")


async def list_enterprises(page: int = 1, page_size: int = 50, region: str | None = None) -> Page:
    where = [Enterprise.region_code.like(f"{region}%")] if region else []
    return await paginate(Enterprise, where, page, page_size)


# --- workshops ---------------------------------------------------------------------------

async def validate_workshop(data: dict[str, Any], existing_id: int | None = None) -> dict[str, Any]:
    checks = Collector()
    clean = {
        "code": checks.take(rules.check_text("code", data.get("code"), max_length=32)),
        "name": checks.take(rules.check_text("name", data.get("name"), max_length=200)),
        "workshop_type": checks.take(rules.check_choice("workshop_type", data.get("workshop_type"), WorkshopType)),
        "village": checks.take(rules.check_text("village", data.get("village"), max_length=100)),
        "region_code": checks.take(rules.check_region_code("region_code", data.get("region_code"))),
        "opened_on": checks.take(rules.check_date("opened_on", data.get("opened_on"))),
        "closed_on": checks.take(rules.check_date("closed_on", data.get("closed_on"), optional=True)),
    }
    checks.add(rules.check_period_order("closed_on", clean["opened_on"], clean["closed_on"]))
    enterprise = await reference_exists(Enterprise, data.get("enterprise"), "enterprise", "企业", "enterprise", checks)
    clean["enterprise"] = enterprise["id"] if enterprise else None
    if clean["code"]:
        query = Workshop.exists().where(Workshop.code == clean["code"])
        if existing_id is not None:
            query = query.where(Workshop.id != existing_id)
        if await query:
            checks.conflict(Problem("code", "duplicate", "工坊编码已存在", "a workshop with this code exists"))
    if existing_id is not None and clean["opened_on"]:
        await _placements_inside_workshop(existing_id, clean["opened_on"], clean["closed_on"], checks)
    checks.raise_if_any()
    return clean


async def _placements_inside_workshop(workshop_id: int, opened_on, closed_on, checks: Collector) -> None:
    from ledger.tables import Placement

    query = Placement.exists().where(Placement.workshop == workshop_id)
    outside = query.where(Placement.hired_on < opened_on)
    if await outside:
        checks.add([Problem("opened_on", "placements_outside", "已有用工记录早于该开办日期",
                            "existing placements start before this opening date")])
    if closed_on is not None:
        late = Placement.exists().where(Placement.workshop == workshop_id).where(
            (Placement.left_on.is_null()) | (Placement.left_on > closed_on))
        if await late:
            checks.add([Problem("closed_on", "placements_outside", "已有用工记录晚于该关闭日期（或未离职）",
                                "existing placements run past this closing date (or are open)")])


async def create_workshop(data: dict[str, Any]) -> dict[str, Any]:
    _require_admin()
    async with write_transaction():
        clean = await validate_workshop(data)
        row = await journal.insert(Workshop, clean)
    return await get_workshop(row["id"])


async def update_workshop(workshop_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    _require_admin()
    async with write_transaction():
        current = await get_workshop(workshop_id)
        clean = await validate_workshop({**current, **changes}, existing_id=workshop_id)
        await journal.update(Workshop, workshop_id, clean)
    return await get_workshop(workshop_id)


async def get_workshop(workshop_id: int) -> dict[str, Any]:
    row = await get_row(Workshop, workshop_id, "工坊", "workshop")
    if not access.owns_workshop(row["id"]):
        raise hidden("工坊", "workshop", workshop_id)
    return row


async def workshop_by_code(code: str) -> dict[str, Any] | None:
    return await Workshop.select().where(Workshop.code == code).first()


async def list_workshops(page: int = 1, page_size: int = 50, region: str | None = None,
                         enterprise: int | None = None, open_on=None) -> Page:
    where: list[Any] = []
    scope = access.workshop_scope()
    if scope is not None:
        where.append(Workshop.id.is_in(in_list(scope)))
    if region:
        where.append(Workshop.region_code.like(f"{region}%"))
    if enterprise is not None:
        where.append(Workshop.enterprise == enterprise)
    if open_on is not None:
        where.append(Workshop.opened_on <= open_on)
        where.append(Workshop.closed_on.is_null() | (Workshop.closed_on >= open_on))
    return await paginate(Workshop, where, page, page_size)


# --- certifications ------------------------------------------------------------------------

async def validate_certification(data: dict[str, Any], existing_id: int | None = None) -> dict[str, Any]:
    checks = Collector()
    clean = {
        "title": checks.take(rules.check_text("title", data.get("title"), max_length=100)),
        "level": checks.take(rules.check_choice("level", data.get("level"), CertificationLevel)),
        "issuer": checks.take(rules.check_text("issuer", data.get("issuer"), max_length=100)),
        "batch": checks.take(rules.check_text("batch", data.get("batch"), max_length=50, optional=True)),
        "awarded_on": checks.take(rules.check_date("awarded_on", data.get("awarded_on"))),
        "valid_until": checks.take(rules.check_date("valid_until", data.get("valid_until"), optional=True)),
        "status": checks.take(rules.check_choice("status", data.get("status"), CertificationStatus)),
        "withdrawn_on": checks.take(rules.check_date("withdrawn_on", data.get("withdrawn_on"), optional=True)),
    }
    checks.add(rules.check_period_order("valid_until", clean["awarded_on"], clean["valid_until"]))
    checks.add(rules.check_period_order("withdrawn_on", clean["awarded_on"], clean["withdrawn_on"]))
    if clean["status"] == CertificationStatus.withdrawn and clean["withdrawn_on"] is None:
        checks.add([Problem("withdrawn_on", "required", "状态为摘牌时须填写摘牌日期",
                            "a withdrawn certification needs its withdrawal date")])
    if clean["status"] and clean["status"] != CertificationStatus.withdrawn and clean["withdrawn_on"]:
        checks.add([Problem("withdrawn_on", "not_withdrawn", "只有摘牌状态才有摘牌日期",
                            "only a withdrawn certification has a withdrawal date")])
    workshop = await reference_exists(Workshop, data.get("workshop"), "workshop", "工坊", "workshop", checks)
    clean["workshop"] = workshop["id"] if workshop else None
    checks.raise_if_any()
    return clean


async def create_certification(data: dict[str, Any]) -> dict[str, Any]:
    _require_admin()
    async with write_transaction():
        clean = await validate_certification(data)
        row = await journal.insert(Certification, clean)
    return await get_certification(row["id"])


async def update_certification(cert_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    _require_admin()
    async with write_transaction():
        current = await get_certification(cert_id)
        clean = await validate_certification({**current, **changes}, existing_id=cert_id)
        await journal.update(Certification, cert_id, clean)
    return await get_certification(cert_id)


async def get_certification(cert_id: int) -> dict[str, Any]:
    row = await get_row(Certification, cert_id, "认定", "certification")
    if not access.owns_workshop(row["workshop"]):
        raise hidden("认定", "certification", cert_id)
    return row


async def list_certifications(page: int = 1, page_size: int = 50, workshop: int | None = None) -> Page:
    where = [Certification.workshop == workshop] if workshop is not None else []
    scope = access.workshop_scope()
    if scope is not None:
        where.append(Certification.workshop.is_in(in_list(scope)))
    return await paginate(Certification, where, page, page_size)


async def delete_enterprise(enterprise_id: int) -> None:
    _require_admin()
    async with write_transaction():
        await get_enterprise(enterprise_id)
        await check_deletable(Enterprise, enterprise_id)
        await journal.delete(Enterprise, enterprise_id)


async def delete_workshop(workshop_id: int) -> None:
    _require_admin()
    async with write_transaction():
        await get_workshop(workshop_id)
        await check_deletable(Workshop, workshop_id)
        await journal.delete(Workshop, workshop_id)


async def delete_certification(cert_id: int) -> None:
    _require_admin()
    async with write_transaction():
        await get_certification(cert_id)
        await check_deletable(Certification, cert_id)
        await journal.delete(Certification, cert_id)
