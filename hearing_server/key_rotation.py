"""What rotating the session secret or the link key does to the database (``tingshen keys``).

- **Link key** (``TINGSHEN_LINK_KEY``): it MACs every invitation and signing link, and each
  invitation row stores its token's hash. A new key makes every outstanding link fail to verify,
  so :func:`withdraw_all_links` withdraws them explicitly too (``revoked_at``, audited per link as
  ``invitation.revoke`` with ``reason: link_key_rotated``): the staff pages show them withdrawn,
  which to re-send, and a server still running with the old key refuses them as well. There is
  no grace period with the old key: a link key is rotated because it may have leaked, and a grace
  period would keep the leaked key working. Sessions already opened through a link stay open (the
  party proved their phone with a one-time code).
- **Session secret** (``TINGSHEN_SECRET_KEY``): sessions are random tokens stored hashed, not
  derived from the secret, but the secret is rotated when the server's secrets may have leaked,
  so :func:`end_all_sessions` logs everyone out (staff and parties) and expires the one-time codes
  still pending (their hashes are keyed with the old secret: asking for a new code works).

Both write one summary audit event (``keys.rotate_link_key``, ``keys.rotate_session_secret``);
a CA key passphrase's rotation is recorded too (``keys.rotate_passphrase``, which group). None of
them ever sees a key.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.models import Invitation, OneTimeCode, ParticipantSession, StaffSession

__all__ = [
    "LinksWithdrawn",
    "SessionsEnded",
    "end_all_sessions",
    "record_passphrase_rotation",
    "withdraw_all_links",
]


@dataclass(frozen=True, slots=True)
class LinksWithdrawn:
    join: int
    sign: int
    per_hearing: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.join + self.sign


@dataclass(frozen=True, slots=True)
class SessionsEnded:
    staff: int
    participants: int
    codes_expired: int


def withdraw_all_links(session: Session, *, now: datetime) -> LinksWithdrawn:
    """Withdraw every unrevoked, unexpired link; commits."""
    outstanding = select(Invitation).where(
        Invitation.revoked_at.is_(None), Invitation.expires_at > now
    )
    purposes: Counter[str] = Counter()
    per_hearing: Counter[int] = Counter()
    for invitation in session.scalars(outstanding.order_by(Invitation.id)):
        invitation.revoked_at = now
        hearing = invitation.participant.hearing
        purposes[invitation.purpose] += 1
        per_hearing[hearing.id] += 1
        audit.record(
            session,
            actor=Actor.system(),
            action="invitation.revoke",
            entity=EntityRef("invitation", invitation.id),
            case_id=hearing.case_id,
            details={"participant_id": invitation.participant_id, "reason": "link_key_rotated"},
            at=now,
        )
    result = LinksWithdrawn(purposes["join"], purposes["sign"], dict(per_hearing))
    audit.record(
        session,
        actor=Actor.system(),
        action="keys.rotate_link_key",
        entity=EntityRef("server", None),
        case_id=None,
        details={"join_links_withdrawn": result.join, "sign_links_withdrawn": result.sign},
        at=now,
    )
    session.commit()
    return result


def end_all_sessions(session: Session, *, now: datetime) -> SessionsEnded:
    """Log everyone out and expire pending one-time codes; commits."""
    staff = session.scalar(select(func.count()).select_from(StaffSession)) or 0
    parties = session.scalar(select(func.count()).select_from(ParticipantSession)) or 0
    session.execute(delete(StaffSession))
    session.execute(delete(ParticipantSession))
    expired = session.execute(  # a DML statement: a CursorResult, with its rowcount
        update(OneTimeCode)
        .where(OneTimeCode.consumed_at.is_(None), OneTimeCode.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    codes_expired = int(getattr(expired, "rowcount", 0) or 0)
    result = SessionsEnded(staff, parties, codes_expired)
    audit.record(
        session,
        actor=Actor.system(),
        action="keys.rotate_session_secret",
        entity=EntityRef("server", None),
        case_id=None,
        details={
            "staff_sessions_ended": staff,
            "party_sessions_ended": parties,
            "codes_expired": result.codes_expired,
        },
        at=now,
    )
    session.commit()
    return result


def record_passphrase_rotation(
    session: Session, *, group: str, files: list[str], now: datetime
) -> None:
    """The audit trail's note that ``group``'s key files were re-encrypted; commits."""
    audit.record(
        session,
        actor=Actor.system(),
        action="keys.rotate_passphrase",
        entity=EntityRef("server", None),
        case_id=None,
        details={"which": group, "files": files},
        at=now,
    )
    session.commit()
