"""Hotwords added during a hearing: terms the ASR got wrong (a name, a place) that every stream
uses from then on.

    words = do_add_hotwords(session, ctx, registry, staff=clerk, hearing_id=7, words=("张伟",))

The judge, the clerk and recorders of the hearing's court add them; the words are stored
(``HearingHotword``), audited and committed, then given to the running live session's streams;
a later live session reads them with the rest of the case vocabulary
(:func:`~hearing_server.live.admission.hearing_hotwords`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from hearing_server.access import require_staff_role
from hearing_server.audit import EntityRef, record
from hearing_server.context import ServerContext
from hearing_server.live.admission import admit, existing_live, hearing_hotwords
from hearing_server.live.registry import LiveRegistry
from hearing_server.models import HearingHotword, StaffRole, StaffUser

__all__ = ["HOTWORD_EDITORS", "do_add_hotwords"]

HOTWORD_EDITORS = (StaffRole.JUDGE, StaffRole.CLERK, StaffRole.RECORDER)


def do_add_hotwords(
    session: Session,
    ctx: ServerContext,
    registry: LiveRegistry,
    *,
    staff: StaffUser,
    hearing_id: int,
    words: Sequence[str],
) -> tuple[str, ...]:
    """Add ``words`` (repeats and known ones are ignored); the hearing's hotwords after it."""
    require_staff_role(staff, HOTWORD_EDITORS, "add hotwords")
    admitted = admit(session, staff, None, hearing_id)
    new = tuple(dict.fromkeys(words))
    known = set(hearing_hotwords(session, admitted.hearing))
    for word in new:
        if word not in known:
            session.add(
                HearingHotword(
                    hearing_id=hearing_id,
                    word=word,
                    added_by=f"user-{staff.id}",
                    added_at=ctx.clock(),
                )
            )
    record(
        session,
        actor=admitted.actor,
        action="hearing.hotwords",
        entity=EntityRef("hearing", hearing_id),
        case_id=admitted.hearing.case_id,
        details={"added": list(new)},
        at=ctx.clock(),
    )
    session.commit()
    result = hearing_hotwords(session, admitted.hearing)
    live = existing_live(registry, hearing_id)
    if live is not None:  # the running streams use them from now on
        live.add_hotwords(result)
    return result
