"""The search index in the database: a version's terms written when its text is known, and
queries over the current versions of the materials of the cases a caller may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from dossier.materials.search_tables import MaterialTerm
from dossier.materials.tables import Material, MaterialVersion
from dossier.materials.terms import Segment, index_terms, required_terms, snippet
from dossier.models import DossierCase

__all__ = ["Hit", "index_version", "search"]

MAX_RESULTS = 50


def index_version(session: Session, version: MaterialVersion, case_id: int, at: datetime) -> int:
    """(Re)write the terms of ``version``; how many distinct terms it has."""
    session.execute(delete(MaterialTerm).where(MaterialTerm.version_id == version.id))
    counts = index_terms(version.text or "")
    if counts:
        session.execute(
            insert(MaterialTerm),
            [
                {
                    "version_id": version.id,
                    "material_id": version.material_id,
                    "case_id": case_id,
                    "term": term,
                    "hits": hits,
                }
                for term, hits in counts.items()
            ],
        )
    version.indexed_at = at
    return len(counts)


@dataclass(frozen=True, slots=True)
class Hit:
    case_id: int
    case_number: str
    material_id: int
    material_type: str
    title: str
    volume: str
    version: int
    score: int
    snippet: list[Segment]


def search(session: Session, words: list[str], case_ids: Select[int]) -> list[Hit]:
    """Current versions holding every word, best first (most hits)."""
    required = required_terms(words)
    if not required:
        return []
    matched = (
        select(MaterialTerm.version_id, func.sum(MaterialTerm.hits).label("score"))
        .where(MaterialTerm.term.in_(required), MaterialTerm.case_id.in_(case_ids))
        .group_by(MaterialTerm.version_id)
        .having(func.count(func.distinct(MaterialTerm.term)) == len(required))
        .subquery()
    )
    rows = session.execute(
        select(MaterialVersion, Material, DossierCase.case_number, matched.c.score)
        .join(matched, matched.c.version_id == MaterialVersion.id)
        .join(Material, Material.id == MaterialVersion.material_id)
        .join(DossierCase, DossierCase.id == Material.case_id)
        .where(MaterialVersion.version == Material.current_version)
        .order_by(matched.c.score.desc(), Material.id)
        .limit(MAX_RESULTS)
    ).all()
    return [
        Hit(
            case_id=material.case_id,
            case_number=case_number,
            material_id=material.id,
            material_type=material.material_type,
            title=material.title,
            volume=material.volume,
            version=version.version,
            score=int(score),
            snippet=snippet(version.text or "", words),
        )
        for version, material, case_number, score in rows
    ]
