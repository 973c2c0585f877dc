"""Money: integer fen (分) everywhere, exact fractions in between, one rounding rule.

- Input in yuan is parsed through :class:`~decimal.Decimal` only (:func:`parse_yuan`): digits,
  optionally grouped by commas, and at most two decimals; anything else is refused, never
  rounded.
- Rates and fractions of the data ("2.5%", "1/3") are exact :class:`~fractions.Fraction`; a tier's
  part of a fee is an exact fraction of a fen until it is rounded.
- Rounding is half up (四舍五入: a half goes away from zero) to a unit of 1 fen (分, the default),
  10 fen (角) or 100 fen (元): :func:`round_half_up`. Where and how often the engine rounds is
  written in :mod:`fees.engine`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from fees.errors import FeeInputError, ScheduleDataError

__all__ = [
    "FEN_PER_YUAN",
    "format_fraction",
    "format_rate",
    "format_ratio",
    "format_yuan",
    "parse_fraction",
    "parse_rate",
    "parse_yuan",
    "round_half_up",
]

FEN_PER_YUAN = 100
MAX_AMOUNT_FEN = 10**17
"""No claim is larger (10^15 yuan); a longer string of digits is a typing error."""

_YUAN = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
_RATE = re.compile(r"([0-9]+(?:\.[0-9]+)?)%")
_FRACTION = re.compile(r"([0-9]+)/([0-9]+)")


def parse_yuan(text: str) -> int:
    """``"1,234,567.89"`` → ``123456789`` fen. Refuses negatives, non-numbers and fractions of
    a fen (three or more decimals) with a :class:`FeeInputError` naming the input."""
    value = text.strip()
    if value.startswith("-"):
        raise FeeInputError(f"an amount cannot be negative: {text!r}", f"金额不能为负数：{text!r}")
    match = _YUAN.fullmatch(value)
    if match is None:
        raise FeeInputError(
            f"not an amount in yuan: {text!r} (digits, optionally '.' and two decimals)",
            f"不是以元为单位的金额：{text!r}（数字，最多两位小数）",
        )
    decimals = match.group(1)
    if decimals is not None and len(decimals) > 2:
        raise FeeInputError(
            f"too many decimals in {text!r}: amounts are exact to the fen (two decimals)",
            f"金额 {text!r} 的小数位过多：金额精确到分（最多两位小数）",
        )
    fen = Decimal(value.replace(",", "")) * FEN_PER_YUAN
    if fen > MAX_AMOUNT_FEN:
        raise FeeInputError(f"amount too large: {text!r}", f"金额过大：{text!r}")
    return int(fen)  # exact: at most two decimals


def round_half_up(value: Fraction, unit_fen: int = 1) -> int:
    """``value`` (fen) rounded to a whole multiple of ``unit_fen``; a half goes away from zero."""
    if unit_fen <= 0:
        raise ValueError(f"rounding unit must be positive: {unit_fen}")
    units = abs(value) / unit_fen
    whole = int(units + Fraction(1, 2))  # int() truncates: floor for non-negative values
    return (whole if value >= 0 else -whole) * unit_fen


def format_yuan(fen: int, *, grouped: bool = True) -> str:
    """``123456789`` → ``"1,234,567.89"`` (``grouped=False``: ``"1234567.89"``)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    whole = f"{yuan:,}" if grouped else str(yuan)
    return f"{sign}{whole}.{cents:02d}"


def parse_rate(text: str) -> Fraction:
    """``"2.5%"`` → ``Fraction(1, 40)``, exactly; data errors are :class:`ScheduleDataError`."""
    match = _RATE.fullmatch(text.strip())
    if match is None:
        raise ScheduleDataError(f"not a rate (like '2.5%'): {text!r}")
    return Fraction(match.group(1)) / 100


def parse_fraction(text: str) -> Fraction:
    """``"1/3"`` → ``Fraction(1, 3)``."""
    match = _FRACTION.fullmatch(text.strip())
    if match is None or int(match.group(2)) == 0:
        raise ScheduleDataError(f"not a fraction (like '1/3'): {text!r}")
    return Fraction(int(match.group(1)), int(match.group(2)))


def format_rate(rate: Fraction) -> str:
    """``Fraction(1, 40)`` → ``"2.5%"``."""
    return f"{format_fraction(rate * 100)}%"


def format_ratio(value: Fraction) -> str:
    """``Fraction(1, 3)`` → ``"1/3"`` (a multiplier or halving as the law writes it)."""
    return f"{value.numerator}/{value.denominator}"


def format_fraction(value: Fraction) -> str:
    """A terminating decimal exactly (``"308642.225"``), else ``"n/d"`` (``"1/3"``)."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
    scaled = abs(value.numerator * 10**digits // value.denominator)
    sign = "-" if value < 0 else ""
    if digits == 0:
        return f"{sign}{scaled}"
    whole, fraction = divmod(scaled, 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}"
