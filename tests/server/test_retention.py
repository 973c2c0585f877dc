"""The retention period deletes a closed hearing's audio, keeps its manifest, and audits it."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select

from hearing_server.models import AuditEvent
from hearing_server.retention import apply_retention
from recordings import LocalDirStore, RecordingJournal, finalize_hearing, read_manifest


def test_old_audio_is_deleted_the_manifest_kept_and_the_deletion_audited(
    ctx, world, clock, tmp_path
) -> None:
    store = LocalDirStore(tmp_path / "recordings")
    journal = RecordingJournal(store, world.hearing_a, "participant-1")
    journal.write(np.full(16_000, 0.1, dtype=np.float32), clock())
    journal.close()
    final = finalize_hearing(store, world.hearing_a, now=clock())
    track_file = store.path(final.tracks[0].key)
    assert track_file.exists()

    clock.advance(timedelta(days=29))
    assert apply_retention(ctx, store, 30) == []  # not yet
    assert track_file.exists()
    clock.advance(timedelta(days=2))
    assert apply_retention(ctx, store, 30) == [world.hearing_a]
    assert not track_file.exists()
    kept = read_manifest(store, world.hearing_a)
    assert kept is not None and kept.tracks[0].sha256 == final.tracks[0].sha256
    assert apply_retention(ctx, store, 30) == []  # once
    with ctx.session_factory() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "recording.expire")
        ).all()
    assert [(e.entity_id, e.case_id, e.details) for e in events] == [
        (world.hearing_a, world.case_a, {"retention_days": 30})
    ]
