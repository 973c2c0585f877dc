"""The ledger's settings (``TINGSHEN_LEDGER_*``), read when the service is made, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["LedgerSettings"]


class LedgerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TINGSHEN_LEDGER_", extra="ignore")

    origin: str = Field(
        default="ledger.tingshen.local/investigation-orders",
        min_length=1,
        max_length=200,
        description="the log's origin line in its checkpoints (one per log, never changed)",
    )
    log_key_name: str = Field(default="tingshen-ledger", pattern=r"^[^\s+]+$")
    court_key_name: str = Field(
        default="court",
        pattern=r"^[^\s+]+$",
        description="this court's entry key's name (the name entries carry as their court)",
    )
    checkpoint_every: int = Field(default=16, ge=1, le=100_000)
    witnesses: list[str] = Field(
        default=[],
        description='witnesses, each "<verifier key> <URL>", e.g. '
        "'[\"witness-a+1a2b3c4d+AQ… http://10.0.0.7:8790\"]'",
    )
    quorum: int = Field(default=2, ge=1, description="cosignatures a checkpoint needs")
    witness_interval_s: float = Field(default=60.0, gt=0, description="how often to ask")
    keys_dir: Path | None = Field(
        default=None, description="default: <data dir>/ledger/keys; made outside production"
    )
    portal_url: str | None = Field(
        default=None,
        description="the party portal that knows lawyers (GET /api/portal/me); default: the "
        "portal loaded in this same process",
    )
    verify_per_minute: int = Field(
        default=30, ge=1, description="public verifications and answers per address per minute"
    )
    expiry_interval_s: float = Field(
        default=300.0, gt=0, description="how often issued orders past their last day are expired"
    )
    consumer_poll_s: float = Field(default=2.0, gt=0, description="how often events are read")
