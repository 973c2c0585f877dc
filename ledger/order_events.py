"""What the ledger tells the other services (``court_events.ledger``): every document of an order
goes to the case's dossier (``ledger.order_document``, the file in the host's exchange store),
and every change of an order's state is announced to the case's parties
(``ledger.order_changed`` with the recipients and the text), and each party with a telephone
number is told by SMS (:mod:`ledger.order_tell`)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from court_events.ledger import (
    ORDER_CHANGED,
    ORDER_DOCUMENT,
    OrderChanged,
    OrderDocument,
    OrderRecipient,
)
from ledger.order_context import OrderContext
from ledger.order_tables import case_parties, cases, orders
from ledger.order_tell import enqueue_tell
from tingshen_platform.events import publish

__all__ = ["announce", "file_document"]


def announce(ctx: OrderContext, order_id: int, status: str, text: str) -> None:
    now = ctx.now()
    with ctx.engine.begin() as connection:
        order = connection.execute(select(orders).where(orders.c.id == order_id)).one()
        case = connection.execute(select(cases).where(cases.c.id == order.case_id)).one()
        parties = connection.execute(
            select(case_parties).where(case_parties.c.case_id == case.id)
        ).all()
        recipients = [
            OrderRecipient(party_ref=p.party_ref, name=p.name, role=p.role, phone=p.phone,
                           email=p.email)
            for p in parties
        ]  # fmt: skip
        payload = OrderChanged(
            dossier_case_id=case.dossier_case_id, court_id=case.court_id,
            case_number=case.case_number, order_number=order.number, status=status,
            text=f"【{case.court_name}】{case.case_number}：{text}", recipients=recipients, at=now,
        )  # fmt: skip
        publish(connection, ORDER_CHANGED, payload, occurred_at=now)
        enqueue_tell(ctx.jobs, connection, payload)


def file_document(
    ctx: OrderContext, order_id: int, step: str, title: str, data: bytes, media_type: str,
    leaf_index: int | None,
) -> str:  # fmt: skip
    """Store ``data`` in the exchange store and announce it for the dossier; its key."""
    now = ctx.now()
    sha256 = hashlib.sha256(data).hexdigest()
    with ctx.engine.begin() as connection:
        order = connection.execute(select(orders).where(orders.c.id == order_id)).one()
        case = connection.execute(select(cases).where(cases.c.id == order.case_id)).one()
        key = f"ledger/orders/{order_id}/{step}-{sha256[:16]}"
        ctx.files.put(key, data)
        payload = OrderDocument(
            dossier_case_id=case.dossier_case_id, court_id=case.court_id,
            case_number=case.case_number, order_number=order.number, step=step, title=title,
            blob_key=key, sha256=sha256, media_type=media_type, size_bytes=len(data),
            leaf_index=leaf_index, at=now,
        )  # fmt: skip
        publish(connection, ORDER_DOCUMENT, payload, occurred_at=now)
    return key
