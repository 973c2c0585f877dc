"""Everything ``tingshen serve`` creates under its data dir is private: files 0600, directories
0700 (the umask set at start), the data dir itself included, also one an older version left
open; the SQLite WAL files and the server's keys among them."""

from __future__ import annotations

import hashlib
import os
import signal
import stat
from pathlib import Path

import httpx
from asn1crypto import tsp  # type: ignore[import-untyped, unused-ignore]

from recordings.store import LocalDirStore
from tests.serve_process import free_port, start_serve
from tests.server.tsa_query import TSQ, timestamp_query

QUERY = timestamp_query(hashlib.sha256(b"").digest())


def _open_to_others(root: Path) -> list[str]:
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(root)} {oct(mode)}")
    return found


def test_the_server_creates_nothing_others_can_read(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)  # as an older version (or a careless mkdir) left it
    server = start_serve(data_dir, free_port())
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            login = {"username": "clerk", "password": server.passwords["clerk"]}
            assert client.post("/api/auth/login", json=login).status_code == 200
            stamped = client.post("/tsa", content=QUERY, headers=TSQ)
            assert stamped.status_code == 200, stamped.text
            assert tsp.TimeStampResp.load(stamped.content)["status"]["status"].native == "granted"
            assert (data_dir / "ca" / "tsa-serial").exists()
            assert (data_dir / "tingshen.sqlite3-wal").exists()  # while the server runs
            assert _open_to_others(data_dir) == []
    finally:
        server.proc.send_signal(signal.SIGINT)
        server.proc.communicate(timeout=30)  # reads the rest of its output, closes the pipe
    names = {p.name for p in data_dir.rglob("*")}
    assert {"tingshen.sqlite3", "secret.key", "link.key", "seal.key.pem"} <= names
    assert _open_to_others(data_dir) == []


def test_recordings_are_appended_private_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        store = LocalDirStore(tmp_path / "recordings")
        store.append("hearing-1/p1.opus", b"\x00" * 10)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "recordings" / "hearing-1" / "p1.opus").stat().st_mode) == 0o600
