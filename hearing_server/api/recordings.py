"""A hearing's recordings, once it is closed and finalised (issue 5).

- ``GET /api/hearings/{id}/recordings``: the manifest (one FLAC file per participant and a mix on
  one timeline whose origin is ``origin_utc``; SHA-256, size and duration of each; the gaps of the
  record: mute, left, disconnect, restart).
- ``GET /api/hearings/{id}/recordings/{name}.flac``: a file (``name`` a track such as
  ``participant-3``, or ``mix``), with HTTP range requests, so a page's ``<audio>`` seeks to a
  transcript segment's time without downloading the whole hearing.

Everyone admitted to the hearing may listen and download (staff of its court, its participants).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from hearing_server.deps import OptionalParticipant, OptionalStaff, SessionDep
from hearing_server.errors import NotFoundError
from hearing_server.live.admission import admit
from recordings import LocalDirStore, read_manifest

router = APIRouter(prefix="/api/hearings/{hearing_id}/recordings", tags=["recordings"])


def _store(request: Request) -> LocalDirStore:
    store = request.app.state.recordings
    if not isinstance(store, LocalDirStore):
        raise NotFoundError("recording is switched off on this server")
    return store


@router.get("")
def recording_manifest(
    hearing_id: int,
    request: Request,
    session: SessionDep,
    staff: OptionalStaff,
    participant: OptionalParticipant,
) -> dict[str, Any]:
    admit(session, staff, participant, hearing_id)
    final = read_manifest(_store(request), hearing_id)
    if final is None:
        raise NotFoundError("no finalised recording: it is made when the hearing closes")
    return final.manifest


@router.get("/{name}.flac")
def recording_file(
    hearing_id: int,
    name: str,
    request: Request,
    session: SessionDep,
    staff: OptionalStaff,
    participant: OptionalParticipant,
) -> FileResponse:
    admit(session, staff, participant, hearing_id)
    store = _store(request)
    final = read_manifest(store, hearing_id)
    files = {f.name: f for f in (*final.tracks, final.mix)} if final is not None else {}
    found = files.get(name)
    if found is None:
        raise NotFoundError(f"no recording {name!r} for hearing {hearing_id}")
    if not store.exists(found.key):  # deleted by the retention period (the manifest is kept)
        raise NotFoundError(f"the recording {name!r} of hearing {hearing_id} has expired")
    return FileResponse(
        store.path(found.key),
        media_type="audio/flac",
        filename=f"hearing-{hearing_id}-{name}.flac",
        headers={"X-Content-SHA256": found.sha256},
    )
