"""The rules of an investigation order (律师调查令), pure: its number, its scope as a canonical
record (what a leaf's SHA-256 covers), its validity and its state on a given day.

**The order number** (rule kept as data, :data:`NUMBER_RULE`): modelled on the case number of
《最高人民法院关于人民法院案件案号的若干规定》(法〔2015〕137号, in force 2016-01-01) —
``（收案年度）法院代字 + 类型代字 + 序号 + 号`` — with ``调令`` as the type: the year the
application was made (Beijing time), the court's code taken from the case number
(``（2026）粤0104民初701号`` → ``粤0104``), and a sequence from 1 per court and year:
``（2026）粤0104调令1号``. The number is given when the lawyer applies, so every step of an
application — rejected ones too — is a leaf under one subject.

**Validity**: from the day of issue for the number of days the judge allows (at most what was
asked, at most :data:`MAX_VALID_DAYS`), the last day included, in Beijing time; the day after
it the order is expired.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

__all__ = [
    "COURT_TZ",
    "INSTITUTION_KINDS",
    "MAX_VALID_DAYS",
    "NUMBER_RULE",
    "NumberRule",
    "OrderRuleError",
    "Scope",
    "canonical",
    "court_code",
    "digest",
    "effective_status",
    "order_number",
    "valid_until",
]

COURT_TZ = timezone(timedelta(hours=8))
INSTITUTION_KINDS = {"bank": "银行", "registry": "登记机关", "company": "公司"}
MAX_VALID_DAYS = 30
"""The longest validity the platform allows; courts' own rules commonly set 15 to 30 days."""


class OrderRuleError(ValueError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class NumberRule:
    pattern: str
    type_code: str
    source: str
    effective: date


NUMBER_RULE = NumberRule(
    pattern="（{year}）{court}{type}{seq}号",
    type_code="调令",
    source="《最高人民法院关于人民法院案件案号的若干规定》（法〔2015〕137号）第三条（案号的结构）",
    effective=date(2016, 1, 1),
)

_CASE_NUMBER = re.compile(r"[（(]\s*(\d{4})\s*[）)]\s*([^\d\s（()）]+\d+)")


def court_code(case_number: str) -> str:
    """The court's code in a case number (``（2026）粤0104民初701号`` → ``粤0104``)."""
    found = _CASE_NUMBER.match(case_number.strip())
    if found is None:
        raise OrderRuleError("order.case_number", f"no court code in {case_number!r}")
    return found.group(2)


def order_number(case_number: str, year: int, seq: int, rule: NumberRule = NUMBER_RULE) -> str:
    if seq < 1 or not 1000 <= year <= 9999:
        raise OrderRuleError("order.number", "a four-digit year and a sequence from 1")
    return rule.pattern.format(
        year=year, court=court_code(case_number), type=rule.type_code, seq=seq
    )


def number_prefix(case_number: str, year: int, rule: NumberRule = NUMBER_RULE) -> str:
    """What every number of this court and year starts with (to count the sequence)."""
    return f"（{year}）{court_code(case_number)}{rule.type_code}"


@dataclass(frozen=True, slots=True)
class Scope:
    """What the order allows: whom it is addressed to, what may be sought, and why."""

    institution_kind: str
    institution_name: str
    items: tuple[str, ...]
    reason: str
    valid_days: int

    def __post_init__(self) -> None:
        if self.institution_kind not in INSTITUTION_KINDS:
            raise OrderRuleError("order.institution", "a bank, a registry or a company")
        if not self.institution_name.strip() or not self.reason.strip():
            raise OrderRuleError("order.scope", "the institution and the reason are needed")
        if not self.items or any(not item.strip() for item in self.items):
            raise OrderRuleError("order.scope", "at least one item sought, none empty")
        if not 1 <= self.valid_days <= MAX_VALID_DAYS:
            raise OrderRuleError("order.validity", f"1 to {MAX_VALID_DAYS} days")

    def as_dict(self) -> dict[str, Any]:
        return {
            "institution_kind": self.institution_kind,
            "institution_name": self.institution_name,
            "items": list(self.items),
            "reason": self.reason,
            "valid_days": self.valid_days,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Scope:
        return cls(
            str(raw["institution_kind"]), str(raw["institution_name"]),
            tuple(str(i) for i in raw["items"]), str(raw["reason"]), int(raw["valid_days"]),
        )  # fmt: skip

    def narrows(self, applied: Scope) -> bool:
        """Whether this (the judge's) scope is the applied one, or narrower: same institution,
        items among those asked, no longer validity. Raises when it would widen it."""
        if (self.institution_kind, self.institution_name) != (
            applied.institution_kind,
            applied.institution_name,
        ):
            raise OrderRuleError("order.widened", "the judge cannot change the institution")
        if not set(self.items) <= set(applied.items):
            raise OrderRuleError("order.widened", "the judge can only keep items asked for")
        if self.valid_days > applied.valid_days:
            raise OrderRuleError("order.widened", "the judge cannot lengthen the validity")
        return self != applied


def canonical(record: dict[str, Any]) -> str:
    """The one text of a record that its digest covers: JSON, keys sorted, no spaces, UTF-8."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(record).encode()).hexdigest()


def valid_until(issued_at: datetime, valid_days: int) -> date:
    """The last day (Beijing time) an order issued at ``issued_at`` is valid."""
    return issued_at.astimezone(COURT_TZ).date() + timedelta(days=valid_days - 1)


def effective_status(status: str, last_day: date | None, now: datetime) -> str:
    """``issued`` becomes ``expired`` the day after its last day (Beijing time)."""
    if status == "issued" and last_day is not None and now.astimezone(COURT_TZ).date() > last_day:
        return "expired"
    return status
