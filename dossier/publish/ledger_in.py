"""``ledger.order_document`` (the investigation-order ledger, issue 18) into the dossier: each
document of a lawyer's investigation order (律师调查令) is filed in the case's main volume, read
from the host's exchange store and checked against the event's SHA-256.

- the sealed order, the judge's decision and a revocation (steps ``order``, ``decision``,
  ``revocation``): material type ``investigation_order`` (调查令);
- what the institution answered and the files it gave (steps ``response…``, ``file…``):
  ``investigation_order_response`` (调查令回复); any other step: ``other``.

``source_ref`` ``ledger:<order number>:<step>`` (the contract's, unique within the case): a
re-delivered event finds its material and changes nothing. The event names the dossier's own
case id; a case the register does not have (and never will: the id is the dossier's) is logged
and the event skipped, so it holds nothing up. A file whose digest differs from the event's is
refused (:class:`~dossier.publish.incoming.MaterialNotReadyError`, retried later). A
document that is not a PDF (an institution's image or spreadsheet) is filed as it came and
queued for conversion and indexing like an upload (:mod:`dossier.materials.processing`).
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import Connection, select

from court_events.ledger import ORDER_DOCUMENT
from dossier.context import DossierContext
from dossier.materials import processing
from dossier.materials.inspect import MEDIA_TYPES
from dossier.materials.store import NewFile, add_material, find_by_source
from dossier.materials.tables import MaterialVersion
from dossier.models import DossierCase
from dossier.publish.incoming import (
    PDF,
    SYSTEM,
    MaterialNotReadyError,
    announce_material,
    archived,
)
from dossier.publish.pdf import page_count
from tingshen_platform.events import Event, orm_session

__all__ = ["material_type_of", "on_order_document"]

logger = logging.getLogger(__name__)

ORDER_STEPS = ("order", "decision", "revocation")
RESPONSE_STEPS = ("response", "file")
EXTENSIONS = {media_type: f".{kind}" for kind, media_type in MEDIA_TYPES.items()}


def material_type_of(step: str) -> str:
    """The catalogue's code (``dossier/data/material_types.toml``) for an order's step."""
    head = step.split("-", 1)[0]
    if head in ORDER_STEPS:
        return "investigation_order"
    if head in RESPONSE_STEPS:
        return "investigation_order_response"
    return "other"


def on_order_document(ctx: DossierContext, connection: Connection, event: Event) -> None:
    document = event.parse(ORDER_DOCUMENT)
    at = event.occurred_at
    with orm_session(connection) as session:
        case = session.get(DossierCase, document.dossier_case_id)
        if case is None or case.case_number != document.case_number:
            logger.warning(
                "ledger document %s:%s names case %d %s, which the register does not have: "
                "skipped", document.order_number, document.step, document.dossier_case_id,
                document.case_number,
            )  # fmt: skip
            return
        if archived(session, case, event, at):
            return
        source_ref = f"ledger:{document.order_number}:{document.step}"[:200]
        if find_by_source(session, case.id, source_ref) is not None:
            return
        data = ctx.host.exchange.get(document.blob_key)
        if hashlib.sha256(data).hexdigest() != document.sha256:
            logger.error(
                "ledger document %s (%s) does not match its digest: refused, retried later",
                source_ref, document.blob_key,
            )  # fmt: skip
            raise MaterialNotReadyError(f"{source_ref}: sha256 mismatch")
        is_pdf = document.media_type == PDF
        filename = f"{document.order_number}-{document.step}"
        new = NewFile(
            (filename + EXTENSIONS.get(document.media_type, ""))[:200], document.media_type, data,
            page_count=page_count(data) if is_pdf else None,
        )  # fmt: skip
        material = add_material(
            session, ctx.files, case=case, volume="main",
            material_type=material_type_of(document.step), title=document.title[:300],
            source="system", new=new, author=SYSTEM, at=at, source_ref=source_ref,
        )  # fmt: skip
        if not is_pdf:
            session.flush()
            version = session.scalars(
                select(MaterialVersion).where(MaterialVersion.material_id == material.id)
            ).one()
            version.status = "processing"
            session.flush()
            processing.enqueue(ctx, session, version.id)
        announce_material(connection, session, case, material, document.sha256, at)
