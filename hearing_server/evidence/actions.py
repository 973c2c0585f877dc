"""Evidence on screen: upload, list, and the presentation everyone follows (presenter, page), each
change checked, committed with its audit event, then noted in the transcript as a marker row.

    material = await do_upload(session, ctx, store, who, filename="借条.pdf",
                               media_type="application/pdf", data=pdf)
    visible_materials(session, who)            # one's own, the ones shown, all for court staff
    await do_present(session, ctx, rooms, registry, who, material_id=3)      # page 1
    await do_turn(session, ctx, rooms, registry, who, page=2)               # the presenter only
    await do_take_control(session, ctx, rooms, registry, who)               # a judge
    await do_stop(session, ctx, rooms, registry, who)                       # presenter or judge

Who: everyone admitted to the hearing except observers (旁听) uploads and presents their own
materials; court staff see and present every material of the hearing; a judge takes over or
ends anyone's presentation. Markers: "【举证】原告 张伟 出示 证据1《借条》.pdf 第 1 页 10:41"
(then 翻至 … 第 2 页, 接管展示, 结束展示); every page in the room follows the marker by reading the
presentation (docs/protocol.md "Evidence on screen").
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.audit import EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from hearing_server.evidence.files import EvidenceStore, inspect
from hearing_server.live.admission import Admitted, require_open
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.stage_actions import write_marker
from hearing_server.live.stages import COURT_TZ
from hearing_server.models import (
    EvidenceMaterial,
    EvidencePresentation,
    HearingStatus,
    StaffRole,
    StaffUser,
)
from hearing_server.transcript.editors import EDITOR_ROLES
from hearing_server.transcript.export import role_label
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.log import Author
from hearing_server.transcript.policy import EditorRole

__all__ = [
    "Who",
    "do_present",
    "do_stop",
    "do_take_control",
    "do_turn",
    "do_upload",
    "material_label",
    "presentation",
    "readable_material",
    "visible_materials",
]


@dataclass(frozen=True)
class Who:
    """Someone admitted to the hearing, and their staff account if they are court staff."""

    admitted: Admitted
    staff: StaffUser | None

    @property
    def key(self) -> str:
        return self.admitted.speaker.key

    @property
    def court_staff(self) -> bool:
        return self.staff is not None

    @property
    def judge(self) -> bool:
        return self.staff is not None and self.staff.role is StaffRole.JUDGE

    @property
    def label(self) -> str:
        """``原告 张伟``: role and name as the transcript names them."""
        speaker = self.admitted.speaker
        return f"{role_label(speaker.role)} {speaker.display_name}"

    def author(self) -> Author:
        role = EDITOR_ROLES.get(self.staff.role, EditorRole.READER) if self.staff else None
        return Author(
            f"user-{self.staff.id}" if self.staff is not None else self.key,
            self.admitted.speaker.display_name,
            role or EditorRole.READER,
        )


def _may_bring_evidence(who: Who) -> None:
    if who.admitted.speaker.role == "observer":
        raise ForbiddenError("observers do not present evidence")


def material_label(material: EvidenceMaterial) -> str:
    """``证据1《借条》.pdf``."""
    suffix = PurePosixPath(material.filename).suffix
    return f"证据{material.number}《{material.title}》{suffix}"


def _clean_filename(filename: str) -> tuple[str, str]:
    """The file's base name (no folders, at most 200 characters) and a title (its stem)."""
    name = PureWindowsPath(PurePosixPath(filename.strip()).name).name.strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "《》")[:200]
    if not name:
        raise InvalidInputError("the file needs a name")
    stem = PurePosixPath(name).stem.strip()[:100] or name[:100]
    return name, stem


async def do_upload(
    session: Session,
    ctx: ServerContext,
    store: EvidenceStore,
    who: Who,
    *,
    filename: str,
    media_type: str,
    data: bytes,
) -> EvidenceMaterial:
    _may_bring_evidence(who)
    hearing = who.admitted.hearing
    if hearing.status not in (HearingStatus.SCHEDULED, HearingStatus.OPEN):
        raise ConflictError(f"hearing {hearing.id} is {hearing.status.value}")
    name, title = _clean_filename(filename)
    checked = await asyncio.to_thread(inspect, data, media_type)
    number = (
        session.scalar(
            select(func.max(EvidenceMaterial.number)).where(
                EvidenceMaterial.hearing_id == hearing.id
            )
        )
        or 0
    ) + 1
    now = ctx.clock()
    speaker = who.admitted.speaker
    material = EvidenceMaterial(
        hearing_id=hearing.id,
        number=number,
        source="upload",
        title=title,
        filename=name,
        media_type=checked.media_type,
        sha256=checked.sha256,
        size_bytes=checked.size,
        page_count=checked.page_count,
        blob_key="",
        uploader_key=speaker.key,
        uploader_role=speaker.role,
        uploader_name=speaker.display_name,
        uploaded_at=now,
    )
    session.add(material)
    _commit_or_conflict(session, flush_only=True)
    material.blob_key = await asyncio.to_thread(
        store.put_original, hearing.id, material.id, data, checked.extension
    )
    audit.record(
        session,
        actor=who.admitted.actor,
        action="evidence.upload",
        entity=EntityRef("evidence", material.id),
        case_id=hearing.case_id,
        details={"hearing_id": hearing.id, "sha256": checked.sha256, "number": number},
        at=now,
    )
    _commit_or_conflict(session)
    return material


def _commit_or_conflict(session: Session, *, flush_only: bool = False) -> None:
    """Two changes of the same hearing at the same moment (the same evidence number, the first
    presentation row): the later one is refused with 409, nothing of it kept."""
    try:
        if flush_only:
            session.flush()
        else:
            session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError("changed at the same moment by someone else; try again") from exc


def _visible(material: EvidenceMaterial, who: Who) -> bool:
    return who.court_staff or material.uploader_key == who.key or material.presented_at is not None


def visible_materials(session: Session, who: Who) -> list[EvidenceMaterial]:
    materials = session.scalars(
        select(EvidenceMaterial)
        .where(EvidenceMaterial.hearing_id == who.admitted.hearing.id)
        .order_by(EvidenceMaterial.number)
    ).all()
    return [m for m in materials if _visible(m, who)]


def readable_material(session: Session, who: Who, material_id: int) -> EvidenceMaterial:
    """A material of the hearing that ``who`` may see (404 otherwise: not revealed)."""
    material = session.get(EvidenceMaterial, material_id)
    if (
        material is None
        or material.hearing_id != who.admitted.hearing.id
        or not _visible(material, who)
    ):
        raise NotFoundError(f"evidence {material_id} not found")
    return material


def presentation(session: Session, hearing_id: int) -> EvidencePresentation | None:
    """What is on screen now (None: nothing ever shown; ``material_id`` None: stopped)."""
    return session.get(EvidencePresentation, hearing_id)


def _active(session: Session, hearing_id: int) -> tuple[EvidencePresentation, EvidenceMaterial]:
    state = presentation(session, hearing_id)
    if state is None or state.material_id is None:
        raise ConflictError("nothing is being presented")
    material = session.get(EvidenceMaterial, state.material_id)
    assert material is not None
    return state, material


def _hhmm(at: datetime) -> str:
    return at.astimezone(COURT_TZ).strftime("%H:%M")


async def _change(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    who: Who,
    *,
    material: EvidenceMaterial,
    page: int,
    presenting: bool,
    action: str,
    text: str,
) -> EvidencePresentation:
    """Set what is on screen, audit it, commit, then note it in the transcript."""
    hearing = who.admitted.hearing
    now = ctx.clock()
    state = presentation(session, hearing.id)
    if state is None:
        state = EvidencePresentation(hearing_id=hearing.id, version=0)
        session.add(state)
    state.material_id = material.id if presenting else None
    state.page = page
    state.presenter_key = who.key if presenting else ""
    state.presenter_role = who.admitted.speaker.role if presenting else ""
    state.presenter_name = who.admitted.speaker.display_name if presenting else ""
    state.version = (state.version or 0) + 1
    state.updated_at = now
    if presenting and material.presented_at is None:
        material.presented_at = now
    marker_id = f"evidence-{material.id}-{state.version}.{round(now.timestamp() * 1000)}"
    audit.record(
        session,
        actor=who.admitted.actor,
        action=action,
        entity=EntityRef("evidence", material.id),
        case_id=hearing.case_id,
        details={"hearing_id": hearing.id, "page": page, "marker_id": marker_id},
        at=now,
    )
    _commit_or_conflict(session)
    await write_marker(
        rooms,
        registry,
        author=who.author(),
        hearing_id=hearing.id,
        marker_id=marker_id,
        text=f"【举证】{who.label} {text} {_hhmm(now)}",
        at=now,
    )
    return state


async def do_present(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    who: Who,
    *,
    material_id: int,
) -> EvidencePresentation:
    """Show a material to everyone, from page 1: one's own (court staff: any of the hearing's).
    While someone else presents, only a judge may put another material on screen."""
    _may_bring_evidence(who)
    require_open(who.admitted.hearing)
    material = readable_material(session, who, material_id)
    if material.uploader_key != who.key and not who.court_staff:
        raise ForbiddenError("you may present only the evidence you uploaded")
    state = presentation(session, who.admitted.hearing.id)
    busy = state is not None and state.material_id is not None
    if busy and state is not None and state.presenter_key != who.key and not who.judge:
        raise ConflictError(f"{role_label(state.presenter_role)} {state.presenter_name} 正在出示")
    label = f"出示 {material_label(material)} 第 1 页"
    return await _change(
        session,
        ctx,
        rooms,
        registry,
        who,
        material=material,
        page=1,
        presenting=True,
        action="evidence.present",
        text=label,
    )


async def do_turn(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    who: Who,
    *,
    page: int,
) -> EvidencePresentation:
    """The presenter turns to ``page`` (everyone's screen follows)."""
    require_open(who.admitted.hearing)
    state, material = _active(session, who.admitted.hearing.id)
    if state.presenter_key != who.key:
        raise ForbiddenError("only the presenter turns the pages")
    if not 1 <= page <= material.page_count:
        raise InvalidInputError(f"page {page} is not in 1..{material.page_count}")
    if page == state.page:
        return state
    return await _change(
        session,
        ctx,
        rooms,
        registry,
        who,
        material=material,
        page=page,
        presenting=True,
        action="evidence.page",
        text=f"翻至 {material_label(material)} 第 {page} 页",
    )


async def do_take_control(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    who: Who,
) -> EvidencePresentation:
    """A judge takes over the presentation (same material and page; the judge turns pages)."""
    if not who.judge:
        raise ForbiddenError("only a judge takes control of a presentation")
    require_open(who.admitted.hearing)
    state, material = _active(session, who.admitted.hearing.id)
    if state.presenter_key == who.key:
        return state
    return await _change(
        session,
        ctx,
        rooms,
        registry,
        who,
        material=material,
        page=state.page,
        presenting=True,
        action="evidence.take_control",
        text=f"接管展示 {material_label(material)} 第 {state.page} 页",
    )


async def do_stop(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    who: Who,
) -> EvidencePresentation:
    """The presenter or a judge ends the presentation."""
    require_open(who.admitted.hearing)
    state, material = _active(session, who.admitted.hearing.id)
    if state.presenter_key != who.key and not who.judge:
        raise ForbiddenError("only the presenter or a judge ends the presentation")
    return await _change(
        session,
        ctx,
        rooms,
        registry,
        who,
        material=material,
        page=state.page,
        presenting=False,
        action="evidence.stop",
        text=f"结束展示 {material_label(material)}",
    )
