"""What the portal learns from events: ``case.filed`` (the case and its parties, with their ID
numbers to match accounts), ``delivery.document_served`` (a document for one recipient) and
``dossier.material_published`` (a material the judge published to one party: among that party's
documents, to read; nothing to sign for).
Each handler runs in the transaction that marks its event handled and checks what is there, so a
re-delivered event changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select

from court_events.delivery import DOCUMENT_SERVED
from court_events.dossier import CASE_FILED, MATERIAL_PUBLISHED
from portal.audit import record
from portal.context import PortalContext
from portal.idnumber import IdNumberError, normalise
from portal.tables import PortalCase, PortalDocument, PortalParty
from tingshen_platform.events import Event, orm_session

__all__ = ["Handler", "handlers"]

Handler = Callable[[Connection, Event], None]
SYSTEM = ("system", "系统")


def _id_number(text: str | None) -> str | None:
    """A recorded ID number, checked (an invalid one matches no account)."""
    if not text:
        return None
    try:
        return normalise(text)
    except IdNumberError:
        return None


def handlers(ctx: PortalContext) -> Mapping[str, Handler]:
    def on_filed(connection: Connection, event: Event) -> None:
        filed = event.parse(CASE_FILED)
        with orm_session(connection) as session:
            if session.get(PortalCase, filed.dossier_case_id) is not None:
                return
            session.add(
                PortalCase(
                    dossier_case_id=filed.dossier_case_id, court_id=filed.court_id,
                    court_name=filed.court_name, case_number=filed.case_number,
                    cause_of_action=filed.cause_of_action, filed_at=filed.filed_at,
                )
            )  # fmt: skip
            session.flush()
            for p in filed.parties:
                session.add(
                    PortalParty(
                        dossier_case_id=filed.dossier_case_id, party_ref=p.party_ref,
                        role=p.role, kind=p.kind, name=p.name,
                        id_number=_id_number(p.id_number), licence_number=p.licence_number,
                        represents_ref=p.represents_ref,
                    )
                )  # fmt: skip
            record(session, SYSTEM, "case.learned", at=ctx.now(), case_id=filed.dossier_case_id)

    def on_served(connection: Connection, event: Event) -> None:
        served = event.parse(DOCUMENT_SERVED)
        with orm_session(connection) as session:
            known = session.scalars(
                select(PortalDocument.id).where(PortalDocument.service_id == served.service_id)
            ).first()
            if known is not None:
                return
            session.add(
                PortalDocument(
                    service_id=served.service_id, dossier_case_id=served.dossier_case_id,
                    case_number=served.case_number, title=served.document_title,
                    kind=served.document_kind, blob_key=served.blob_key, sha256=served.sha256,
                    media_type=served.media_type, size_bytes=served.size_bytes,
                    recipient_party_ref=served.recipient_party_ref,
                    recipient_name=served.recipient_name,
                    recipient_id_number=_id_number(served.recipient_id_number),
                    channels=list(served.channels), sent_at=served.sent_at,
                )
            )  # fmt: skip
            record(
                session, SYSTEM, "document.received", at=ctx.now(),
                case_id=served.dossier_case_id, service_id=served.service_id,
            )  # fmt: skip

    def on_published(connection: Connection, event: Event) -> None:
        published = event.parse(MATERIAL_PUBLISHED)
        with orm_session(connection) as session:
            known = session.scalars(
                select(PortalDocument.id).where(
                    PortalDocument.publication_id == published.publication_id
                )
            ).first()
            if known is not None:
                return
            session.add(
                PortalDocument(
                    publication_id=published.publication_id,
                    dossier_case_id=published.dossier_case_id,
                    case_number=published.case_number, title=published.title,
                    kind=published.material_type, blob_key=published.blob_key,
                    sha256=published.sha256, media_type=published.media_type,
                    size_bytes=published.size_bytes, recipient_party_ref=published.party_ref,
                    recipient_name=published.party_name, channels=[],
                    sent_at=published.published_at,
                )
            )  # fmt: skip
            record(
                session, SYSTEM, "document.published", at=ctx.now(),
                case_id=published.dossier_case_id, publication_id=published.publication_id,
            )  # fmt: skip

    return {
        CASE_FILED.name: on_filed,
        DOCUMENT_SERVED.name: on_served,
        MATERIAL_PUBLISHED.name: on_published,
    }
