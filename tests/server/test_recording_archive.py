"""A closed hearing's recording digests are stored with the hearing (issue 5): rows replaced
atomically on re-finalisation and audited, unfinished finalisations finished at startup, and the
recordings API answers from the rows and streams every file as one ZIP."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta

import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from hearing_server.context import ServerContext
from hearing_server.events import RECORDING_FINALIZED
from hearing_server.models import AuditEvent, Hearing, HearingStatus, RecordingFile, StaffUser
from hearing_server.recording_archive import RecordingArchive, recording_digests
from hearing_server.recording_jobs import LEASE, QUEUE, FinalisationJobs
from recordings import FinalRecording, LocalDirStore, RecordingJournal, final_key, read_manifest
from tests.server.conftest import FakeClock, login
from tests.server.outbox import published
from tingshen_platform.jobs import JobQueue


def _store(app: FastAPI) -> LocalDirStore:
    store = app.state.services.recordings
    assert isinstance(store, LocalDirStore)
    return store


def _record(store: LocalDirStore, hearing_id: int, track: str, clock: FakeClock, s: float) -> None:
    """``s`` seconds of a tone on ``track``, starting at the clock's time; the track stays open."""
    t = np.arange(int(s * 16_000), dtype=np.float32) / 16_000
    journal = RecordingJournal(store, hearing_id, track)
    journal.write((0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), clock())
    journal.flush()


def _close(ctx: ServerContext, hearing_id: int) -> None:
    with ctx.session_factory() as session:
        hearing = session.get(Hearing, hearing_id)
        assert hearing is not None
        hearing.status = HearingStatus.CLOSED
        session.commit()


def _judge_id(ctx: ServerContext) -> int:
    with ctx.session_factory() as session:
        judge = session.scalars(select(StaffUser).where(StaffUser.username == "judge_a")).one()
        return judge.id


def _audits(ctx: ServerContext) -> list[AuditEvent]:
    with ctx.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "recording.finalize")
                .order_by(AuditEvent.id)
            ).all()
        )


def test_finalising_stores_the_digests_with_their_owners_and_audits_it(app, ctx, world, clock):
    store = _store(app)
    judge = _judge_id(ctx)
    _record(store, world.hearing_a, f"participant-{world.plaintiff_a}", clock, 2.0)
    _record(store, world.hearing_a, f"staff-{judge}", clock, 1.0)
    _record(store, world.hearing_a, f"participant-{world.plaintiff_a2}", clock, 1.0)  # not theirs
    archive = RecordingArchive(ctx.session_factory, store, clock)

    final = archive.finalize(world.hearing_a)
    with ctx.session_factory() as session:
        rows = recording_digests(session, world.hearing_a)
    by_name = {f.name: f for f in final.files}
    assert [r.name for r in rows] == [
        f"participant-{world.plaintiff_a}",
        f"participant-{world.plaintiff_a2}",
        f"staff-{judge}",
        "mix",
    ]
    for r in rows:
        f = by_name[r.name]
        assert (r.sha256, r.size_bytes, r.duration_ms) == (f.sha256, f.size_bytes, f.duration_ms)
        assert r.sha256 == hashlib.sha256(store.get(f.key)).hexdigest()
        assert r.origin_utc == final.origin_utc == clock()
        assert r.finalized_at == final.finalized_utc
    owners = [(r.participant_id, r.staff_user_id) for r in rows]
    assert owners == [(world.plaintiff_a, None), (None, None), (None, judge), (None, None)]
    (event,) = _audits(ctx)
    assert (event.entity_type, event.entity_id, event.case_id) == (
        "hearing",
        world.hearing_a,
        world.case_a,
    )
    assert event.details == {
        "files": 4,
        "duration_ms": 2000,
        "mix_sha256": final.mix.sha256,
        "replaced": 0,
    }

    # Again, with nothing changed: the same finalisation, no new rows, no new audit event.
    assert archive.finalize(world.hearing_a) == final
    assert len(_audits(ctx)) == 1

    # More audio since (a track resumed): rebuilt, the rows replaced, audited once more.
    clock.advance(timedelta(seconds=2))
    _record(store, world.hearing_a, f"staff-{judge}", clock, 1.0)
    clock.advance(timedelta(minutes=1))
    again = archive.finalize(world.hearing_a)
    assert again.duration_ms == 3000 and again.mix.sha256 != final.mix.sha256
    with ctx.session_factory() as session:
        rows = recording_digests(session, world.hearing_a)
        assert len(session.scalars(select(RecordingFile.id)).all()) == 4
    assert {r.sha256 for r in rows} == {f.sha256 for f in again.files}
    assert {r.finalized_at for r in rows} == {again.finalized_utc}
    assert [e.details["replaced"] for e in _audits(ctx)] == [0, 4]
    # Each finalisation is also told to the side services (docs/events.md), once per change.
    told = [e.parse(RECORDING_FINALIZED) for e in published(ctx, RECORDING_FINALIZED.name)]
    assert [(t.hearing_id, t.case_id, t.mix_sha256) for t in told] == [
        (world.hearing_a, world.case_a, final.mix.sha256),
        (world.hearing_a, world.case_a, again.mix.sha256),
    ]


def test_startup_finishes_what_a_crash_at_closing_left_unfinished(app, ctx, world, clock):
    store = _store(app)
    # Hearing A closed, but the server died before finalising: tracks, no manifest, no rows.
    _record(store, world.hearing_a, f"participant-{world.plaintiff_a}", clock, 1.0)
    _close(ctx, world.hearing_a)
    # Hearing A2 is still open: its recording goes on and is not finalised.
    _record(store, world.hearing_a2, f"participant-{world.plaintiff_a2}", clock, 1.0)
    with TestClient(app):  # startup, then shutdown (which awaits the background work)
        pass
    final = read_manifest(store, world.hearing_a)
    assert final is not None
    assert read_manifest(store, world.hearing_a2) is None
    with ctx.session_factory() as session:
        assert {r.sha256 for r in recording_digests(session, world.hearing_a)} == {
            f.sha256 for f in final.files
        }
        assert recording_digests(session, world.hearing_a2) == []

    archive = RecordingArchive(ctx.session_factory, store, clock)
    assert archive.finalize_pending() == []  # nothing left to do

    # A manifest without rows (a crash between the two): the rows are added, the files kept.
    with ctx.session_factory() as session:
        for row in session.scalars(select(RecordingFile)).all():
            session.delete(row)
        session.commit()
    assert archive.finalize_pending() == [world.hearing_a]
    assert read_manifest(store, world.hearing_a) == final
    with ctx.session_factory() as session:
        assert len(recording_digests(session, world.hearing_a)) == 2

    # An out-of-date manifest (audio journalled after it was written): rebuilt.
    clock.advance(timedelta(seconds=1))
    _record(store, world.hearing_a, f"participant-{world.plaintiff_a}", clock, 1.0)
    assert archive.finalize_pending() == [world.hearing_a]
    rebuilt = read_manifest(store, world.hearing_a)
    assert rebuilt is not None and rebuilt.duration_ms == 2000
    assert archive.finalize_pending() == []


def test_the_api_answers_from_the_rows_and_zips_every_file(app, ctx, world, clock, client):
    store = _store(app)
    _record(store, world.hearing_a, f"participant-{world.plaintiff_a}", clock, 1.5)
    _record(store, world.hearing_a, f"participant-{world.defendant_a}", clock, 1.0)
    _close(ctx, world.hearing_a)
    final = app.state.services.live.archive(world.hearing_a)  # what closing the hearing runs
    assert isinstance(final, FinalRecording)
    base = f"/api/hearings/{world.hearing_a}/recordings"
    login(client, "clerk_a")

    body = client.get(base).json()
    assert body["mix"]["sha256"] == final.mix.sha256 and body["gaps"] == []
    assert {(r["name"], r["sha256"]) for r in body["recording_files"]} == {
        (f.name, f.sha256) for f in final.files
    }

    archive = client.get(f"{base}.zip")
    assert archive.status_code == 200, archive.text
    assert archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zf:
        names = zf.namelist()
        prefix = f"hearing-{world.hearing_a}"
        assert names == [
            f"{prefix}/manifest.json",
            *(f"{prefix}/{f.name}.flac" for f in final.files),
        ]
        for f in final.files:
            info = zf.getinfo(f"{prefix}/{f.name}.flac")
            assert info.compress_type == zipfile.ZIP_STORED and info.file_size == f.size_bytes
            assert hashlib.sha256(zf.read(info)).hexdigest() == f.sha256
        assert zf.read(f"{prefix}/manifest.json") == store.get(final.manifest_key)

    # The store lost its manifest: the rows still say what the recording is, files still play.
    store.delete(final_key(world.hearing_a, "manifest.json"))
    body = client.get(base).json()
    assert body["source"] == "database"
    assert body["mix"]["sha256"] == final.mix.sha256
    assert [t["name"] for t in body["tracks"]] == [f.name for f in final.tracks]
    assert body["origin_utc"] == "2026-11-28T08:00:00Z"
    mix = client.get(f"{base}/mix.flac")
    assert mix.status_code == 200
    assert hashlib.sha256(mix.content).hexdigest() == final.mix.sha256
    assert client.get(f"{base}.zip").status_code == 404

    outsider = TestClient(app)
    login(outsider, "clerk_b")
    assert outsider.get(base).status_code == 404  # another court's hearing: not even shown
    assert outsider.get(f"{base}.zip").status_code == 404


def test_a_hearing_without_a_recording_is_not_found(app, world, client):
    login(client, "clerk_a")
    base = f"/api/hearings/{world.hearing_a}/recordings"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}.zip").status_code == 404


def test_a_finalisation_left_by_a_dead_process_is_taken_over_and_done_once(
    app, ctx, world, clock
) -> None:
    """The closing process claimed the job and died: once its lease has run out, another
    process's round of the queue finalises the recording; the job ends done, run once more."""
    store = _store(app)
    _record(store, world.hearing_a, f"participant-{world.plaintiff_a}", clock, 1.0)
    _close(ctx, world.hearing_a)
    queue = JobQueue(ctx.engine, clock=clock)
    survivor = FinalisationJobs(RecordingArchive(ctx.session_factory, store, clock), queue, "p2")
    job_id = survivor.request(world.hearing_a, key=f"finalize-{world.hearing_a}")
    dead = queue.claim([QUEUE], "recordings@p1", lease=LEASE)  # p1 took it, then kill -9
    assert dead is not None and dead.id == job_id

    assert survivor.run_due() == 0  # still p1's while its lease lasts
    assert read_manifest(store, world.hearing_a) is None
    clock.advance(LEASE + timedelta(seconds=1))
    assert survivor.run_due() == 1
    final = read_manifest(store, world.hearing_a)
    assert final is not None
    with ctx.session_factory() as session:
        assert {r.sha256 for r in recording_digests(session, world.hearing_a)} == {
            f.sha256 for f in final.files
        }
    job = queue.get(job_id)
    assert job is not None and job.state == "done" and job.attempts == 2
    # Closing again (a retried request) finds the job done: nothing runs twice.
    assert survivor.finalize(world.hearing_a) == final
    assert survivor.run_due() == 0
