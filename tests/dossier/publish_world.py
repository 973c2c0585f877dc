"""The publishing tests' records: case A assigned to judge_a (clerk clerk_a), its dossier
parties 张伟 (plaintiff) and 李娜 (defendant) as in hearing A, case A2's 王芳, and materials made
as real PDFs through the dossier's own store."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import select

from dossier.materials.store import Author, NewFile, add_material
from dossier.models import DossierCase, DossierParty
from dossier.publish.pdf import page_count, text_pdf
from hearing_server.models import StaffUser
from tests.dossier.conftest import DossierWorld, dossier_context

__all__ = ["PublishWorld", "add_pdf_material", "publish_world", "staff_id"]


@dataclass(frozen=True)
class PublishWorld:
    dossier: DossierWorld
    plaintiff_ref: str
    defendant_ref: str
    plaintiff_a2_ref: str
    complaint: int
    """A main-volume material of case A (起诉状)."""
    evidence: int
    """Another main-volume material of case A."""
    deliberation: int
    """A secondary-volume material of case A (合议庭评议笔录): never published."""
    material_b: int
    """A material of court B's case."""


def staff_id(app: FastAPI, username: str) -> tuple[int, str]:
    with app.state.services.context.session_factory() as s:
        user = s.scalars(select(StaffUser).where(StaffUser.username == username)).one()
        return user.id, user.display_name


def add_pdf_material(
    app: FastAPI, case_id: int, title: str, *, volume: str = "main", kind: str = "evidence"
) -> int:
    ctx = dossier_context(app)
    pdf = text_pdf(title, [("说明", "测试材料")], f"{title}的内容。\n第二行。")
    with ctx.session_factory() as s:
        case = s.get(DossierCase, case_id)
        assert case is not None
        material = add_material(
            s, ctx.files, case=case, volume=volume, material_type=kind, title=title,
            source="upload", new=NewFile(f"{title}.pdf", "application/pdf", pdf,
                                         page_count=page_count(pdf)),
            author=Author(None, "书记员"), at=ctx.clock(),
        )  # fmt: skip
        s.commit()
        return material.id


def publish_world(app: FastAPI, world: DossierWorld) -> PublishWorld:
    ctx = dossier_context(app)
    judge_id, judge_name = staff_id(app, "judge_a")
    clerk_id, clerk_name = staff_id(app, "clerk_a")
    with ctx.session_factory() as s:
        case_a = s.get(DossierCase, world.case_a)
        assert case_a is not None
        case_a.judge_user_id, case_a.judge_name = judge_id, judge_name
        case_a.clerk_user_id, case_a.clerk_name = clerk_id, clerk_name
        parties = [
            DossierParty(case_id=case_id, role=role, kind="person", name=name)
            for case_id, role, name in (
                (world.case_a, "plaintiff", "张伟"),
                (world.case_a, "defendant", "李娜"),
                (world.case_a2, "plaintiff", "王芳"),
            )
        ]
        s.add_all(parties)
        s.commit()
        refs = [p.party_ref for p in parties]
    return PublishWorld(
        dossier=world,
        plaintiff_ref=refs[0],
        defendant_ref=refs[1],
        plaintiff_a2_ref=refs[2],
        complaint=add_pdf_material(app, world.case_a, "起诉状", kind="complaint"),
        evidence=add_pdf_material(app, world.case_a, "证据目录"),
        deliberation=add_pdf_material(
            app, world.case_a, "合议庭评议笔录", volume="secondary", kind="deliberation"
        ),
        material_b=add_pdf_material(app, world.case_b, "天河案起诉状", kind="complaint"),
    )
