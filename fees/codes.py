"""The numbers the fee service gives out. Pure.

- **Notice code** (缴费码, one per case: "one case, one account"): 18 digits, the court (4), the
  filing year (4), the account's number (8) and two check digits of ISO 7064 MOD 97-10 (the IBAN
  scheme: every single wrong digit and every swap of two neighbouring digits is caught), so a
  code typed at the counter or read over the phone is checked before it is looked up. Printed in
  groups of four for reading aloud (``0001 2026 0000 0017 48``).
- **Order numbers** (``out_trade_no`` at WeChat Pay: 6–32 of ``[0-9A-Za-z_-|*]``): the notice
  code, ``P`` and a random part, unique by the table's constraint.
- **Refund numbers** (``out_refund_no``, up to 64 of the same set): the notice code, ``R`` and the
  refund's sequence in the account; a repeated refund request reuses its number, so the
  provider refunds once.
- **Receipt numbers** and their verification codes (校验码, random, kept with the receipt).
"""

from __future__ import annotations

import re
import secrets

from stdnum.iso7064 import mod_97_10

__all__ = [
    "NoticeCodeError",
    "format_notice_code",
    "notice_code",
    "order_number",
    "parse_notice_code",
    "receipt_number",
    "refund_number",
    "verification_code",
]

_DIGITS = re.compile(r"\d{18}")
_VERIFY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""No 0/O, 1/I: a code read off paper."""


class NoticeCodeError(ValueError):
    """Not a notice code (wrong length, not digits, or its check digits do not match)."""


def notice_code(court_id: int, year: int, account_id: int) -> str:
    if not (0 < court_id < 10_000 and 1000 <= year <= 9999 and 0 < account_id < 10**8):
        raise ValueError(f"cannot number court {court_id}, year {year}, account {account_id}")
    body = f"{court_id:04d}{year:04d}{account_id:08d}"
    return body + mod_97_10.calc_check_digits(body)


def parse_notice_code(text: str) -> str:
    """The code in ``text`` (spaces and dashes as printed are ignored), checked."""
    code = re.sub(r"[\s\-]", "", text)
    if not _DIGITS.fullmatch(code):
        raise NoticeCodeError("a notice code has 18 digits")
    if not mod_97_10.is_valid(code):
        raise NoticeCodeError("the check digits do not match: a digit is wrong")
    return code


def format_notice_code(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def order_number(code: str) -> str:
    return f"{code}P{secrets.token_hex(4).upper()}"


def refund_number(code: str, sequence: int) -> str:
    return f"{code}R{sequence:03d}"


def receipt_number(year: int, court_id: int, order_id: int) -> str:
    return f"{year:04d}{court_id:04d}{order_id:08d}"


def verification_code() -> str:
    return "".join(secrets.choice(_VERIFY_ALPHABET) for _ in range(8))
