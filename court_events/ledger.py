"""Events of the investigation-order ledger (律师调查令, the ``ledger`` service, issue 18).

- ``ledger.order_document``: a document of an order's life (the sealed order, the judge's
  decision, an institution's answer and the files it gave, a revocation) was written; the PDF or
  file is in the host's exchange store under ``blob_key`` (check ``sha256`` on reading). The
  dossier files it in the case's volume (``source_ref`` ``ledger:<order number>:<step>``).
- ``ledger.order_changed``: an order's state changed (applied, approved, narrowed, rejected,
  issued, answered, expired, revoked); the parties of the case are to be told: ``recipients``
  carry what a messenger needs, with the text as it is to be sent.

Owned by the ledger service; additive changes keep version 1, a changed meaning is a new version.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from tingshen_platform.events import EventType

__all__ = [
    "ORDER_CHANGED",
    "ORDER_DOCUMENT",
    "OrderChanged",
    "OrderDocument",
    "OrderRecipient",
]


class OrderDocument(BaseModel):
    dossier_case_id: int
    court_id: int
    case_number: str
    order_number: str
    step: str
    """``order`` (the sealed investigation order), ``decision``, ``response``, ``file``,
    ``revocation``: with the order number, unique within the case."""
    title: str
    blob_key: str
    sha256: str
    media_type: str
    size_bytes: int
    leaf_index: int | None
    """The step's leaf in the ledger's log, where it has one."""
    at: datetime


class OrderRecipient(BaseModel):
    party_ref: str
    name: str
    role: str
    phone: str | None = None
    email: str | None = None


class OrderChanged(BaseModel):
    dossier_case_id: int
    court_id: int
    case_number: str
    order_number: str
    status: str
    text: str
    """What the parties are told (simplified Chinese)."""
    recipients: list[OrderRecipient]
    at: datetime


ORDER_DOCUMENT = EventType(
    "ledger.order_document", 1, OrderDocument, "a document of an investigation order was written"
)
ORDER_CHANGED = EventType(
    "ledger.order_changed", 1, OrderChanged, "an investigation order's state changed (parties told)"
)
