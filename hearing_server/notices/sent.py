"""``notice.sent``: a notice went out, with its text as sent (the dossier files it).

Published by the dispatcher in the transaction that marks the notice sent, so the event exists
exactly when the notice log says "sent". The text is the one the gateway got, except that the
participant's own join or signing link, a credential, is cut to its page (``/join/…``), as in
the clerk's preview (``notices/preview.py``); the address is masked as in the notice log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from court_events.hearing import NOTICE_SENT, NoticeSent
from hearing_server.models import NoticeKind, NoticeOutbox
from tingshen_platform.events import publish

__all__ = ["EVENT_KINDS", "SentText", "publish_notice_sent", "redact_links", "sent_text"]

EVENT_KINDS: dict[NoticeKind, str] = {
    NoticeKind.SCHEDULED: "hearing_notice",
    NoticeKind.RESCHEDULED: "reschedule_notice",
    NoticeKind.CANCELLED: "cancel_notice",
    NoticeKind.SIGN_REQUEST: "sign_request",
}
"""The notice's kind → the event's ``kind`` (``court_events.hearing.NoticeSent``)."""

REDACTED = "…"


@dataclass(frozen=True, slots=True)
class SentText:
    subject: str | None
    """The e-mail's subject (``None``: an SMS)."""
    text: str
    sent_to: str
    """The address, masked."""


def redact_links(text: str, *links: str | None) -> str:
    """``text`` with each link's last path segment (its token) replaced by ``…``."""
    for link in links:
        if link:
            page, _, token = link.rpartition("/")
            if token:
                text = text.replace(link, f"{page}/{REDACTED}")
    return text


def sent_text(
    subject: str | None,
    text: str,
    sent_to: str,
    join_link: str | None,
    sign_link: str | None,
) -> SentText:
    return SentText(
        subject=redact_links(subject, join_link, sign_link) if subject is not None else None,
        text=redact_links(text, join_link, sign_link),
        sent_to=sent_to,
    )


def publish_notice_sent(
    session: Session, row: NoticeOutbox, sent: SentText, *, at: datetime
) -> None:
    hearing = row.hearing
    participant = row.participant
    publish(
        session.connection(),
        NOTICE_SENT,
        NoticeSent(
            notice_id=row.id,
            hearing_id=hearing.id,
            case_id=hearing.case_id,
            case_number=hearing.case.case_number,
            kind=EVENT_KINDS[row.kind],
            channel=row.channel.value,
            recipient_name=participant.display_name,
            recipient_role=participant.court_role.value,
            sent_to=sent.sent_to,
            subject=sent.subject,
            body_text=sent.text,
            sent_at=at,
        ),
        occurred_at=at,
        stream=f"hearing:{hearing.id}",
    )
