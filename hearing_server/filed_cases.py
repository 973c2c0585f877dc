"""Cases filed in the dossier (立案), as the hearing server learns of them: from events only.

The dossier publishes ``case.filed`` (:mod:`court_events.dossier`) when a filing clerk registers
a case. :func:`on_case_filed` (an :class:`~tingshen_platform.events.EventConsumer` handler, run
by :func:`filed_cases_running` in every server process; the consumer's marks make each event
handled once across them) enters the case here (same number, court and cause) unless a case
with that number exists, keeps its parties (``case_parties``: whom the clerk can invite to a
hearing as themselves), and publishes ``case.created`` as :func:`~hearing_server.scheduling.\
do_create_case` does, so the dossier learns the hearing server's case id. All in the consumer's
transaction: a re-delivered event changes nothing, and a crash leaves nothing half-entered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from court_events.dossier import CASE_FILED, CaseFiled
from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.events import publish_case_created
from hearing_server.models import Case, CaseParty, Court
from tingshen_platform.events import Event, EventConsumer

__all__ = ["CONSUMER_NAME", "filed_cases_consumer", "filed_cases_running", "on_case_filed"]

logger = logging.getLogger(__name__)

CONSUMER_NAME = "hearing.filed_cases"
POLL_SECONDS = 1.0


@contextlib.contextmanager
def _orm_session(connection: Connection) -> Iterator[Session]:
    """An ORM session inside the consumer's transaction (a savepoint released at the end; the
    consumer commits it with the event's mark; an error rolls it back)."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
        session.commit()
    finally:
        session.close()


def on_case_filed(connection: Connection, event: Event) -> None:
    try:
        filed = event.parse(CASE_FILED)
    except ValueError as exc:  # another version, or a payload that is not the contract's
        # Skipped (the event stays in the outbox for an operator), so that one unreadable
        # event does not hold back every filing after it.
        logger.error("case.filed %s cannot be read: %s; skipped", event.event_id, exc)
        return
    with _orm_session(connection) as session:
        case = session.scalars(select(Case).where(Case.case_number == filed.case_number)).first()
        if case is None:
            if session.get(Court, filed.court_id) is None:
                logger.warning(
                    "case.filed %s names court %s, which is not on this server: skipped",
                    event.event_id,
                    filed.court_id,
                )
                return
            case = _enter_case(session, filed, event)
        elif case.court_id != filed.court_id:
            logger.warning(
                "case.filed %s: case %s exists in another court: its parties are not taken",
                event.event_id,
                filed.case_number,
            )
            return
        _keep_parties(session, case, filed)


def _enter_case(session: Session, filed: CaseFiled, event: Event) -> Case:
    case = Case(
        court_id=filed.court_id,
        case_number=filed.case_number,
        cause_of_action=filed.cause_of_action,
        created_at=event.occurred_at,
    )
    session.add(case)
    session.flush()
    audit.record(
        session,
        actor=Actor.system(),
        action="case.create",
        entity=EntityRef("case", case.id),
        case_id=case.id,
        details={
            "case_number": filed.case_number,
            "cause_of_action": filed.cause_of_action,
            "filed_in_dossier": filed.dossier_case_id,
        },
        at=event.occurred_at,
    )
    publish_case_created(session, case, at=event.occurred_at)
    return case


def _keep_parties(session: Session, case: Case, filed: CaseFiled) -> None:
    """Adds the parties this case does not have yet (by ``party_ref``); a known one is kept."""
    known = set(session.scalars(select(CaseParty.party_ref).where(CaseParty.case_id == case.id)))
    for party in filed.parties:
        if party.party_ref in known:
            continue
        known.add(party.party_ref)
        session.add(
            CaseParty(
                case_id=case.id,
                party_ref=party.party_ref[:64],
                role=party.role[:32],
                kind=party.kind[:32],
                name=party.name[:200],
                phone=party.phone[:32] if party.phone else None,
                email=party.email[:254] if party.email else None,
                represents_ref=party.represents_ref[:64] if party.represents_ref else None,
            )
        )


def filed_cases_consumer(ctx: ServerContext) -> EventConsumer:
    return EventConsumer(
        ctx.engine, CONSUMER_NAME, on_case_filed, types={CASE_FILED.name}, clock=ctx.clock
    )


@contextlib.asynccontextmanager
async def filed_cases_running(
    ctx: ServerContext, *, poll_seconds: float = POLL_SECONDS
) -> AsyncIterator[None]:
    """The ``case.filed`` consumer, polling while the block runs."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        filed_cases_consumer(ctx).run(stop, poll_seconds=poll_seconds), name=CONSUMER_NAME
    )
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)
