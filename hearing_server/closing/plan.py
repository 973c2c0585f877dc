"""Who signs a closed hearing's transcript, and in which order: pure rules over signer slots.

Chinese civil procedure (民事诉讼法 art. 150) says what the record needs: the parties and the other
participants read the record and may ask for a correction (a refused correction is itself put on
the record); they sign; one who refuses to sign is noted, and the note is attached; the judges and
the clerk sign. The court's seal then closes the document.

    slots = plan_signers(attendees)                 # at freeze time, from who took part
    verdict = may_sign(slots, "participant-3")       # before preparing a signature
    slots = record(slots, "participant-3", SignerStatus.SIGNED)
    stage_of(slots)                                  # PARTIES -> BENCH -> SEAL -> COMPLETE

- Parties, their agents (lawyers) and witnesses who attended sign first, in any order. The clerk may
  record for one of them that they refused (拒绝签名) or were excused (absent, left, unreachable),
  always with a reason; either resolves the slot without a signature.
- Once every participant's slot is resolved, the bench (judges and the clerk) sign, in any order.
- Once every bench member has signed, the court seal is applied (by the server) and the record is
  complete. A bench member can never be excused: without every judge's and the clerk's signature the
  record is not complete.
- Observers do not sign. Nothing here knows about PDFs or keys: the signatures themselves are
  serialised elsewhere (each one is an incremental revision of the same PDF).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum, StrEnum

__all__ = [
    "SEAL_KEY",
    "Attendee",
    "SignerGroup",
    "SignerSlot",
    "SignerStatus",
    "Stage",
    "Verdict",
    "may_resolve",
    "may_sign",
    "outstanding",
    "plan_signers",
    "record",
    "stage_of",
]

SEAL_KEY = "court-seal"
"""The slot of the court's seal: signed by the server with the court's key, always last."""

_PARTY_ROLES = frozenset({"plaintiff", "defendant", "third_party", "agent", "witness"})
_BENCH_ROLES = frozenset({"presiding_judge", "judge", "clerk"})
_BENCH_ORDER = {"presiding_judge": 0, "judge": 1, "clerk": 2}


class SignerStatus(StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    REFUSED = "refused"
    """A participant declined to sign; the clerk noted it with the reason (it is attached)."""
    EXCUSED = "excused"
    """A participant cannot sign (absent, unreachable); the clerk noted why."""


class SignerGroup(IntEnum):
    PARTICIPANT = 0
    BENCH = 1
    SEAL = 2


class Stage(StrEnum):
    PARTICIPANTS = "participants"
    BENCH = "bench"
    SEAL = "seal"
    COMPLETE = "complete"


@dataclass(frozen=True, slots=True)
class Attendee:
    key: str
    """``participant-N`` for a party, agent or witness; ``staff-N`` for a judge or the clerk."""
    name: str
    role: str
    """A :class:`hearing_server.models.CourtRole` value."""


@dataclass(frozen=True, slots=True)
class SignerSlot:
    key: str
    name: str
    role: str
    group: SignerGroup
    status: SignerStatus = SignerStatus.PENDING
    note: str = ""
    """The clerk's reason for a refusal or an excuse."""

    @property
    def resolved(self) -> bool:
        return self.status is not SignerStatus.PENDING


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    reason: str = ""


_OK = Verdict(True)


def plan_signers(attendees: Iterable[Attendee], *, court_name: str) -> list[SignerSlot]:
    """The slots, in document order: participants (as listed), the bench, then the seal.

    A person listed twice (same key) gets one slot. Raises ``ValueError`` if nobody of the bench
    is among the attendees: a record the court does not sign cannot be closed.
    """
    seen: set[str] = set()
    participants: list[SignerSlot] = []
    bench: list[SignerSlot] = []
    for a in attendees:
        if a.key in seen or a.key == SEAL_KEY:
            continue
        if a.role in _PARTY_ROLES:
            participants.append(SignerSlot(a.key, a.name, a.role, SignerGroup.PARTICIPANT))
        elif a.role in _BENCH_ROLES:
            bench.append(SignerSlot(a.key, a.name, a.role, SignerGroup.BENCH))
        else:
            continue  # observers do not sign
        seen.add(a.key)
    if not bench:
        raise ValueError("no judge or clerk among the signers: the court must sign its record")
    bench.sort(key=lambda s: _BENCH_ORDER[s.role])
    seal = SignerSlot(SEAL_KEY, court_name, "seal", SignerGroup.SEAL)
    return [*participants, *bench, seal]


def stage_of(slots: Sequence[SignerSlot]) -> Stage:
    for group, stage in (
        (SignerGroup.PARTICIPANT, Stage.PARTICIPANTS),
        (SignerGroup.BENCH, Stage.BENCH),
        (SignerGroup.SEAL, Stage.SEAL),
    ):
        if any(s.group is group and not s.resolved for s in slots):
            return stage
    return Stage.COMPLETE


def outstanding(slots: Sequence[SignerSlot]) -> list[SignerSlot]:
    """Who still has to sign (or be resolved by the clerk), in document order."""
    return [s for s in slots if not s.resolved]


def _slot(slots: Sequence[SignerSlot], key: str) -> SignerSlot | None:
    return next((s for s in slots if s.key == key), None)


def may_sign(slots: Sequence[SignerSlot], key: str) -> Verdict:
    """Whether ``key`` may sign now."""
    slot = _slot(slots, key)
    if slot is None:
        return Verdict(False, "you are not among the signers of this record")
    if slot.status is SignerStatus.SIGNED:
        return Verdict(False, "you have already signed this record")
    if slot.resolved:
        return Verdict(False, f"the clerk recorded that you {slot.status.value}: ask the clerk")
    stage = stage_of(slots)
    if slot.group is SignerGroup.BENCH and stage is Stage.PARTICIPANTS:
        waiting = ", ".join(
            s.name for s in outstanding(slots) if s.group is SignerGroup.PARTICIPANT
        )
        return Verdict(False, f"the participants sign first; still waiting for: {waiting}")
    if slot.group is SignerGroup.SEAL and stage is not Stage.SEAL:
        return Verdict(False, "the seal is applied after every judge and the clerk signed")
    return _OK


def may_resolve(slots: Sequence[SignerSlot], key: str, status: SignerStatus, note: str) -> Verdict:
    """Whether the clerk may record ``status`` (refused/excused) for ``key``."""
    if status not in (SignerStatus.REFUSED, SignerStatus.EXCUSED):
        return Verdict(False, "the clerk can record only a refusal or an excuse")
    if not note.strip():
        return Verdict(False, "give the reason: it is attached to the record")
    slot = _slot(slots, key)
    if slot is None:
        return Verdict(False, f"{key} is not among the signers of this record")
    if slot.group is not SignerGroup.PARTICIPANT:
        return Verdict(False, "judges, the clerk and the seal cannot be excused from signing")
    if slot.resolved:
        return Verdict(False, f"{slot.name} is already {slot.status.value}")
    return _OK


def record(
    slots: Sequence[SignerSlot], key: str, status: SignerStatus, note: str = ""
) -> list[SignerSlot]:
    """The slots with ``key``'s status set (check :func:`may_sign`/:func:`may_resolve` first)."""
    if _slot(slots, key) is None:
        raise KeyError(key)
    return [replace(s, status=status, note=note.strip()) if s.key == key else s for s in slots]
