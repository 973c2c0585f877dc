"""The service's key files: one shared key per connector and the ID-number hash key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["ID_HASH", "provision", "read_key"]

ID_HASH = "id-hash"


def read_key(keys_dir: Path, name: str) -> bytes | None:
    path = keys_dir / f"{name}.key"
    if not path.exists():
        return None
    key = bytes.fromhex(path.read_text("ascii").strip())
    if len(key) < 32:
        raise ValueError(f"{path}: a key has at least 32 bytes")
    return key


def provision(keys_dir: Path, *names: str) -> None:
    """Make the keys that are missing (development and tests; at a court the agencies issue
    the connectors' keys). Written owner-readable only."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = keys_dir / f"{name}.key"
        if path.exists():
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
