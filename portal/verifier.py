"""Identity verification (实名认证): does this name belong to this ID number?

One interface, one file per implementation (as pyHanko's timestamp clients): the court's real
provider (the public-security citizen-identity service, reached through the court's gateway) is
configuration; :class:`LocalRegistryVerifier` is the local simulator, answering from its own
registry file the way the real one does: ``match``, ``mismatch`` (the ID exists under another
name), ``not_found``, or :class:`VerifierUnavailable` (it could not be asked; try again).
"""

from __future__ import annotations

import json
import threading
from enum import Enum
from pathlib import Path
from typing import Protocol

__all__ = ["IdentityVerifier", "LocalRegistryVerifier", "Verdict", "VerifierUnavailable"]


class Verdict(Enum):
    match = "match"
    mismatch = "mismatch"
    not_found = "not_found"


class VerifierUnavailable(Exception):  # noqa: N818 (named for what happened)
    pass


class IdentityVerifier(Protocol):
    def verify(self, name: str, id_number: str) -> Verdict:
        """Raises :class:`VerifierUnavailable` when the provider cannot be asked."""
        ...


class LocalRegistryVerifier:
    """The simulator: a JSON file ``{"<ID number>": "<name>", ...}``; ``enrol`` adds a person
    (development data, tests). A name listed under ``"_unavailable"`` makes the provider fail
    (to exercise the failure path)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, str]:
        if not self._path.exists():
            return {}
        data = json.loads(self._path.read_text("utf-8"))
        if not isinstance(data, dict):
            raise VerifierUnavailable("the registry file is not an object")
        return {str(k): str(v) for k, v in data.items()}

    def enrol(self, name: str, id_number: str) -> None:
        with self._lock:
            data = self._read()
            data[id_number] = name
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
            tmp.replace(self._path)

    def unavailable_for(self, name: str) -> None:
        """Make the provider fail whenever ``name`` is asked about (the failure path)."""
        with self._lock:
            listed = self._read().get("_unavailable", "")
        self.enrol(",".join(filter(None, [listed, name])), "_unavailable")

    def verify(self, name: str, id_number: str) -> Verdict:
        with self._lock:
            data = self._read()
        if name in data.get("_unavailable", "").split(","):
            raise VerifierUnavailable("the identity service did not answer")
        known = data.get(id_number)
        if known is None:
            return Verdict.not_found
        return Verdict.match if known == name else Verdict.mismatch
