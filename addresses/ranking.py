"""Merging and ranking the addresses the agencies found (pure).

Two records are the same address when their normalised forms are equal (Unicode NFKC, so
full-width digits, letters and signs become ASCII; white space and ``，,。.、-#`` removed;
``号楼`` and ``栋`` read alike). The merged address keeps every source and date.

Score of a merged address (higher first; ties: the later date, then the address)::

    kind     the best kind among its records: delivered 40 (a letter was handed over there),
             residence 35 (registered residence of a migrant), mailing 25 (an address the person
             gave the post office), registered 15 (household registration, 户籍地)
    recency  30 - one point per full 30 days between the latest record and the look-up, not below 0
    sources  20 for each further agency that found the same address

A worked example (look-up on 2026-12-01): ``residence`` of 2026-11-01 (30 days: 29) from one
agency scores 35 + 29 = 64; the same address also ``delivered`` by the post on 2026-06-01
(183 days: 24) scores 40 + 29 + 20 = 89.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from addresses.found import Found

__all__ = ["KIND_POINTS", "Ranked", "normalise", "rank"]

KIND_POINTS = {"delivered": 40, "residence": 35, "mailing": 25, "registered": 15}
RECENCY_POINTS = 30
SOURCE_POINTS = 20
_DROP = re.compile(r"[\s，,。.、\-#]+")


@dataclass(frozen=True, slots=True)
class Ranked:
    address: str
    postal_code: str | None
    score: int
    latest_on: date
    records: tuple[Found, ...]

    @property
    def sources(self) -> list[str]:
        return sorted({r.source for r in self.records})


def normalise(address: str) -> str:
    text = _DROP.sub("", unicodedata.normalize("NFKC", address))
    return text.replace("号楼", "栋")


def _score(records: list[Found], today: date) -> tuple[int, date]:
    latest = max(r.observed_on for r in records)
    kind = max(KIND_POINTS[r.kind] for r in records)
    age_days = max(0, (today - latest).days)
    recency = max(0, RECENCY_POINTS - age_days // 30)
    further = len({r.source for r in records}) - 1
    return kind + recency + SOURCE_POINTS * further, latest


def rank(found: list[Found], today: date) -> list[Ranked]:
    groups: dict[str, list[Found]] = {}
    for record in found:
        groups.setdefault(normalise(record.address), []).append(record)
    ranked = []
    for records in groups.values():
        score, latest = _score(records, today)
        newest = sorted(records, key=lambda r: r.observed_on, reverse=True)
        postal = next((r.postal_code for r in newest if r.postal_code), None)
        ranked.append(Ranked(newest[0].address, postal, score, latest, tuple(newest)))
    ranked.sort(key=lambda r: (-r.score, -r.latest_on.toordinal(), r.address))
    return ranked
