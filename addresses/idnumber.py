"""Resident identity numbers (公民身份号码, GB 11643-1999): the check digit, and how the service
keeps them: never in clear, only a keyed hash (to tell the same person's look-ups apart) and the
last four characters (what a clerk reads back to the party).

The check digit (GB 11643-1999 §8.2, ISO 7064 MOD 11-2): the first 17 digits weighted by
7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, the sum mod 11 indexes ``1 0 X 9 8 7 6 5 4 3 2``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

__all__ = ["IdNumberError", "check_digit", "id_hash", "id_tail", "mask", "parse_id_number"]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$", re.ASCII)


class IdNumberError(ValueError):
    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


def check_digit(first17: str) -> str:
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("17 digits expected")
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse_id_number(text: str) -> str:
    """The 18-character number, upper case, if well formed with a real birth date and the right
    check digit; else :class:`IdNumberError` (whose messages never repeat the number)."""
    value = text.strip().upper()
    if not _SHAPE.fullmatch(value):
        raise IdNumberError(
            "an ID number has 18 characters: 17 digits, then a digit or X",
            "身份证号码应为18位：前17位为数字，最后一位为数字或X",
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1880:
        raise IdNumberError(
            "the date of birth in the ID number is not a real date",
            "身份证号码中的出生日期（第7至14位）不是有效日期",
        )
    if check_digit(value[:17]) != value[17]:
        raise IdNumberError(
            "the ID number's check digit does not match (check every digit)",
            "身份证号码校验位不符，请逐位核对",
        )
    return value


def id_tail(value: str) -> str:
    return value[-4:]


def mask(value: str) -> str:
    """``440104**********123X``: what a page or a log line may show."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "****"


def id_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of the number under the service's key: equal numbers, equal hashes; without
    the key it cannot be reversed by trying every number (there are only about 10¹¹)."""
    return hmac.new(key, value.encode("ascii"), hashlib.sha256).hexdigest()
