"""Who may see what: an account reaches a case's party (a ``(case, party_ref)`` pair) by its
verified ID number matching the party's (as the filing recorded it), or — for a lawyer — by a
representation a clerk or judge confirmed on the power of attorney. Anything else is answered
exactly as a record that does not exist."""

from __future__ import annotations

from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.orm import Session

from portal.errors import NotFoundError
from portal.tables import PortalAccount, PortalDocument, PortalParty, Representation

__all__ = ["case_ids", "document_of", "documents_query", "not_found", "party_refs"]


def not_found() -> NotFoundError:
    return NotFoundError("no such record", "没有找到该记录", reason="portal_not_found")


def party_refs(session: Session, account: PortalAccount) -> set[tuple[int, str]]:
    own = session.execute(
        select(PortalParty.dossier_case_id, PortalParty.party_ref).where(
            PortalParty.id_number == account.id_number
        )
    ).all()
    acting = session.execute(
        select(Representation.dossier_case_id, Representation.party_ref).where(
            Representation.account_id == account.id, Representation.status == "confirmed"
        )
    ).all()
    return {(int(c), str(r)) for c, r in [*own, *acting]}


def case_ids(session: Session, account: PortalAccount) -> set[int]:
    return {case for case, _ in party_refs(session, account)}


def documents_query(session: Session, account: PortalAccount) -> Select[PortalDocument]:
    refs = party_refs(session, account)
    clauses = [PortalDocument.recipient_id_number == account.id_number]
    if refs:
        clauses.append(
            tuple_(PortalDocument.dossier_case_id, PortalDocument.recipient_party_ref).in_(
                sorted(refs)
            )
        )
    return select(PortalDocument).where(or_(*clauses))


def document_of(session: Session, account: PortalAccount, document_id: int) -> PortalDocument:
    found = session.scalars(
        documents_query(session, account).where(PortalDocument.id == document_id)
    ).first()
    if found is None:
        raise not_found()
    return found
