"""How the ledger learns of cases (consumer ``ledger.events``): ``case.filed`` (the dossier) gives
the case, its judge and its parties — lawyers with their licence numbers, whom the ledger lets
apply in that case, and everyone to be told of an order. A re-delivered event changes nothing."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from court_events.dossier import CASE_FILED
from ledger.order_tables import case_parties, cases
from tingshen_platform.events import Event

__all__ = ["CONSUMER", "on_case_filed"]

CONSUMER = "ledger.events"


def on_case_filed(connection: Connection, event: Event) -> None:
    filed = event.parse(CASE_FILED)
    found = connection.execute(
        select(cases.c.id).where(cases.c.dossier_case_id == filed.dossier_case_id)
    ).first()
    if found is not None:
        return
    case_id = connection.execute(
        insert(cases).values(
            dossier_case_id=filed.dossier_case_id, court_id=filed.court_id,
            court_name=filed.court_name, case_number=filed.case_number,
            cause=filed.cause_of_action, judge_user_id=filed.judge_user_id,
            filed_at=filed.filed_at,
        )
    ).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
    for party in filed.parties:
        connection.execute(
            insert(case_parties).values(
                case_id=case_id, party_ref=party.party_ref, role=party.role, kind=party.kind,
                name=party.name, licence_number=party.licence_number, phone=party.phone,
                email=party.email,
            )
        )  # fmt: skip
