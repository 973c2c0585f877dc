"""The address service learns of cases and their parties from ``case.filed`` and of their end
from ``case.closed`` (a replayed event changes nothing)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from addresses.audit import SYSTEM, record
from addresses.context import AddressesContext
from addresses.tables import AddressCase, AddressParty
from court_events.dossier import CASE_CLOSED, CASE_FILED, CaseFiled
from tingshen_platform.events import Event, orm_session

__all__ = ["Handler", "handlers"]

Handler = Callable[[Connection, Event], None]


def enter_case(session: Session, ctx: AddressesContext, filed: CaseFiled) -> None:
    case = session.get(AddressCase, filed.dossier_case_id)
    if case is None:
        case = AddressCase(
            dossier_case_id=filed.dossier_case_id, court_id=filed.court_id,
            case_number=filed.case_number, cause_of_action=filed.cause_of_action,
            judge_user_id=filed.judge_user_id, clerk_user_id=filed.clerk_user_id,
            filed_on=filed.filed_on, closed_on=None,
        )  # fmt: skip
        session.add(case)
        session.flush()
        record(session, SYSTEM, "case_entered", at=ctx.now(), case_id=case.dossier_case_id,
               details={"case_number": filed.case_number})  # fmt: skip
    known = set(
        session.scalars(
            select(AddressParty.party_ref).where(
                AddressParty.dossier_case_id == filed.dossier_case_id
            )
        )
    )
    for party in filed.parties:
        if party.party_ref not in known:
            session.add(
                AddressParty(
                    dossier_case_id=filed.dossier_case_id, party_ref=party.party_ref,
                    role=party.role, kind=party.kind, name=party.name,
                )
            )  # fmt: skip


def handlers(ctx: AddressesContext) -> Mapping[str, Handler]:
    def on_filed(connection: Connection, event: Event) -> None:
        with orm_session(connection) as session:
            enter_case(session, ctx, event.parse(CASE_FILED))

    def on_closed(connection: Connection, event: Event) -> None:
        closed = event.parse(CASE_CLOSED)
        with orm_session(connection) as session:
            case = session.get(AddressCase, closed.dossier_case_id)
            if case is None or case.closed_on is not None:
                return
            case.closed_on = closed.closed_on
            record(session, SYSTEM, "case_closed", at=ctx.now(), case_id=case.dossier_case_id)

    return {CASE_FILED.name: on_filed, CASE_CLOSED.name: on_closed}
