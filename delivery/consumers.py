"""How the delivery service learns what it needs (consumer ``delivery.events``):

- ``case.filed`` (dossier): the case and its parties (name, role, telephone, e-mail, and the ID
  number where the dossier sends it), so that staff serve on parties by name;
- ``portal.document_opened`` (party portal): the recipient opened or signed for a served document
  under their real name; the service becomes ``opened`` and its proof of service is queued.

Each handler runs in the transaction that marks its event handled; a re-delivered event changes
nothing (the case is found; the opening is a step with the event's id).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select

from court_events.delivery import DOCUMENT_OPENED
from court_events.dossier import CASE_FILED
from delivery.audit import record
from delivery.context import DeliveryContext
from delivery.steps import apply_step
from delivery.tables import DeliveryCase, DeliveryParty, Service
from tingshen_platform.events import Event, orm_session

__all__ = ["Handler", "handlers"]

Handler = Callable[[Connection, Event], None]


def handlers(ctx: DeliveryContext) -> Mapping[str, Handler]:
    def on_filed(connection: Connection, event: Event) -> None:
        filed = event.parse(CASE_FILED)
        with orm_session(connection) as session:
            found = session.scalars(
                select(DeliveryCase).where(DeliveryCase.dossier_case_id == filed.dossier_case_id)
            ).first()
            if found is not None:
                return
            case = DeliveryCase(
                dossier_case_id=filed.dossier_case_id,
                court_id=filed.court_id,
                court_name=filed.court_name,
                case_number=filed.case_number,
                cause_name=filed.cause_of_action,
                judge_user_id=filed.judge_user_id,
                clerk_user_id=filed.clerk_user_id,
                filed_at=filed.filed_at,
            )
            session.add(case)
            session.flush()
            for party in filed.parties:
                session.add(
                    DeliveryParty(
                        case_id=case.id,
                        party_ref=party.party_ref,
                        role=party.role,
                        kind=party.kind,
                        name=party.name,
                        phone=party.phone,
                        email=party.email,
                        id_number=party.id_number,
                    )
                )

    def on_opened(connection: Connection, event: Event) -> None:
        opened = event.parse(DOCUMENT_OPENED)
        with orm_session(connection) as session:
            service = session.get(Service, opened.service_id)
            case = session.get(DeliveryCase, service.case_id) if service else None
            if service is None or case is None or case.dossier_case_id != opened.dossier_case_id:
                record(
                    session,
                    ("party", opened.name),
                    "opening.unknown_service",
                    at=ctx.now(),
                    case_id=None,
                    details={
                        "service_id": opened.service_id,
                        "dossier_case_id": opened.dossier_case_id,
                    },
                )
                return
            step = "collected" if opened.action == "signed" else "opened"
            if step == "collected" and service.opened_at is None:
                apply_step(
                    session,
                    ctx,
                    service,
                    "opened",
                    at=opened.opened_at,
                    source="portal",
                    actor=("party", opened.name),
                    external_id=f"{event.event_id}:opened",
                    details={"name": opened.name, "account": opened.account_ref},
                )
            apply_step(
                session,
                ctx,
                service,
                step,
                at=opened.opened_at,
                source="portal",
                actor=("party", opened.name),
                external_id=f"{event.event_id}:{step}",
                details={"name": opened.name, "account": opened.account_ref},
            )

    return {CASE_FILED.name: on_filed, DOCUMENT_OPENED.name: on_opened}
