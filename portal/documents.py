"""A party's cases and documents: the first opening of a served document in the portal (and
signing for receipt, 签收) is recorded and published as ``portal.document_opened``, in the same
transaction, for the delivery service to advance the service's state. Every view is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from court_events.delivery import DOCUMENT_OPENED, DocumentOpened
from portal.access import case_ids, document_of, documents_query
from portal.audit import record
from portal.context import PortalContext
from portal.errors import ConflictError
from portal.paging import Page
from portal.tables import PortalAccount, PortalCase, PortalDocument, PortalParty
from tingshen_platform.blobs import BlobNotFoundError
from tingshen_platform.events import publish

__all__ = [
    "document_view",
    "my_case_numbers",
    "my_cases",
    "my_documents",
    "newest_first",
    "open_document",
    "sign_document",
]

ROLE_ZH = {"plaintiff": "原告", "defendant": "被告", "third_party": "第三人", "agent": "代理人"}
ROLE_EN = {"plaintiff": "Plaintiff", "defendant": "Defendant", "third_party": "Third party",
           "agent": "Agent"}  # fmt: skip


def document_view(doc: PortalDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "service_id": doc.service_id,
        "source": "served" if doc.service_id is not None else "published",
        "dossier_case_id": doc.dossier_case_id,
        "case_number": doc.case_number,
        "title": doc.title,
        "kind": doc.kind,
        "recipient_name": doc.recipient_name,
        "sha256": doc.sha256,
        "size_bytes": doc.size_bytes,
        "channels": doc.channels,
        "sent_at": doc.sent_at.isoformat(),
        "opened_at": doc.opened_at.isoformat() if doc.opened_at else None,
        "signed_at": doc.signed_at.isoformat() if doc.signed_at else None,
    }


def newest_first(moment: Any, row_id: Any, page: Page) -> Any:
    """``(moment, id)`` below the page's cursor (a list newest first by both)."""
    after = page.after_time()
    if after is None:
        return true()
    at, last_id = after
    return or_(moment < at, and_(moment == at, row_id < last_id))


def my_cases(session: Session, account: PortalAccount, page: Page) -> list[dict[str, Any]]:
    """A page of the party's cases, newest filed first (``limit + 1`` of them: :class:`Page`)."""
    ids = sorted(case_ids(session, account))
    if not ids:
        return []
    cases = session.scalars(
        select(PortalCase)
        .where(PortalCase.dossier_case_id.in_(ids),
               newest_first(PortalCase.filed_at, PortalCase.dossier_case_id, page))
        .order_by(PortalCase.filed_at.desc(), PortalCase.dossier_case_id.desc())
        .limit(page.limit + 1)
    ).all()  # fmt: skip
    shown = [case.dossier_case_id for case in cases]
    parties = session.scalars(
        select(PortalParty).where(PortalParty.dossier_case_id.in_(shown))
    ).all()
    out = []
    for case in cases:
        out.append(
            {
                "dossier_case_id": case.dossier_case_id,
                "case_number": case.case_number,
                "court_name": case.court_name,
                "cause_of_action": case.cause_of_action,
                "filed_at": case.filed_at.isoformat(),
                "parties": [
                    {
                        "role": p.role,
                        "role_zh": ROLE_ZH.get(p.role, p.role),
                        "role_en": ROLE_EN.get(p.role, p.role),
                        "name": p.name,
                    }
                    for p in parties
                    if p.dossier_case_id == case.dossier_case_id
                ],
            }
        )
    return out


def my_case_numbers(session: Session, account: PortalAccount) -> list[str]:
    """The numbers of all the party's cases (a party has few; the hearing links ask by them)."""
    ids = sorted(case_ids(session, account))
    return list(
        session.scalars(select(PortalCase.case_number).where(PortalCase.dossier_case_id.in_(ids)))
    )


def my_documents(session: Session, account: PortalAccount, page: Page) -> list[dict[str, Any]]:
    """A page of the documents served on or published to the party, newest sent first."""
    docs = session.scalars(
        documents_query(session, account)
        .where(newest_first(PortalDocument.sent_at, PortalDocument.id, page))
        .order_by(PortalDocument.sent_at.desc(), PortalDocument.id.desc())
        .limit(page.limit + 1)
    ).all()
    return [document_view(d) for d in docs]


def _actor(account: PortalAccount) -> tuple[str, str]:
    return (account.kind if account.kind == "lawyer" else "party", account.name)


def _publish(
    session: Session, ctx: PortalContext, account: PortalAccount, doc: PortalDocument, action: str
) -> None:
    assert doc.opened_at is not None
    if doc.service_id is None:  # a published material: no service to tell the delivery service of
        return
    publish(
        session.connection(),
        DOCUMENT_OPENED,
        DocumentOpened(
            service_id=doc.service_id,
            dossier_case_id=doc.dossier_case_id,
            opened_at=doc.opened_at if action == "opened" else (doc.signed_at or ctx.now()),
            account_ref=f"a-{account.id}",
            name=account.name,
            action=action,
        ),
        occurred_at=ctx.now(),
    )


def open_document(
    session: Session, ctx: PortalContext, account: PortalAccount, document_id: int
) -> tuple[PortalDocument, bytes]:
    doc = document_of(session, account, document_id)
    try:
        data = ctx.host.exchange.get(doc.blob_key)
    except BlobNotFoundError as exc:
        raise ConflictError(
            "the document's file is not available", "文书文件暂不可用，请联系书记员",
            reason="portal_file_missing",
        ) from exc  # fmt: skip
    now = ctx.now()
    first = doc.opened_at is None
    if first:
        doc.opened_at = now
        doc.opened_by = account.id
        session.flush()
        _publish(session, ctx, account, doc, "opened")
    record(session, _actor(account), "document.opened" if first else "document.viewed",
           at=now, case_id=doc.dossier_case_id, document_id=doc.id)  # fmt: skip
    session.commit()
    return doc, data


def sign_document(
    session: Session, ctx: PortalContext, account: PortalAccount, document_id: int
) -> PortalDocument:
    doc = document_of(session, account, document_id)
    if doc.service_id is None:
        raise ConflictError(
            "a published material is read, not signed for", "公开的卷宗材料无需签收",
            reason="portal_sign_published",
        )  # fmt: skip
    if doc.opened_at is None:
        raise ConflictError(
            "open the document before signing for it", "请先阅读文书，再签收",
            reason="portal_sign_unread",
        )  # fmt: skip
    if doc.signed_at is not None:
        return doc
    doc.signed_at = ctx.now()
    session.flush()
    _publish(session, ctx, account, doc, "signed")
    record(session, _actor(account), "document.signed", at=doc.signed_at,
           case_id=doc.dossier_case_id, document_id=doc.id)  # fmt: skip
    session.commit()
    return doc
