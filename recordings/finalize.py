"""Finalisation: one file per participant and one mix on one UTC timeline, then the manifest.

The steps live in their own modules: :mod:`recordings.placement` (the timeline),
:mod:`recordings.track_file` (a participant's file), :mod:`recordings.mix` (the mix),
:mod:`recordings.manifest` (what was written). Everything streams: chunks are read one at a time,
files are encoded straight into the store (:meth:`RecordingStore.open_write`), the mix reads the
stored track files back through streaming decoders, and digests are computed as bytes go by, so
peak memory is a few blocks per track whatever the hearing's length (see
``tests/bench/bench_recordings.py``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from recordings.errors import RecordingNotFoundError
from recordings.index import list_tracks
from recordings.manifest import (
    MANIFEST_NAME,
    FinalRecording,
    build_manifest,
    encode_manifest,
    final_key,
    read_manifest,
    recording_from_manifest,
)
from recordings.mix import write_mix
from recordings.placement import inputs_digest, plan_timeline
from recordings.store import RecordingStore, object_sha256
from recordings.track_file import write_track

__all__ = ["finalization_is_current", "finalize_hearing"]

logger = logging.getLogger(__name__)


def _current(
    store: RecordingStore, hearing_id: int, *, verify_digests: bool
) -> FinalRecording | None:
    """The manifest, if it was made from exactly the current track indexes and its files are
    all there (with the recorded size, and with ``verify_digests`` the recorded SHA-256)."""
    tracks = list_tracks(store, hearing_id)
    if not tracks:
        raise RecordingNotFoundError(f"hearing {hearing_id} has no recorded tracks")
    existing = read_manifest(store, hearing_id)
    if existing is None:
        return None
    if existing.manifest.get("inputs_sha256") != inputs_digest(store, hearing_id, tracks):
        return None
    for f in existing.files:
        if not store.exists(f.key) or store.size(f.key) != f.size_bytes:
            return None
        if verify_digests and object_sha256(store, f.key) != f.sha256:
            return None
    return existing


def finalization_is_current(store: RecordingStore, hearing_id: int) -> bool:
    """Whether the manifest covers the hearing's current tracks and its files are present.

    Cheap (reads the indexes and the manifest, not the audio): what a startup check uses to find
    hearings whose finalisation a crash interrupted. :class:`RecordingNotFoundError` if the
    hearing has no recorded track.
    """
    return _current(store, hearing_id, verify_digests=False) is not None


def finalize_hearing(
    store: RecordingStore,
    hearing_id: int,
    *,
    snap_ms: int = 50,
    now: datetime | None = None,
) -> FinalRecording:
    """Place each track on the hearing's timeline, write its file and the mix, then the manifest.

    Idempotent: when a manifest exists for exactly the current track indexes (same digests) and
    its files hash to its digests, it is returned unchanged and nothing is rewritten; if tracks
    changed since (more audio), the files are rebuilt. Each file appears atomically and the
    manifest is written last, so a crash mid-way leaves the old manifest (or none) and
    finalisation simply runs again.
    """
    existing = _current(store, hearing_id, verify_digests=True)
    if existing is not None:
        return existing
    digest = inputs_digest(store, hearing_id, list_tracks(store, hearing_id))
    timeline = plan_timeline(store, hearing_id, snap_ms=snap_ms)
    tracks = [write_track(store, timeline, s) for s in timeline.tracks]
    mix = write_mix(store, timeline, [f for f, _ in tracks])
    manifest = build_manifest(
        timeline,
        tracks,
        mix,
        inputs_sha256=digest,
        finalized_utc=now or datetime.now(UTC),
    )
    store.put(final_key(hearing_id, MANIFEST_NAME), encode_manifest(manifest))
    logger.info(
        "hearing %s finalized: %d tracks, %d ms", hearing_id, len(tracks), manifest["duration_ms"]
    )
    return recording_from_manifest(hearing_id, manifest)
