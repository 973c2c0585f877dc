"""Publishing materials to parties (the case's judge) and withdrawing them."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.access import dossier_case_for_staff, is_case_judge, require_case_judge
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.materials.tables import Material
from dossier.models import DossierParty
from dossier.publish.actions import do_publish, do_withdraw
from dossier.publish.announce import announce_published
from dossier.publish.schemas import PublicationOut, PublicationsIn, PublishingOut
from dossier.publish.tables import Publication
from tingshen_platform.bounded import Id

router = APIRouter(prefix="/api/dossier/cases", tags=["dossier: publishing"])


def publication_out(session: Session, publication: Publication) -> PublicationOut:
    material = session.get(Material, publication.material_id)
    party = session.get(DossierParty, publication.party_id)
    assert material is not None and party is not None
    return PublicationOut(
        id=publication.id, material_id=material.id, material_title=material.title,
        material_type=material.material_type, version=publication.version,
        party_ref=party.party_ref, party_name=party.name, party_role=party.role,
        published_at=publication.published_at, published_by_name=publication.published_by_name,
        withdrawn_at=publication.withdrawn_at, withdrawn_by_name=publication.withdrawn_by_name,
    )  # fmt: skip


@router.get("/{dossier_case_id}/publications")
def get_publications(
    dossier_case_id: Id, session: SessionDep, principal: PrincipalDep, ctx: ContextDep
) -> PublishingOut:
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, ctx.today())
    materials = session.scalars(
        select(Material)
        .where(Material.case_id == case.id, Material.volume == "main")
        .order_by(Material.id)
    )
    parties = session.scalars(
        select(DossierParty).where(DossierParty.case_id == case.id).order_by(DossierParty.id)
    )
    publications = session.scalars(
        select(Publication).where(Publication.case_id == case.id).order_by(Publication.id)
    )
    return PublishingOut(
        case_id=case.id,
        case_number=case.case_number,
        may_publish=is_case_judge(staff, case),
        materials=[
            {
                "id": m.id,
                "title": m.title,
                "material_type": m.material_type,
                "current_version": m.current_version,
                "created_at": m.created_at,
            }
            for m in materials
        ],
        parties=[{"party_ref": p.party_ref, "role": p.role, "name": p.name} for p in parties],
        publications=[publication_out(session, p) for p in publications],
    )


@router.post("/{dossier_case_id}/publications", status_code=201)
def publish_materials(
    dossier_case_id: Id,
    body: PublicationsIn,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> list[PublicationOut]:
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, ctx.today())
    require_case_judge(staff, case)
    made = do_publish(
        session, staff, case, material_ids=body.material_ids, party_refs=body.party_refs,
        at=ctx.clock(),
    )  # fmt: skip
    announce_published(session, case, made, files=ctx.files, exchange=ctx.host.exchange)
    answer = [publication_out(session, p) for p in made]
    session.commit()
    return answer


@router.post("/{dossier_case_id}/publications/{publication_id}/withdraw")
def withdraw_publication(
    dossier_case_id: Id,
    publication_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> PublicationOut:
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, ctx.today())
    require_case_judge(staff, case)
    publication = do_withdraw(session, staff, case, publication_id, ctx.clock())
    answer = publication_out(session, publication)
    session.commit()
    return answer
