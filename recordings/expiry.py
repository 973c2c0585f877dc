"""The retention period: a finalized hearing's audio is deleted, its manifest kept.

The manifest (``final/manifest.json``: timeline origin, files' SHA-256 digests and durations,
gaps) stays, so the record can still prove what the deleted audio was; ``final/expired.json``
says when and under which retention it was deleted.
"""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import datetime, timedelta

from recordings.index import hearing_prefix
from recordings.manifest import EXPIRED_NAME, MANIFEST_NAME, final_key, read_manifest
from recordings.store import RecordingStore
from recordings.timeline import format_utc

__all__ = ["expire", "list_hearings"]

logger = logging.getLogger(__name__)


def list_hearings(store: RecordingStore) -> list[int]:
    """Ids of the hearings the store holds anything of."""
    ids: set[int] = set()
    for head in store.list_children(""):  # one delimiter listing, not every chunk
        if head.startswith("hearing-"):
            with contextlib.suppress(ValueError):
                ids.add(int(head.removeprefix("hearing-")))
    return sorted(ids)


def expire(store: RecordingStore, retention_days: int, now: datetime) -> list[int]:
    """Delete the audio of hearings finalized more than ``retention_days`` before ``now``.

    Deleted: every chunk, index and finalized audio file of the hearing. Kept: the manifest
    (``final/manifest.json``: timeline origin, files' SHA-256 digests and durations, gaps), so the
    record can still prove what the deleted audio was, plus ``final/expired.json`` saying when and
    under which retention it was deleted. Hearings never finalized are not touched (their audio may
    still be needed to finalize). Returns the ids of the hearings expired by this call.
    """
    expired: list[int] = []
    cutoff = now - timedelta(days=retention_days)
    for hearing_id in list_hearings(store):
        rec = read_manifest(store, hearing_id)
        if rec is None or rec.finalized_utc > cutoff:
            continue
        if store.exists(final_key(hearing_id, EXPIRED_NAME)):
            continue
        keep = {final_key(hearing_id, MANIFEST_NAME)}
        doomed = [k for k in store.list(hearing_prefix(hearing_id)) if k not in keep]
        for key in doomed:
            store.delete(key)
        note = {
            "expired_utc": format_utc(now),
            "retention_days": retention_days,
            "deleted_objects": len(doomed),
        }
        store.put(final_key(hearing_id, EXPIRED_NAME), json.dumps(note).encode() + b"\n")
        expired.append(hearing_id)
        logger.info("hearing %s: audio expired (%d objects deleted)", hearing_id, len(doomed))
    return expired
