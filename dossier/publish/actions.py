"""Every state change of publishing, grants and review comments: one ``do_*`` each, which checks
the rule, writes the rows and the audit row in the caller's session (the route commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.audit import record
from dossier.errors import ConflictError, InvalidInputError, NotFoundError
from dossier.materials.tables import Material, MaterialVersion
from dossier.models import DossierCase, DossierGrant, DossierParty
from dossier.publish.parties import party_id_of_ref
from dossier.publish.tables import Publication, ReviewComment
from tingshen_platform.identity import StaffPrincipal

__all__ = [
    "MAX_GRANT_DAYS",
    "do_comment",
    "do_grant",
    "do_publish",
    "do_revoke_grant",
    "do_withdraw",
]

MAX_GRANT_DAYS = 366
"""A grant ends at most a year from the day it is given (renew it for longer)."""


def do_publish(
    session: Session,
    judge: StaffPrincipal,
    case: DossierCase,
    *,
    material_ids: Sequence[int],
    party_refs: Sequence[str],
    at: datetime,
) -> list[Publication]:
    """Publish each material to each party; what is already published to a party (and not
    withdrawn) stays as it is. Secondary-volume materials are refused, never published."""
    materials: list[Material] = []
    for material_id in dict.fromkeys(material_ids):
        material = session.get(Material, material_id)
        if material is None or material.case_id != case.id:
            raise InvalidInputError.because(
                "dossier_publish_unknown_material", material_id=material_id
            )
        if material.volume != "main":
            raise InvalidInputError.because("dossier_publish_secondary", material_id=material_id)
        materials.append(material)
    parties: list[DossierParty] = []
    for ref in dict.fromkeys(party_refs):
        party_id = party_id_of_ref(ref)
        party = session.get(DossierParty, party_id) if party_id is not None else None
        if party is None or party.case_id != case.id:
            raise InvalidInputError.because("dossier_publish_unknown_party", party_ref=ref)
        parties.append(party)
    made: list[Publication] = []
    for material in materials:
        for party in parties:
            existing = session.scalars(
                select(Publication).where(
                    Publication.material_id == material.id,
                    Publication.party_id == party.id,
                    Publication.withdrawn_at.is_(None),
                )
            ).first()
            if existing is not None:
                continue
            publication = Publication(
                case_id=case.id, material_id=material.id, party_id=party.id,
                version=material.current_version, published_at=at,
                published_by_id=judge.user_id, published_by_name=judge.display_name,
            )  # fmt: skip
            session.add(publication)
            session.flush()
            record(
                session, judge, "publication.created", at=at, case_id=case.id,
                entity="publication", entity_id=publication.id,
                details={"material_id": material.id, "title": material.title,
                         "version": material.current_version, "party": party.name,
                         "party_role": party.role},
            )  # fmt: skip
            made.append(publication)
    return made


def do_withdraw(
    session: Session, judge: StaffPrincipal, case: DossierCase, publication_id: int, at: datetime
) -> Publication:
    publication = session.get(Publication, publication_id)
    if publication is None or publication.case_id != case.id:
        raise NotFoundError.because("dossier_publication_not_found")
    if publication.withdrawn_at is not None:
        raise ConflictError.because("dossier_publication_withdrawn")
    publication.withdrawn_at = at
    publication.withdrawn_by_id = judge.user_id
    publication.withdrawn_by_name = judge.display_name
    record(
        session, judge, "publication.withdrawn", at=at, case_id=case.id, entity="publication",
        entity_id=publication.id, details={"material_id": publication.material_id},
    )  # fmt: skip
    return publication


def do_grant(
    session: Session,
    admin: StaffPrincipal,
    case: DossierCase,
    *,
    grantee: StaffPrincipal,
    purpose: str,
    review_body: str | None,
    ends_on: date,
    today: date,
    at: datetime,
) -> DossierGrant:
    if purpose == "read" and review_body is not None:
        raise InvalidInputError.because("dossier_grant_review_body")
    if ends_on < today:
        raise InvalidInputError.because(
            "dossier_grant_ends_past", ends_on=ends_on.isoformat(), today=today.isoformat()
        )
    if ends_on > today + timedelta(days=MAX_GRANT_DAYS):
        raise InvalidInputError.because("dossier_grant_too_long", days=MAX_GRANT_DAYS)
    grant = DossierGrant(
        case_id=case.id, user_id=grantee.user_id, user_name=grantee.display_name,
        purpose=purpose, review_body=review_body, ends_on=ends_on,
        granted_by_id=admin.user_id, granted_by_name=admin.display_name, granted_at=at,
    )  # fmt: skip
    session.add(grant)
    session.flush()
    record(
        session, admin, "grant.created", at=at, case_id=case.id, entity="grant",
        entity_id=grant.id,
        details={"user": grantee.display_name, "user_role": grantee.role, "purpose": purpose,
                 "review_body": review_body, "ends_on": ends_on.isoformat()},
    )  # fmt: skip
    return grant


def do_revoke_grant(
    session: Session, admin: StaffPrincipal, case: DossierCase, grant_id: int, at: datetime
) -> DossierGrant:
    grant = session.get(DossierGrant, grant_id)
    if grant is None or grant.case_id != case.id:
        raise NotFoundError.because("dossier_grant_not_found")
    if grant.revoked_at is not None:
        raise ConflictError.because("dossier_grant_revoked")
    grant.revoked_at = at
    record(
        session, admin, "grant.revoked", at=at, case_id=case.id, entity="grant",
        entity_id=grant.id, details={"user": grant.user_name},
    )  # fmt: skip
    return grant


def do_comment(
    session: Session,
    author: StaffPrincipal,
    material: Material,
    *,
    body: str,
    page: int | None,
    corrects_id: int | None,
    review_body: str | None,
    at: datetime,
) -> ReviewComment:
    version = session.scalars(
        select(MaterialVersion).where(
            MaterialVersion.material_id == material.id,
            MaterialVersion.version == material.current_version,
        )
    ).first()
    pages = version.page_count if version is not None else None
    if page is not None and pages is not None and page > pages:
        raise InvalidInputError.because("dossier_comment_page", page=page, pages=pages)
    if corrects_id is not None:
        earlier = session.get(ReviewComment, corrects_id)
        if (
            earlier is None
            or earlier.material_id != material.id
            or earlier.author_id != author.user_id
        ):
            raise InvalidInputError.because("dossier_comment_corrects", corrects_id=corrects_id)
    comment = ReviewComment(
        case_id=material.case_id, material_id=material.id, version=material.current_version,
        page=page, body=body, corrects_id=corrects_id, author_id=author.user_id,
        author_name=author.display_name, author_role=author.role, review_body=review_body,
        created_at=at,
    )  # fmt: skip
    session.add(comment)
    session.flush()
    record(
        session, author, "comment.added", at=at, case_id=material.case_id, entity="comment",
        entity_id=comment.id, details={"material_id": material.id, "page": page},
    )  # fmt: skip
    return comment
