"""Events of the fee service."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from tingshen_platform.events import EventType

__all__ = ["FEE_RECEIPT_ISSUED", "FeeReceiptIssued"]


class FeeReceiptIssued(BaseModel):
    dossier_case_id: int
    case_number: str
    receipt_number: str
    amount_fen: int
    payer_name: str
    paid_at: datetime
    blob_key: str
    """The sealed receipt PDF in the host's exchange store (for the dossier to file)."""
    sha256: str


FEE_RECEIPT_ISSUED = EventType(
    "fees.receipt_issued", 1, FeeReceiptIssued, "a litigation-fee receipt was issued (sealed PDF)"
)
