"""The one place that makes money values.

Money is yuan exact to the fen (SPEC "Money and time"). It is a ``Decimal`` quantised to
0.01 in Python, an integer number of fen in the database, and a decimal string in JSON.
It never passes through a binary float: ``to_money`` refuses floats outright.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
FEN_PER_YUAN = 100


class MoneyError(ValueError):
    """A value that is not an amount of yuan exact to the fen."""


def to_money(value: Decimal | int | str) -> Decimal:
    """Parse an exact amount of yuan; more than two decimals is an error, not a rounding."""
    if isinstance(value, float) or isinstance(value, bool):
        raise MoneyError("money must not be a binary float")
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not a number: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError("not a finite number")
    if amount != amount.quantize(FEN, rounding=ROUND_HALF_UP):
        raise MoneyError("more than two decimals")
    return amount.quantize(FEN)


def round_fen(value: Decimal) -> Decimal:
    """Round a derived amount (an average) half-up to the fen; used only at the end."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def yuan_to_fen(amount: Decimal) -> int:
    """Exact conversion of a money Decimal to integer fen."""
    return int(to_money(amount) * FEN_PER_YUAN)


def fen_to_yuan(fen: int) -> Decimal:
    """Exact conversion of integer fen (as stored and summed by the database) to yuan."""
    return (Decimal(int(fen)) / FEN_PER_YUAN).quantize(FEN)


def money_str(amount: Decimal) -> str:
    """Serialise money as a decimal string with two places, e.g. ``"2800.00"``."""
    return f"{amount.quantize(FEN):f}"


def fen_str(fen: int | None) -> str | None:
    """Stored integer fen (or NULL) as the decimal string of yuan the outside world sees."""
    return None if fen is None else money_str(fen_to_yuan(fen))
