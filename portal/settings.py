"""The portal's settings (``TINGSHEN_PORTAL_*``), read once when the service is made."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PortalSettings"]


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TINGSHEN_PORTAL_", extra="ignore")

    consumer_poll_s: float = Field(default=0.5, gt=0, le=60)
    session_hours: int = Field(default=8, ge=1, le=72)
    sms_code_minutes: int = Field(default=5, ge=1, le=30)
    code_tries: int = Field(default=5, ge=1, le=10)
    """Wrong codes allowed for one code before it is spent."""
    codes_per_hour: int = Field(default=5, ge=1, le=100)
    """Codes one phone may be sent in an hour."""
    lockout_failures: int = Field(default=5, ge=3, le=20)
    """Wrong passwords in a row before the account locks."""
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    logins_per_minute: int = Field(default=10, ge=1, le=1000)
    """Login attempts from one address in a minute."""
    lookups_per_minute: int = Field(default=5, ge=1, le=1000)
    """Public look-ups from one address (and of one ID number) in a minute."""
    review_hours_max: int = Field(default=72, ge=1, le=24 * 30)
    """The longest an approved file review may last."""
    registry_file: Path | None = None
    """The local identity-verification simulator's registry (JSON: ID number → name); default
    ``<data dir>/portal/identity-registry.json``."""
    password_time_cost: int = Field(default=2, ge=1, le=10)
    password_memory_kib: int = Field(default=19_456, ge=1024)
    cookie_secure: bool = False
    passkey_rp_id: str | None = None
    """The WebAuthn relying party's id: the court's domain name (a browser refuses an IP
    address); default the host of the server's public URL."""
    passkey_origin: str | None = None
    """The origin passkey ceremonies must come from; default the server's public URL's, its host
    replaced by the relying party's id."""
    db_threads: int = Field(default=8, ge=1, le=40)
    """Requests of logged-in parties whose database work runs at once (each in a thread with a
    session); fewer than the engine's pooled connections (5 + 10), so none waits for one."""
    hearing_url: str | None = None
    """The hearing server's base URL, asked for a party's hearing links (``portal.hearing_links``);
    default the server's public URL (the portal runs in the hearing server's process)."""
    hearing_links_key: SecretStr | None = Field(default=None, repr=False)
    """The key shared with the hearing server (its ``TINGSHEN_PARTY_LINKS_KEY``) that signs
    those requests; unset: no hearing links in 我的案件."""
