"""The delivery service's settings (``TINGSHEN_DELIVERY_*``), read once when the service is made.

The courier's callback key signs every tracking callback (HMAC-SHA256): in production the service
refuses to start without it; in development one is kept in ``<data dir>/delivery/courier.key``
and shared with the local courier simulator.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DeliveryServiceSettings"]


class DeliveryServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TINGSHEN_DELIVERY_", extra="ignore")

    files_dir: Path | None = None
    """Proofs of service (PDF); default ``<data dir>/delivery``."""
    consumer_poll_s: float = Field(default=0.5, gt=0, le=60)
    courier: str = "local"
    """``local``: the simulator in ``<data dir>/delivery/courier-sim``; a real courier's API
    client is configuration (not bundled yet)."""
    courier_key: SecretStr | None = None
    """The shared key of the courier's signed tracking callbacks (at least 32 characters)."""
    sms_receipt_key: SecretStr | None = None
    """The shared key of the SMS provider's signed delivery receipts (at least 32 characters)."""
    sms_receipts_simulated: bool = False
    """Development: the local SMS provider's receipts are sent by its simulator
    (``delivery.sms_simulator``) to the server's own receipt route; refused in production."""
    sms_dead_numbers: list[str] = Field(default_factory=list)
    """Numbers the simulator reports undeliverable (空号), e.g. ``'["13800000099"]'``."""
    callback_window_s: int = Field(default=300, ge=30, le=3600)
    """How old (or how far ahead) a callback's timestamp may be."""
    max_send_attempts: int = Field(default=5, ge=1, le=20)
    """Tries of one channel (SMS gateway or courier down) before the service fails."""
    max_document_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    max_recording_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    """A call recording attached to a service attempt (留痕)."""
    asr_model: str = "base"
    """The offline model that transcribes call recordings (``asr.models.resolve_model``)."""
    asr_language: str | None = "zh"
    """The calls' language (``None``: detected)."""
