"""One address an agency found for a person (pure data, shared by the connectors and the
ranking)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["KINDS", "Found"]

KINDS = ("residence", "registered", "delivered", "mailing")
"""``residence``: a registered residence (居住登记); ``registered``: household registration
(户籍); ``delivered``: a letter was handed over there (妥投); ``mailing``: an address the person
gave the post office."""


@dataclass(frozen=True, slots=True)
class Found:
    source: str
    address: str
    postal_code: str | None
    kind: str
    observed_on: date
