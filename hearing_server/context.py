"""What the app's actions need at run time, built once in ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hearing_server.notify import CodeSender
from hearing_server.security import Clock, LoginRateLimiter, PasswordHashing
from hearing_server.settings import Settings


@dataclass(frozen=True, slots=True)
class ServerContext:
    settings: Settings
    secret_key: bytes
    """Keys the one-time codes' hashes (:func:`~hearing_server.security.code_hash`)."""
    link_key: bytes
    """MACs invitation and signing links (``TINGSHEN_LINK_KEY``; rotated apart from the above)."""
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    passwords: PasswordHashing
    login_limiter: LoginRateLimiter
    code_limiter: LoginRateLimiter
    code_sender: CodeSender

    @property
    def session_ttl(self) -> timedelta:
        return timedelta(minutes=self.settings.session_ttl_minutes)

    @property
    def invitation_ttl(self) -> timedelta:
        return timedelta(hours=self.settings.invitation_ttl_hours)
