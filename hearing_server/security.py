"""Security recipes: passwords, session tokens, invitation tokens, one-time codes, rate limiting.

Verification raises (``InvalidTokenError``, ``GoneError``), never returns False. Anything that
depends on time takes the current time (or a clock) from the caller.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.hmac import HMAC

from hearing_server.errors import GoneError, InvalidTokenError
from tingshen_platform.counters import Counters

Clock = Callable[[], datetime]

CODE_DIGITS = 6
CODE_MAX_ATTEMPTS = 5
CODE_TTL = timedelta(minutes=10)
_TOKEN_VERSION = "v1"


def utc_now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- passwords


class PasswordHashing:
    """argon2id via argon2-cffi; ``verify`` returns False only for a wrong password."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        # Verified against when the user does not exist, so timing does not reveal usernames.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return password_hash is not None


# ---------------------------------------------------------------- opaque tokens


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 hex of a high-entropy token: what the database stores."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_one_time_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(secret_key: bytes, *, invitation_id: int, code: str) -> str:
    """Keyed hash of a 6-digit code (a plain hash of 10⁶ values would be reversible)."""
    mac = HMAC(secret_key, hashes.SHA256())
    mac.update(f"otc:{invitation_id}:{code}".encode())
    return mac.finalize().hex()


# ---------------------------------------------------------------- invitation tokens


@dataclass(frozen=True, slots=True)
class InvitationClaims:
    invitation_id: int
    participant_id: int
    hearing_id: int
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _claims_payload(claims: InvitationClaims) -> bytes:
    expiry = int(claims.expires_at.timestamp())
    parts = (_TOKEN_VERSION, claims.invitation_id, claims.participant_id, claims.hearing_id, expiry)
    return ".".join(str(p) for p in parts).encode("ascii")


def _domain(purpose: str) -> bytes:
    """The MAC's domain: a join link's token never verifies as a signing link's, nor back."""
    return b"invitation:" if purpose == "join" else purpose.encode("ascii") + b"-link:"


def sign_invitation(secret_key: bytes, claims: InvitationClaims, *, purpose: str = "join") -> str:
    payload = _claims_payload(claims)
    mac = HMAC(secret_key, hashes.SHA256())
    mac.update(_domain(purpose) + payload)
    return f"{_b64(payload)}.{_b64(mac.finalize())}"


def verify_invitation(
    secret_key: bytes, token: str, *, now: datetime, purpose: str = "join"
) -> InvitationClaims:
    """The claims of a genuine, unexpired token of ``purpose`` (``join`` or ``sign``); raises
    InvalidTokenError or GoneError."""
    try:
        payload_b64, signature_b64 = token.split(".")
        payload, signature = _unb64(payload_b64), _unb64(signature_b64)
        mac = HMAC(secret_key, hashes.SHA256())
        mac.update(_domain(purpose) + payload)
        mac.verify(signature)
        version, invitation_id, participant_id, hearing_id, expiry = payload.decode("ascii").split(
            "."
        )
        if version != _TOKEN_VERSION:
            raise ValueError(version)
        claims = InvitationClaims(
            invitation_id=int(invitation_id),
            participant_id=int(participant_id),
            hearing_id=int(hearing_id),
            expires_at=datetime.fromtimestamp(int(expiry), UTC),
        )
    except (ValueError, UnicodeDecodeError, InvalidSignature) as exc:
        raise InvalidTokenError.because("link_invalid") from exc
    if now >= claims.expires_at:
        raise GoneError.because("link_expired")
    return claims


# ---------------------------------------------------------------- rate limiting


class LoginRateLimiter:
    """At most ``limit`` attempts per ``window`` for one key (username + IP, an invitation, a
    client address), counted in the database so that every server process of a cluster shares
    the count (:class:`tingshen_platform.counters.Counters`: a sliding approximation over the
    current and the previous window; refused attempts are not counted)."""

    def __init__(
        self, counters: Counters, *, name: str, limit: int, window: timedelta = timedelta(minutes=1)
    ) -> None:
        self._counters = counters
        self._name = name
        self._limit = limit
        self._window = window

    def hit(self, key: str) -> bool:
        """Record an attempt; False when the key is over its limit (the attempt is refused)."""
        return self._counters.hit(f"{self._name}:{key}", self._limit, self._window)

    def reset(self, key: str) -> None:
        self._counters.reset(f"{self._name}:{key}")
