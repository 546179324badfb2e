"""Numbers as people write them: 336万元, 2,163.41万元, 2800元, 3360万元, 1.2亿元, 约2800元, 1000余人.

A county report does not say ``3360000 元`` or ``21634090.12``: amounts of ten thousand yuan
and more are written in 万 (10⁴) and from a hundred million in 亿 (10⁸); the wording's word
stands where people put it — 约 before the number (约336万元), 余 right after its digits
(1000余人, 1000余万元), 以上 after the unit (60家以上).

The rules, in one place:

* Money (元): below 1万 in 元; from 1万 in 万元; from 1亿 in 亿元. ``decimals`` is how many
  decimals of that unit are kept (rounded half-up; trailing zeros dropped); ``None`` keeps
  every digit, so the text says the value exactly.
* Counts (人, 家, 户, 人月) are never rounded: from 1万 they are written in 万 only when that is
  exact with at most two decimals (47900 → 4.79万人), otherwise in full (12,345人).
* Percentages keep ``decimals`` decimals (15.3%).
* Digits are grouped by thousands (2,163.41) when the integer part has five digits or more, or
  four with a fraction: round figures stay as prose writes them (3360万元, 1000人), measured
  ones are easier to read grouped.

Every ``Written`` states its rounding: ``value`` is what the text says (in base units) and
``step`` the place it was rounded to (0 when exact), so |value − original| ≤ step ÷ 2. The exact
value always stays beside the words (JSON, spreadsheets): the words are for reading.

English has no 万: ``write_en`` writes the exact value with thousands separators
(``about 3,360,000 yuan``). Only ``Decimal`` and ``int`` go in; a float is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ledger.core.metrics import Unit

WAN = Decimal(10) ** 4
YI = Decimal(10) ** 8
COUNT_UNITS = (Unit.person, Unit.workshop, Unit.household, Unit.person_month)

UNIT_EN: dict[Unit, tuple[str, str]] = {
    Unit.workshop: ("workshop", "workshops"),
    Unit.person: ("person", "people"),
    Unit.household: ("household", "households"),
    Unit.yuan: ("yuan", "yuan"),
    Unit.percent: ("%", "%"),
    Unit.person_month: ("person-month", "person-months"),
}

# The qualifier words, by the Qualifier's value (ledger.core.claims): where each one goes.
_BEFORE = {"about": ("约", "about ")}
_AFTER_DIGITS = {"over": ("余", "more than ")}
_AFTER_UNIT = {"at_least": ("以上", "at least ")}


@dataclass(frozen=True)
class Written:
    """A number in words: ``text`` (约336万元), what it says in base units, and its rounding."""

    text: str
    value: Decimal
    step: Decimal

    def __str__(self) -> str:
        return self.text


def _check(value: Decimal | int) -> Decimal:
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
        raise TypeError("written numbers are Decimal or int, never float")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError("not a finite number")
    return number


def _plain(number: Decimal) -> str:
    """Fixed-point digits without trailing zeros or exponent: 2163.4100 → "2163.41"."""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def group_digits(digits: str) -> str:
    """Thousands separators when the integer part has ≥ 5 digits, or 4 and a fraction."""
    sign = "-" if digits.startswith("-") else ""
    whole, dot, fraction = digits.lstrip("-").partition(".")
    if len(whole) >= 5 or (len(whole) == 4 and fraction):
        whole = f"{int(whole):,}"
    return sign + whole + dot + fraction


def _rounded(number: Decimal, scale: Decimal, decimals: int | None) -> tuple[Decimal, Decimal]:
    """number ÷ scale, rounded half-up to ``decimals`` places (None: exact); and the step in base units."""
    shown = number / scale
    if decimals is None:
        return shown, Decimal(0)
    place = Decimal(1).scaleb(-decimals)
    return shown.quantize(place, ROUND_HALF_UP), place * scale


def write(value: Decimal | int, unit: Unit | str, qualifier: str | None = None, *,
          decimals: int | None = 2) -> Written:
    """A value in the way a Chinese report writes it (see the module doc)."""
    number = _check(value)
    unit = Unit(unit)
    magnitude, scale = "", Decimal(1)
    if unit in COUNT_UNITS:
        decimals = None
        if abs(number) >= WAN and number == number.to_integral_value():
            in_wan = number / WAN
            if in_wan == in_wan.quantize(Decimal("0.01")):
                magnitude, scale = "万", WAN
    elif unit is Unit.yuan:
        if abs(number) >= YI:
            magnitude, scale = "亿", YI
        elif abs(number) >= WAN:
            magnitude, scale = "万", WAN
    shown, step = _rounded(number, scale, decimals)
    if unit is Unit.yuan and scale < YI and abs(shown * scale) >= scale * WAN:
        # rounding carried it into the next unit (99,999,999.99 元 → 10000.00万): say 1亿元
        magnitude, scale = ("亿", YI) if scale == WAN else ("万", WAN)
        shown, step = _rounded(number, scale, decimals)
    digits = group_digits(_plain(shown))
    qualifier = str(qualifier) if qualifier is not None else "exact"
    before = _BEFORE.get(qualifier, ("", ""))[0]
    after_digits = _AFTER_DIGITS.get(qualifier, ("", ""))[0]
    after_unit = _AFTER_UNIT.get(qualifier, ("", ""))[0]
    unit_text = "%" if unit is Unit.percent else str(unit)
    text = f"{before}{digits}{after_digits}{magnitude}{unit_text}{after_unit}"
    return Written(text, shown * scale, step)


def write_range(low: Decimal | int, high: Decimal | int | None, unit: Unit | str) -> str:
    """An interval's ends in words: 335.5至336.5万元, 1000至1999人, 9000元至1.1万元, 不少于60家."""
    unit = Unit(unit)
    if high is None:
        return f"不少于{write(low, unit, decimals=None).text}"
    if Decimal(low) == Decimal(high):
        return write(low, unit, decimals=None).text
    low_text, high_text = write(low, unit, decimals=None).text, write(high, unit, decimals=None).text
    suffix = high_text.lstrip("-0123456789,.")
    if suffix and low_text.endswith(suffix) and low_text[: -len(suffix)][-1:].isdigit():
        low_text = low_text[: -len(suffix)]  # 1000至1999人, 335.5至336.5万元
    return f"{low_text}至{high_text}"


def write_en(value: Decimal | int, unit: Unit | str, qualifier: str | None = None) -> str:
    """The exact value in English: ``about 3,360,000 yuan``, ``more than 1,000 people``, ``15.3%``."""
    number = _check(value)
    unit = Unit(unit)
    if unit is Unit.yuan and number != number.to_integral_value():
        digits = f"{number.quantize(Decimal('0.01'), ROUND_HALF_UP):,f}"
    else:
        whole, dot, fraction = _plain(number).partition(".")
        digits = f"{int(whole):,}" + dot + fraction
    word = ""
    qualifier = str(qualifier) if qualifier is not None else "exact"
    for table in (_BEFORE, _AFTER_DIGITS, _AFTER_UNIT):
        if qualifier in table:
            word = table[qualifier][1]
    if unit is Unit.percent:
        return f"{word}{digits}%"
    singular, plural = UNIT_EN[unit]
    return f"{word}{digits} {singular if number == 1 else plural}"


def write_range_en(low: Decimal | int, high: Decimal | int | None, unit: Unit | str) -> str:
    if high is None:
        return f"at least {write_en(low, unit)}"
    if Decimal(low) == Decimal(high):
        return write_en(low, unit)
    low_text, high_text = write_en(low, unit), write_en(high, unit)
    suffix = high_text.lstrip("-0123456789,.")
    if suffix and low_text.endswith(suffix) and suffix.startswith(" "):
        low_text = low_text[: -len(suffix)]  # 1,000 to 1,999 people
    return f"{low_text} to {high_text}"


__all__ = ["WAN", "YI", "Written", "group_digits", "write", "write_en", "write_range", "write_range_en"]
