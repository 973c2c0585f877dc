"""``tingshen events dead`` and ``tingshen events retry`` (hearing_server.events_cli) on the
configured database: the dead events as a table, a replay, and the refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import Connection, Engine
from typer.testing import CliRunner

from hearing_server.cli import app as cli_app
from tingshen_platform.db import make_engine, upgrade_platform
from tingshen_platform.events import Event, EventConsumer, EventType, publish

runner = CliRunner()


class Filed(BaseModel):
    case_id: int


FILED = EventType("case.filed", 1, Filed, "a case was registered")


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'data' / 'tingshen.sqlite3'}"
    monkeypatch.setenv("TINGSHEN_DATABASE_URL", url)
    engine = make_engine(url)
    upgrade_platform(engine)
    yield engine
    engine.dispose()


def invoke(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli_app, ["events", *args, "--data-dir", str(tmp_path / "data")])
    return result.exit_code, result.output


def test_dead_events_are_listed_and_one_is_replayed(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as connection:
        for n in range(2):
            publish(connection, FILED, Filed(case_id=n), occurred_at=datetime.now(UTC))
    fixed = False
    handled: list[int] = []

    def handle(_connection: Connection, event: Event) -> None:
        if event.payload["case_id"] == 1 and not fixed:
            raise RuntimeError("no court\nB")
        handled.append(event.id)

    consumer = EventConsumer(engine, "dossier.cases", handle, max_attempts=1)
    assert invoke(tmp_path, "dead") == (0, "no dead events\n")
    consumer.poll_once()

    code, output = invoke(tmp_path, "dead")
    assert code == 0
    header, row = output.splitlines()[:2]
    assert header.split()[:4] == ["consumer", "event", "type", "attempts"]
    assert "  last error  " in header and header.endswith("  dead since (UTC)")
    assert row.split()[:5] == ["dossier.cases", "2", "case.filed", "1", "RuntimeError:"]
    assert "RuntimeError: no court B  " in row  # on one line
    assert "tingshen events retry CONSUMER EVENT_ID" in output
    assert invoke(tmp_path, "dead", "--consumer", "fees") == (0, "no dead events of fees\n")

    assert invoke(tmp_path, "retry", "fees", "2")[0] == 1
    fixed = True
    code, output = invoke(tmp_path, "retry", "dossier.cases", "2")
    assert (code, output) == (0, "event 2 goes to dossier.cases again at its next poll\n")
    assert invoke(tmp_path, "retry", "dossier.cases", "2")[0] == 1  # no longer dead
    assert consumer.poll_once() == 1 and handled == [1, 2]


def test_a_database_without_the_table_is_one_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TINGSHEN_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    code, output = invoke(tmp_path, "dead")
    assert code == 2 and "is the database migrated" in output
