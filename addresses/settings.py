"""The address service's settings (``TINGSHEN_ADDRESSES_*``), read once when the service is made.

A connector is on when its URL is set (``TINGSHEN_ADDRESSES_MIGRANT_URL``,
``TINGSHEN_ADDRESSES_POSTAL_URL``): in development and tests, the local simulators
(``python -m addresses.simulator``); at a court, the agency's address service. Its shared key is
``<keys dir>/<connector>.key`` (issued by the agency; for a simulator, made by
:func:`addresses.keys.provision`). The key of the ID-number hash is ``<keys dir>/id-hash.key``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["AddressesSettings"]


class AddressesSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TINGSHEN_ADDRESSES_", extra="ignore")

    consumer_poll_s: float = Field(default=0.5, gt=0, le=60)
    migrant_url: str | None = None
    """The migrant-population registry's address service (流动人口登记信息)."""
    postal_url: str | None = None
    """The postal address database (邮政地址库)."""
    keys_dir: Path | None = None
    """The connectors' shared keys and the ID-number hash key (default
    ``<data dir>/addresses/keys``)."""
    client_id: str = Field(default="tingshen-court", min_length=1, max_length=64)
    """The court's key id at the agencies."""
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    """How long one agency may take to answer (connect and read) before it counts as down."""
    max_answer_bytes: int = Field(default=256 * 1024, ge=1024, le=16 * 1024 * 1024)
    """A larger answer is garbage (never read into memory whole)."""
    per_staff_per_hour: int = Field(default=30, ge=1, le=10_000)
    """Look-ups one staff member may make per hour."""
    per_party_per_day: int = Field(default=5, ge=1, le=1000)
    """Look-ups of one party of one case per day (by anyone)."""
