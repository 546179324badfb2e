"""What a published figure's wording allows, as an interval, and exact arithmetic on intervals.

SPEC "Claims and reconciliation", with k the place of the claim's last non-zero digit:

* ``exact`` (no word): equal at the claim's unit. Read as: the ledger value, rounded half-up to
  the last digit *as written*, is the claimed number — [c − r/2, c + r/2) with r that digit's
  place value. For a count written in units (8家, 6063人) that is equality; 336万元 means
  [3355000, 3365000); 3082元 means [3081.50, 3082.50).
* ``about`` (约 近 左右 大约): |ledger − c| ≤ k/2 — 约2800元 → [2750, 2850], 约336万元 → [3355000, 3365000].
* ``over`` (余 多): c ≤ ledger < c + k — 1000余人 → [1000, 2000).
* ``at_least`` (以上 超 超过 逾): ledger ≥ c — [c, ∞).
* A tolerance stated with the claim wins: [c − t, c + t].

The identities multiply and divide these intervals. Every value here is non-negative, so
products and quotients are taken bound by bound. Quotients that do not terminate are rounded
outward (low bound down, high bound up) at 40 significant digits, so an interval never loses a
value it should hold: the arithmetic can only be too generous, never reject what could be true.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, Inexact, localcontext

from ledger.core.claims import ClaimFigure, Qualifier
from ledger.core.metrics import Unit

_PRECISION = 40
TWO = Decimal(2)


@dataclass(frozen=True)
class Interval:
    """A set of non-negative numbers between ``low`` and ``high`` (``None`` = no upper end)."""

    low: Decimal
    high: Decimal | None
    low_closed: bool = True
    high_closed: bool = True

    def __post_init__(self) -> None:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"empty interval [{self.low}, {self.high}]")

    @classmethod
    def point(cls, value: Decimal | int) -> Interval:
        return cls(Decimal(value), Decimal(value))

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            return False
        x = Decimal(value)
        if x < self.low or (x == self.low and not self.low_closed):
            return False
        if self.high is None:
            return True
        return x < self.high or (x == self.high and self.high_closed)

    def contains(self, value: Decimal | int) -> bool:
        return value in self

    def is_above(self, value: Decimal) -> bool:
        """Every number in the interval is > value."""
        return self.low > value or (self.low == value and not self.low_closed)

    def is_below(self, value: Decimal) -> bool:
        """Every number in the interval is < value."""
        return self.high is not None and (self.high < value or (self.high == value and not self.high_closed))

    def scale(self, factor: Decimal | int) -> Interval:
        """Multiply by a positive constant (exact)."""
        k = Decimal(factor)
        if k <= 0:
            raise ValueError("scale by a positive number")
        return Interval(self.low * k, None if self.high is None else self.high * k, self.low_closed, self.high_closed)

    def __mul__(self, other: Interval) -> Interval:
        low = self.low * other.low
        low_closed = (self.low_closed and other.low_closed) or (self.low == 0 and self.low_closed) or (
            other.low == 0 and other.low_closed)
        if self.high is None or other.high is None:
            zero_side = (self.high == 0 and self.high_closed) or (other.high == 0 and other.high_closed)
            return Interval(low, Decimal(0) if zero_side else None, low_closed, True)
        return Interval(low, self.high * other.high, low_closed, self.high_closed and other.high_closed)

    def __truediv__(self, other: Interval) -> Interval:
        if other.high is not None and other.high == 0:
            raise ZeroDivisionError("division by an interval that is only zero")
        if other.high is None:
            low, low_closed = Decimal(0), True
        else:
            low, exact = _divide(self.low, other.high, ROUND_FLOOR)
            low_closed = (self.low_closed and other.high_closed) or not exact or self.low == 0
        if self.high is None or other.low == 0:
            return Interval(low, None, low_closed, False)
        high, exact = _divide(self.high, other.low, ROUND_CEILING)
        return Interval(low, high, low_closed, (self.high_closed and other.low_closed) or not exact)

    def bounds_text(self) -> str:
        left = "[" if self.low_closed else "("
        right = "]" if self.high_closed and self.high is not None else ")"
        high = "∞" if self.high is None else f"{self.high.normalize():f}"
        return f"{left}{self.low.normalize():f}, {high}{right}"


def _divide(a: Decimal, b: Decimal, rounding: str) -> tuple[Decimal, bool]:
    """a ÷ b rounded in the given direction; whether it was exact."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        ctx.rounding = rounding
        ctx.clear_flags()
        q = a / b
        exact = not ctx.flags[Inexact]
    return q, exact


def interval_for(value: Decimal, qualifier: Qualifier, place: Decimal, resolution: Decimal,
                 tolerance: Decimal | None = None) -> Interval:
    """The values a figure written as ``value`` with ``qualifier`` allows (see the module doc)."""
    if tolerance is not None:
        return Interval(max(Decimal(0), value - tolerance), value + tolerance)
    if qualifier is Qualifier.exact:
        return Interval(max(Decimal(0), value - resolution / TWO), value + resolution / TWO, True, False)
    if qualifier is Qualifier.about:
        return Interval(max(Decimal(0), value - place / TWO), value + place / TWO)
    if qualifier is Qualifier.over:
        return Interval(value, value + place, True, False)
    return Interval(value, None, True, False)


def allowed_interval(figure: ClaimFigure) -> Interval:
    """The interval the wording of a claim figure allows the ledger's value to lie in.

    Counts (家, 人, 户) are whole numbers, so their interval is narrowed to the whole numbers in
    it, closed at both ends: 1000余人 allows [1000, 1999], 8家 allows [8, 8].
    """
    interval = interval_for(figure.value, figure.qualifier, figure.place, figure.resolution, figure.tolerance)
    if figure.unit in (Unit.workshop, Unit.person, Unit.household):
        return whole_numbers(interval)
    return interval


def whole_numbers(interval: Interval) -> Interval:
    """The smallest closed interval holding the same whole numbers (assumed not to be empty)."""
    low = interval.low.to_integral_value(ROUND_CEILING)
    if low == interval.low and not interval.low_closed:
        low += 1
    if interval.high is None:
        return Interval(low, None, True, False)
    high = interval.high.to_integral_value(ROUND_FLOOR)
    if high == interval.high and not interval.high_closed:
        high -= 1
    if high < low:
        return interval
    return Interval(low, high)
