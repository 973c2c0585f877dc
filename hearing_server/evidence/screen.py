"""Screen sharing as evidence on screen: start and stop, each checked, audited, committed, then
noted in the transcript as a 【举证】 marker row, which tells every page in the room to look.

    await do_share_start(session, ctx, rooms, registry, who)   # the caller shares (one at a time)
    await do_share_stop(session, ctx, rooms, registry, who)    # the sharer or a judge ends it

Everyone admitted except observers (旁听) may share; while someone shares, another start is
refused (409, "原告 张伟 正在共享屏幕") unless the caller is a judge, who takes over (the
other share ends first); a sharer who left without stopping is stopped by a judge. A stop
ends the forwarding of the screen at once (:meth:`~hearing_server.rtc.relay.Forwarder.end_screen`):
the sharer's page then re-offers without it.
Markers: "【举证】原告 张伟 开始共享屏幕 10:41", "【举证】原告 张伟 结束共享屏幕 10:45"
(stopped by a judge: "…结束共享屏幕（审判长 王法官 停止）").
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.audit import EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, ForbiddenError
from hearing_server.evidence.access import Who, may_bring_evidence
from hearing_server.evidence.upload import commit_or_conflict
from hearing_server.live.admission import existing_live, live_for, require_open
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.room import LiveHearing
from hearing_server.live.screen import ScreenShare
from hearing_server.live.stage_actions import write_marker
from hearing_server.live.stages import COURT_TZ
from hearing_server.transcript.export import role_label
from hearing_server.transcript.fanout import DocumentRooms

__all__ = ["do_share_start", "do_share_stop", "end_share_of", "share_label", "sharing"]


def share_label(share: ScreenShare) -> str:
    """``原告 张伟``."""
    return f"{role_label(share.role)} {share.name}"


def sharing(registry: LiveRegistry, hearing_id: int) -> tuple[ScreenShare | None, int]:
    """Who shares now (None: nobody, or no live session), and the share's version."""
    live = existing_live(registry, hearing_id)
    if live is None:
        return None, 0
    return live.screen.current, live.screen.version


async def _note(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    who: Who,
    live: LiveHearing,
    *,
    action: str,
    share: ScreenShare,
    text: str,
) -> None:
    """Audit and commit the change, then write its marker row."""
    hearing = who.admitted.hearing
    now = ctx.clock()
    marker_id = f"screen-{live.screen.version}.{round(now.timestamp() * 1000)}"
    audit.record(
        session,
        actor=who.admitted.actor,
        action=action,
        entity=EntityRef("hearing", hearing.id),
        case_id=hearing.case_id,
        details={"sharer": share.key, "marker_id": marker_id},
        at=now,
    )
    commit_or_conflict(session)
    hhmm = now.astimezone(COURT_TZ).strftime("%H:%M")
    await write_marker(
        rooms,
        registry,
        author=who.author(),
        hearing_id=hearing.id,
        marker_id=marker_id,
        text=f"【举证】{text} {hhmm}",
        at=now,
    )


async def _end(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    who: Who,
    live: LiveHearing,
) -> None:
    ended = live.screen.stop()
    if ended is None:
        return
    live.peers.forwarder.end_screen(ended.key)
    text = f"{share_label(ended)} 结束共享屏幕"
    if ended.key != who.key:
        text += f"（{who.label} 停止）"
    await _note(
        session, ctx, rooms, registry, who, live, action="screen.stop", share=ended, text=text
    )


async def do_share_start(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    who: Who,
) -> ScreenShare:
    """The caller shares their screen; its video follows in the caller's next offer."""
    may_bring_evidence(who)
    hearing = who.admitted.hearing
    require_open(hearing)
    live = live_for(registry, session, hearing)
    current = live.screen.current
    if current is not None and current.key == who.key:
        return current
    if current is not None:
        if not who.judge:
            raise ConflictError(f"{share_label(current)} 正在共享屏幕")
        await _end(session, ctx, rooms, registry, who, live)
    share = live.screen.start(who.admitted.speaker, ctx.clock())
    await _note(
        session,
        ctx,
        rooms,
        registry,
        who,
        live,
        action="screen.start",
        share=share,
        text=f"{who.label} 开始共享屏幕",
    )
    return share


async def do_share_stop(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    who: Who,
) -> None:
    """The sharer (their own stop, or the browser's "stop sharing") or a judge ends the share."""
    require_open(who.admitted.hearing)
    live = existing_live(registry, who.admitted.hearing.id)
    current = live.screen.current if live is not None else None
    if live is None or current is None:
        raise ConflictError("nobody is sharing a screen")
    if current.key != who.key and not who.judge:
        raise ForbiddenError("only the sharer or a judge ends a screen share")
    await _end(session, ctx, rooms, registry, who, live)


async def end_share_of(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    who: Who,
) -> None:
    """The caller left the room: their share, if any, ends (noted like their own stop)."""
    live = existing_live(registry, who.admitted.hearing.id)
    if live is not None and live.screen.shares(who.key):
        await _end(session, ctx, rooms, registry, who, live)
