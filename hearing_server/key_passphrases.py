"""Which passphrase unlocks which of the court CA's keys, and where it comes from.

Three groups (:data:`signing.ca.KEY_GROUPS`), each with its own setting, so that one can be
rotated (``tingshen keys rotate-passphrase --which …``) without touching the others:

=====  ==========================  =========================  =============================
group  keys                        setting                    development file (0600)
=====  ==========================  =========================  =============================
ca     root, issuing CA            TINGSHEN_CA_PASSPHRASE     ``<ca_dir>/passphrase``
tsa    timestamp authority         TINGSHEN_TSA_PASSPHRASE    ``<ca_dir>/tsa.passphrase``
seal   the court seal              TINGSHEN_SEAL_PASSPHRASE   ``<ca_dir>/seal.passphrase``
=====  ==========================  =========================  =============================

Production refuses to start without ``TINGSHEN_CA_PASSPHRASE``, and refuses to *create* a CA
without all three. Migration: a CA made before the groups were separated has every key under the
CA passphrase; while ``TINGSHEN_TSA_PASSPHRASE`` (or the seal's) is unset and the key still opens
with the CA passphrase, that is used (with a warning in production) until the group is rotated.
Development generates each missing passphrase into its file (a new CA gets three different ones).

Nothing here logs a passphrase; :class:`~signing.ca.KeyPassphrases` hides them in ``repr``.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from hearing_server.errors import ConfigurationError
from hearing_server.settings import Settings, read_key_file
from signing.ca import KEY_GROUPS, KeyGroup, KeyPassphrases, read_key
from signing.errors import CaStoreError, WrongPassphraseError

logger = logging.getLogger(__name__)

PASSPHRASE_FILES: dict[KeyGroup, str] = {
    "ca": "passphrase",
    "tsa": "tsa.passphrase",
    "seal": "seal.passphrase",
}
ENV_NAMES: dict[KeyGroup, str] = {
    "ca": "TINGSHEN_CA_PASSPHRASE",
    "tsa": "TINGSHEN_TSA_PASSPHRASE",
    "seal": "TINGSHEN_SEAL_PASSPHRASE",
}

Source = Literal["setting", "file", "ca"]
"""Where a passphrase came from: its setting, its development file, or (migration) the CA's."""


@dataclass(frozen=True, slots=True)
class Resolved:
    value: bytes
    source: Source

    def __repr__(self) -> str:
        return f"Resolved(source={self.source!r})"


def ca_directory(settings: Settings) -> Path:
    """``TINGSHEN_CA_DIR`` or ``<data_dir>/ca``."""
    return settings.ca_dir if settings.ca_dir is not None else settings.data_dir / "ca"


def passphrase_file(settings: Settings, group: KeyGroup) -> Path:
    return ca_directory(settings) / PASSPHRASE_FILES[group]


def _setting(settings: Settings, group: KeyGroup) -> SecretStr | None:
    values = {
        "ca": settings.ca_passphrase,
        "tsa": settings.tsa_passphrase,
        "seal": settings.seal_passphrase,
    }
    return values[group]


def resolve_passphrase(settings: Settings, group: KeyGroup, *, generate: bool = True) -> Resolved:
    """``group``'s passphrase as the server would use it (see the module's table)."""
    configured = _setting(settings, group)
    if configured is not None:
        return Resolved(configured.get_secret_value().encode("utf-8"), "setting")
    directory = ca_directory(settings)
    path = passphrase_file(settings, group)
    if settings.environment == "development" and path.exists():
        return Resolved(read_key_file(path), "file")
    exists = (directory / "root.pem").exists()
    if group != "ca" and exists:
        ca = resolve_passphrase(settings, "ca", generate=generate)
        if _opens(directory, group, ca.value):
            if settings.environment == "production":
                logger.warning(
                    "%s is unset: the %s key still opens with the CA passphrase (a CA from "
                    "before separate passphrases); give it its own with: tingshen keys "
                    "rotate-passphrase --which %s",
                    ENV_NAMES[group],
                    group,
                    group,
                )
            return Resolved(ca.value, "ca")
        raise ConfigurationError(
            f"{ENV_NAMES[group]} must be set: the {group} key in {directory} does not open "
            "with the CA passphrase"
        )
    if settings.environment == "production" or not generate:
        raise ConfigurationError(f"{ENV_NAMES[group]} must be set in production")
    return Resolved(_generate(path, ENV_NAMES[group]), "file")


def resolve_passphrases(settings: Settings) -> KeyPassphrases:
    """All three, for opening (or creating) the CA."""
    ca = resolve_passphrase(settings, "ca").value
    return KeyPassphrases(
        ca=ca,
        tsa=resolve_passphrase(settings, "tsa").value,
        seal=resolve_passphrase(settings, "seal").value,
    )


def group_of_key_file(file_name: str) -> KeyGroup | None:
    """The group of ``<name>.key.pem`` (to name the setting in an error)."""
    for group, names in KEY_GROUPS.items():
        if any(file_name.startswith(f"{name}.key") for name in names):
            return group
    return None


def _opens(directory: Path, group: KeyGroup, passphrase: bytes) -> bool:
    try:
        for name in KEY_GROUPS[group]:
            read_key(directory / f"{name}.key.pem", passphrase)
    except WrongPassphraseError:
        return False
    except CaStoreError as exc:
        raise ConfigurationError(f"court CA: {exc}") from None
    return True


def _generate(path: Path, env_name: str) -> bytes:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key_file(path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(32))
        handle.flush()
        os.fsync(handle.fileno())
    logger.warning(
        "development: generated a key passphrase in %s; set %s in production", path, env_name
    )
    return read_key_file(path)
