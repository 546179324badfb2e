"""Which column holds which field: headers recognised in Chinese or English, in any order.

A header cell is reduced to a key — full-width folded to half-width (NFKC), lower case, a
bracketed unit dropped (``收入（元）`` → ``收入``), spaces, ``*``, ``_``, ``-`` and colons
removed — and looked up among each field's names. The header row is the first of the
sheet's first rows that names at least two fields, so a title row above it (``2023年3月
花街村工坊收入表``) is skipped. Columns nobody asked for are ignored and reported as such.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ledger.core.problems import Problem


class SheetKind(StrEnum):
    """What a sheet records."""

    pay = "pay"
    hires = "hires"
    low_income = "low-income"
    """The civil-affairs low-income roster (低收入人口名单): statuses of registered workers."""


#: kind → (Chinese name, English name), as messages name a sheet's kind
KIND_NAMES: dict[SheetKind, tuple[str, str]] = {
    SheetKind.pay: ("月收入表", "pay"),
    SheetKind.hires: ("用工表", "hires"),
    SheetKind.low_income: ("低收入名单", "low-income roster"),
}


#: field → (Chinese header written in templates, English header, other names people use)
FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "placement": ("用工编号", "placement", ("用工记录编号", "用工id", "placementid", "placement_id")),
    "workshop_code": ("工坊编码", "workshop_code", ("工坊代码", "工坊编号", "工坊", "workshop", "workshopcode")),
    "id_number": ("身份证号", "id_number", ("身份证号码", "身份证", "公民身份号码", "居民身份证号", "证件号码",
                                           "idnumber", "idno", "id", "idcard")),
    "name": ("姓名", "name", ("名字", "人员姓名", "务工人员")),
    "month": ("月份", "month", ("月", "所属月份", "收入月份", "年月")),
    "amount": ("收入(元)", "amount", ("收入", "月收入", "收入金额", "金额", "工资", "应发工资", "实发工资",
                                     "pay", "income", "amountyuan")),
    "days_worked": ("出勤天数", "days_worked", ("出勤", "天数", "工作天数", "出勤天", "daysworked", "days")),
    "hours": ("工时", "hours", ("工时数", "小时", "小时数")),
    "pieces": ("计件数", "pieces", ("件数", "计件数量", "计件")),
    "hired_on": ("入职日期", "hired_on", ("入职时间", "入职", "hiredon", "hiredate", "hired")),
    "left_on": ("离职日期", "left_on", ("离职时间", "离职", "lefton", "leftdate", "left")),
    "pay_basis": ("计酬方式", "pay_basis", ("计薪方式", "工资方式", "计酬", "paybasis", "basis")),
    "village": ("所在村", "village", ("村", "村社", "村社区", "所在村社区", "村庄")),
    "phone": ("手机号", "phone", ("手机", "电话", "联系电话", "手机号码", "mobile", "phonenumber")),
    "baseline_income": ("务工前月收入(元)", "baseline_income", ("务工前月收入", "务工前收入", "基线收入", "baseline",
                                                             "baselineincome")),
    "category": ("类别", "category", ("认定类别", "低收入类别", "人员类别", "救助类别", "对象类别", "困难类别",
                                    "低收入人口类别")),
    "valid_from": ("认定日期", "valid_from", ("认定时间", "纳入日期", "纳入时间", "起始日期", "开始日期", "validfrom")),
    "valid_to": ("退出日期", "valid_to", ("退出时间", "终止日期", "截止日期", "结束日期", "validto")),
    "source_document": ("认定文号", "source_document", ("批准文号", "文号", "认定依据", "依据文件", "sourcedocument")),
}
ERROR_HEADER = "错误 / errors"
_IGNORED = {"错误", "错误errors", "errors", "error", "错误说明", "问题", "序号", "no", "#", "备注", "remark", "remarks"}

REQUIRED: dict[SheetKind, tuple[str, ...]] = {
    SheetKind.pay: ("month", "amount", "days_worked"),
    SheetKind.hires: ("id_number", "name", "village", "hired_on", "pay_basis"),
    SheetKind.low_income: ("id_number", "category", "valid_from"),
}
OPTIONAL: dict[SheetKind, tuple[str, ...]] = {
    SheetKind.pay: ("placement", "workshop_code", "id_number", "name", "hours", "pieces"),
    SheetKind.hires: ("workshop_code", "left_on", "phone", "baseline_income"),
    SheetKind.low_income: ("name", "valid_to", "source_document"),
}
HEADER_SCAN_ROWS = 20


def header_key(cell: Any) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "")).lower()
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】", "", text)
    return re.sub(r"[\s*_\-:/.#]", "", text)


_NAMES: dict[str, str] = {}
for _field, (_zh, _en, _others) in FIELDS.items():
    for _name in (_zh, _en, *_others):
        _NAMES[header_key(_name)] = _field


def field_for(cell: Any) -> str | None:
    return _NAMES.get(header_key(cell))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: as the spreadsheet shows the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_label(name: str) -> str:
    zh, en, _ = FIELDS[name]
    return f"{zh} {en}"


@dataclass
class Layout:
    """Where the header is and which column holds which field."""

    header_row: int
    columns: dict[str, int]
    width: int
    ignored: list[str] = field(default_factory=list)

    def column_of(self, name: str) -> str | None:
        index = self.columns.get(name)
        return None if index is None else column_letter(index)

    def pick(self, cells: tuple[Any, ...]) -> dict[str, Any]:
        return {name: cells[i] if i < len(cells) else None for name, i in self.columns.items()}


def find_layout(rows: list[tuple[int, tuple[Any, ...]]]) -> tuple[Layout | None, list[Problem]]:
    """The header among the first rows: the first row naming two fields or more."""
    for number, cells in rows:
        names = [field_for(c) for c in cells]
        if sum(1 for n in names if n) < 2:
            continue
        columns: dict[str, int] = {}
        problems: list[Problem] = []
        ignored: list[str] = []
        for index, (cell, name) in enumerate(zip(cells, names, strict=True)):
            if name is None:
                if cell is not None and str(cell).strip() and header_key(cell) not in _IGNORED:
                    ignored.append(str(cell).strip())
                continue
            if name in columns:
                problems.append(Problem(name, "duplicate_column", f"表头中“{FIELDS[name][0]}”出现了两次",
                                        f"the header names {FIELDS[name][1]} twice", number,
                                        column_letter(index)))
                continue
            columns[name] = index
        return Layout(number, columns, len(cells), ignored), problems
    return None, [Problem("header", "no_header", "未找到表头：前 20 行中没有一行含两个以上可识别的列名"
                          "（如 身份证号、月份、收入(元)）",
                          "no header row found: none of the first 20 rows names two known columns "
                          "(e.g. id_number, month, amount)")]


def guess_kind(layout: Layout) -> SheetKind | None:
    cols = layout.columns
    if {"category", "valid_from"} <= cols.keys() and not {"amount", "month", "hired_on"} & cols.keys():
        return SheetKind.low_income
    if "amount" in cols or "month" in cols:
        return None if "hired_on" in cols else SheetKind.pay
    if "hired_on" in cols:
        return SheetKind.hires
    return None


def missing_columns(layout: Layout, kind: SheetKind, has_default_workshop: bool) -> list[Problem]:
    needed = list(REQUIRED[kind])
    if kind is SheetKind.pay and "placement" not in layout.columns:
        needed.append("id_number")
        if not has_default_workshop:
            needed.append("workshop_code")
    if kind is SheetKind.hires and not has_default_workshop:
        needed.append("workshop_code")
    return [Problem(name, "missing_column", f"缺少必需的列：{FIELDS[name][0]}",
                    f"required column missing: {FIELDS[name][1]}", layout.header_row)
            for name in needed if name not in layout.columns]
