"""The filing actions (each one writes, audits and publishes in one transaction):
:func:`file_case` (立案) and :func:`set_court_code`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from dossier.audit import record
from dossier.errors import ConflictError, InvalidInputError
from dossier.filing.allocate import allocate_case_number
from dossier.filing.case_numbers import CaseType, court_code_problem, rules
from dossier.filing.causes import catalogue
from dossier.filing.parties import check_parties, normalised
from dossier.filing.schemas import CourtCodeIn, FilingIn
from dossier.filing.tables import CourtCode
from dossier.models import DossierCase, DossierParty
from tingshen_platform.events import publish
from tingshen_platform.identity import StaffPrincipal

__all__ = ["file_case", "set_court_code"]


def _assignee(staff: Sequence[StaffPrincipal], user_id: int, role: str) -> StaffPrincipal:
    found = next((s for s in staff if s.user_id == user_id and s.role == role), None)
    if found is None:
        raise InvalidInputError.because("dossier_assignee_role", user_id=user_id, role=role)
    return found


def _case_type(body: FilingIn) -> CaseType:
    case_type = rules().type_of(body.type_code)
    if case_type is None:
        raise InvalidInputError.because("dossier_case_type_unknown", type_code=body.type_code)
    if body.procedure == "simplified" and not case_type.first_instance:
        raise InvalidInputError.because("dossier_procedure_type", procedure=body.procedure,
                                        type_code=case_type.code)  # fmt: skip
    if body.procedure == "small_claims" and case_type.code not in rules().small_claims_type_codes:
        raise InvalidInputError.because("dossier_procedure_type", procedure=body.procedure,
                                        type_code=case_type.code)  # fmt: skip
    return case_type


def _cause(body: FilingIn, case_type: CaseType) -> tuple[str | None, str]:
    if case_type.category == "civil" or body.cause_code is not None:
        cause = catalogue().fileable(body.cause_code or "")
        if cause is None:
            raise InvalidInputError.because("dossier_cause_unknown", code=body.cause_code or "")
        return cause.code, cause.name
    if body.cause_name is None:
        raise InvalidInputError.because("dossier_cause_needed")
    return None, body.cause_name


def _check_small_claims(body: FilingIn, court: CourtCode) -> None:
    if body.procedure != "small_claims":
        return
    if body.claim_amount_fen is None:
        raise InvalidInputError.because("dossier_claim_amount_needed")
    ceiling = court.small_claims_ceiling_fen
    if ceiling is not None and body.claim_amount_fen > ceiling:
        raise InvalidInputError.because("dossier_small_claims_ceiling", ceiling_fen=ceiling)


def file_case(
    session: Session,
    filer: StaffPrincipal,
    body: FilingIn,
    *,
    court_staff: Sequence[StaffPrincipal],
    today: date,
    now: datetime,
) -> tuple[DossierCase, list[DossierParty]]:
    """Check everything, then allocate the number and write the case, its parties, the audit
    row and ``case.filed``; the caller commits (nothing is written before every check passed)."""
    case_type = _case_type(body)
    cause_code, cause_name = _cause(body, case_type)
    check_parties(body.parties, today)
    judge = _assignee(court_staff, body.judge_user_id, "judge")
    clerk = _assignee(court_staff, body.clerk_user_id, "clerk")
    court = session.get(CourtCode, filer.court_id)
    if court is None:
        raise ConflictError.because("dossier_court_code_unset")
    _check_small_claims(body, court)
    number = allocate_case_number(session, court_id=filer.court_id, court_code=court.code,
                                  year=today.year, type_code=case_type.code)  # fmt: skip
    case = DossierCase(
        court_id=filer.court_id, court_name=filer.court_name, case_number=str(number),
        year=number.year, type_code=number.type_code, sequence=number.sequence,
        cause_code=cause_code, cause_name=cause_name, procedure=body.procedure,
        claim_amount_fen=body.claim_amount_fen, judge_user_id=judge.user_id,
        judge_name=judge.display_name, clerk_user_id=clerk.user_id,
        clerk_name=clerk.display_name, status="open", source="filed", filed_on=today,
        filed_at=now, filed_by_user_id=filer.user_id, filed_by_name=filer.display_name,
    )  # fmt: skip
    session.add(case)
    session.flush()
    parties = _add_parties(session, case, body)
    record(session, filer, "case.filed", at=now, case_id=case.id, entity="case",
           entity_id=case.id, details={"case_number": case.case_number,
                                       "parties": len(parties)})  # fmt: skip
    publish(session.connection(), CASE_FILED, _event(case, parties), occurred_at=now,
            stream=f"case:{case.id}")  # fmt: skip
    return case, parties


def _add_parties(session: Session, case: DossierCase, body: FilingIn) -> list[DossierParty]:
    rows: list[DossierParty] = []
    for party in body.parties:  # agents after the parties they act for get their ids
        row = DossierParty(
            case_id=case.id, role=party.role, kind=party.kind, name=party.name,
            id_number=normalised(party.id_number) if party.id_number else None,
            credit_code=normalised(party.credit_code) if party.credit_code else None,
            licence_number=party.licence_number, phone=party.phone, email=party.email,
            address=party.address,
        )  # fmt: skip
        session.add(row)
        rows.append(row)
    session.flush()
    for party, row in zip(body.parties, rows, strict=True):
        if party.represents is not None:
            row.represents_id = rows[party.represents].id
    session.flush()
    return rows


def _event(case: DossierCase, parties: list[DossierParty]) -> CaseFiled:
    return CaseFiled(
        dossier_case_id=case.id, court_id=case.court_id, court_name=case.court_name,
        case_number=case.case_number, cause_of_action=case.cause_name,
        cause_code=case.cause_code or "", procedure=case.procedure or "ordinary",
        claim_amount_fen=case.claim_amount_fen, judge_user_id=case.judge_user_id,
        clerk_user_id=case.clerk_user_id, filed_on=case.filed_on, filed_at=case.filed_at,
        parties=[
            FiledParty(party_ref=p.party_ref, role=p.role, kind=p.kind, name=p.name,
                       phone=p.phone, email=p.email,
                       represents_ref=f"p-{p.represents_id}" if p.represents_id else None,
                       id_number=p.id_number, licence_number=p.licence_number)
            for p in parties
        ],
    )  # fmt: skip


def set_court_code(
    session: Session, admin: StaffPrincipal, body: CourtCodeIn, *, now: datetime
) -> CourtCode:
    if court_code_problem(body.code):
        raise InvalidInputError.because("dossier_court_code_invalid", code=body.code)
    holder = session.scalar(select(CourtCode).where(CourtCode.code == body.code))
    if holder is not None and holder.court_id != admin.court_id:
        raise ConflictError.because("dossier_court_code_taken", code=body.code)
    row = session.get(CourtCode, admin.court_id)
    before = row.code if row else None
    if row is None:
        row = CourtCode(court_id=admin.court_id, code=body.code, set_by_id=admin.user_id,
                        set_by_name=admin.display_name, set_at=now)  # fmt: skip
        session.add(row)
    row.code, row.small_claims_ceiling_fen = body.code, body.small_claims_ceiling_fen
    row.set_by_id, row.set_by_name, row.set_at = admin.user_id, admin.display_name, now
    record(session, admin, "court_code.set", at=now, case_id=None,
           details={"before": before, "after": body.code,
                    "small_claims_ceiling_fen": body.small_claims_ceiling_fen})  # fmt: skip
    return row
