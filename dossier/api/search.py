"""Full-text search of the materials: within one case, and across the cases of the caller's
court whose dossier the caller may read (never anything else: the access rules are applied in
the query, :func:`dossier.access.readable_case_ids`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from dossier.access import dossier_case_for_staff, readable_case_ids, require_staff
from dossier.api.material_schemas import SearchHitOut, SearchOut, SegmentOut
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.errors import InvalidInputError
from dossier.materials.search import Hit, search
from dossier.materials.terms import query_terms
from dossier.models import DossierCase
from tingshen_platform.bounded import SingleLine

router = APIRouter(prefix="/api/dossier", tags=["dossier: search"])

QueryText = Annotated[str, Query(min_length=1, max_length=100), SingleLine]


def _words(q: str) -> list[str]:
    words = query_terms(q)
    if not words:
        raise InvalidInputError.because("dossier_search_query")
    return words


def _out(q: str, words: list[str], hits: list[Hit]) -> SearchOut:
    return SearchOut(
        query=q,
        words=words,
        hits=[
            SearchHitOut(
                case_id=h.case_id,
                case_number=h.case_number,
                material_id=h.material_id,
                material_type=h.material_type,
                title=h.title,
                volume=h.volume,
                version=h.version,
                score=h.score,
                snippet=[SegmentOut(text=s.text, hit=s.hit) for s in h.snippet],
            )
            for h in hits
        ],
    )


@router.get("/cases/{dossier_case_id}/search")
def search_case(
    dossier_case_id: int,
    q: QueryText,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> SearchOut:
    _, case = dossier_case_for_staff(session, principal, dossier_case_id, ctx.today())
    words = _words(q)
    return _out(
        q, words, search(session, words, select(DossierCase.id).where(DossierCase.id == case.id))
    )


@router.get("/search")
def search_court(
    q: QueryText, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> SearchOut:
    staff = require_staff(principal)
    words = _words(q)
    return _out(q, words, search(session, words, readable_case_ids(staff, ctx.today())))
