"""A leaf of the log: one step of an investigation order, signed by the court that took it.

A leaf's data is a C2SP signed note (:mod:`ledger.log.note`) signed by the writing court's own
entry key, so whoever holds the leaf can check which court wrote it without trusting the log::

    tingshen-ledger-entry/v1
    court <court's key name>
    kind <order.applied | order.decided | order.issued | order.verified | order.answered | …>
    subject <order number>
    time <UTC, ISO 8601, seconds>
    sha256 <hex digest of the step's document or canonical record>

The leaf's data is that signed entry behind one line ``index <n>`` that the writer puts in front
(:func:`leaf_data`): a leaf moved to another index in the database says so itself.

Pure: no database, no web framework.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from ledger.log.errors import LogError, NoteError
from ledger.log.note import NoteSigner, NoteVerifier, SignedNote, parse_note

__all__ = [
    "ENTRY_HEADER",
    "Entry",
    "EntryError",
    "leaf_data",
    "open_entry",
    "open_leaf",
    "sign_entry",
]

ENTRY_HEADER = "tingshen-ledger-entry/v1"
_KIND = re.compile(r"[a-z][a-z_.]{0,63}")
_SUBJECT = re.compile(r"[^\s]{1,100}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


class EntryError(LogError):
    """An entry is malformed, from an unknown court, or its court signature does not verify."""


@dataclass(frozen=True, slots=True)
class Entry:
    court: str
    kind: str
    subject: str
    at: datetime
    sha256: str

    def __post_init__(self) -> None:
        if not _KIND.fullmatch(self.kind) or not _SUBJECT.fullmatch(self.subject):
            raise EntryError("entry.malformed", "a kind (a-z, '.', '_') and a subject (no spaces)")
        if not _DIGEST.fullmatch(self.sha256):
            raise EntryError("entry.malformed", "a SHA-256 digest in lower-case hex")
        if self.at.tzinfo is None:
            raise EntryError("entry.malformed", "an aware time")

    def text(self) -> str:
        at = self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            f"{ENTRY_HEADER}\ncourt {self.court}\nkind {self.kind}\nsubject {self.subject}\n"
            f"time {at}\nsha256 {self.sha256}\n"
        )

    @classmethod
    def parse(cls, text: str) -> Entry:
        lines = text.split("\n")
        keys = ("court", "kind", "subject", "time", "sha256")
        if len(lines) != 7 or lines[0] != ENTRY_HEADER or lines[-1] != "":
            raise EntryError("entry.malformed", "not a ledger entry")
        values = {}
        for key, line in zip(keys, lines[1:6], strict=True):
            name, _, value = line.partition(" ")
            if name != key or not value:
                raise EntryError("entry.malformed", f"line {key!r} expected")
            values[key] = value
        try:
            at = datetime.strptime(values["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise EntryError("entry.malformed", "the time is not ISO 8601 UTC") from None
        return cls(values["court"], values["kind"], values["subject"], at, values["sha256"])


def sign_entry(entry: Entry, court_key: NoteSigner) -> bytes:
    """The leaf data: the entry signed by its court (whose key name must be ``entry.court``)."""
    if court_key.name != entry.court:
        raise EntryError("entry.wrong_court", f"{court_key.name} cannot sign for {entry.court}")
    text = entry.text()
    return SignedNote(text, (court_key.sign(text),)).render().encode()


def open_entry(data: bytes, court_keys: dict[str, NoteVerifier]) -> Entry:
    """The entry of a leaf, its court's signature verified with the registered key."""
    try:
        note = parse_note(data.decode())
    except (UnicodeDecodeError, NoteError):
        raise EntryError("entry.malformed", "a leaf is not a signed note") from None
    entry = Entry.parse(note.text)
    key = court_keys.get(entry.court)
    if key is None:
        raise EntryError("entry.unknown_court", f"no entry key registered for {entry.court}")
    try:
        note.signed_by(key)
    except NoteError as exc:
        raise EntryError("entry.bad_signature", f"{entry.court}: {exc.detail}") from None
    return entry


def leaf_data(index: int, signed_entry: bytes) -> bytes:
    return b"index %d\n" % index + signed_entry


def open_leaf(data: bytes, court_keys: dict[str, NoteVerifier]) -> tuple[int, Entry]:
    """The index a leaf claims and its entry, the court's signature verified."""
    head, sep, rest = data.partition(b"\n")
    if not sep or not re.fullmatch(rb"index (0|[1-9][0-9]{0,18})", head):
        raise EntryError("entry.malformed", "a leaf starts with its index")
    return int(head[6:]), open_entry(rest, court_keys)
