"""What the dossier's routes and consumers share: its settings, the host's engine and identity,
the store of its files, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import DossierSettings
from tingshen_platform.blobs import BlobStore
from tingshen_platform.services import ServiceHost

__all__ = ["COURT_TZ", "DossierContext"]

COURT_TZ = timezone(timedelta(hours=8))
"""Dates of the court's records (filing, closing, time limits) are Beijing dates."""


@dataclass(frozen=True, slots=True)
class DossierContext:
    settings: DossierSettings
    host: ServiceHost
    session_factory: sessionmaker[Session]
    files: BlobStore
    """Materials (every version), generated PDFs, archival packages."""

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.host.clock

    def today(self) -> date:
        return self.host.clock().astimezone(COURT_TZ).date()
