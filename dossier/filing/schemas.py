"""Request and answer bodies of filing's routes (pydantic only at this edge; every field
bounded)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tingshen_platform.bounded import Id, Name, SingleLine

__all__ = [
    "Assignee",
    "AssigneesOut",
    "CaseTypeOut",
    "CaseTypesOut",
    "CauseOut",
    "CausesOut",
    "CourtCodeIn",
    "CourtCodeOut",
    "FilingIn",
    "PartyIn",
]


def _line(max_length: int) -> object:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Code = Annotated[str, _line(16), SingleLine]
IdNumber = Annotated[str, _line(18), SingleLine]
Licence = Annotated[str, _line(32), SingleLine]
Phone = Annotated[str, _line(32), SingleLine]
Email = Annotated[str, _line(254), SingleLine]
Address = Annotated[str, _line(300), SingleLine]
Fen = Annotated[int, Field(ge=0, le=10**15)]
"""An amount in fen (分): up to 10 trillion yuan."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartyIn(_In):
    role: Literal["plaintiff", "defendant", "third_party", "agent"]
    kind: Literal["person", "organisation", "lawyer"]
    name: Name
    id_number: IdNumber | None = None
    """A natural person's resident ID number (GB 11643)."""
    credit_code: IdNumber | None = None
    """An organisation's unified social credit code (GB 32100)."""
    licence_number: Licence | None = None
    """A lawyer's practising certificate number (17 digits)."""
    phone: Phone | None = None
    email: Email | None = None
    address: Address | None = None
    represents: Annotated[int, Field(ge=0, le=49)] | None = None
    """An agent's or a lawyer's party: its index in ``parties``."""


class FilingIn(_In):
    type_code: Code
    """``民初``, ``执`` … (GET /api/dossier/case-types)."""
    cause_code: Code | None = None
    """A third- or fourth-level cause of the civil catalogue (civil cases)."""
    cause_name: Name | None = None
    """The cause of a case outside the civil catalogue (criminal, administrative …)."""
    procedure: Literal["ordinary", "simplified", "small_claims"]
    claim_amount_fen: Fen | None = None
    judge_user_id: Id
    clerk_user_id: Id
    parties: Annotated[list[PartyIn], Field(min_length=1, max_length=50)]


class CourtCodeIn(_In):
    code: Code
    small_claims_ceiling_fen: Fen | None = None


class CourtCodeOut(BaseModel):
    court_name: str
    code: str | None
    small_claims_ceiling_fen: int | None
    small_claims_source: str


class CaseTypeOut(BaseModel):
    code: str
    name: str
    category: str
    first_instance: bool


class CaseTypesOut(BaseModel):
    source: str
    items: list[CaseTypeOut]


class CauseOut(BaseModel):
    code: str
    name: str
    level: int
    path: list[str]
    """The names from the part down to the cause (合同、准合同纠纷, 合同纠纷, …)."""


class CausesOut(BaseModel):
    source: str
    items: list[CauseOut]


class Assignee(BaseModel):
    user_id: int
    display_name: str
    role: str


class AssigneesOut(BaseModel):
    judges: list[Assignee]
    clerks: list[Assignee]
