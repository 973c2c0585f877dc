"""The commands: ``tingshen ledger keygen`` / ``audit``, and ``tingshen witness init`` / ``serve``
as a real process on loopback that cosigns, refuses a fork, and remembers after a restart."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from hearing_server.cli import app
from ledger.log.cosign import verify_cosignature
from ledger.log.note import NoteSigner, NoteVerifier, parse_note
from ledger.store import checkpoint_at
from ledger.witness_client import add_checkpoint_body
from ledger.writer import LogWriter
from tests.ledger.conftest import LOG_KEY, ORIGIN, make_entry

runner = CliRunner()


def test_keygen_writes_a_private_key_and_prints_the_verifier_key(tmp_path: Path):
    out = tmp_path / "w.key"
    result = runner.invoke(app, ["ledger", "keygen", "witness-a", "--out", str(out)])
    assert result.exit_code == 0, result.output
    signer = NoteSigner.parse(out.read_text().strip())
    assert NoteVerifier.parse(result.stdout.strip()) == signer.verifier()
    assert out.stat().st_mode & 0o777 == 0o600
    again = runner.invoke(app, ["ledger", "keygen", "witness-a", "--out", str(out)])
    assert again.exit_code == 2 and "exists" in again.stderr


def test_audit_says_ok_then_names_a_tampered_leaf(engine: Engine, database_url: str):
    LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=2).append_many(
        [make_entry(n=n) for n in range(4)]
    )
    args = [
        "ledger",
        "audit",
        "--database-url",
        database_url,
        "--origin",
        ORIGIN,
        "--log-key",
        LOG_KEY.verifier().vkey(),
    ]
    ok = runner.invoke(app, args)
    assert ok.exit_code == 0 and ok.stdout.startswith("ok")
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER ledger_leaves_append_only ON ledger_leaves"))
        else:
            connection.execute(text("DROP TRIGGER ledger_leaves_no_update"))
        connection.execute(text("UPDATE ledger_leaves SET data = :d WHERE idx = 1"), {"d": b"x"})
    bad = runner.invoke(app, args)
    assert bad.exit_code == 1
    assert [line.split("\t")[:2] for line in bad.stdout.splitlines()][:2] == [
        ["leaf.changed", "1"],
        ["entry.malformed", "1"],
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_witness(state: Path, key: Path, port: int) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from hearing_server.cli import main; main()",
            "witness",
            "serve",
            "--state",
            str(state),
            "--key",
            str(key),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    assert child.stdout.readline().startswith("witness ")  # printed once the port is bound
    return child


def post(port: int, body: str) -> httpx.Response:
    return httpx.post(f"http://127.0.0.1:{port}/add-checkpoint", content=body.encode())


def test_a_witness_process_cosigns_refuses_a_fork_and_remembers(engine: Engine, tmp_path: Path):
    key, state = tmp_path / "w.key", tmp_path / "w.json"
    vkey = runner.invoke(app, ["ledger", "keygen", "witness-a", "--out", str(key)]).stdout.strip()
    init = runner.invoke(
        app,
        [
            "witness",
            "init",
            "--state",
            str(state),
            "--origin",
            ORIGIN,
            "--log-key",
            LOG_KEY.verifier().vkey(),
        ],
    )
    assert init.exit_code == 0, init.output
    w = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    w.append_many([make_entry(n=n) for n in range(4)])
    with engine.connect() as connection:
        four = checkpoint_at(connection, 4)
    assert four is not None
    port = free_port()
    child = start_witness(state, key, port)
    try:
        answer = post(port, add_checkpoint_body(0, [], four.render()))
        assert answer.status_code == 200
        note = parse_note(four.note.text + "\n" + answer.text)
        verify_cosignature(note, NoteVerifier.parse(vkey))
    finally:
        child.terminate()
        child.wait(timeout=30)
        assert child.stdout is not None
        child.stdout.close()
    forged = LOG_KEY.sign(four.note.text.replace(four.note.text.split("\n")[2], "A" * 43 + "="))
    fork = (
        four.note.text.replace(four.note.text.split("\n")[2], "A" * 43 + "=") + "\n" + forged.line()
    )
    child = start_witness(state, key, port)
    try:
        refused = post(port, add_checkpoint_body(4, [], fork))
        assert refused.status_code == 422 and refused.text.startswith("checkpoint.fork")
    finally:
        child.terminate()
        child.wait(timeout=30)
        assert child.stdout is not None
        child.stdout.close()
