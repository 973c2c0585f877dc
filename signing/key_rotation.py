"""Re-encrypting one key group of the court CA under a new passphrase (``tingshen keys
rotate-passphrase``).

Only the files of the named group (:data:`signing.ca.KEY_GROUPS`) are read and rewritten: the
others are never opened, so rotating the TSA's passphrase needs neither the CA's nor the seal's.
Every key of the group is decrypted with the old passphrase first (a wrong one changes nothing),
the new files are written next to the old ones (0600, ``O_EXCL``, fsync'd) and read back with the
new passphrase, and only then moved over the old ones (``os.replace``, then the directory is
fsync'd). The group "ca" has two files (root and issuing key): a crash between their two renames
leaves one under each passphrase; running the command again with the same passphrases would then
fail on the renamed one, so :func:`rotate_passphrase` accepts a key that already opens with the
new passphrase and re-writes it unchanged.

The keys never reach disk unencrypted and no passphrase is returned or logged.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from signing.ca import KEY_GROUPS, KeyGroup, check_passphrase, encrypted_pem, read_key, write_once
from signing.errors import CaStoreError, WrongPassphraseError

__all__ = ["rotate_passphrase"]


def rotate_passphrase(directory: Path, group: KeyGroup, old: bytes, new: bytes) -> list[Path]:
    """Re-encrypt ``group``'s key files from ``old`` to ``new``; the files rewritten.

    Raises :class:`WrongPassphraseError` (nothing changed) when a key opens with neither.
    """
    check_passphrase(new)
    if new == old:
        raise CaStoreError("the new passphrase is the old one")
    keys: dict[str, ec.EllipticCurvePrivateKey] = {}
    for name in KEY_GROUPS[group]:
        path = directory / f"{name}.key.pem"
        try:
            keys[name] = read_key(path, old)
        except WrongPassphraseError:
            keys[name] = read_key(path, new)  # finished by an interrupted run; else raises
    staged: list[tuple[Path, Path]] = []
    try:
        for name, key in keys.items():
            target = directory / f"{name}.key.pem"
            temporary = directory / f".{name}.key.pem.new"
            temporary.unlink(missing_ok=True)
            write_once(temporary, encrypted_pem(key, new))
            read_key(temporary, new)
            staged.append((temporary, target))
        for temporary, target in staged:
            os.replace(temporary, target)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    _fsync_directory(directory)
    return [target for _, target in staged]


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
