"""The dossier service's settings (``TINGSHEN_DOSSIER_*``), read once when the service is made."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DossierSettings"]


class DossierSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TINGSHEN_DOSSIER_", extra="ignore")

    files_dir: Path | None = None
    """Where materials and archive packages are kept; default ``<data dir>/dossier``."""
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1024, le=2 * 1024**3)
    """The largest file a material may be (a scanned volume is large; 2 GB is always refused)."""
    libreoffice: str = "soffice"
    """Headless LibreOffice, for Office documents (converted to PDF)."""
    tesseract: str = "tesseract"
    ocr_languages: str = "chi_sim+eng"
    consumer_poll_s: float = Field(default=0.5, gt=0, le=60)
    """How often the event consumers look for new events."""
    fixity_interval_hours: float = Field(default=24.0, gt=0, le=24 * 365)
    """How often every archival package is re-hashed."""
