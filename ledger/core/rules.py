"""Field rules of SPEC "The world it records", as pure functions returning problems.

Each ``check_*`` returns ``(value, problems)``: the parsed value when the input is good,
``None`` and at least one problem when it is not. Messages never repeat a sensitive value
(an ID number or a phone): they say what is wrong, not what was typed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from ledger.core.money import FEN
from ledger.core.privacy import mask_id_number, mask_phone  # noqa: F401  (the masks live with the rest of privacy)
from ledger.core.problems import Problem

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
REGION_RE = re.compile(r"^[1-8]\d{5}$")
MONEY_RE = re.compile(r"^\d+(\.\d+)?$")
PHONE_RE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")

Checked = tuple[object, list[Problem]]


def required(field: str, value: object) -> list[Problem]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return [Problem(field, "required", "必填项不能为空", "is required")]
    return []


def check_id_number(field: str, value: str | None) -> tuple[str | None, list[Problem]]:
    """Resident ID (GB 11643): 18 characters, valid birth date, right check digit."""
    if problems := required(field, value):
        return None, problems
    assert value is not None
    compact = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", compact):
        return None, [Problem(field, "id_format", "身份证号应为18位（前17位数字，末位数字或X）",
                              "ID number must be 18 characters: 17 digits and a digit or X")]
    # The check digit and the birth date, as GB 11643 defines them. Not the birth place:
    # python-stdnum's place table lacks many current and historical county codes
    # (330784 among them), and an ID stays valid after its county is renamed.
    if compact[-1] != ric.calc_check_digit(compact):
        return None, [Problem(field, "id_checksum", "身份证号校验位错误",
                              "ID number check digit is wrong")]
    try:
        birth = ric.get_birth_date(compact)
    except StdnumError:
        return None, [Problem(field, "id_birth_date", "身份证号中的出生日期无效",
                              "ID number has an invalid birth date")]
    if birth > date.today():
        return None, [Problem(field, "id_birth_date", "身份证号中的出生日期在未来",
                              "ID number has a birth date in the future")]
    return compact, []


def check_credit_code(field: str, value: str | None) -> tuple[str | None, list[Problem]]:
    """Unified social credit code (GB 32100): 18 characters with a verified check character."""
    if problems := required(field, value):
        return None, problems
    assert value is not None
    compact = value.strip().upper()
    if len(compact) != 18:
        return None, [Problem(field, "uscc_length", "统一社会信用代码应为18位",
                              "unified social credit code must be 18 characters")]
    try:
        uscc.validate(compact)
    except StdnumError as exc:
        if type(exc).__name__ == "InvalidChecksum":
            return None, [Problem(field, "uscc_checksum", "统一社会信用代码校验位错误",
                                  "unified social credit code check character is wrong")]
        return None, [Problem(field, "uscc_invalid", "统一社会信用代码格式无效",
                              "unified social credit code is malformed")]
    return compact, []


def check_region_code(field: str, value: str | None) -> tuple[str | None, list[Problem]]:
    if problems := required(field, value):
        return None, problems
    assert value is not None
    code = value.strip()
    if not REGION_RE.fullmatch(code):
        return None, [Problem(field, "region_code", "行政区划代码应为6位数字（GB/T 2260，如 330784）",
                              "region code must be 6 digits (GB/T 2260, e.g. 330784)")]
    return code, []


def check_date(field: str, value: str | date | None, *, optional: bool = False
               ) -> tuple[date | None, list[Problem]]:
    if value is None or (isinstance(value, str) and not value.strip()):
        if optional:
            return None, []
        return None, required(field, None)
    if isinstance(value, date):
        return value, []
    try:
        return date.fromisoformat(value.strip()), []
    except ValueError:
        return None, [Problem(field, "date", "日期无效，应为 YYYY-MM-DD 格式的真实日期",
                              "not a valid date; use YYYY-MM-DD")]


def month_bounds(month: str) -> tuple[date, date]:
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])


def days_in_month(month: str) -> int:
    return calendar.monthrange(int(month[:4]), int(month[5:7]))[1]


def check_month(field: str, value: str | None, today: date) -> tuple[str | None, list[Problem]]:
    """A month as YYYY-MM with a month 01–12, not later than the current month."""
    if problems := required(field, value):
        return None, problems
    assert value is not None
    match = MONTH_RE.fullmatch(value.strip())
    if not match:
        return None, [Problem(field, "month_format", "月份格式应为 YYYY-MM（如 2023-03）",
                              "month must be YYYY-MM (e.g. 2023-03)")]
    year, mon = int(match[1]), int(match[2])
    if not 1 <= mon <= 12:
        return None, [Problem(field, "month_range", "月份须在 01 到 12 之间",
                              "month must be between 01 and 12")]
    if year < 1990:
        return None, [Problem(field, "month_range", "月份过早", "month is too early")]
    if (year, mon) > (today.year, today.month):
        return None, [Problem(field, "month_future", "月份不能晚于当前月份",
                              "month must not be in the future")]
    return f"{year:04d}-{mon:02d}", []


def check_money(field: str, value: str | int | Decimal | None, *, optional: bool = False
                ) -> tuple[Decimal | None, list[Problem]]:
    """Yuan exact to the fen, ≥ 0, written as a plain decimal ("2800.00", not "2,800元")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if optional:
            return None, []
        return None, required(field, None)
    if isinstance(value, bool) or isinstance(value, float):
        return None, [Problem(field, "money_type", "金额请用十进制字符串，如 \"2800.00\"",
                              "money must be a decimal string such as \"2800.00\"")]
    text = str(value).strip()
    negative = text.startswith("-")
    if not MONEY_RE.fullmatch(text.removeprefix("-")):
        return None, [Problem(field, "money_format",
                              "金额应为纯数字（元），可带两位小数，不含逗号、单位或符号，如 2800.00",
                              "amount must be a plain number of yuan with at most 2 decimals, "
                              "no commas, units or symbols, e.g. 2800.00")]
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        return None, [Problem(field, "money_format", "金额无效", "invalid amount")]
    problems = []
    if negative and amount != 0:
        problems.append(Problem(field, "money_negative", "金额不能为负数", "amount must not be negative"))
    if amount != amount.quantize(FEN):
        problems.append(Problem(field, "money_precision", "金额最多两位小数（精确到分）",
                                "amount has more than 2 decimals (fen)"))
    if amount >= Decimal("1e12"):
        problems.append(Problem(field, "money_range", "金额过大", "amount is too large"))
    if problems:
        return None, problems
    return amount.quantize(FEN), []


@dataclass(frozen=True)
class PlausibleMonth:
    """What a month's income can plausibly be, in yuan: above ``low`` and at most ``high``
    (0, a month without work, is always plausible). Outside it is far more often a slip —
    fen typed as yuan (×100), a digit too many or too few — than a real month's pay."""

    low: Decimal = Decimal("100")
    high: Decimal = Decimal("50000")


def check_plausible_monthly_amount(field: str, amount: Decimal | None, bounds: PlausibleMonth, *,
                                   confirmed: bool) -> list[Problem]:
    """A month's pay or a baseline far outside ``bounds`` is refused with the reason, unless
    the person confirms it (``confirmed``): the rule asks, it does not forbid."""
    if amount is None or confirmed or amount == 0 or bounds.low <= amount <= bounds.high:
        return []
    if amount > bounds.high:
        zh = (f"金额 {amount:,f} 元超过 {bounds.high:,f} 元，不像一个月的收入（是否把“分”当成了“元”，"
              f"或多写了一位？）")
        en = (f"{amount:,f} yuan is above {bounds.high:,f} yuan, far more than a month's income "
              f"(fen typed as yuan, or a digit too many?)")
    else:
        zh = f"金额 {amount:,f} 元低于 {bounds.low:,f} 元，不像一个月的收入（是否少写了位数？无收入请填 0）"
        en = (f"{amount:,f} yuan is below {bounds.low:,f} yuan, far less than a month's income "
              f"(digits missing? a month without work is 0)")
    return [Problem(field, "unusual_amount",
                    zh + "。如确认无误，请确认异常金额后再提交（confirm_unusual）",
                    en + ". If it is right, confirm the unusual amount and send it again (confirm_unusual)")]


def check_days_worked(field: str, value: int | None, month: str | None) -> list[Problem]:
    if value is None:
        return required(field, None)
    if isinstance(value, bool) or not isinstance(value, int):
        return [Problem(field, "int", "应为整数", "must be a whole number")]
    limit = days_in_month(month) if month else 31
    if not 0 <= value <= limit:
        return [Problem(field, "days_range", f"出勤天数须在 0 到 {limit} 之间",
                        f"days worked must be between 0 and {limit}")]
    return []


def check_phone(field: str, value: str | None) -> tuple[str | None, list[Problem]]:
    if value is None or not value.strip():
        return None, []
    text = value.strip().replace(" ", "")
    if not PHONE_RE.fullmatch(text):
        return None, [Problem(field, "phone", "手机号格式无效（11位手机号或带区号的固话）",
                              "phone number is malformed (11-digit mobile or landline with area code)")]
    return text, []


def check_choice(field: str, value: str | None, choices: type) -> tuple[str | None, list[Problem]]:
    if problems := required(field, value):
        return None, problems
    allowed = [c.value for c in choices]  # type: ignore[attr-defined]
    if value not in allowed:
        return None, [Problem(field, "choice", "取值无效，可选：" + "、".join(allowed),
                              "invalid value; one of: " + ", ".join(allowed))]
    return value, []


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""C0 controls other than tab and line breaks: no one types them, and PostgreSQL refuses NUL."""


def control_character_problems(value: object, where: str = "") -> list[Problem]:
    """Every string inside ``value`` (nested dicts and lists too) that holds a control
    character, each named by its path (``workshops[2]``, ``figures[0].text``)."""
    if isinstance(value, str):
        if CONTROL_CHARACTERS.search(value):
            return [Problem(where or "body", "control_character", "含有不可见的控制字符（如 NUL），请删除",
                            "contains an invisible control character (such as NUL); remove it")]
        return []
    if isinstance(value, dict):
        return [p for key, item in value.items()
                for p in control_character_problems(item, f"{where}.{key}" if where else str(key))]
    if isinstance(value, list | tuple):
        return [p for i, item in enumerate(value) for p in control_character_problems(item, f"{where}[{i}]")]
    return []


def check_text(field: str, value: str | None, *, max_length: int, optional: bool = False
               ) -> tuple[str | None, list[Problem]]:
    if value is None or not str(value).strip():
        if optional:
            return "", []
        return None, required(field, value)
    text = str(value).strip()
    if problems := control_character_problems(text, field):
        return None, problems
    if len(text) > max_length:
        return None, [Problem(field, "too_long", f"长度不能超过 {max_length} 个字符",
                              f"must be at most {max_length} characters")]
    return text, []


def check_period_order(start_field: str, start: date | None, end: date | None) -> list[Problem]:
    if start and end and end < start:
        return [Problem(start_field, "date_order", "结束日期不能早于开始日期",
                        "end date must not be before the start date")]
    return []


def months_overlap(month: str, start: date, end: date | None) -> bool:
    """Whether a month shares a day with [start, end] (end None = open): whether it lies
    between their months (compared as (year, month), not as the month's first and last day,
    which cost the pay path's checks a calendar look-up per record)."""
    at = (int(month[:4]), int(month[5:7]))
    return (start.year, start.month) <= at and (end is None or (end.year, end.month) >= at)


