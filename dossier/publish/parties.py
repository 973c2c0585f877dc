"""Which dossier parties a party session is, and what has been published to them.

A :class:`~tingshen_platform.identity.PartyPrincipal` (a participant of a hearing, from an
invitation or a signing link) is matched to the case's dossier parties:

- by ``case_party_ref`` when the participant was invited as a dossier party (``p-<id>``);
- otherwise (a participant added by hand, a case imported from the hearing server) by the same
  case number, the same role (``plaintiff`` …) and the same name, exactly as written.

The fallback can match nobody (a name written differently): that party then sees nothing, which
is the safe side; the clerk fixes it by inviting them from the case's parties.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.materials.tables import Material
from dossier.models import DossierCase, DossierParty
from dossier.publish.tables import Publication
from tingshen_platform.identity import PartyPrincipal

__all__ = ["active_publications", "matching_parties", "party_id_of_ref"]


def party_id_of_ref(ref: str | None) -> int | None:
    """``p-12`` → 12; anything else → ``None``."""
    if ref is None or not ref.startswith("p-") or not ref[2:].isdigit():
        return None
    return int(ref[2:])


def matching_parties(
    session: Session, principal: PartyPrincipal, case: DossierCase
) -> list[DossierParty]:
    if case.court_id != principal.court_id or case.case_number != principal.case_number:
        return []
    query = select(DossierParty).where(DossierParty.case_id == case.id)
    if principal.case_party_ref is not None:
        party_id = party_id_of_ref(principal.case_party_ref)
        if party_id is None:
            return []
        query = query.where(DossierParty.id == party_id)
    else:
        query = query.where(
            DossierParty.role == principal.court_role,
            DossierParty.name == principal.display_name,
        )
    return list(session.scalars(query))


def active_publications(
    session: Session, principal: PartyPrincipal, case: DossierCase
) -> list[tuple[Publication, Material]]:
    """What is published to this party in this case and not withdrawn, main volume only, one
    row per material (the latest publication)."""
    party_ids = [p.id for p in matching_parties(session, principal, case)]
    if not party_ids:
        return []
    rows = session.execute(
        select(Publication, Material)
        .join(Material, Material.id == Publication.material_id)
        .where(
            Publication.case_id == case.id,
            Publication.party_id.in_(party_ids),
            Publication.withdrawn_at.is_(None),
            Material.volume == "main",
        )
        .order_by(Publication.published_at.desc(), Publication.id.desc())
    ).all()
    seen: dict[int, tuple[Publication, Material]] = {}
    for publication, material in rows:
        seen.setdefault(material.id, (publication, material))
    return sorted(seen.values(), key=lambda row: row[1].id)
