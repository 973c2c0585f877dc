"""Telling the case's parties of an order's change by SMS, through the court's messenger
(``ServiceHost.messenger``) from a durable job (queue ``ledger.tell``): one job per party with a
telephone number, enqueued in the transaction that publishes ``ledger.order_changed``, its key
``ledger:<order>:<status>:<party>`` (so a retried step tells no one twice, and the gateway can
drop a retried message by its reference). A failed send is retried by the job queue unless the
messenger says it is permanent; a process without a messenger tells no one (logged once per
job) — the event remains for a service that does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Connection

from court_events.ledger import OrderChanged
from tingshen_platform.jobs import Job, JobQueue
from tingshen_platform.messaging import DeliveryFailed, Messenger, OutboundMessage

__all__ = ["TELL_QUEUE", "enqueue_tell", "tell_handler"]

TELL_QUEUE = "ledger.tell"
log = logging.getLogger(__name__)


def enqueue_tell(jobs: JobQueue | None, connection: Connection, changed: OrderChanged) -> int:
    """A job per party with a telephone number; how many."""
    if jobs is None:
        return 0
    count = 0
    for recipient in changed.recipients:
        if not recipient.phone:
            continue
        reference = f"ledger:{changed.order_number}:{changed.status}:{recipient.party_ref}"
        jobs.enqueue(
            TELL_QUEUE, {"to": recipient.phone, "text": changed.text, "reference": reference},
            key=reference, connection=connection,
        )  # fmt: skip
        count += 1
    return count


def tell_handler(messenger: Messenger | None) -> Callable[[Job], None]:
    def handle(job: Job) -> None:
        if messenger is None:
            log.warning("ledger: no messenger in this process; %s not sent", job.idempotency_key)
            return
        message = OutboundMessage(
            "sms", str(job.payload["to"]), str(job.payload["text"]), str(job.payload["reference"])
        )
        try:
            messenger.send(message)
        except DeliveryFailed as exc:
            if exc.permanent or job.attempts >= job.max_attempts:
                log.warning("ledger: %s not delivered: %s", job.idempotency_key, exc)
                return
            raise

    return handle
