"""A closed hearing's recording, finalised and its digests stored with the hearing (issue 5).

    archive = RecordingArchive(ctx.session_factory, store, ctx.clock)
    final = archive.finalize(hearing_id)        # when the hearing closes (in a worker thread)
    done = archive.finalize_pending()           # what a crash left unfinished (at start-up
                                                # as jobs: hearing_server.recording_jobs)
    rows = recording_digests(session, hearing_id)

The manifest in the recording store says what the files are; the ``recording_files`` rows say
the same inside the database, where the hearing's record lives: the signed transcript binds them
by digest, and they survive a recording store that is lost or switched off. Rows of an earlier
finalisation of the same hearing are replaced in one transaction, with an audit event
(``recording.finalize``), like every other change to a court record.

A server that dies after a hearing was closed but before its finalisation finished leaves the
hearing closed with no (or an out-of-date) manifest or rows; :meth:`finalize_pending` finds such
hearings at startup and finishes them. Hearings still open are left alone: their recording goes on.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from hearing_server.audit import Actor, EntityRef, record
from hearing_server.events import RECORDING_FINALIZED, RecordingFinalized
from hearing_server.models import Hearing, HearingStatus, Participant, RecordingFile, StaffUser
from hearing_server.security import Clock
from recordings import (
    FinalRecording,
    RecordingNotFoundError,
    RecordingStore,
    finalization_is_current,
    finalize_hearing,
    list_hearings,
    read_manifest,
)
from tingshen_platform.events import publish

__all__ = [
    "RecordingArchive",
    "RecordingDigest",
    "recording_digests",
    "store_recording_files",
]

_logger = logging.getLogger(__name__)
_KEY_RE = re.compile(r"^(participant|staff)-([0-9]{1,18})$")


@dataclass(frozen=True, slots=True)
class RecordingDigest:
    """One finalised file of a hearing as the database records it."""

    name: str  # the track key (``participant-3``, ``staff-1``) or ``mix``
    sha256: str
    size_bytes: int
    duration_ms: int
    origin_utc: datetime
    finalized_at: datetime
    participant_id: int | None
    staff_user_id: int | None


def recording_digests(session: Session, hearing_id: int) -> list[RecordingDigest]:
    """The hearing's finalised files (tracks in name order, then the mix); empty if none."""
    rows = session.scalars(
        select(RecordingFile)
        .where(RecordingFile.hearing_id == hearing_id)
        .order_by(RecordingFile.name == "mix", RecordingFile.name)
    ).all()
    return [
        RecordingDigest(
            r.name,
            r.sha256,
            r.size_bytes,
            r.duration_ms,
            r.origin_utc,
            r.finalized_at,
            r.participant_id,
            r.staff_user_id,
        )
        for r in rows
    ]


def _owner(session: Session, hearing_id: int, name: str) -> tuple[int | None, int | None]:
    """(participant_id, staff_user_id) a track key names, when that person exists."""
    m = _KEY_RE.match(name)
    if m is None:
        return None, None
    kind, ident = m.group(1), int(m.group(2))
    if kind == "participant":
        p = session.get(Participant, ident)
        return (ident if p is not None and p.hearing_id == hearing_id else None), None
    return None, (ident if session.get(StaffUser, ident) is not None else None)


def _rows_match(rows: list[RecordingDigest], final: FinalRecording) -> bool:
    have = {(r.name, r.sha256, r.size_bytes, r.finalized_at) for r in rows}
    want = {(f.name, f.sha256, f.size_bytes, final.finalized_utc) for f in final.files}
    return have == want


def store_recording_files(session: Session, final: FinalRecording, *, at: datetime) -> bool:
    """Make the hearing's rows say what ``final`` says; audit it. False if they already did.

    The caller commits: the old rows' removal, the new rows and the audit event go together.
    """
    hearing = session.get(Hearing, final.hearing_id)
    if hearing is None:
        raise RecordingNotFoundError(f"hearing {final.hearing_id} is not in the database")
    old = recording_digests(session, final.hearing_id)
    if _rows_match(old, final):
        return False
    session.execute(delete(RecordingFile).where(RecordingFile.hearing_id == final.hearing_id))
    for f in final.files:
        participant_id, staff_user_id = _owner(session, final.hearing_id, f.name)
        session.add(
            RecordingFile(
                hearing_id=final.hearing_id,
                name=f.name,
                participant_id=participant_id,
                staff_user_id=staff_user_id,
                sha256=f.sha256,
                size_bytes=f.size_bytes,
                duration_ms=f.duration_ms,
                origin_utc=final.origin_utc,
                finalized_at=final.finalized_utc,
            )
        )
    record(
        session,
        actor=Actor.system(),
        action="recording.finalize",
        entity=EntityRef("hearing", final.hearing_id),
        case_id=hearing.case_id,
        details={
            "files": len(final.files),
            "duration_ms": final.duration_ms,
            "mix_sha256": final.mix.sha256,
            "replaced": len(old),
        },
        at=at,
    )
    publish(
        session.connection(),
        RECORDING_FINALIZED,
        RecordingFinalized(
            hearing_id=final.hearing_id,
            case_id=hearing.case_id,
            files=len(final.files),
            duration_ms=final.duration_ms,
            mix_sha256=final.mix.sha256,
        ),
        occurred_at=at,
        stream=f"hearing:{final.hearing_id}",
    )
    return True


class RecordingArchive:
    """Finalises hearings' recordings into the store and their digests into the database."""

    def __init__(
        self, session_factory: sessionmaker[Session], store: RecordingStore, clock: Clock
    ) -> None:
        self._session_factory = session_factory
        self._store = store
        self._clock = clock

    def finalize(self, hearing_id: int) -> FinalRecording:
        """Finalise (or find finalised) and store the rows. Blocking: run it in a thread.

        :class:`RecordingNotFoundError` if the hearing recorded nothing.
        """
        final = finalize_hearing(self._store, hearing_id, now=self._clock())
        with self._session_factory() as session:
            if store_recording_files(session, final, at=self._clock()):
                session.commit()
        return final

    def _pending(self, hearing_id: int, session: Session) -> bool:
        try:
            if not finalization_is_current(self._store, hearing_id):
                return True
        except RecordingNotFoundError:
            return False  # nothing recorded, or its audio has expired
        final = read_manifest(self._store, hearing_id)
        return final is None or not _rows_match(recording_digests(session, hearing_id), final)

    def pending(self) -> list[int]:
        """Closed hearings whose finalisation is missing or out of date (a crash at closing,
        audio journalled after it). Hearings still open are left alone."""
        with self._session_factory() as session:
            closed = set(
                session.scalars(
                    select(Hearing.id).where(Hearing.status == HearingStatus.CLOSED)
                ).all()
            )
            todo = [h for h in list_hearings(self._store) if h in closed]
            return [h for h in todo if self._pending(h, session)]

    def manifest(self, hearing_id: int) -> FinalRecording | None:
        return read_manifest(self._store, hearing_id)

    def finalize_pending(self) -> list[int]:
        """Finish every pending hearing (:meth:`pending`) here and now; a failure on one hearing
        is logged and the others go on."""
        done: list[int] = []
        for hearing_id in self.pending():
            try:
                self.finalize(hearing_id)
            except Exception:
                _logger.exception(
                    "hearing %d: finishing the recording's finalisation failed", hearing_id
                )
                continue
            _logger.info("hearing %d: recording finalised at startup", hearing_id)
            done.append(hearing_id)
        return done
