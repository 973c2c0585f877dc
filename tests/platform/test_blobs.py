"""The blob store (tingshen_platform.blobs): atomic puts and streamed writes, digests, key
validation, listing; a writer that fails or a process that dies leaves nothing under the key."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tingshen_platform.blobs import (
    BlobInfo,
    BlobNotFoundError,
    BlobStore,
    InvalidBlobKeyError,
    LocalBlobStore,
    validate_key,
)

REPO = Path(__file__).resolve().parents[2]
DEADLINE_S = 60
PDF = b"%PDF-1.7\n" + "庭审笔录".encode() * 1000


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_the_local_store_keeps_the_contract() -> None:
    store: BlobStore = LocalBlobStore("/nonexistent")  # mypy checks the protocol
    assert store is not None


def test_put_get_info_from_bytes_file_and_chunks(store: LocalBlobStore) -> None:
    digest = hashlib.sha256(PDF).hexdigest()
    expected = BlobInfo("cases/2026-41/transcript.pdf", len(PDF), digest)
    assert store.put("cases/2026-41/transcript.pdf", PDF) == expected
    assert store.get("cases/2026-41/transcript.pdf") == PDF
    assert store.info("cases/2026-41/transcript.pdf") == expected
    with store.open("cases/2026-41/transcript.pdf") as file:
        assert file.read(9) == b"%PDF-1.7\n"
    assert store.put("b/from-file", io.BytesIO(PDF)) == BlobInfo("b/from-file", len(PDF), digest)
    chunks = [PDF[i : i + 1000] for i in range(0, len(PDF), 1000)]
    assert store.put("b/from-chunks", iter(chunks)) == BlobInfo("b/from-chunks", len(PDF), digest)
    empty = store.put("b/empty", b"")
    assert empty == BlobInfo("b/empty", 0, hashlib.sha256(b"").hexdigest())
    assert store.get("b/from-chunks") == PDF


def test_put_replaces_and_delete_removes(store: LocalBlobStore) -> None:
    store.put("a/x", b"old")
    store.put("a/x", b"new")
    assert store.get("a/x") == b"new"
    assert store.exists("a/x")
    assert store.delete("a/x") is True
    assert not store.exists("a/x")
    assert store.delete("a/x") is False
    with pytest.raises(BlobNotFoundError):
        store.get("a/x")
    with pytest.raises(BlobNotFoundError):
        store.info("never/was")
    with pytest.raises(BlobNotFoundError):
        store.open("a")  # a directory is not a blob


def test_a_failing_writer_leaves_nothing_under_the_key(store: LocalBlobStore) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"first half "
        raise OSError("the microphone bridge went away")

    with pytest.raises(OSError, match="bridge"):
        store.put("rec/h41/room.wav", chunks())
    assert not store.exists("rec/h41/room.wav")
    assert _files(store.root) == []  # no temporary file left either
    store.put("rec/h41/room.wav", b"complete")
    with pytest.raises(OSError, match="bridge"):
        store.put("rec/h41/room.wav", chunks())
    assert store.get("rec/h41/room.wav") == b"complete"  # the old blob is untouched
    assert _files(store.root) == ["rec/h41/room.wav"]


def test_a_streamed_blob_appears_only_when_committed(store: LocalBlobStore) -> None:
    with store.open_writer("rec/h41/judge.opus") as writer:
        for n in range(10):
            writer.write(bytes([n]) * 1000)
            if n == 4:
                writer.sync()
                assert not store.exists("rec/h41/judge.opus")
                assert list(store.keys()) == []
        assert (writer.size, writer.info) == (10_000, None)
    data = b"".join(bytes([n]) * 1000 for n in range(10))
    assert writer.info == BlobInfo("rec/h41/judge.opus", 10_000, hashlib.sha256(data).hexdigest())
    assert store.get("rec/h41/judge.opus") == data
    with pytest.raises(ValueError, match="committed"):
        writer.write(b"more")
    with pytest.raises(KeyboardInterrupt), store.open_writer("rec/h41/clerk.opus") as writer:
        writer.write(b"partial")
        raise KeyboardInterrupt
    assert _files(store.root) == ["rec/h41/judge.opus"]


def test_a_process_killed_mid_write_leaves_only_a_temporary_file(
    store: LocalBlobStore,
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.platform.blob_child", str(store.root), "rec/h7/a.wav"],
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "written", child.communicate()[1][-3000:]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(DEADLINE_S)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    assert not store.exists("rec/h7/a.wav")
    assert list(store.keys()) == []
    (temp,) = [store.root / f for f in _files(store.root)]
    assert temp.name.startswith(".tmp-") and temp.stat().st_size == 4100
    assert store.remove_stale_temp(older_than_seconds=3600) == 0  # might be a live writer
    os.utime(temp, (temp.stat().st_atime - 7200, temp.stat().st_mtime - 7200))
    assert store.remove_stale_temp(older_than_seconds=3600) == 1
    assert _files(store.root) == []


def test_racing_puts_of_one_key_leave_one_whole_blob(store: LocalBlobStore) -> None:
    contents = [bytes([n]) * 200_000 for n in range(8)]
    start = threading.Barrier(8)

    def put(data: bytes) -> None:
        start.wait()
        store.put("race/blob", data)

    threads = [threading.Thread(target=put, args=(c,)) for c in contents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE_S)
    assert store.get("race/blob") in contents
    assert _files(store.root) == ["race/blob"]


def test_keys_lists_blobs_by_prefix_in_order(store: LocalBlobStore) -> None:
    for key in ["cases/2/b.pdf", "cases/1/a.pdf", "cases/10/c.pdf", "other/x", "top"]:
        store.put(key, b"x")
    assert list(store.keys()) == [
        "cases/1/a.pdf",
        "cases/10/c.pdf",
        "cases/2/b.pdf",
        "other/x",
        "top",
    ]
    assert list(store.keys("cases/1")) == ["cases/1/a.pdf", "cases/10/c.pdf"]
    assert list(store.keys("cases/1/")) == ["cases/1/a.pdf"]
    assert list(store.keys("t")) == ["top"]
    assert list(store.keys("missing/")) == []
    assert list(LocalBlobStore(store.root / "none").keys()) == []


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../outside",
        "a/../b",
        "a/./b",
        "./a",
        "a//b",
        "a/",
        "a\\b",
        ".hidden",
        "a/.tmp-x",
        "空格 name",
        "案件/1",
        "a" * 129,
        "/".join(["abcdefgh"] * 60),
        "a\x00b",
        "C:/x",
    ],
)
def test_invalid_keys_are_refused_before_any_io(store: LocalBlobStore, key: str) -> None:
    with pytest.raises(InvalidBlobKeyError):
        validate_key(key)
    with pytest.raises(InvalidBlobKeyError):
        store.put(key, b"x")
    with pytest.raises(InvalidBlobKeyError):
        store.get(key)
    assert not store.root.exists()


def test_valid_keys_pass() -> None:
    for key in ["a", "cases/2026-41/transcript.v2.pdf", "rec/h_41/judge-li.wav", "a" * 128]:
        assert validate_key(key) == key


def test_a_key_cannot_be_both_a_blob_and_a_prefix(store: LocalBlobStore) -> None:
    store.put("a/b", b"1")
    with pytest.raises(InvalidBlobKeyError):
        store.put("a", b"2")
    store.put("c", b"3")
    with pytest.raises(InvalidBlobKeyError):
        store.put("c/d", b"4")
    assert _files(store.root) == ["a/b", "c"]
