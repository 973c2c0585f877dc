"""The dossier's event consumers: how it learns what happens elsewhere.

Each handler runs in the transaction that marks its event handled
(:class:`tingshen_platform.events.EventConsumer`), so a re-delivered event changes nothing:
the mark and the handler's rows commit together, and handlers also check what is already there.

- ``case.created`` (hearing server): a case entered there without filing (the demo's, older
  ones) joins the register as ``imported``; a filed case learns its hearing-server id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from court_events.hearing import CASE_CREATED
from dossier.context import COURT_TZ
from dossier.models import DossierCase
from tingshen_platform.events import Event, orm_session

__all__ = ["HANDLERS", "on_case_created"]


def on_case_created(connection: Connection, event: Event) -> None:
    created = event.parse(CASE_CREATED)
    with orm_session(connection) as session:
        case = session.scalars(
            select(DossierCase).where(DossierCase.case_number == created.case_number)
        ).first()
        if case is not None:
            if case.hearing_case_id is None:
                case.hearing_case_id = created.case_id
            return
        at: datetime = event.occurred_at
        session.add(
            DossierCase(
                court_id=created.court_id,
                court_name=created.court_name,
                case_number=created.case_number,
                cause_name=created.cause_of_action,
                status="open",
                source="imported",
                filed_on=at.astimezone(COURT_TZ).date(),
                filed_at=at,
                hearing_case_id=created.case_id,
            )
        )


HANDLERS = {CASE_CREATED.name: on_case_created}
