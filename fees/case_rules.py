"""Which fee a filed case is charged, from ``data/rules/case_fee_rules.toml`` (law as data). Pure.

:func:`fee_request` turns what the filing says (cause code, procedure, claim) into the
calculator's :class:`~fees.engine.FeeRequest`; :class:`CaseFeeRules` also says when the fee is
due and who pays it in advance.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fees.engine import FeeRequest
from fees.errors import ScheduleDataError

__all__ = ["CaseFeeRules", "KindRule", "load_case_rules"]

DATA = Path(__file__).resolve().parent / "data" / "rules" / "case_fee_rules.toml"
_CAUSE = re.compile(r"C(\d+)(?:-\d+)?")


@dataclass(frozen=True, slots=True)
class KindRule:
    kind: str
    causes: frozenset[int]
    note: str

    def matches(self, number: int) -> bool:
        return number in self.causes


@dataclass(frozen=True, slots=True)
class CaseFeeRules:
    source: str
    effective_on: date
    payment_days: int
    payer_roles: tuple[str, ...]
    halved_procedures: frozenset[str]
    rules: tuple[KindRule, ...]

    def kind_of(self, cause_code: str, claim_amount_fen: int | None) -> str:
        match = _CAUSE.fullmatch(cause_code.strip())
        if match is not None:
            number = int(match.group(1))
            for rule in self.rules:
                if rule.matches(number):
                    return rule.kind
        return "property" if claim_amount_fen else "other_non_property"

    def fee_request(
        self, cause_code: str, procedure: str, claim_amount_fen: int | None
    ) -> FeeRequest:
        kind = self.kind_of(cause_code, claim_amount_fen)
        amount = claim_amount_fen if kind not in ("labour", "other_non_property") else None
        grounds = ("simplified",) if procedure in self.halved_procedures else ()
        return FeeRequest(kind=kind, amount_fen=amount or None, grounds=grounds)

    def deadline(self, notified_on: date) -> date:
        """The last day to pay: ``payment_days`` from the day after notice (第二十二条)."""
        return notified_on + timedelta(days=self.payment_days)


def _rule(raw: dict[str, Any]) -> KindRule:
    if "causes" in raw:
        causes = frozenset(int(n) for n in raw["causes"])
    elif "first" in raw and "last" in raw:
        causes = frozenset(range(int(raw["first"]), int(raw["last"]) + 1))
    else:
        raise ScheduleDataError(f"a rule needs causes or first/last: {raw}")
    return KindRule(kind=str(raw["kind"]), causes=causes, note=str(raw.get("note", "")))


def load_case_rules(path: Path = DATA) -> CaseFeeRules:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    try:
        return CaseFeeRules(
            source=str(raw["source"]),
            effective_on=date.fromisoformat(str(raw["effective_on"])),
            payment_days=int(raw["payment_days"]),
            payer_roles=tuple(str(r) for r in raw["payer_roles"]),
            halved_procedures=frozenset(str(p) for p in raw["halved_procedures"]),
            rules=tuple(_rule(r) for r in raw["rules"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ScheduleDataError(f"{path.name}: {exc}") from exc
