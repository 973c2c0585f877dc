"""Request and answer bodies of the dossier's API (pydantic only at this edge)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

__all__ = ["CaseOut", "PartyOut"]


class PartyOut(BaseModel):
    party_ref: str
    role: str
    kind: str
    name: str
    represents_ref: str | None


class CaseOut(BaseModel):
    id: int
    case_number: str
    court_name: str
    cause_code: str | None
    cause_name: str
    procedure: str | None
    claim_amount_fen: int | None
    judge_name: str | None
    clerk_name: str | None
    status: str
    source: str
    filed_on: date
    closed_on: date | None
    hearing_case_id: int | None
    parties: list[PartyOut]
