"""The audit trail's hash chain: a changed, deleted or cut-off row is found by ``tingshen audit
verify`` (changed in the database directly, past the ORM's append-only guard), concurrent writers
keep the chain complete, and the migration chains rows written before it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.audit_chain import GENESIS, ChainedRow, ChainFields, row_hash, verify_chain
from hearing_server.cli import app as cli_app
from hearing_server.db import make_engine, make_session_factory, upgrade_engine
from tests.server.conftest import login

runner = CliRunner()


def _write_concurrently(ctx) -> None:
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            start.wait()
            for n in range(8):
                with ctx.session_factory() as session:
                    audit.record(
                        session,
                        actor=Actor.system(),
                        action="test.concurrent",
                        entity=EntityRef("worker", worker),
                        case_id=None,
                        details={"n": n, "名": "并发"},
                        at=datetime.now(UTC),
                    )
                    session.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with ctx.session_factory() as session:
        report = audit.verify(session, batch_rows=7)  # batches that do not divide the rows
    assert report.intact, report.broken
    assert report.rows == report.head_seq >= 48


def _verify(settings, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("TINGSHEN_DATABASE_URL", settings.effective_database_url())
    result = runner.invoke(cli_app, ["audit", "verify", "--data-dir", str(settings.data_dir)])
    return result.exit_code, result.output


def test_a_changed_or_deleted_row_is_named(ctx, client, world, settings, monkeypatch) -> None:
    _write_concurrently(ctx)  # six writers at once: one complete chain (asserted inside)
    login(client, "clerk_a")
    for participant in (world.plaintiff_a, world.defendant_a, world.plaintiff_a):
        assert client.post(f"/api/participants/{participant}/invitation").status_code == 201
    assert client.post(f"/api/hearings/{world.hearing_a}/open").status_code == 200
    code, output = _verify(settings, monkeypatch)
    assert code == 0, output
    assert "audit chain intact" in output

    with ctx.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, action FROM audit_events ORDER BY seq")).all()
    ids = [row[0] for row in rows]
    assert len(ids) >= 5
    target = next(row[0] for row in rows if row[1] == "invitation.create")
    with ctx.engine.begin() as connection:  # straight SQL: the ORM would refuse
        original = connection.execute(
            text("SELECT CAST(details AS TEXT) FROM audit_events WHERE id = :id"), {"id": target}
        ).scalar_one()
        connection.execute(
            text("UPDATE audit_events SET details = :d WHERE id = :id"),
            {"d": original.replace("}", ', "note": "x"}', 1), "id": target},
        )
    code, output = _verify(settings, monkeypatch)
    assert code == 1
    assert f"row id={target} " in output and "changed after it was written" in output
    assert "action invitation.create" in output

    with ctx.engine.begin() as connection:  # put it back: the chain holds again
        connection.execute(
            text("UPDATE audit_events SET details = :d WHERE id = :id"),
            {"d": original, "id": target},
        )
    assert _verify(settings, monkeypatch)[0] == 0

    with ctx.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[-3]})
    code, output = _verify(settings, monkeypatch)
    assert code == 1
    assert f"row id={ids[-2]} " in output and "deleted" in output

    with ctx.engine.begin() as connection:  # rows cut off at the end: found against the head
        connection.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": ids[-3]})
    code, output = _verify(settings, monkeypatch)
    assert code == 1 and f"after row {ids[-4]}" in output


def test_the_migration_chains_rows_written_before_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        upgrade_engine(engine, "0009_broadcast")
        with engine.begin() as connection:
            for n in range(3):
                connection.execute(
                    text(
                        "INSERT INTO audit_events (at, actor_kind, actor_id, action, entity_type,"
                        " entity_id, case_id, details) VALUES (:at, 'system', NULL, 'old.event',"
                        " 'thing', :n, NULL, :details)"
                    ),
                    {"at": f"2026-12-0{n + 1} 08:00:00.123456", "n": n, "details": '{"k": 1}'},
                )
        upgrade_engine(engine)
        with make_session_factory(engine)() as session:
            report = audit.verify(session)
            assert report.intact and report.rows == 3 == report.head_seq
            audit.record(
                session,
                actor=Actor.system(),
                action="new.event",
                entity=EntityRef("thing", 9),
                case_id=None,
                at=datetime.now(UTC),
            )
            session.commit()
            assert audit.verify(session).rows == 4
    finally:
        engine.dispose()


def _row(seq: int, prev: str, *, action: str = "a", row_id: int | None = None) -> ChainedRow:
    at = datetime(2026, 12, 5, tzinfo=UTC)
    fields = ChainFields(seq, at, "staff", 1, action, "t", seq, None, {"x": [1]})
    return ChainedRow(row_id or seq * 10, fields, prev, row_hash(fields, prev))


def test_an_inserted_row_is_found_even_with_a_correct_hash_of_its_own() -> None:
    first = _row(1, GENESIS)
    second = _row(2, first.row_hash)
    assert verify_chain([first, second], head_seq=2, head_hash=second.row_hash).intact
    forged = _row(2, first.row_hash, action="forged", row_id=99)
    report = verify_chain([first, forged, second], head_seq=2, head_hash=second.row_hash)
    assert report.broken is not None and report.broken.id == 20
    assert "inserted" in report.broken.problem
