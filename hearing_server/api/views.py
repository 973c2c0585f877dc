"""Model → response conversions shared by the routers."""

from __future__ import annotations

from collections.abc import Mapping

from hearing_server.case_parties import PARTY_ROLES
from hearing_server.models import Case, CaseParty, Hearing, Participant, StaffUser
from hearing_server.schemas import CaseOut, CasePartyOut, HearingOut, ParticipantOut, StaffOut


def staff_out(staff: StaffUser) -> StaffOut:
    return StaffOut(
        id=staff.id,
        username=staff.username,
        display_name=staff.display_name,
        role=staff.role,
        court_id=staff.court_id,
        court_name=staff.court.name,
    )


def case_out(case: Case) -> CaseOut:
    return CaseOut(
        id=case.id,
        case_number=case.case_number,
        cause_of_action=case.cause_of_action,
        court_id=case.court_id,
        court_name=case.court.name,
    )


def hearing_out(hearing: Hearing) -> HearingOut:
    return HearingOut(
        id=hearing.id,
        case_id=hearing.case_id,
        case_number=hearing.case.case_number,
        cause_of_action=hearing.case.cause_of_action,
        court_name=hearing.case.court.name,
        scheduled_at=hearing.scheduled_at,
        duration_minutes=hearing.duration_minutes,
        place=hearing.place,
        status=hearing.status,
        version=hearing.version,
        language=hearing.language,
    )


def participant_out(participant: Participant, *, with_contact: bool = True) -> ParticipantOut:
    return ParticipantOut(
        id=participant.id,
        hearing_id=participant.hearing_id,
        display_name=participant.display_name,
        court_role=participant.court_role,
        role_label_zh=participant.court_role.label_zh,
        role_label_en=participant.court_role.label_en,
        staff_user_id=participant.staff_user_id,
        phone=participant.phone if with_contact else None,
        email=participant.email if with_contact else None,
        language=participant.language,
        interprets_participant_id=participant.interprets_id,
        case_party_ref=participant.case_party_ref,
    )


def case_party_out(party: CaseParty, names: Mapping[str, str]) -> CasePartyOut:
    """``names``: the case's parties by reference (whom an agent represents)."""
    role = PARTY_ROLES.get(party.role)
    return CasePartyOut(
        party_ref=party.party_ref,
        role=party.role,
        role_label_zh=role.label_zh if role else party.role,
        role_label_en=role.label_en if role else party.role,
        kind=party.kind,
        name=party.name,
        phone=party.phone,
        email=party.email,
        represents_ref=party.represents_ref,
        represents_name=names.get(party.represents_ref) if party.represents_ref else None,
    )
