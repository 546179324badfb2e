"""Request and response schemas, written by hand (generated Piccolo models break the
OpenAPI page, litestar#3762). Every field names its Chinese term.

Money travels as a decimal string of yuan ("2800.00"), never a JSON number. Request fields
are deliberately loose in type (strings for dates, months and money) so that the service
can check them all and report every problem at once, in Chinese and English.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledger.core.enums import (
    CertificationLevel,
    CertificationStatus,
    LowIncomeCategory,
    PayBasis,
    WorkshopType,
)
from ledger.core.rules import control_character_problems
from ledger.errors import ValidationFailed

MONEY_DOC = "元，十进制字符串，精确到分 / yuan as a decimal string, exact to the fen, e.g. \"2800.00\""
Money = str | int
CONFIRM_DOC = ("确认异常金额：月收入或务工前月收入高于 5 万元、或高于 0 而低于 100 元（县可设置）时须为 true，否则拒收 / "
               "confirm an unusual amount: needed when a month's pay or a baseline is above 50,000 or above 0 "
               "and below 100 yuan (LEDGER_UNUSUAL_MONTHLY_ABOVE / _BELOW), else it is refused")


def _f(description: str, **kw: Any) -> Any:
    return Field(description=description, **kw)


class Body(BaseModel):
    """Every request body. No field of any body may carry a control character: a NUL would
    reach SQL as a look-up value (PostgreSQL refuses it, a 500), and no one types them.
    Checked here, on the raw body, so that fields the services only look up are covered too."""

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        problems = control_character_problems(data)
        if problems:
            raise ValidationFailed(problems)
        return data


class Strict(Body):
    model_config = ConfigDict(extra="forbid")


# --- enterprises ---
class EnterpriseCreate(Strict):
    name: str | None = _f("企业名称 / enterprise name", examples=["永康市顺虎工贸有限公司"])
    credit_code: str | None = _f("统一社会信用代码 / unified social credit code (18 chars, check character verified)")
    region_code: str | None = _f("行政区划代码 / 6-digit GB/T 2260 region code", examples=["330784"])


class EnterpriseUpdate(Strict):
    name: str | None = _f("企业名称 / enterprise name", default=None)
    credit_code: str | None = _f("统一社会信用代码 / unified social credit code", default=None)
    region_code: str | None = _f("行政区划代码 / region code", default=None)


class EnterpriseOut(BaseModel):
    id: int = _f("编号 / id")
    name: str = _f("企业名称 / name")
    credit_code: str = _f("统一社会信用代码 / unified social credit code")
    region_code: str = _f("行政区划代码 / region code")


# --- workshops ---
class WorkshopCreate(Strict):
    code: str | None = _f("工坊编码 / workshop code (unique)", examples=["YK-001"])
    name: str | None = _f("工坊名称 / workshop name")
    enterprise: int | None = _f("领办企业编号 / host enterprise id")
    workshop_type: str | None = _f("工坊类型 / type: " + "、".join(t.value for t in WorkshopType))
    village: str | None = _f("所在村或社区 / village or community")
    region_code: str | None = _f("行政区划代码 / 6-digit region code", examples=["330784"])
    opened_on: str | None = _f("开办日期 / opened on (YYYY-MM-DD)", examples=["2022-03-01"])
    closed_on: str | None = _f("关闭日期 / closed on (optional)", default=None)


class WorkshopUpdate(Strict):
    code: str | None = _f("工坊编码 / code", default=None)
    name: str | None = _f("工坊名称 / name", default=None)
    enterprise: int | None = _f("领办企业编号 / enterprise id", default=None)
    workshop_type: str | None = _f("工坊类型 / type", default=None)
    village: str | None = _f("所在村或社区 / village", default=None)
    region_code: str | None = _f("行政区划代码 / region code", default=None)
    opened_on: str | None = _f("开办日期 / opened on", default=None)
    closed_on: str | None = _f("关闭日期 / closed on", default=None)


class WorkshopOut(BaseModel):
    id: int = _f("编号 / id")
    code: str = _f("工坊编码 / code")
    name: str = _f("工坊名称 / name")
    enterprise: int = _f("领办企业编号 / enterprise id")
    workshop_type: WorkshopType = _f("工坊类型 / type")
    village: str = _f("所在村或社区 / village")
    region_code: str = _f("行政区划代码 / region code")
    opened_on: date = _f("开办日期 / opened on")
    closed_on: date | None = _f("关闭日期 / closed on")


# --- certifications ---
class CertificationCreate(Strict):
    workshop: int | None = _f("工坊编号 / workshop id")
    title: str | None = _f("认定名称 / title, e.g. 省级示范点")
    level: str | None = _f("级别 / level: county, city, province")
    issuer: str | None = _f("认定单位 / issuer")
    batch: str | None = _f("批次 / batch", default=None)
    awarded_on: str | None = _f("授牌日期 / awarded on (YYYY-MM-DD)")
    valid_until: str | None = _f("有效期至 / valid until (optional)", default=None)
    status: str | None = _f("状态 / status: " + "、".join(s.value for s in CertificationStatus))
    withdrawn_on: str | None = _f("摘牌日期 / withdrawn on (required when status is 摘牌)", default=None)


class CertificationUpdate(Strict):
    title: str | None = _f("认定名称 / title", default=None)
    level: str | None = _f("级别 / level", default=None)
    issuer: str | None = _f("认定单位 / issuer", default=None)
    batch: str | None = _f("批次 / batch", default=None)
    awarded_on: str | None = _f("授牌日期 / awarded on", default=None)
    valid_until: str | None = _f("有效期至 / valid until", default=None)
    status: str | None = _f("状态 / status", default=None)
    withdrawn_on: str | None = _f("摘牌日期 / withdrawn on", default=None)


class CertificationOut(BaseModel):
    id: int = _f("编号 / id")
    workshop: int = _f("工坊编号 / workshop id")
    title: str = _f("认定名称 / title")
    level: CertificationLevel = _f("级别 / level")
    issuer: str = _f("认定单位 / issuer")
    batch: str = _f("批次 / batch")
    awarded_on: date = _f("授牌日期 / awarded on")
    valid_until: date | None = _f("有效期至 / valid until")
    status: CertificationStatus = _f("状态 / status")
    withdrawn_on: date | None = _f("摘牌日期 / withdrawn on")


# --- workers ---
class WorkerCreate(Strict):
    name: str | None = _f("姓名 / name")
    id_number: str | None = _f("居民身份证号 / resident ID number (18 chars, GB 11643 check digit)")
    village: str | None = _f("所在村 / village")
    phone: str | None = _f("手机号 / phone (optional)", default=None)
    baseline_income: Money | None = _f("务工前月收入 / pre-placement monthly income, " + MONEY_DOC, default=None)
    confirm_unusual: bool = _f(CONFIRM_DOC, default=False)


class WorkerUpdate(Strict):
    name: str | None = _f("姓名 / name", default=None)
    id_number: str | None = _f("居民身份证号（完整号码）/ full resident ID number", default=None)
    village: str | None = _f("所在村 / village", default=None)
    phone: str | None = _f("手机号 / phone", default=None)
    baseline_income: Money | None = _f("务工前月收入 / baseline income, " + MONEY_DOC, default=None)
    confirm_unusual: bool = _f(CONFIRM_DOC, default=False)


class WorkerOut(BaseModel):
    id: int = _f("编号 / id")
    name: str = _f("姓名 / name")
    id_number: str = _f("身份证号（脱敏）/ ID number, masked: region and last four")
    village: str = _f("所在村 / village")
    phone: str = _f("手机号（脱敏）/ phone, masked")
    baseline_income: str | None = _f("务工前月收入 / baseline income, " + MONEY_DOC)


# --- low-income status ---
class LowIncomeCreate(Strict):
    worker: int | None = _f("务工人员编号 / worker id")
    category: str | None = _f("类别 / category: " + "、".join(c.value for c in LowIncomeCategory))
    valid_from: str | None = _f("起始日期 / valid from (YYYY-MM-DD)")
    valid_to: str | None = _f("截止日期 / valid to (optional)", default=None)
    source_document: str | None = _f("认定依据文件 / source document", default=None)


class LowIncomeUpdate(Strict):
    category: str | None = _f("类别 / category", default=None)
    valid_from: str | None = _f("起始日期 / valid from", default=None)
    valid_to: str | None = _f("截止日期 / valid to", default=None)
    source_document: str | None = _f("认定依据文件 / source document", default=None)


class LowIncomeOut(BaseModel):
    id: int = _f("编号 / id")
    worker: int = _f("务工人员编号 / worker id")
    category: LowIncomeCategory = _f("类别 / category")
    valid_from: date = _f("起始日期 / valid from")
    valid_to: date | None = _f("截止日期 / valid to")
    source_document: str = _f("认定依据文件 / source document")


# --- placements ---
class PlacementCreate(Strict):
    worker: int | None = _f("务工人员编号 / worker id")
    workshop: int | None = _f("工坊编号 / workshop id")
    hired_on: str | None = _f("入职日期 / hired on (YYYY-MM-DD)")
    left_on: str | None = _f("离职日期 / left on (optional)", default=None)
    pay_basis: str | None = _f("计酬方式 / pay basis: " + "、".join(b.value for b in PayBasis))
    id_number: str | None = _f("该人员的完整身份证号：运营方聘用尚未在其工坊用工的人时必填（核对身份，不保存）/ the "
                               "worker's full ID number: an operator hiring someone not yet placed at their "
                               "workshops must give it (checked, not stored)", default=None)


class PlacementUpdate(Strict):
    hired_on: str | None = _f("入职日期 / hired on", default=None)
    left_on: str | None = _f("离职日期 / left on", default=None)
    pay_basis: str | None = _f("计酬方式 / pay basis", default=None)


class PlacementOut(BaseModel):
    id: int = _f("编号 / id")
    worker: int = _f("务工人员编号 / worker id")
    workshop: int = _f("工坊编号 / workshop id")
    hired_on: date = _f("入职日期 / hired on")
    left_on: date | None = _f("离职日期 / left on")
    pay_basis: PayBasis = _f("计酬方式 / pay basis")


# --- monthly pay ---
class PayCreate(Strict):
    placement: int | None = _f("用工记录编号 / placement id")
    month: str | None = _f("月份 / month (YYYY-MM), not in the future, inside the placement", examples=["2023-03"])
    amount: Money | None = _f("收入 / amount, " + MONEY_DOC, examples=["2800.00"])
    days_worked: int | None = _f("出勤天数 / days worked (0 to the days of the month)")
    hours: Money | None = _f("工时 / hours (optional, decimal string)", default=None)
    pieces: int | None = _f("计件数 / pieces (optional)", default=None)
    confirm_unusual: bool = _f(CONFIRM_DOC, default=False)


class PayUpdate(Strict):
    amount: Money | None = _f("收入 / amount, " + MONEY_DOC, default=None)
    days_worked: int | None = _f("出勤天数 / days worked", default=None)
    hours: Money | None = _f("工时 / hours", default=None)
    pieces: int | None = _f("计件数 / pieces", default=None)
    confirm_unusual: bool = _f(CONFIRM_DOC, default=False)


class PayBatchItem(Strict):
    placement: int | None = _f("用工记录编号 / placement id")
    amount: Money | None = _f("收入 / amount, " + MONEY_DOC)
    days_worked: int | None = _f("出勤天数 / days worked")
    hours: Money | None = _f("工时 / hours", default=None)
    pieces: int | None = _f("计件数 / pieces", default=None)
    confirm_unusual: bool = _f(CONFIRM_DOC, default=False)


class PayBatch(Strict):
    month: str | None = _f("月份 / month (YYYY-MM) for every item", examples=["2023-03"])
    items: list[PayBatchItem] = _f("各用工记录的收入 / one item per placement")


class PayOut(BaseModel):
    id: int = _f("编号 / id")
    placement: int = _f("用工记录编号 / placement id")
    month: str = _f("月份 / month (YYYY-MM)")
    amount: str = _f("收入 / amount, " + MONEY_DOC)
    days_worked: int = _f("出勤天数 / days worked")
    hours: str | None = _f("工时 / hours")
    pieces: int | None = _f("计件数 / pieces")


# --- errors ---
class ProblemOut(BaseModel):
    field: str = _f("出错的字段 / the field at fault (items[3].amount for a batch item)")
    code: str = _f("问题代码 / machine-readable problem code")
    message: str = _f("中文 / English message")
    zh: str = _f("中文说明 / Chinese message")
    en: str = _f("英文说明 / English message")
    row: int | None = _f("行号（表格导入）/ row, for sheets", default=None)
    column: str | None = _f("列名（表格导入）/ column, for sheets", default=None)


class ErrorOut(BaseModel):
    error: str = _f("错误类别 / error kind")
    message: str = _f("中文 / English summary")
    problems: list[ProblemOut] = _f("全部问题 / every problem found")


class RevealedId(BaseModel):
    id: int
    name: str
    id_number: str = Field(description="完整身份证号（此次查看已记入审计日志）/ the full number (this view is journaled)")
