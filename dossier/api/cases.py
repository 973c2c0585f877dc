"""The case register: one case as its court's staff (or its party) see it."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from dossier.access import case_for
from dossier.deps import PrincipalDep, SessionDep
from dossier.models import DossierCase, DossierParty
from dossier.schemas import CaseOut, PartyOut

router = APIRouter(prefix="/api/dossier/cases", tags=["dossier: cases"])


def case_out(case: DossierCase, parties: list[DossierParty]) -> CaseOut:
    return CaseOut(
        id=case.id,
        case_number=case.case_number,
        court_name=case.court_name,
        cause_code=case.cause_code,
        cause_name=case.cause_name,
        procedure=case.procedure,
        claim_amount_fen=case.claim_amount_fen,
        judge_name=case.judge_name,
        clerk_name=case.clerk_name,
        status=case.status,
        source=case.source,
        filed_on=case.filed_on,
        closed_on=case.closed_on,
        hearing_case_id=case.hearing_case_id,
        parties=[
            PartyOut(
                party_ref=p.party_ref,
                role=p.role,
                kind=p.kind,
                name=p.name,
                represents_ref=f"p-{p.represents_id}" if p.represents_id else None,
            )
            for p in parties
        ],
    )


@router.get("/{dossier_case_id}")
def get_case(dossier_case_id: int, session: SessionDep, principal: PrincipalDep) -> CaseOut:
    case = case_for(session, principal, dossier_case_id)
    parties = list(
        session.scalars(
            select(DossierParty).where(DossierParty.case_id == case.id).order_by(DossierParty.id)
        )
    )
    return case_out(case, parties)
