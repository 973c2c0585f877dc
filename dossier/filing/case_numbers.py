"""Case numbers (案号) by the SPC's rules (pure; the rules are data: ``dossier/data/
case_numbers.toml``, 法〔2015〕137号, effective 2016-01-01).

``（2026）粤0104民初123号``: the year received, the court's code, the type code, the sequence
number, 号. Numbers are allocated in the standard's full-width parentheses; :func:`parse` also
reads the ASCII form ``(2026)粤0104民初123号`` that older records and the hearing server's demo
data use.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

__all__ = [
    "CaseNumber",
    "CaseNumberRules",
    "CaseType",
    "court_code_problem",
    "format_case_number",
    "parse_case_number",
    "rules",
]

DATA = Path(__file__).resolve().parent.parent / "data" / "case_numbers.toml"


@dataclass(frozen=True, slots=True)
class CaseType:
    code: str
    name: str
    category: str
    first_instance: bool


@dataclass(frozen=True, slots=True)
class CaseNumberRules:
    source: str
    effective: date
    provinces: str
    types: tuple[CaseType, ...]
    small_claims_percent: int
    small_claims_type_codes: frozenset[str]
    small_claims_source: str

    def type_of(self, code: str) -> CaseType | None:
        return next((t for t in self.types if t.code == code), None)


@dataclass(frozen=True, slots=True)
class CaseNumber:
    year: int
    court_code: str
    type_code: str
    sequence: int

    def __str__(self) -> str:
        return format_case_number(self.year, self.court_code, self.type_code, self.sequence)


@cache
def rules() -> CaseNumberRules:
    raw = tomllib.loads(DATA.read_text("utf-8"))
    small = raw["small_claims"]
    return CaseNumberRules(
        source=raw["rules"]["source"],
        effective=raw["rules"]["effective"],
        provinces=raw["rules"]["provinces"],
        types=tuple(
            CaseType(t["code"], t["name"], t["category"], bool(t.get("first_instance")))
            for t in raw["types"]
        ),
        small_claims_percent=int(small["ceiling_percent_of_average_wage"]),
        small_claims_type_codes=frozenset(small["type_codes"]),
        small_claims_source=small["source"],
    )


def court_code_problem(code: str) -> str | None:
    """``None`` for a court code of the standard's pattern (``粤``, ``粤01``, ``粤0104``: the
    province's abbreviation and 0, 2 or 4 digits); else what is wrong."""
    if not code or code[0] not in rules().provinces:
        return "province"
    digits = code[1:]
    if len(digits) not in (0, 2, 4) or not ((digits.isascii() and digits.isdigit()) or not digits):
        return "digits"
    return None


def format_case_number(year: int, court_code: str, type_code: str, sequence: int) -> str:
    """The standard form, full-width parentheses: ``（2026）粤0104民初123号``."""
    return f"（{year}）{court_code}{type_code}{sequence}号"


def _pattern() -> re.Pattern[str]:
    types = "|".join(sorted((re.escape(t.code) for t in rules().types), key=len, reverse=True))
    provinces = re.escape(rules().provinces)
    return re.compile(
        rf"[（(](\d{{4}})[）)]([{provinces}](?:\d{{4}}|\d{{2}})?)({types})([1-9]\d{{0,6}})号"
    )


def parse_case_number(text: str) -> CaseNumber | None:
    """The parts of a case number in the standard or the ASCII form; ``None`` if it is not one
    (an unknown type code included)."""
    match = _compiled().fullmatch(text.strip())
    if match is None:
        return None
    year, court, type_code, number = match.groups()
    return CaseNumber(int(year), court, type_code, int(number))


@cache
def _compiled() -> re.Pattern[str]:
    return _pattern()
