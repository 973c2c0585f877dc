"""What the fee service's routes, consumers and jobs share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session, sessionmaker

from fees.case_rules import CaseFeeRules
from fees.loader import Schedules
from fees.provider import Provider
from fees.service_settings import FeesServiceSettings
from fees.settings import FeeSettings
from tingshen_platform.blobs import BlobStore
from tingshen_platform.services import ServiceHost

__all__ = ["COURT_TZ", "FeesContext"]

COURT_TZ = timezone(timedelta(hours=8))
"""Dates of notices, deadlines and receipts are Beijing dates."""


@dataclass(frozen=True, slots=True)
class FeesContext:
    settings: FeesServiceSettings
    fee_settings: FeeSettings
    schedules: Schedules
    rules: CaseFeeRules
    host: ServiceHost
    session_factory: sessionmaker[Session]
    files: BlobStore
    provider: Provider | None
    """``None``: online payment is off (no credentials; never in production)."""

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.host.clock

    def now(self) -> datetime:
        return self.host.clock()

    def today(self) -> date:
        return self.host.clock().astimezone(COURT_TZ).date()

    def link(self, path: str) -> str:
        return self.host.public_url.rstrip("/") + path
