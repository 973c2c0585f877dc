"""A case's audit trail (every change and every view or download of its records), newest first,
for the court's administrators and the case's judge; anyone else gets "no such case".

- ``GET /api/dossier/cases/{id}/audit?person=&action=&limit=&cursor=``: keyset pages
  (:class:`~dossier.paging.TimePage`, a ``Link: rel="next"`` header while there is more);
  ``person`` a part of the name of who acted (``系统``/``system``: the system), ``action`` one
  action string (:data:`dossier.audit_trail.ACTIONS`).
- ``GET /api/dossier/cases/{id}/audit.csv`` with the same filters: the whole filtered trail as
  CSV (UTF-8 with a byte-order mark so that Excel reads the Chinese), written in pages of
  :data:`CSV_BATCH` rows as it is sent.

Reading the trail is itself audited: ``audit.read`` for each page asked (after the page is read,
so it shows from the next reading on), ``audit.exported`` for a CSV (not in that CSV itself).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import Session

from dossier.access import audit_case_for
from dossier.audit import record
from dossier.audit_trail import action_zh, details_zh, facts, material_id_of, person_zh
from dossier.context import COURT_TZ, DossierContext
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.materials.filenames import content_disposition
from dossier.materials.tables import Material
from dossier.models import AuditRow
from dossier.paging import TimePageDep
from dossier.publish.schemas import AuditEntryOut, AuditFactOut
from tingshen_platform.bounded import Id

router = APIRouter(prefix="/api/dossier/cases", tags=["dossier: audit"])

CSV_BATCH = 500
CSV_HEADER = ("时间（北京时间）", "人员", "操作", "材料", "详情")
SYSTEM_NAMES = ("系统", "system")

Person = Annotated[str | None, Query(min_length=1, max_length=100)]
Action = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[a-z_.]+$")]


@dataclass(frozen=True, slots=True)
class Filters:
    person: str | None
    action: str | None

    def details(self) -> dict[str, Any]:
        return {k: v for k, v in (("person", self.person), ("action", self.action)) if v}


def _filters(person: str | None, action: str | None) -> Filters:
    return Filters((person or "").strip() or None, action)


def _query(case_id: int, f: Filters) -> Select[AuditRow]:
    query = select(AuditRow).where(AuditRow.case_id == case_id)
    if f.person is not None:
        is_system = AuditRow.actor_kind == "system"
        named = and_(
            AuditRow.actor_kind != "system", AuditRow.actor_name.contains(f.person, autoescape=True)
        )
        query = query.where(or_(named, is_system if f.person.lower() in SYSTEM_NAMES else false()))
    if f.action is not None:
        query = query.where(AuditRow.action == f.action)
    return query


def _after(query: Select[AuditRow], at: datetime, last_id: int) -> Select[AuditRow]:
    return query.where(or_(AuditRow.at < at, and_(AuditRow.at == at, AuditRow.id < last_id)))


def _newest_first(query: Select[AuditRow]) -> Select[AuditRow]:
    return query.order_by(AuditRow.at.desc(), AuditRow.id.desc())


def _titles(session: Session, case_id: int, rows: Sequence[AuditRow]) -> dict[int, str]:
    ids = {m for r in rows if (m := material_id_of(r.entity, r.entity_id, r.details)) is not None}
    if not ids:
        return {}
    found = session.execute(
        select(Material.id, Material.title).where(Material.case_id == case_id, Material.id.in_(ids))
    )
    return {material_id: title for material_id, title in found}


def _title(row: AuditRow, titles: dict[int, str]) -> str | None:
    material_id = material_id_of(row.entity, row.entity_id, row.details)
    return None if material_id is None else titles.get(material_id)


@router.get("/{dossier_case_id}/audit")
def case_audit(
    dossier_case_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    page: TimePageDep,
    response: Response,
    person: Person = None,
    action: Action = None,
) -> list[AuditEntryOut]:
    staff, case = audit_case_for(session, principal, dossier_case_id)
    f = _filters(person, action)
    query = _query(case.id, f)
    if page.after is not None:
        query = _after(query, *page.after)
    rows = list(session.scalars(_newest_first(query).limit(page.limit + 1)))
    shown = page.answer(response, rows, [(r.at, r.id) for r in rows])
    titles = _titles(session, case.id, shown)
    answer = [
        AuditEntryOut(
            at=r.at,
            actor_kind=r.actor_kind,
            actor_role=r.actor_role,
            actor_name=r.actor_name,
            action=r.action,
            material_title=_title(r, titles),
            details=[
                AuditFactOut(key=x.key, value=x.value, kind=x.kind, role=x.role)
                for x in facts(r.details)
            ],
        )
        for r in shown
    ]
    record(session, staff, "audit.read", at=ctx.clock(), case_id=case.id, details=f.details())
    session.commit()
    return answer


def _cell(text: str) -> str:
    """A cell Excel will not run as a formula (a name or title may begin with ``=``)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_rows(ctx: DossierContext, case_id: int, f: Filters, own_row_id: int) -> Iterator[bytes]:
    yield "\ufeff".encode()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    after: tuple[datetime, int] | None = None
    with ctx.session_factory() as session:
        while True:
            query = _query(case_id, f).where(AuditRow.id != own_row_id)
            if after is not None:
                query = _after(query, *after)
            rows = list(session.scalars(_newest_first(query).limit(CSV_BATCH)))
            titles = _titles(session, case_id, rows)
            for r in rows:
                writer.writerow(
                    _cell(text)
                    for text in (
                        r.at.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M:%S"),
                        person_zh(r.actor_kind, r.actor_role, r.actor_name),
                        action_zh(r.action),
                        _title(r, titles) or "",
                        details_zh(facts(r.details)),
                    )
                )
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
            if len(rows) < CSV_BATCH:
                return
            after = (rows[-1].at, rows[-1].id)


@router.get("/{dossier_case_id}/audit.csv", response_class=Response)
def case_audit_csv(
    dossier_case_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    person: Person = None,
    action: Action = None,
) -> StreamingResponse:
    staff, case = audit_case_for(session, principal, dossier_case_id)
    f = _filters(person, action)
    own = record(
        session, staff, "audit.exported", at=ctx.clock(), case_id=case.id, details=f.details()
    )
    session.flush()
    own_id = own.id
    session.commit()
    return StreamingResponse(
        _csv_rows(ctx, case.id, f, own_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(f"审计记录-{case.case_number}.csv")},
    )
