"""What the address service's routes and consumers share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import httpx
from sqlalchemy.orm import Session, sessionmaker

from addresses.connectors import Connector
from addresses.settings import AddressesSettings
from tingshen_platform.counters import Counters
from tingshen_platform.services import ServiceHost

__all__ = ["COURT_TZ", "AddressesContext"]

COURT_TZ = timezone(timedelta(hours=8))


@dataclass(frozen=True, slots=True)
class AddressesContext:
    settings: AddressesSettings
    host: ServiceHost
    session_factory: sessionmaker[Session]
    connectors: tuple[Connector, ...]
    id_key: bytes | None
    """The key of the ID numbers' hash (:func:`addresses.idnumber.id_hash`); ``None`` only in
    production with no connector configured (no look-ups, no filed ID numbers kept)."""
    counters: Counters
    transport: httpx.AsyncBaseTransport | None = None
    """Tests only: another transport for the connectors' client (default: real HTTP)."""

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.host.clock

    def now(self) -> datetime:
        return self.host.clock()

    def today(self) -> date:
        return self.host.clock().astimezone(COURT_TZ).date()
