"""Evidence on screen: the presentation everyone follows (material, page, presenter), each change
checked, committed with its audit event, then noted in the transcript as a marker row.

    await do_present(session, ctx, rooms, registry, who, material_id=3)      # page 1
    await do_turn(session, ctx, rooms, registry, who, page=2)               # the presenter only
    await do_take_control(session, ctx, rooms, registry, who)               # a judge
    await do_stop(session, ctx, rooms, registry, who)                       # presenter or judge

Everyone admitted except observers (旁听) presents their own materials; court staff any of the
hearing's; a judge takes over or ends anyone's presentation. Markers: "【举证】原告 张伟 出示
证据1《借条》.pdf 第 1 页 10:41" (then 翻至 … 第 2 页, 接管展示, 结束展示); every page in the room
follows the marker by reading the presentation (docs/protocol.md "Evidence on screen").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.audit import EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, ForbiddenError, InvalidInputError
from hearing_server.evidence.access import (
    Who,
    material_label,
    may_bring_evidence,
    presentation,
    readable_material,
)
from hearing_server.evidence.upload import commit_or_conflict
from hearing_server.live.admission import require_open
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.stage_actions import write_marker
from hearing_server.live.stages import COURT_TZ
from hearing_server.models import EvidenceMaterial, EvidencePresentation
from hearing_server.transcript.export import role_label
from hearing_server.transcript.fanout import DocumentRooms

__all__ = ["do_present", "do_stop", "do_take_control", "do_turn"]


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
    commit_or_conflict(session)
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
    may_bring_evidence(who)
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
