"""The electronic archive's routes: arrangement and submission (the case's clerk), reading the
e-volume (its dossier's readers, and borrowers: watermarked), borrowing (调阅) and fixity (the
court's administrators)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from sqlalchemy import select

from dossier import audit
from dossier.access import case_for, dossier_case_for_staff, require_role, require_staff
from dossier.archive.arrange import arrange, volume_of
from dossier.archive.borrowing import decide, request_borrowing, visible_borrowing
from dossier.archive.compose import watermark
from dossier.archive.fixity import run_fixity
from dossier.archive.schemas import (
    ArchiveOut,
    ArrangementIn,
    BorrowingIn,
    BorrowingOut,
    DecisionIn,
    FixityOut,
)
from dossier.archive.submit import archive_root, submit
from dossier.archive.tables import ArchiveBorrowing
from dossier.archive.views import archive_out, archive_reader, borrowing_out, fixity_out
from dossier.context import COURT_TZ
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.errors import ConflictError
from dossier.paging import IdPageDep
from tingshen_platform.bounded import MAX_ID

router = APIRouter(prefix="/api/dossier", tags=["dossier: archive"])

CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
BorrowingId = Annotated[int, Path(ge=1, le=MAX_ID)]
BorrowingStatus = Literal["requested", "approved", "refused"]
PDF_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@router.get("/cases/{dossier_case_id}/archive")
def get_archive(
    dossier_case_id: CaseId, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> ArchiveOut:
    staff, case, borrowing = archive_reader(session, principal, dossier_case_id, ctx.today())
    return archive_out(session, staff, case, borrowing)


@router.put("/cases/{dossier_case_id}/archive/arrangement")
def put_arrangement(
    dossier_case_id: CaseId,
    body: ArrangementIn,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> ArchiveOut:
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, ctx.today())
    arrange(session, ctx, staff, case, body.material_ids)
    session.commit()
    return archive_out(session, staff, case, None)


@router.post("/cases/{dossier_case_id}/archive/submit")
def post_submit(
    dossier_case_id: CaseId, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> ArchiveOut:
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, ctx.today())
    submit(session, ctx, staff, case)
    session.commit()
    return archive_out(session, staff, case, None)


@router.get(
    "/cases/{dossier_case_id}/archive/evolume.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_evolume(
    dossier_case_id: CaseId, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> Response:
    """The sealed e-volume (the dossier's readers), or a copy watermarked for the borrower."""
    staff, case, borrowing = archive_reader(session, principal, dossier_case_id, ctx.today())
    volume = volume_of(session, case.id)
    if volume is None or volume.package_dir is None:
        raise ConflictError.because("archive_not_archived")
    path = archive_root(ctx).parent / volume.package_dir / "data" / "evolume.pdf"
    if not path.is_file():  # the fixity check reports it; nobody reads a volume that is gone
        raise ConflictError.because("archive_package_missing")
    now = ctx.clock()
    with path.open("rb") as source:
        if borrowing is None:
            body = source.read()
        else:
            lines = [staff.display_name, staff.court_name, "仅供调阅"]
            body = watermark(source, lines, now.astimezone(COURT_TZ))
    audit.record(
        session, staff, "archive.evolume_read", at=now, case_id=case.id,
        entity="archive_volume", entity_id=volume.id,
        details={"watermarked": borrowing is not None,
                 "borrowing_id": borrowing.id if borrowing else None},
    )  # fmt: skip
    session.commit()
    name = f"{volume.archive_number}.pdf"
    headers = {**PDF_HEADERS, "Content-Disposition": f'inline; filename="{name}"'}
    return Response(body, media_type="application/pdf", headers=headers)


@router.post("/cases/{dossier_case_id}/archive/borrowings", status_code=201)
def post_borrowing(
    dossier_case_id: CaseId,
    body: BorrowingIn,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> BorrowingOut:
    staff = require_staff(principal)
    case = case_for(session, staff, dossier_case_id)
    borrowing = request_borrowing(session, ctx, staff, case, reason=body.reason, days=body.days)
    session.commit()
    return borrowing_out(session, borrowing, ctx.today())


@router.get("/archive/borrowings")
def list_borrowings(
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    page: IdPageDep,
    response: Response,
    status: Annotated[BorrowingStatus | None, Query()] = None,
    case: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[BorrowingOut]:
    """The court's requests (an administrator), else one's own; newest first, in pages;
    ``status`` (``requested``: those awaiting a decision) and ``case`` narrow them."""
    staff = require_staff(principal)
    query = select(ArchiveBorrowing).where(ArchiveBorrowing.court_id == staff.court_id)
    if staff.role != "court_admin":
        query = query.where(ArchiveBorrowing.user_id == staff.user_id)
    if status is not None:
        query = query.where(ArchiveBorrowing.status == status)
    if case is not None:
        query = query.where(ArchiveBorrowing.case_id == case)
    if page.after is not None:
        query = query.where(ArchiveBorrowing.id < page.after)
    rows = list(session.scalars(query.order_by(ArchiveBorrowing.id.desc()).limit(page.limit + 1)))
    shown = page.answer(response, rows, [b.id for b in rows])
    return [borrowing_out(session, b, ctx.today()) for b in shown]


@router.post("/archive/borrowings/{borrowing_id}/decision")
def post_decision(
    borrowing_id: BorrowingId,
    body: DecisionIn,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> BorrowingOut:
    staff = require_staff(principal)
    borrowing = visible_borrowing(session, staff, borrowing_id)
    require_role(staff, "court_admin")
    decide(session, ctx, staff, borrowing, approve=body.approve)
    session.commit()
    return borrowing_out(session, borrowing, ctx.today())


@router.get("/archive/fixity")
def get_fixity(
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    case: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    failing: bool = False,
) -> FixityOut:
    """The court's packages' latest checks (the court's administrators): ``case`` one case's
    package (its archive page), ``failing`` only the failures listed (the court's page)."""
    staff = require_staff(principal)
    require_role(staff, "court_admin")
    return fixity_out(
        session, staff.court_id, interval_hours=ctx.settings.fixity_interval_hours,
        case_id=case, failing_only=failing,
    )  # fmt: skip


@router.post("/archive/fixity/run")
def post_fixity_run(
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    failing: bool = False,
) -> FixityOut:
    """Check every package of the court now; the report as ``GET /archive/fixity`` gives it."""
    staff = require_staff(principal)
    require_role(staff, "court_admin")
    run_fixity(ctx, court_id=staff.court_id, by=staff)
    return fixity_out(
        session, staff.court_id, interval_hours=ctx.settings.fixity_interval_hours,
        failing_only=failing,
    )  # fmt: skip
