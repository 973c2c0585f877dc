"""The ledger's private keys on disk: C2SP ``PRIVATE+KEY+…`` lines in ``<keys dir>/<name>.key``
(0600, never overwritten). Outside production a missing key is made; in production it must be
there (made with ``tingshen ledger keygen``), or the service does not start."""

from __future__ import annotations

import os
from pathlib import Path

from ledger.log.note import NoteSigner

__all__ = ["load_key", "write_private_key"]


def write_private_key(path: Path, signer: NoteSigner) -> None:
    """A new file, readable by its owner only; an existing key is never overwritten."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(signer.skey() + "\n")


def load_key(keys_dir: Path, name: str, *, production: bool) -> NoteSigner:
    path = keys_dir / f"{name}.key"
    if not path.exists():
        if production:
            raise RuntimeError(f"the ledger key {name} is missing: {path}")
        keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private_key(path, NoteSigner.generate(name))
    signer = NoteSigner.parse(path.read_text(encoding="ascii").strip())
    if signer.name != name:
        raise RuntimeError(f"{path} holds the key of {signer.name}, not {name}")
    return signer
