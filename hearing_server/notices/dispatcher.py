"""``NoticeDispatcher``: sends the outbox's due notices, with exponential backoff.

``dispatch_due(now)`` is blocking (SMTP and the SMS gateway are blocking clients) and is meant
to run in a worker thread: :func:`run_dispatcher` calls it through ``asyncio.to_thread`` every
``notice_dispatch_interval_seconds``.

Claiming: a due row is claimed by a conditional UPDATE that moves ``next_attempt_at`` forward by
a lease (only one node's UPDATE matches), committed before the send. A node that dies mid-send
leaves the row pending; it is retried when the lease runs out, so delivery is at least once and
the gateway gets ``message_id`` to drop duplicates.

Attempt ``n`` (1-based) that fails with a retryable error is retried after
``base * 2 ** (n - 1)`` seconds, capped at ``notice_retry_max_seconds``; after
``notice_max_attempts`` attempts, or on a permanent error, the notice is ``failed`` and audited.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.models import (
    Invitation,
    NoticeChannel,
    NoticeOutbox,
    NoticeStatus,
)
from hearing_server.notices.email import EmailSender, OutgoingEmail
from hearing_server.notices.errors import DeliveryError
from hearing_server.notices.outbox import invitation_token
from hearing_server.notices.render import Locale, NoticeFacts, render_notice
from hearing_server.notices.sms import OutgoingSms, SmsProvider

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)
BATCH_SIZE = 50
MAX_ERROR_CHARS = 1000


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    base_seconds: int = 30
    max_seconds: int = 3600

    def delay_after(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th failed attempt (1-based)."""
        seconds = self.base_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.max_seconds))


@dataclass(frozen=True, slots=True)
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


class NoticeDispatcher:
    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        email_sender: EmailSender,
        sms_provider: SmsProvider,
        secret_key: bytes,
        public_base_url: str,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._sessions = session_factory
        self._email = email_sender
        self._sms = sms_provider
        self._secret_key = secret_key
        self._base_url = public_base_url.rstrip("/")
        self.policy = policy or RetryPolicy()

    def dispatch_due(self, now: datetime) -> DispatchReport:
        """Send every pending notice whose ``next_attempt_at`` is not after ``now``."""
        with self._sessions() as session:
            due = list(
                session.scalars(
                    select(NoticeOutbox.id)
                    .where(
                        NoticeOutbox.status == NoticeStatus.PENDING,
                        NoticeOutbox.next_attempt_at <= now,
                    )
                    .order_by(NoticeOutbox.next_attempt_at, NoticeOutbox.id)
                    .limit(BATCH_SIZE)
                )
            )
        sent = retrying = failed = 0
        for notice_id in due:
            outcome = self._dispatch_one(notice_id, now)
            if outcome is NoticeStatus.SENT:
                sent += 1
            elif outcome is NoticeStatus.FAILED:
                failed += 1
            elif outcome is NoticeStatus.PENDING:
                retrying += 1
        return DispatchReport(sent=sent, retrying=retrying, failed=failed)

    def _claim(self, session: Session, notice_id: int, now: datetime) -> bool:
        result = session.execute(
            update(NoticeOutbox)
            .where(
                NoticeOutbox.id == notice_id,
                NoticeOutbox.status == NoticeStatus.PENDING,
                NoticeOutbox.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + CLAIM_LEASE, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return bool(getattr(result, "rowcount", 0) == 1)

    def _dispatch_one(self, notice_id: int, now: datetime) -> NoticeStatus | None:
        with self._sessions() as session:
            if not self._claim(session, notice_id, now):
                return None  # another dispatcher took it
            row = session.get(NoticeOutbox, notice_id)
            assert row is not None
            error: DeliveryError | None = None
            try:
                self._send(session, row)
            except DeliveryError as exc:
                error = exc
            except Exception as exc:  # a bug in rendering must not stop the other notices
                logger.exception("notice %s could not be rendered", notice_id)
                error = DeliveryError(f"internal error: {type(exc).__name__}", permanent=True)
            return self._record(session, row, error, now)

    def _join_link(self, session: Session, row: NoticeOutbox) -> str | None:
        invitation_id = row.payload.get("invitation_id")
        if invitation_id is None:
            return None
        invitation = session.get(Invitation, int(invitation_id))
        if invitation is None or invitation.revoked_at is not None:
            return None
        token = invitation_token(self._secret_key, invitation, row.hearing_id)
        return f"{self._base_url}/join/{token}"

    def _send(self, session: Session, row: NoticeOutbox) -> None:
        facts = NoticeFacts.from_payload(row.payload)
        locale: Locale = "en" if row.payload.get("locale") == "en" else "zh-CN"
        rendered = render_notice(facts, locale=locale, join_link=self._join_link(session, row))
        reference = f"notice-{row.id}"
        to = str(row.payload["to"])
        if row.channel is NoticeChannel.EMAIL:
            self._email.send(
                OutgoingEmail(
                    to=to, subject=rendered.subject, body=rendered.body, reference=reference
                )
            )
        else:
            self._sms.send_sms(OutgoingSms(to=to, text=rendered.sms, reference=reference))

    def _record(
        self, session: Session, row: NoticeOutbox, error: DeliveryError | None, now: datetime
    ) -> NoticeStatus:
        row.attempts += 1
        row.updated_at = now
        if error is None:
            row.status = NoticeStatus.SENT
            row.last_error = None
            session.commit()
            return row.status
        row.last_error = error.message[:MAX_ERROR_CHARS]
        if error.permanent or row.attempts >= self.policy.max_attempts:
            row.status = NoticeStatus.FAILED
            audit.record(
                session,
                actor=Actor.system(),
                action="notice.failed",
                entity=EntityRef("notice", row.id),
                case_id=row.hearing.case_id,
                details={
                    "channel": row.channel.value,
                    "kind": row.kind.value,
                    "participant_id": row.participant_id,
                    "attempts": row.attempts,
                    "permanent": error.permanent,
                    "error": row.last_error,
                },
                at=now,
            )
            logger.warning(
                "notice %s (%s) failed after %s attempt(s): %s",
                row.id,
                row.channel.value,
                row.attempts,
                row.last_error,
            )
        else:
            row.next_attempt_at = now + self.policy.delay_after(row.attempts)
            logger.info(
                "notice %s (%s) attempt %s failed, retry at %s: %s",
                row.id,
                row.channel.value,
                row.attempts,
                row.next_attempt_at.isoformat(),
                row.last_error,
            )
        session.commit()
        return row.status


async def run_dispatcher(
    dispatcher: NoticeDispatcher,
    *,
    clock: Callable[[], datetime],
    interval_seconds: float,
    stop: asyncio.Event,
) -> None:
    """Dispatch now, then every ``interval_seconds``, until ``stop`` is set.

    A round in progress when ``stop`` is set is finished (bounded by the SMTP and gateway
    timeouts); rows it has claimed but not sent are retried after the claim lease.
    """
    while True:
        try:
            report = await asyncio.to_thread(dispatcher.dispatch_due, clock())
        except Exception:
            logger.exception("notice dispatch round failed; next round in %ss", interval_seconds)
        else:
            if report.sent or report.retrying or report.failed:
                logger.info(
                    "notices: %s sent, %s to retry, %s failed",
                    report.sent,
                    report.retrying,
                    report.failed,
                )
        if stop.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
        if stop.is_set():
            return
