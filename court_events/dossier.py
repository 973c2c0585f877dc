"""Events of the dossier service (filing, the case register, the electronic dossier, the archive).

``case.filed`` is how the hearing server learns of a case filed by a filing clerk: it enters the
case (same number, court and cause) and keeps its parties, so that the clerk can invite them to a
hearing as themselves (``case_party_ref``) and the dossier can later show each party exactly what
the judge published to them.

``dossier.material_published`` is the judge's publication of one material to one party, emitted
in the transaction that records the publication, with the file copied into the host's exchange
store; the party portal lists it among that party's documents ("my documents").
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from tingshen_platform.events import EventType

__all__ = [
    "CASE_CLOSED",
    "CASE_FILED",
    "MATERIAL_ADDED",
    "MATERIAL_PUBLISHED",
    "CaseClosed",
    "CaseFiled",
    "FiledParty",
    "MaterialAdded",
    "MaterialPublished",
]


class FiledParty(BaseModel):
    party_ref: str
    """The dossier's stable reference of this party in this case (``p-<id>``)."""
    role: str
    """``plaintiff``, ``defendant``, ``third_party``, ``agent`` (an agent or lawyer of a party)."""
    kind: str
    """``person``, ``organisation`` or ``lawyer``."""
    name: str
    phone: str | None = None
    email: str | None = None
    represents_ref: str | None = None
    """For an agent or lawyer: the party they act for."""
    id_number: str | None = None
    """A person's resident ID number (GB 11643) where the filing recorded it: the party portal
    matches a real-name account to the case's party by it. Never logged."""
    licence_number: str | None = None
    """A lawyer's practising licence number where recorded."""


class CaseFiled(BaseModel):
    dossier_case_id: int
    court_id: int
    court_name: str
    case_number: str
    cause_of_action: str
    """The cause's name as people read it (``民间借贷纠纷``)."""
    cause_code: str
    procedure: str
    """``ordinary``, ``simplified`` or ``small_claims``."""
    claim_amount_fen: int | None
    judge_user_id: int | None
    clerk_user_id: int | None
    filed_on: date
    filed_at: datetime
    parties: list[FiledParty]


class CaseClosed(BaseModel):
    dossier_case_id: int
    court_id: int
    case_number: str
    closed_on: date
    outcome: str


class MaterialAdded(BaseModel):
    dossier_case_id: int
    case_number: str
    material_id: int
    version: int
    material_type: str
    title: str
    sha256: str


class MaterialPublished(BaseModel):
    publication_id: int
    """The dossier's publication (one material, one party); a re-delivery carries the same."""
    dossier_case_id: int
    court_id: int
    case_number: str
    material_id: int
    version: int
    material_type: str
    title: str
    party_ref: str
    """The dossier's party it is published to (``p-<id>``, as in ``case.filed``)."""
    party_name: str
    blob_key: str
    """The material's reading copy (its PDF, else the original) in the host's exchange store."""
    sha256: str
    """Of the bytes at ``blob_key``."""
    media_type: str
    size_bytes: int
    published_at: datetime


CASE_FILED = EventType("case.filed", 1, CaseFiled, "a filing clerk registered a case (立案)")
CASE_CLOSED = EventType("case.closed", 1, CaseClosed, "the case was closed (结案)")
MATERIAL_ADDED = EventType(
    "dossier.material_added", 1, MaterialAdded, "a material or a new version joined a dossier"
)
MATERIAL_PUBLISHED = EventType(
    "dossier.material_published", 1, MaterialPublished,
    "the judge published a material of the dossier to a party (the file in the exchange store)",
)  # fmt: skip
