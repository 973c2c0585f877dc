"""What the delivery service's routes, consumers and jobs share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session, sessionmaker

from delivery.courier import Courier
from delivery.settings import DeliveryServiceSettings
from tingshen_platform.blobs import BlobStore
from tingshen_platform.services import ServiceHost

__all__ = ["COURT_TZ", "DeliveryContext"]

COURT_TZ = timezone(timedelta(hours=8))


@dataclass(frozen=True, slots=True)
class DeliveryContext:
    settings: DeliveryServiceSettings
    host: ServiceHost
    session_factory: sessionmaker[Session]
    files: BlobStore
    courier: Courier
    courier_key: bytes
    sms_receipt_key: bytes

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.host.clock

    def now(self) -> datetime:
        return self.host.clock()

    def link(self, path: str) -> str:
        return self.host.public_url.rstrip("/") + path
