"""Resident ID numbers (居民身份证号码, GB 11643-1999): 17 digits, then a check character.

The check character is ISO 7064 MOD 11-2: the weighted sum of the first 17 digits with the
weights ``2^(17-i) mod 11`` (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2), mod 11, indexes
``1 0 X 9 8 7 6 5 4 3 2``. Digits 7–14 are the date of birth (YYYYMMDD). Pure: no framework.
"""

from __future__ import annotations

from datetime import date

__all__ = ["IdNumberError", "check_character", "mask", "normalise", "tail"]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


class IdNumberError(ValueError):
    """Not a valid ID number; ``zh`` says why in Chinese."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


def check_character(first17: str) -> str:
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError("17 digits expected", "前17位应为数字")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK[total % 11]


def normalise(text: str) -> str:
    """The ID number in ``text`` (spaces removed, a lower-case x raised), checked: length,
    digits, date of birth and check character."""
    value = "".join(text.split()).upper()
    if len(value) != 18:
        raise IdNumberError("an ID number has 18 characters", "身份证号码应为18位")
    if not value[:17].isascii() or not value[:17].isdigit():
        raise IdNumberError("the first 17 characters must be digits", "身份证号码前17位应为数字")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise IdNumberError(
            "the date of birth is not a date", "身份证号码中的出生日期无效"
        ) from exc
    if born.year < 1800:
        raise IdNumberError("the date of birth is not plausible", "身份证号码中的出生日期无效")
    if check_character(value[:17]) != value[17]:
        raise IdNumberError(
            "the check character does not match", "身份证号码校验位不正确，请核对每一位"
        )
    return value


def tail(value: str) -> str:
    """The last four characters (shown in watermarks and to staff)."""
    return value[-4:]


def mask(value: str) -> str:
    """``110105********123X``: what logs and audit entries may carry."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
