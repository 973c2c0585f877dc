"""``NoticeDispatcher``: delivers the outbox's notices as durable jobs of the platform.

A notice is written in the transaction of the change it announces (``notices/outbox.py``). A
dispatch round (``dispatch_due(now)``, blocking: SMTP and the SMS gateway are blocking clients;
:func:`run_dispatcher` calls it through ``asyncio.to_thread`` every
``notice_dispatch_interval_seconds``) first makes each due pending notice a job of queue
``notices`` keyed ``notice-{id}`` (idempotent: a notice is one job, however many rounds or
processes see it), then runs the due jobs (``tingshen_platform.jobs``). The job queue claims with
a lease, so several server processes deliver each notice once; a process that dies mid-send
leaves the job to be taken over when its lease runs out, and the gateway gets the notice's
``message_id`` to drop the repeat.

Attempt ``n`` (1-based) that fails with a retryable error is retried after
``base * 2 ** (n - 1)`` seconds, capped at ``notice_retry_max_seconds`` (the job's back-off);
after ``notice_max_attempts`` attempts, or on a permanent error, the notice is ``failed`` and
audited, and its job dead. The notice row stays the record the clerk sees: status, attempts,
last error, next attempt; the clerk's retry (``do_retry_notice``) sets it pending again, and the
next round restarts its job.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.models import (
    Invitation,
    NoticeChannel,
    NoticeOutbox,
    NoticeStatus,
)
from hearing_server.notices.email import EmailSender, OutgoingEmail, mask_email
from hearing_server.notices.errors import DeliveryError
from hearing_server.notices.outbox import invitation_token
from hearing_server.notices.render import Locale, NoticeFacts, render_notice
from hearing_server.notices.sent import SentText, publish_notice_sent, sent_text
from hearing_server.notices.sms import OutgoingSms, SmsProvider, mask_phone
from hearing_server.sign_links import sign_link_token, sign_link_url
from tingshen_platform.jobs import Job, JobQueue, PermanentJobError, RetryPolicy, work_one

logger = logging.getLogger(__name__)

__all__ = ["QUEUE", "DispatchReport", "NoticeDispatcher", "RetryPolicy", "run_dispatcher"]

QUEUE = "notices"
CLAIM_LEASE = timedelta(minutes=5)
BATCH_SIZE = 50
MAX_ERROR_CHARS = 1000


class _RetryableDeliveryError(Exception):
    """The attempt failed, and another may succeed (the job queue backs off)."""


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
        owner: str | None = None,
    ) -> None:
        self._sessions = session_factory
        self._email = email_sender
        self._sms = sms_provider
        self._secret_key = secret_key
        self._base_url = public_base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.owner = owner or f"notices@{socket.gethostname()}:{os.getpid()}"

    def dispatch_due(self, now: datetime) -> DispatchReport:
        """Turn due pending notices into jobs, then run every due job of ``notices``."""
        with self._sessions() as session:
            queue = JobQueue(session.get_bind().engine, clock=lambda: now, policy=self.policy)
            due = list(
                session.scalars(
                    select(NoticeOutbox)
                    .where(
                        NoticeOutbox.status == NoticeStatus.PENDING,
                        NoticeOutbox.next_attempt_at <= now,
                    )
                    .order_by(NoticeOutbox.next_attempt_at, NoticeOutbox.id)
                    .limit(BATCH_SIZE)
                )
            )
            for row in due:
                self._adopt(queue, row)
        outcomes: dict[int, NoticeStatus] = {}
        handler = functools.partial(self._deliver, now=now, outcomes=outcomes)
        while work_one(queue, {QUEUE: handler}, self.owner, lease=CLAIM_LEASE) is not None:
            pass
        statuses = list(outcomes.values())
        return DispatchReport(
            sent=statuses.count(NoticeStatus.SENT),
            retrying=statuses.count(NoticeStatus.PENDING),
            failed=statuses.count(NoticeStatus.FAILED),
        )

    def _adopt(self, queue: JobQueue, row: NoticeOutbox) -> None:
        """The notice's job (made once); restarted when the clerk set the notice going again."""
        job_id = queue.enqueue(
            QUEUE,
            {"notice_id": row.id},
            key=f"notice-{row.id}",
            max_attempts=self.policy.max_attempts,
        )
        job = queue.get(job_id)
        if job is not None and row.attempts == 0 and job.attempts > 0:
            queue.restart(job_id)

    def _deliver(self, job: Job, *, now: datetime, outcomes: dict[int, NoticeStatus]) -> None:
        """The job's handler: send the notice and record the attempt on its row."""
        notice_id = int(job.payload["notice_id"])
        with self._sessions() as session:
            row = session.get(NoticeOutbox, notice_id)
            if row is None or row.status is not NoticeStatus.PENDING:
                return  # sent, failed or gone meanwhile: nothing to deliver
            error: DeliveryError | None = None
            sent: SentText | None = None
            try:
                sent = self._send(session, row)
            except DeliveryError as exc:
                error = exc
            except Exception as exc:  # a bug in rendering must not stop the other notices
                logger.exception("notice %s could not be rendered", notice_id)
                error = DeliveryError(f"internal error: {type(exc).__name__}", permanent=True)
            final = error is not None and (error.permanent or job.attempts >= job.max_attempts)
            outcomes[notice_id] = self._record(
                session, row, error, now, job.attempts, final, sent=sent
            )
        if error is not None:
            raise (
                PermanentJobError(error.message)
                if final
                else _RetryableDeliveryError(error.message)
            )

    def _join_link(self, session: Session, row: NoticeOutbox) -> str | None:
        invitation_id = row.payload.get("invitation_id")
        if invitation_id is None:
            return None
        invitation = session.get(Invitation, int(invitation_id))
        if invitation is None or invitation.revoked_at is not None:
            return None
        token = invitation_token(self._secret_key, invitation, row.hearing_id)
        return f"{self._base_url}/join/{token}"

    def _sign_link(self, session: Session, row: NoticeOutbox) -> str | None:
        """A signing request's own link (``/sign/<token>``), derived from its invitation."""
        invitation_id = row.payload.get("sign_invitation_id")
        if invitation_id is None:
            return None
        invitation = session.get(Invitation, int(invitation_id))
        if invitation is None or invitation.revoked_at is not None:
            return None
        token = sign_link_token(self._secret_key, invitation, row.hearing_id)
        return sign_link_url(self._base_url, token)

    def _send(self, session: Session, row: NoticeOutbox) -> SentText:
        facts = NoticeFacts.from_payload(row.payload)
        sign_link = self._sign_link(session, row)
        if sign_link is not None:
            facts = replace(facts, sign_link=sign_link)
        locale: Locale = "en" if row.payload.get("locale") == "en" else "zh-CN"
        join_link = self._join_link(session, row)
        rendered = render_notice(facts, locale=locale, join_link=join_link)
        reference = f"notice-{row.id}"
        to = str(row.payload["to"])
        if row.channel is NoticeChannel.EMAIL:
            self._email.send(
                OutgoingEmail(
                    to=to, subject=rendered.subject, body=rendered.body, reference=reference
                )
            )
            return sent_text(rendered.subject, rendered.body, mask_email(to), join_link, sign_link)
        self._sms.send_sms(OutgoingSms(to=to, text=rendered.sms, reference=reference))
        return sent_text(None, rendered.sms, mask_phone(to), join_link, sign_link)

    def _record(
        self,
        session: Session,
        row: NoticeOutbox,
        error: DeliveryError | None,
        now: datetime,
        attempts: int,
        final: bool,
        *,
        sent: SentText | None = None,
    ) -> NoticeStatus:
        row.attempts = attempts
        row.updated_at = now
        if error is None:
            row.status = NoticeStatus.SENT
            row.last_error = None
            if sent is not None:  # notice.sent, in the transaction that marks it sent
                publish_notice_sent(session, row, sent, at=now)
            session.commit()
            return row.status
        row.last_error = error.message[:MAX_ERROR_CHARS]
        if final:
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
    timeouts); jobs it has claimed but not sent are retried after the claim lease.
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
