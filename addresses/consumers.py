"""The address service learns of cases and their parties from ``case.filed`` and of their end
from ``case.closed`` (a replayed event changes nothing). A party's ID number, where the filing
recorded one, is kept only as a keyed hash and its last four characters: a look-up of that party
must then be for that number."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from addresses.audit import SYSTEM, record
from addresses.context import AddressesContext
from addresses.idnumber import IdNumberError, id_hash, id_tail, parse_id_number
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
            filed_id = _filed_id(party.id_number) if ctx.id_key else None
            session.add(
                AddressParty(
                    dossier_case_id=filed.dossier_case_id, party_ref=party.party_ref,
                    role=party.role, kind=party.kind, name=party.name,
                    id_hash=id_hash(ctx.id_key, filed_id) if filed_id and ctx.id_key else None,
                    id_tail=id_tail(filed_id) if filed_id else None,
                )
            )  # fmt: skip


def _filed_id(text: str | None) -> str | None:
    """The filed ID number if it is a valid one (an invalid one is as good as none)."""
    if not text:
        return None
    try:
        return parse_id_number(text)
    except IdNumberError:
        return None


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
