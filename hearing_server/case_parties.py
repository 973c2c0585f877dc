"""A case's parties as the dossier filed them (``case_parties``, kept by
:mod:`hearing_server.filed_cases`), and what inviting one of them to a hearing means: the new
participant carries the party's reference (``case_party_ref``), and its name, role, phone and
e-mail are the party's unless the clerk gave others."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.errors import InvalidInputError
from hearing_server.models import CaseParty, CourtRole

__all__ = ["PARTY_ROLES", "ParticipantFields", "from_case_party", "party_names"]

PARTY_ROLES: dict[str, CourtRole] = {
    "plaintiff": CourtRole.PLAINTIFF,
    "defendant": CourtRole.DEFENDANT,
    "third_party": CourtRole.THIRD_PARTY,
    "agent": CourtRole.AGENT,
}
"""A filed party's role → the court role they take part in a hearing as."""


@dataclass(frozen=True, slots=True)
class ParticipantFields:
    display_name: str
    court_role: CourtRole
    phone: str | None
    email: str | None
    case_party_ref: str | None


def party_names(session: Session, case_id: int, refs: set[str]) -> dict[str, str]:
    """The names of the case's parties ``refs`` (whom agents represent), by reference."""
    if not refs:
        return {}
    rows = session.execute(
        select(CaseParty.party_ref, CaseParty.name).where(
            CaseParty.case_id == case_id, CaseParty.party_ref.in_(refs)
        )
    )
    return {ref: name for ref, name in rows}


def from_case_party(
    session: Session,
    *,
    case_id: int,
    case_party_ref: str | None,
    display_name: str | None,
    court_role: CourtRole | None,
    phone: str | None,
    email: str | None,
) -> ParticipantFields:
    """The new participant's fields: as given, filled in from the case's party
    ``case_party_ref`` (which must be a party of ``case_id``); without a party, a name and a role
    must be given."""
    if case_party_ref is None:
        if display_name is None or court_role is None:
            raise InvalidInputError.because("participant_needs_name")
        return ParticipantFields(display_name, court_role, phone, email, None)
    party = session.scalars(
        select(CaseParty).where(CaseParty.case_id == case_id, CaseParty.party_ref == case_party_ref)
    ).first()
    if party is None:
        raise InvalidInputError.because("not_a_case_party")
    role = court_role if court_role is not None else PARTY_ROLES.get(party.role)
    if role is None:
        raise InvalidInputError.because("participant_needs_name")
    return ParticipantFields(
        display_name=display_name if display_name is not None else party.name,
        court_role=role,
        phone=phone if phone is not None else party.phone,
        email=email if email is not None else party.email,
        case_party_ref=party.party_ref,
    )
