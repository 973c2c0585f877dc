"""Check digits of the identifiers a filing carries (pure).

- **Resident ID number** (公民身份号码), GB 11643-1999: 6-digit address code, 8-digit birth date
  ``YYYYMMDD``, 3-digit sequence, 1 check character. The check character is ISO 7064 MOD 11-2:
  ``sum(digit_i × W_i) mod 11`` with ``W = 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2`` picks it from
  ``1 0 X 9 8 7 6 5 4 3 2``.
- **Unified social credit code** (统一社会信用代码), GB 32100-2015: 18 characters from the 31
  of ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z); the 18th is ``31 - (sum(value_i × W_i) mod
  31)`` (31 becomes 0) with ``W = 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28``
  (``3^(i-1) mod 31``).
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "CREDIT_CODE_CHARS",
    "credit_code_check_char",
    "credit_code_problem",
    "id_number_check_char",
    "id_number_problem",
]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_number_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str, today: date) -> str | None:
    """``None`` for a valid resident ID number; else what is wrong (``length``, ``characters``,
    ``region``, ``birth_date``, ``check_digit``). A trailing lower-case ``x`` is accepted (the
    caller stores the upper-case form)."""
    value = value.upper()
    if len(value) != 18:
        return "length"
    if not value[:17].isascii() or not value[:17].isdigit() or value[17] not in "0123456789X":
        return "characters"
    if value[0] not in "1234568":  # 1-6 the mainland's regions, 8 Hong Kong, Macao, Taiwan
        return "region"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth_date"
    if born.year < 1900 or born > today:
        return "birth_date"
    if id_number_check_char(value[:17]) != value[17]:
        return "check_digit"
    return None


def credit_code_check_char(first17: str) -> str:
    total = sum(
        CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    """``None`` for a valid unified social credit code; else ``length``, ``characters`` or
    ``check_character``."""
    value = value.upper()
    if len(value) != 18:
        return "length"
    if any(c not in CREDIT_CODE_CHARS for c in value):
        return "characters"
    if credit_code_check_char(value[:17]) != value[17]:
        return "check_character"
    return None
