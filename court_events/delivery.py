"""Events of electronic service (送达, the ``delivery`` service) and the party portal (``portal``).

The three services learn of each other only through these (and HTTP):

- ``delivery.document_served``: the delivery service sent a document to one recipient; the portal
  lists it among that party's documents (matched by case and ``recipient_party_ref``, or by the
  recipient's ID number) and the link in the SMS or e-mail leads there.
- ``portal.document_opened``: the recipient, logged into the portal under their real name, opened
  (or signed for) the document; the delivery service records the opening in the service's states.
- ``delivery.proof_issued``: the sealed proof of service (送达回证 / 电子送达凭证) PDF; the dossier
  files it in the case's volume.

Owned by the delivery service (issue 17); additive changes keep version 1, a changed meaning is a
new version.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from tingshen_platform.events import EventType

__all__ = [
    "DOCUMENT_OPENED",
    "DOCUMENT_SERVED",
    "PROOF_ISSUED",
    "DocumentOpened",
    "DocumentServed",
    "ProofIssued",
]


class DocumentServed(BaseModel):
    service_id: int
    """The delivery service's id of this service of one document on one recipient."""
    dossier_case_id: int
    court_id: int
    case_number: str
    document_title: str
    document_kind: str
    """The dossier's material type code where the document is a material (``judgment`` …)."""
    blob_key: str
    """The document (PDF) in the host's exchange store."""
    sha256: str
    media_type: str
    size_bytes: int
    recipient_party_ref: str | None
    """The dossier's party (``p-<id>``), ``None`` for a recipient entered by hand."""
    recipient_name: str
    recipient_id_number: str | None = None
    """The recipient's ID number where known (GB 11643), to match a portal account."""
    channels: list[str]
    """``sms``, ``email``, ``post``, ``collect``: every channel this service went out on."""
    sent_at: datetime


class DocumentOpened(BaseModel):
    service_id: int
    dossier_case_id: int
    opened_at: datetime
    account_ref: str
    """The portal account that opened it (``a-<id>``)."""
    name: str
    """The account holder's real (verified) name."""
    action: str = "opened"
    """``opened`` (first view in the portal) or ``signed`` (signed for receipt, 签收)."""


class ProofIssued(BaseModel):
    service_id: int
    dossier_case_id: int
    case_number: str
    document_title: str
    recipient_name: str
    channel: str
    issued_at: datetime
    blob_key: str
    """The sealed proof-of-service PDF in the host's exchange store."""
    sha256: str


DOCUMENT_SERVED = EventType(
    "delivery.document_served", 1, DocumentServed, "a document was served on one recipient"
)
DOCUMENT_OPENED = EventType(
    "portal.document_opened",
    1,
    DocumentOpened,
    "a recipient opened or signed for a served document in the party portal",
)
PROOF_ISSUED = EventType(
    "delivery.proof_issued", 1, ProofIssued, "a sealed proof of service was issued (送达回证)"
)
