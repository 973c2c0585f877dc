"""The portal's HTTP bodies (pydantic at the edge only)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "CodeIn",
    "DecisionIn",
    "LoginCodeIn",
    "LoginIn",
    "LookupDocumentOut",
    "LookupIn",
    "LookupOut",
    "PartyHearingIn",
    "PasskeyIn",
    "RegisterIn",
    "RepresentationIn",
    "ReviewIn",
]

PHONE = r"^1[3-9]\d{9}$"


class CodeIn(BaseModel):
    phone: str = Field(max_length=11, pattern=PHONE)


class RegisterIn(BaseModel):
    kind: Literal["person", "lawyer"] = "person"
    name: str = Field(min_length=2, max_length=50)
    id_number: str = Field(min_length=15, max_length=24)
    phone: str = Field(max_length=11, pattern=PHONE)
    code: str = Field(max_length=6, pattern=r"^\d{6}$")
    password: str = Field(min_length=8, max_length=128)
    licence_number: str | None = Field(default=None, max_length=17, pattern=r"^\d{17}$")
    """A lawyer's practising licence number (律师执业证号, 17 digits)."""


class LoginIn(BaseModel):
    id_number: str = Field(min_length=15, max_length=24)
    password: str = Field(min_length=1, max_length=128)


class LoginCodeIn(BaseModel):
    challenge: str = Field(min_length=16, max_length=64)
    code: str = Field(max_length=6, pattern=r"^\d{6}$")


class RepresentationIn(BaseModel):
    case_number: str = Field(min_length=5, max_length=100)
    party_name: str = Field(min_length=2, max_length=200)


class ReviewIn(BaseModel):
    dossier_case_id: int = Field(gt=0, le=2**31 - 1)
    reason: str = Field(min_length=2, max_length=500)


class DecisionIn(BaseModel):
    approve: bool
    hours: int = Field(default=24, ge=1, le=24 * 30)
    allow_download: bool = False


class LookupIn(BaseModel):
    case_number: str = Field(min_length=5, max_length=100)
    name: str = Field(min_length=2, max_length=50)
    id_number: str = Field(min_length=15, max_length=24)


class LookupDocumentOut(BaseModel):
    title: str
    sent_at: str
    """When it was served (ISO 8601, aware)."""
    opened: bool


class LookupOut(BaseModel):
    """The public look-up's answer: the newest waiting documents (at most
    ``portal.lookup.LOOKUP_MAX_DOCUMENTS``) and how many wait in all; a mismatch gets exactly
    the answer of a match with nothing waiting (no documents, total 0)."""

    documents: list[LookupDocumentOut]
    total: int = Field(ge=0)
    """Every waiting document, the ones listed included."""


class PasskeyIn(BaseModel):
    ceremony: str = Field(min_length=16, max_length=64)
    credential: str = Field(min_length=2, max_length=16_384)
    """What ``navigator.credentials.create()`` or ``.get()`` gave, as JSON (base64url fields)."""


class PartyHearingIn(BaseModel):
    """One of the party's hearings as the hearing server's party-links route answers it
    (``portal.hearing_links``): what the portal passes on to its page, and nothing else."""

    case_number: str
    cause_of_action: str
    court_name: str
    scheduled_at: datetime
    duration_minutes: int
    place: str
    status: str
    """``scheduled`` / ``open`` / ``closed``."""
    role_zh: str
    role_en: str
    join_url: str | None = None
    """The participant's join link while the hearing has not closed."""
    sign_url: str | None = None
    """The signing link while the participant's signature on the frozen record is pending."""
    signature: Literal["pending", "signed", "refused", "excused"] | None = None
    """The participant's signature on the frozen record; null before freezing (or from a
    hearing server that does not say)."""
    signed_at: datetime | None = None
    """When they signed, while ``signature`` is ``signed``."""
