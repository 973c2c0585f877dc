"""The public look-up (司法送达 column): case number, name and ID number → the documents that
await that person. It reveals nothing unless all three match a party of the case: any mismatch
gets the same empty answer as a match with nothing waiting (no documents, total 0). The answer is
bounded: the newest :data:`LOOKUP_MAX_DOCUMENTS` waiting documents and how many wait in all (the
page says how many more there are to read after logging in). Rate-limited per address and per ID
number; the ID number is audited only masked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from portal.accounts import checked_id_number
from portal.audit import record
from portal.context import PortalContext
from portal.idnumber import mask
from portal.ratelimit import hit
from portal.schemas import LookupDocumentOut, LookupIn, LookupOut
from portal.tables import PortalCase, PortalDocument, PortalParty

__all__ = ["LOOKUP_MAX_DOCUMENTS", "look_up"]

LOOKUP_MAX_DOCUMENTS = 20
"""The most waiting documents one look-up lists (newest sent first); the rest are only counted."""


def look_up(session: Session, ctx: PortalContext, body: LookupIn, client: str) -> LookupOut:
    id_number = checked_id_number(body.id_number)
    now = ctx.now()
    limit, minute = ctx.settings.lookups_per_minute, timedelta(minutes=1)
    hit(session, f"lookup:ip:{client}", limit=limit, window=minute, now=now)
    hit(session, f"lookup:id:{mask(id_number)}", limit=limit, window=minute, now=now)
    number, name = body.case_number.strip(), body.name.strip()
    party = session.scalars(
        select(PortalParty)
        .join(PortalCase, PortalCase.dossier_case_id == PortalParty.dossier_case_id)
        .where(PortalCase.case_number == number, PortalParty.name == name,
               PortalParty.id_number == id_number)
    ).first()  # fmt: skip
    record(session, ("public", client), "lookup", at=now, matched=party is not None,
           id_number=mask(id_number))  # fmt: skip
    session.commit()
    if party is None:
        return LookupOut(documents=[], total=0)
    waiting = _waiting(party, id_number)
    total = session.scalar(select(func.count()).select_from(PortalDocument).where(waiting)) or 0
    docs = session.scalars(
        select(PortalDocument)
        .where(waiting)
        .order_by(PortalDocument.sent_at.desc(), PortalDocument.id.desc())
        .limit(LOOKUP_MAX_DOCUMENTS)
    ).all()
    shown = [
        LookupDocumentOut(
            title=d.title, sent_at=d.sent_at.isoformat(), opened=d.opened_at is not None
        )
        for d in docs
    ]
    # Two reads: on PostgreSQL one may see a document served between them; never fewer in all
    # than listed.
    return LookupOut(documents=shown, total=max(total, len(shown)))


def _waiting(party: PortalParty, id_number: str) -> ColumnElement[bool]:
    """The documents of the party's case served on it and not yet signed for."""
    return and_(
        PortalDocument.dossier_case_id == party.dossier_case_id,
        or_(PortalDocument.recipient_party_ref == party.party_ref,
            PortalDocument.recipient_id_number == id_number),
        PortalDocument.service_id.is_not(None), PortalDocument.signed_at.is_(None),
    )  # fmt: skip
