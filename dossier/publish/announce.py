"""``dossier.material_published``: each publication just made, told to the party portal.

Called by the publications route with what :func:`dossier.publish.actions.do_publish` made, in
the same session before it commits: the material's reading copy (its PDF, else the original) is
copied into the host's exchange store first (a key named by its SHA-256: a publication that
rolls back leaves at most an unreferenced copy), then one event per publication is written to
the outbox in the publication's transaction (stream ``case:{dossier case id}``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from court_events.dossier import MATERIAL_PUBLISHED, MaterialPublished
from dossier.materials.tables import Material, MaterialVersion
from dossier.models import DossierCase, DossierParty
from dossier.publish.tables import Publication
from tingshen_platform.blobs import BlobStore
from tingshen_platform.events import publish

__all__ = ["announce_published"]


def announce_published(
    session: Session,
    case: DossierCase,
    made: Sequence[Publication],
    *,
    files: BlobStore,
    exchange: BlobStore,
) -> None:
    for publication in made:
        material = session.get(Material, publication.material_id)
        party = session.get(DossierParty, publication.party_id)
        version = session.scalars(
            select(MaterialVersion).where(
                MaterialVersion.material_id == publication.material_id,
                MaterialVersion.version == publication.version,
            )
        ).one()
        assert material is not None and party is not None
        if version.pdf_blob_key is not None:
            key, media_type = version.pdf_blob_key, "application/pdf"
        else:
            key, media_type = version.blob_key, version.media_type
        data = files.get(key)
        digest = hashlib.sha256(data).hexdigest()
        shared = f"dossier/published/{case.id}/{material.id}/{digest}"
        exchange.put(shared, data)
        payload = MaterialPublished(
            publication_id=publication.id, dossier_case_id=case.id, court_id=case.court_id,
            case_number=case.case_number, material_id=material.id, version=version.version,
            material_type=material.material_type, title=material.title,
            party_ref=f"p-{party.id}", party_name=party.name, blob_key=shared, sha256=digest,
            media_type=media_type, size_bytes=len(data), published_at=publication.published_at,
        )  # fmt: skip
        publish(
            session.connection(), MATERIAL_PUBLISHED, payload,
            occurred_at=publication.published_at, stream=f"case:{case.id}",
        )  # fmt: skip
