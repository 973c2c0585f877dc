"""How the fee service learns of cases: ``case.filed`` opens the case's account and issues its
notice (sent at once by SMS and e-mail unless the court turned that off); ``case.closed``
settles it (a halved fee after mediation or withdrawal makes the excess refundable).

Each handler runs in the transaction that marks its event handled, so a re-delivered event
changes nothing (and :func:`~fees.accounts.open_account` also checks what is there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection

from court_events.dossier import CASE_CLOSED, CASE_FILED
from fees.accounts import close_account, current_notice, open_account
from fees.audit import SYSTEM
from fees.context import FeesContext
from fees.sending import queue_notice
from tingshen_platform.events import Event, orm_session

__all__ = ["Handler", "handlers"]

Handler = Callable[[Connection, Event], None]


def handlers(ctx: FeesContext) -> Mapping[str, Handler]:
    def on_filed(connection: Connection, event: Event) -> None:
        filed = event.parse(CASE_FILED)
        with orm_session(connection) as session:
            account = open_account(session, ctx, filed)
            if account is None or not ctx.settings.auto_send_notice:
                return
            notice = current_notice(session, account.id)
            if notice is not None and notice.amount_fen > 0:
                queue_notice(session, ctx, account, notice, actor=SYSTEM)

    def on_closed(connection: Connection, event: Event) -> None:
        closed = event.parse(CASE_CLOSED)
        with orm_session(connection) as session:
            close_account(session, ctx, closed)

    return {CASE_FILED.name: on_filed, CASE_CLOSED.name: on_closed}
