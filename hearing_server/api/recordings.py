"""A hearing's recordings, once it is closed and finalised (issue 5).

- ``GET /api/hearings/{id}/recordings``: the manifest (one FLAC file per participant and a mix on
  one timeline whose origin is ``origin_utc``; SHA-256, size and duration of each; the gaps of the
  record: mute, left, disconnect, restart), plus ``recording_files``: the digests as stored with
  the hearing in the database. When the store has no manifest (recording switched off since, or
  the store lost) the answer is built from those rows alone (``"source": "database"``, no gaps).
- ``GET /api/hearings/{id}/recordings/{name}.flac``: a file (``name`` a track such as
  ``participant-3``, or ``mix``), with HTTP range requests, so a page's ``<audio>`` seeks to a
  transcript segment's time without downloading the whole hearing.
- ``GET /api/hearings/{id}/recordings.zip``: every file of the hearing and its manifest in one
  ZIP, stored (FLAC does not deflate) and streamed as it is read, never held whole.

The manifest answer also has ``speakers``: ``{track name: {role, display_name}}``, so a page names
each track's speaker by role and name rather than by its key.

Everyone admitted to the hearing may listen and download (staff of its court, its participants).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, StreamingResponse

from hearing_server.deps import OptionalStaff, RecordingsDep, RecordParticipant, SessionDep
from hearing_server.errors import NotFoundError
from hearing_server.live.admission import admit
from hearing_server.recording_archive import RecordingDigest, recording_digests
from hearing_server.schemas import file_answer
from hearing_server.speaker_names import speaker_names
from recordings import FinalRecording, LocalDirStore, final_key, read_manifest, zip_stream

router = APIRouter(prefix="/api/hearings/{hearing_id}", tags=["recordings"])

_NOT_YET = "no finalised recording: it is made when the hearing closes"


def _store(store: LocalDirStore | None) -> LocalDirStore:
    if store is None:
        raise NotFoundError("recording is switched off on this server")
    return store


def _manifest(store: LocalDirStore | None, hearing_id: int) -> FinalRecording | None:
    return read_manifest(store, hearing_id) if store is not None else None


def _row_json(r: RecordingDigest) -> dict[str, Any]:
    return {
        "name": r.name,
        "sha256": r.sha256,
        "size_bytes": r.size_bytes,
        "duration_ms": r.duration_ms,
        "participant_id": r.participant_id,
        "staff_user_id": r.staff_user_id,
        "finalized_utc": r.finalized_at.isoformat().replace("+00:00", "Z"),
    }


def _from_rows(hearing_id: int, rows: list[RecordingDigest]) -> dict[str, Any]:
    """What the database alone says of the recording, in the manifest's shape."""
    files = [{**_row_json(r), "key": final_key(hearing_id, r.name)} for r in rows]
    first = rows[0]
    return {
        "hearing_id": hearing_id,
        "format": "flac",
        "source": "database",
        "origin_utc": first.origin_utc.isoformat().replace("+00:00", "Z"),
        "duration_ms": max(r.duration_ms for r in rows),
        "finalized_utc": files[0]["finalized_utc"],
        "tracks": [f for f in files if f["name"] != "mix"],
        "mix": next((f for f in files if f["name"] == "mix"), None),
        "gaps": [],
    }


@router.get("/recordings")
def recording_manifest(
    hearing_id: int,
    recordings: RecordingsDep,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
) -> dict[str, Any]:
    admit(session, staff, participant, hearing_id)
    rows = recording_digests(session, hearing_id)
    final = _manifest(recordings, hearing_id)
    if final is not None:
        body = dict(final.manifest)
    elif rows:
        body = _from_rows(hearing_id, rows)
    else:
        raise NotFoundError(_NOT_YET)
    body["recording_files"] = [_row_json(r) for r in rows]
    names = {str(t.get("name", "")) for t in body.get("tracks", [])} | {r.name for r in rows}
    # Role and name of each track's speaker: pages label tracks by them, never by the key.
    body["speakers"] = speaker_names(session, hearing_id, sorted(names - {"mix"}))
    return body


@router.get(
    "/recordings/{name}.flac", response_class=FileResponse, responses=file_answer("audio/flac")
)
def recording_file(
    hearing_id: int,
    name: str,
    recordings: RecordingsDep,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
) -> FileResponse:
    admit(session, staff, participant, hearing_id)
    store = _store(recordings)
    final = read_manifest(store, hearing_id)
    digests = {f.name: f.sha256 for f in final.files} if final is not None else {}
    digests = digests or {r.name: r.sha256 for r in recording_digests(session, hearing_id)}
    if name not in digests:
        raise NotFoundError(f"no recording {name!r} for hearing {hearing_id}")
    key = final_key(hearing_id, name)
    if not store.exists(key):  # deleted by the retention period (the manifest is kept)
        raise NotFoundError(f"the recording {name!r} of hearing {hearing_id} has expired")
    return FileResponse(
        store.path(key),
        media_type="audio/flac",
        filename=f"hearing-{hearing_id}-{name}.flac",
        headers={"X-Content-SHA256": digests[name]},
    )


@router.get(
    "/recordings.zip", response_class=StreamingResponse, responses=file_answer("application/zip")
)
def recording_zip(
    hearing_id: int,
    recordings: RecordingsDep,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
) -> StreamingResponse:
    admit(session, staff, participant, hearing_id)
    store = _store(recordings)
    final = read_manifest(store, hearing_id)
    if final is None:
        raise NotFoundError(_NOT_YET)
    present = [f for f in final.files if store.exists(f.key)]
    if not present:
        raise NotFoundError(f"the recordings of hearing {hearing_id} have expired")
    prefix = f"hearing-{hearing_id}"
    manifest = json.dumps(final.manifest, ensure_ascii=False, indent=2).encode() + b"\n"
    entries = [(f"{prefix}/{f.name}.flac", f.key) for f in present]
    return StreamingResponse(
        zip_stream(
            store,
            entries,
            extra=[(f"{prefix}/manifest.json", manifest)],
            modified_utc=final.finalized_utc,
        ),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{prefix}-recordings.zip"'},
    )
