"""Cell values as people type them, turned into the plain values the field rules check.

Normalising is not validating. Each function here takes one cell (a string from a CSV, or
whatever openpyxl gives: str, int, float, datetime) and returns what the write paths'
rules (``ledger.core.rules`` via the services) expect — ``"2800.00"``, ``"2023-03"``,
``20`` — or, when it cannot make sense of the cell, the cell's own text, so that the very
same rule the API uses refuses it with its usual message. No rule is decided here.

Accepted spellings:
- money: ``2,800.00``, ``2800元``, ``￥2800``, ``RMB 2800``, full-width digits ``２８００``.
  An Excel number cell is a binary float: it is taken through its shortest decimal
  representation (``repr``), so ``2800.1`` becomes ``"2800.1"`` (then 2800.10), while a
  float whose shortest form has more than two decimals (``0.1 + 0.2`` =
  ``0.30000000000000004``, a formula's ``3080.0000000000005``) is passed on as written and
  refused by the money rule: we never round money we were given.
- months: ``2023-03``, ``2023-3``, ``2023/3``, ``2023.3``, ``2023年3月``, ``202303``,
  ``2023-03-01`` (a date-time too) and an Excel date cell (its year and month). A month held
  by a *number* cell is read only where the number cannot be ambiguous: an integer
  year-month (``202410``), an Excel date serial (a date cell that lost its format, years
  1990–2099) and a decimal whose digits after the point name one month (``2024.3`` is
  March, ``2024.11`` November). ``2024.1`` is January to one clerk and October to another
  (Excel and Calc turn ``2024.10`` typed in a cell into the number 2024.1, dropping the
  zero): it is refused with the reason (``AmbiguousMonth``), as number and as text, never
  guessed.
- dates: ``2023-03-01``, ``2023/3/1``, ``2023.3.1``, ``2023年3月1日``, ``20230301`` and
  Excel date cells; a date-time (``2024-04-08 08:30:00``, a timestamp cell) is its date.
- names: compared after removing spaces of any width (``王　伟`` padded for alignment is
  ``王伟``); a name stored from a sheet loses the padding between Chinese characters.
- whole numbers: ``20``, ``20天``, ``２０``, an Excel ``20.0``.
- ID numbers: stray spaces and a lower-case ``x`` are fine; an ID stored as an Excel number
  has already lost its last digits, which is said plainly (``IdStoredAsNumber``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.core.enums import LowIncomeCategory, PayBasis

_SPACES = re.compile(r"[\s\u3000]+")
_MONEY_DECORATION = re.compile(r"^(?:rmb|cny|¥|￥)|(?:元|圆|rmb|cny)$", re.IGNORECASE)
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:份)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(?:\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*\d{1,2}\s*日$"),
]
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_CLOCK = re.compile(r"^(.*?[\d日])(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")
"""A date followed by a time of day: ``2024-04-08 08:30:00``, ``2024/4/8 8:30``, ``…T08:30``."""
_AMBIGUOUS_MONTH = re.compile(r"^(\d{4})\s*\.\s*1$")
_SERIALS = (32874, 73051)
"""Excel date serials read as a month: 1990-01-01 to 2099-12-31 (a plain year such as 2024 is not one)."""
_CJK_PADDING = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u9fff\uf900-\ufaff])")
_PAY_BASIS_WORDS = {
    "piece": PayBasis.piece, "piecerate": PayBasis.piece, "计件制": PayBasis.piece,
    "hourly": PayBasis.hourly, "hour": PayBasis.hourly, "计时制": PayBasis.hourly,
    "daily": PayBasis.daily, "day": PayBasis.daily, "日结": PayBasis.daily, "按日": PayBasis.daily,
    "monthly": PayBasis.monthly, "month": PayBasis.monthly, "月结": PayBasis.monthly, "按月": PayBasis.monthly,
}


class IdStoredAsNumber(ValueError):
    """An ID number that Excel turned into a number: its last digits are gone."""


class AmbiguousMonth(ValueError):
    """A month written ``2024.1``: January, or October whose trailing zero a number cell dropped."""

    def __init__(self, year: int):
        super().__init__(year)
        self.year = year


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \t\r\n\u3000"))


def fold(text: str) -> str:
    """Full-width to half-width (NFKC) and no surrounding spaces: ``"　２８００ "`` → ``"2800"``."""
    return unicodedata.normalize("NFKC", text).strip()


def text(value: Any) -> str | None:
    """Free text (names, villages): kept as typed, only the surrounding spaces go.

    Not NFKC: that would rewrite compatibility ideographs in people's names.
    """
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip(" \t\r\n\u3000")


def name(value: Any) -> str | None:
    """A person's name as a sheet gives it: the padding clerks put between Chinese characters
    to align a column (``王　伟``, ``王  伟``) goes; other spaces (``John Smith``) stay, one each."""
    typed = text(value)
    if typed is None:
        return None
    return _SPACES.sub(" ", _CJK_PADDING.sub("", typed))


def name_key(value: str | None) -> str | None:
    """What two names are compared by: the name without spaces of any width."""
    return None if value is None else _SPACES.sub("", value) or None


def code(value: Any) -> str | None:
    """A code (workshop code): half-width, no spaces around."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return fold(str(value))


def float_text(number: float) -> str:
    """The shortest decimal text that reads back as this float; never a rounding."""
    if number != number or number in (float("inf"), float("-inf")):
        return repr(number)
    try:
        return format(Decimal(repr(number)), "f")
    except InvalidOperation:  # pragma: no cover - repr of a finite float is a decimal
        return repr(number)


def money(value: Any) -> str | None:
    """An amount of yuan as the money rule reads it (a plain decimal string)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return float_text(value)
    raw = fold(str(value))
    cleaned = _SPACES.sub("", raw)
    cleaned = _MONEY_DECORATION.sub("", cleaned)
    cleaned = _MONEY_DECORATION.sub("", cleaned)  # "￥2800元"
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    return cleaned if cleaned else raw


def whole_number(value: Any, units: tuple[str, ...] = ()) -> int | str | None:
    """A whole number (days, pieces) or, failing that, the text for the rule to refuse."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else float_text(value)
    raw = fold(str(value))
    cleaned = _SPACES.sub("", raw)
    for unit in units:
        cleaned = cleaned.removesuffix(unit)
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if re.fullmatch(r"\d+", cleaned):
        return int(cleaned)
    if re.fullmatch(r"\d+\.0+", cleaned):
        return int(cleaned.split(".")[0])
    return raw


def decimal_text(value: Any, units: tuple[str, ...] = ()) -> str | None:
    """A decimal quantity that is not money (hours), as the money-shaped rule reads it."""
    if isinstance(value, str) and units:
        cleaned = _SPACES.sub("", fold(value))
        for unit in units:
            cleaned = cleaned.removesuffix(unit)
        value = cleaned
    return money(value)


def month(value: Any) -> str | None:
    """A month as ``YYYY-MM`` when it can be read as one, else the text as typed.

    Raises ``AmbiguousMonth`` for ``2024.1`` (a number or the text a number cell became).
    """
    if is_blank(value):
        return None
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, int) and 199001 <= value <= 209912 and 1 <= value % 100 <= 12:
            return f"{value // 100:04d}-{value % 100:02d}"
        if _SERIALS[0] <= value <= _SERIALS[1]:
            from openpyxl.utils.datetime import from_excel

            serial = from_excel(value)
            return f"{serial.year:04d}-{serial.month:02d}"
        value = float_text(value) if isinstance(value, float) else str(value)
    raw = fold(str(value))
    found = _month_text(raw)
    if found is None and (clock := _CLOCK.fullmatch(raw)):
        found = _month_text(clock[1])
    return found or raw


def _month_text(raw: str) -> str | None:
    for pattern in _MONTH_PATTERNS:
        match = pattern.fullmatch(raw)
        if match:
            if match[2] == "1" and "." in raw and _AMBIGUOUS_MONTH.fullmatch(raw):
                raise AmbiguousMonth(int(match[1]))
            return f"{int(match[1]):04d}-{int(match[2]):02d}"
    return None


def day(value: Any) -> date | str | None:
    """A date, or the text as typed for the date rule to refuse."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()  # a timestamp (2024-04-08 08:30:00): its date is clear
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = fold(str(value))
    if clock := _CLOCK.fullmatch(raw):
        if int(clock[2]) < 24 and int(clock[3]) < 60 and int(clock[4] or 0) < 60:
            raw = clock[1]
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(raw)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return raw
    return raw


def id_number(value: Any) -> str | None:
    """An ID number as typed, without spaces; an Excel number cell is refused outright."""
    if is_blank(value):
        return None
    if isinstance(value, float):
        raise IdStoredAsNumber()
    if isinstance(value, int) and not isinstance(value, bool):
        if len(str(value)) != 18:
            raise IdStoredAsNumber()
        return str(value)
    return _SPACES.sub("", fold(str(value))).upper()


def phone(value: Any) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub("", fold(str(value)))


def pay_basis(value: Any) -> str | None:
    """计件/计时/日薪/月薪, or the English words, or the text for the choice rule to refuse."""
    if is_blank(value):
        return None
    raw = fold(str(value))
    if raw in {b.value for b in PayBasis}:
        return raw
    key = re.sub(r"[\s_\-]", "", raw.lower())
    if key in PayBasis.__members__:
        return PayBasis[key].value
    basis = _PAY_BASIS_WORDS.get(key)
    return basis.value if basis else raw


_CATEGORY_WORDS = {
    "低保对象": LowIncomeCategory.dibao, "低保户": LowIncomeCategory.dibao, "最低生活保障": LowIncomeCategory.dibao,
    "低边": LowIncomeCategory.dibao_edge, "低保边缘户": LowIncomeCategory.dibao_edge,
    "低保边缘家庭": LowIncomeCategory.dibao_edge, "低边户": LowIncomeCategory.dibao_edge,
    "特困": LowIncomeCategory.tekun, "特困人员": LowIncomeCategory.tekun, "特困供养人员": LowIncomeCategory.tekun,
    "五保": LowIncomeCategory.tekun, "五保户": LowIncomeCategory.tekun,
    "支出型贫困": LowIncomeCategory.expenditure_hardship, "支出型困难家庭": LowIncomeCategory.expenditure_hardship,
    "支出型": LowIncomeCategory.expenditure_hardship,
    "监测对象": LowIncomeCategory.relapse_monitoring, "返贫监测对象": LowIncomeCategory.relapse_monitoring,
    "防返贫监测对象": LowIncomeCategory.relapse_monitoring, "防贫监测对象": LowIncomeCategory.relapse_monitoring,
    "残疾": LowIncomeCategory.disabled, "残疾人员": LowIncomeCategory.disabled, "残疾人家庭": LowIncomeCategory.disabled,
    "其它": LowIncomeCategory.other, "other": LowIncomeCategory.other,
}


def category(value: Any) -> str | None:
    """A low-income category as civil-affairs rosters write it (低边, 特困, 监测对象, …), or the
    text for the choice rule to refuse."""
    if is_blank(value):
        return None
    raw = fold(str(value))
    key = _SPACES.sub("", raw)
    if key in {c.value for c in LowIncomeCategory}:
        return key
    if key.lower() in LowIncomeCategory.__members__:
        return LowIncomeCategory[key.lower()].value
    found = _CATEGORY_WORDS.get(key) or _CATEGORY_WORDS.get(key.lower())
    return found.value if found else raw


def placement_id(value: Any) -> int | str | None:
    return whole_number(value)


def display(value: Any) -> str:
    """A cell as a person reads it in a report (not for sensitive fields)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    return str(value)[:100]
