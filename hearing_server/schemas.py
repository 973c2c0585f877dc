"""HTTP request and response bodies (pydantic at the edge only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hearing_server.models import CourtRole, HearingStatus, StaffRole
from tingshen_platform.bounded import CourtDatetime, Id, Name, SingleLine, Version

# (2026)粤0104民初123号 — ASCII or full-width parentheses.
CASE_NUMBER_PATTERN = r"^[(（]\d{4}[)）]\S+?\d+号$"


def file_answer(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route that answers a file, not JSON (with ``response_class=Response``):
    its media types in the API schema instead of FastAPI's default ``application/json``."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    document = {"schema": {"type": "object"}}  # a JSON export: an object, its own format
    content = {m: document if m.split(";")[0].endswith("json") else binary for m in media_types}
    return {200: {"description": "The file", "content": content}}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginIn(_In):
    username: Annotated[str, Field(min_length=1, max_length=100), SingleLine]
    password: str = Field(min_length=1, max_length=1000)


class StaffOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: StaffRole
    court_id: int
    court_name: str


class StaffListOut(BaseModel):
    items: list[StaffOut]


class CaseIn(_In):
    case_number: Annotated[str, Field(pattern=CASE_NUMBER_PATTERN, max_length=100), SingleLine]
    cause_of_action: Name


class CaseOut(BaseModel):
    id: int
    case_number: str
    cause_of_action: str
    court_id: int
    court_name: str


class HearingIn(_In):
    scheduled_at: CourtDatetime
    duration_minutes: int = Field(gt=0, le=24 * 60)
    place: Name
    language: Literal["zh", "en", "auto"] = "zh"
    """What the live ASR recognises (``auto``: detected per speaker)."""


class RescheduleIn(_In):
    scheduled_at: CourtDatetime
    duration_minutes: int | None = Field(default=None, gt=0, le=24 * 60)
    place: Name | None = None
    expected_version: Version | None = None


class VersionIn(_In):
    expected_version: Version | None = None


class HearingOut(BaseModel):
    id: int
    case_id: int
    case_number: str
    cause_of_action: str
    court_name: str
    scheduled_at: datetime
    duration_minutes: int
    place: str
    status: HearingStatus
    version: int
    language: str


SpeakerLanguage = Literal["zh", "en", "yue"]
"""What one speaker's ASR stream recognises (``yue`` needs a model that has Cantonese)."""


PartyRef = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$", max_length=64)]
"""A case party's reference as the dossier filed it (``p-12``)."""


class ParticipantIn(_In):
    display_name: Name | None = Field(
        default=None, description="required unless case_party_ref names the party"
    )
    court_role: CourtRole | None = Field(
        default=None, description="required unless case_party_ref names the party"
    )
    case_party_ref: PartyRef | None = Field(
        default=None,
        description="invite a party of the case as themselves: name, role, phone and e-mail "
        "are taken from the party unless given",
    )
    staff_user_id: Id | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9]{5,20}$", max_length=21)
    email: (
        Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s.]+$", max_length=254), SingleLine]
        | None
    ) = None
    notify: bool = True
    """Queue their hearing notice now; false: the clerk previews and sends notices later."""
    language: SpeakerLanguage | None = None
    interprets_participant_id: Id | None = None


class SpeakerLanguageIn(_In):
    language: SpeakerLanguage | None = Field(description="null: the hearing's language")
    interprets_participant_id: Id | None = None


class ParticipantOut(BaseModel):
    id: int
    hearing_id: int
    display_name: str
    court_role: CourtRole
    role_label_zh: str
    role_label_en: str
    staff_user_id: int | None
    phone: str | None
    email: str | None
    language: str | None = None
    interprets_participant_id: int | None = None
    case_party_ref: str | None = None
    """The case's party this participant was invited as (``None``: added by hand)."""


class CasePartyOut(BaseModel):
    """A party of a filed case (``case.filed``), to invite to a hearing as themselves."""

    party_ref: str
    role: str
    role_label_zh: str
    role_label_en: str
    kind: str
    name: str
    phone: str | None
    email: str | None
    represents_ref: str | None
    represents_name: str | None


class RevokedOut(BaseModel):
    revoked_invitation_ids: list[int]


class InvitationOut(BaseModel):
    invitation_id: int
    participant_id: int
    url: str
    expires_at: datetime


class JoinSummaryOut(BaseModel):
    hearing: HearingOut
    participant_name: str
    court_role: CourtRole
    role_label_zh: str
    role_label_en: str
    phone_hint: str | None


class CodeSentOut(BaseModel):
    sent_to: str
    expires_at: datetime
    resend_after_seconds: int
    """Another code may be requested after this many seconds (the button counts down)."""


class VerifyIn(_In):
    code: str = Field(
        pattern=r"^[0-9]{6}$", max_length=6, description="the 6-digit code from the SMS"
    )


class ParticipantMeOut(BaseModel):
    participant_id: int
    hearing_id: int
    display_name: str
    court_role: CourtRole
    case_id: int
    case_number: str
    court_id: int
    case_party_ref: str | None = None
    """The dossier's party this participant was invited as (``None``: added by hand)."""
    scope: Literal["hearing", "record"] = "hearing"
    """``record``: a session from a signing link (reads and signs the record only)."""
