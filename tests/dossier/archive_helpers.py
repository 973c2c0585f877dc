"""Helpers of the archive's tests: generated PDFs, materials added through the store, a case
closed and given its judge and clerk (the register part closes cases; until then the tests set
the status)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from dossier.context import DossierContext
from dossier.materials.store import Author, NewFile, add_material
from dossier.materials.tables import Material
from dossier.models import DossierCase, DossierParty
from hearing_server.context import ServerContext
from hearing_server.models import StaffUser

TYPES = ("evidence", "judgment", "complaint", "hearing_transcript", "defence", "service_proof")


def make_pdf(label: str, pages: int) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for page in range(1, pages + 1):
        canvas.setFont("Helvetica", 14)
        canvas.drawString(72, 760, f"{label} page {page}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def staff_id(ctx: ServerContext, username: str) -> tuple[int, str]:
    with ctx.session_factory() as s:
        user = s.scalars(select(StaffUser).where(StaffUser.username == username)).one()
        return user.id, user.display_name


def close_case(
    dossier: DossierContext,
    server: ServerContext,
    case_id: int,
    *,
    outcome: str = "judgment",
    status: str = "closed",
) -> None:
    judge = staff_id(server, "judge_a")
    clerk = staff_id(server, "clerk_a")
    with dossier.session_factory() as s:
        case = s.get(DossierCase, case_id)
        assert case is not None
        case.judge_user_id, case.judge_name = judge
        case.clerk_user_id, case.clerk_name = clerk
        case.status = status
        case.outcome = outcome
        case.type_code = "民初"
        case.closed_on = date(2026, 11, 30)
        case.filed_on = date(2026, 9, 1)
        if not s.scalars(select(DossierParty).where(DossierParty.case_id == case_id)).first():
            s.add(DossierParty(case_id=case_id, role="plaintiff", kind="person", name="张三"))
            s.add(DossierParty(case_id=case_id, role="defendant", kind="organisation",
                               name="某某科技有限公司"))  # fmt: skip
        s.commit()


def add_materials(
    dossier: DossierContext, case_id: int, pages: list[int], *, office: bool = False
) -> list[int]:
    """One main-volume material per entry of ``pages`` (types cycling through :data:`TYPES`,
    each added a minute after the last); their ids."""
    ids = []
    start = dossier.clock()
    with dossier.session_factory() as s:
        case = s.get(DossierCase, case_id)
        assert case is not None
        for i, count in enumerate(pages):
            pdf = make_pdf(f"material {i}", count)
            new = (
                NewFile(
                    f"材料{i}.docx",
                    "application/vnd.openxmlformats",
                    b"docx %d" % i,
                    pdf=pdf,
                    page_count=count,
                )
                if office
                else NewFile(f"材料{i}.pdf", "application/pdf", pdf, page_count=count)
            )
            material = add_material(
                s, dossier.files, case=case, volume="main",
                material_type=TYPES[i % len(TYPES)], title=f"材料{i}（{TYPES[i % len(TYPES)]}）",
                source="upload", new=new, author=Author(None, "书记员甲"),
                at=start + timedelta(minutes=i),
            )  # fmt: skip
            s.flush()
            ids.append(material.id)
        s.commit()
    return ids


def material_types(dossier: DossierContext, ids: list[int]) -> list[str]:
    with dossier.session_factory() as s:
        return [s.get_one(Material, i).material_type for i in ids]
