"""The document store of the closing workflow: frozen transcripts, PDF revisions, case files.

Why files and not the database: a signed transcript grows by one incremental revision per
signature (hundreds of KB each) and is the evidence itself; it belongs with the recordings on
disk, while the database says which file is current (``TranscriptClosure.revision`` and its
SHA-256). Every file is written once, atomically (temporary file, fsync, rename, fsync of the
directory), *before* the database row that names it is committed: a crash can leave a file the
database does not know, never a row without its file. :meth:`DocumentStore.discard_after` removes
such orphans at startup. Nothing about keys is ever stored here.

Layout under ``root`` (``<data_dir>/documents``)::

    hearings/<hid>/transcript.json       the frozen transcript (canonical JSON, with gaps)
    hearings/<hid>/rev-<n>.pdf           revision n of the signed document (0: as frozen)
    cases/<case_id>/<name>               files filed with the case
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

_REVISION = re.compile(r"^rev-([0-9]+)\.pdf$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class DocumentStore:
    """Paths and atomic writes; the database decides which revision is current."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _hearing_dir(self, hearing_id: int) -> Path:
        return self.root / "hearings" / str(int(hearing_id))

    # ------------------------------------------------------------------ transcript + revisions
    def write_transcript(self, hearing_id: int, canonical_json: bytes) -> None:
        write_atomically(self._hearing_dir(hearing_id) / "transcript.json", canonical_json)

    def read_transcript(self, hearing_id: int) -> bytes:
        return (self._hearing_dir(hearing_id) / "transcript.json").read_bytes()

    def revision_path(self, hearing_id: int, revision: int) -> Path:
        return self._hearing_dir(hearing_id) / f"rev-{int(revision)}.pdf"

    def write_revision(self, hearing_id: int, revision: int, pdf: bytes) -> None:
        write_atomically(self.revision_path(hearing_id, revision), pdf)

    def read_revision(self, hearing_id: int, revision: int) -> bytes:
        return self.revision_path(hearing_id, revision).read_bytes()

    def discard_after(self, hearing_id: int, revision: int) -> list[Path]:
        """Delete revision files newer than the database's ``revision`` (a crash between the
        file and its row); such a signature was never acknowledged. Returns what was removed."""
        directory = self._hearing_dir(hearing_id)
        removed: list[Path] = []
        if not directory.is_dir():
            return removed
        for path in directory.iterdir():
            match = _REVISION.match(path.name)
            if (match and int(match.group(1)) > revision) or path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    # ------------------------------------------------------------------ case files
    def write_case_file(self, case_id: int, name: str, data: bytes) -> str:
        """Store a case file; returns its path relative to the root (for the database)."""
        if not _SAFE_NAME.match(name):
            raise ValueError(f"unsafe stored file name {name!r}")
        relative = Path("cases") / str(int(case_id)) / name
        write_atomically(self.root / relative, data)
        return relative.as_posix()

    def read_case_file(self, relative: str) -> bytes:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("case file outside the document store")
        return path.read_bytes()
