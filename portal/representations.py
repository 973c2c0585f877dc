"""Lawyers acting for parties: a lawyer's account asks to act for a named party of a case (by
case number); a judge or clerk of the court confirms it against the power of attorney
(授权委托书) or refuses. Until confirmed the lawyer sees nothing of the case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access import not_found
from portal.audit import record
from portal.context import PortalContext
from portal.errors import ConflictError, ForbiddenError
from portal.schemas import RepresentationIn
from portal.tables import PortalAccount, PortalCase, PortalParty, Representation
from tingshen_platform.identity import StaffPrincipal

__all__ = ["decide_representation", "representation_view", "request_representation"]


def representation_view(
    rep: Representation, case: PortalCase, party: PortalParty | None, lawyer: PortalAccount | None
) -> dict[str, Any]:
    return {
        "id": rep.id,
        "case_number": case.case_number,
        "party_name": party.name if party else None,
        "lawyer_name": lawyer.name if lawyer else None,
        "licence_number": lawyer.licence_number if lawyer else None,
        "status": rep.status,
        "requested_at": rep.requested_at.isoformat(),
        "decided_by": rep.decided_by,
    }


def request_representation(
    session: Session, ctx: PortalContext, account: PortalAccount, body: RepresentationIn
) -> Representation:
    if account.kind != "lawyer":
        raise ForbiddenError(
            "only a lawyer's account may ask to act for a party",
            "仅律师账号可申请关联代理案件",
            reason="portal_lawyer_only",
        )
    party = session.scalars(
        select(PortalParty)
        .join(PortalCase, PortalCase.dossier_case_id == PortalParty.dossier_case_id)
        .where(PortalCase.case_number == body.case_number.strip(),
               PortalParty.name == body.party_name.strip(), PortalParty.role != "agent")
    ).first()  # fmt: skip
    now = ctx.now()
    if party is None:
        # The same answer whether the case exists or not.
        raise not_found()
    rep = Representation(
        account_id=account.id, dossier_case_id=party.dossier_case_id, party_ref=party.party_ref,
        status="requested", requested_at=now,
    )  # fmt: skip
    session.add(rep)
    session.flush()
    record(session, ("lawyer", account.name), "representation.requested", at=now,
           case_id=party.dossier_case_id, representation_id=rep.id)  # fmt: skip
    session.commit()
    return rep


def decide_representation(
    session: Session, ctx: PortalContext, staff: StaffPrincipal, rep_id: int, confirm: bool
) -> Representation:
    rep = session.get(Representation, rep_id)
    case = session.get(PortalCase, rep.dossier_case_id) if rep else None
    if rep is None or case is None or case.court_id != staff.court_id:
        raise not_found()
    if rep.status != "requested":
        raise ConflictError("already decided", "该代理关联申请已处理",
                            reason="portal_representation_decided")  # fmt: skip
    now = ctx.now()
    rep.status = "confirmed" if confirm else "refused"
    rep.decided_at = now
    rep.decided_by = staff.display_name
    record(session, (staff.role, staff.display_name), f"representation.{rep.status}", at=now,
           case_id=rep.dossier_case_id, representation_id=rep.id)  # fmt: skip
    session.commit()
    return rep
