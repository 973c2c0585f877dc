"""What the portal's routes and consumers share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from anyio import CapacityLimiter
from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from portal.hearing_links import HearingLinks
from portal.settings import PortalSettings
from portal.verifier import IdentityVerifier
from tingshen_platform.services import ServiceHost

__all__ = ["COURT_TZ", "PortalContext"]

COURT_TZ = timezone(timedelta(hours=8))


@dataclass(frozen=True, slots=True)
class PortalContext:
    settings: PortalSettings
    host: ServiceHost
    session_factory: sessionmaker[Session]
    verifier: IdentityVerifier
    passwords: PasswordHasher
    db_threads: CapacityLimiter
    """The threads a party's route does its database work in (``settings.db_threads``)."""
    hearing_links: HearingLinks | None = None
    """The hearing server's party links (``None``: not configured)."""

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.host.clock

    def now(self) -> datetime:
        return self.host.clock()

    def link(self, path: str) -> str:
        return self.host.public_url.rstrip("/") + path
