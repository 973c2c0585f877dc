"""The fee service's settings (``TINGSHEN_FEES_*``), read once when the service is made.

The court's choices inside the fee schedule's ranges are :class:`fees.settings.FeeSettings` (the
same prefix, other names). The payment provider's credentials are files in ``pay_credentials_dir``
(what :func:`fees.wechatpay.simulator.keys.provision` writes for the local simulator, and what the
court's finance office puts there for the real WeChat Pay): in production the service refuses
to start without them; elsewhere payments are simply off until they are there.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["FeesServiceSettings"]


class FeesServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TINGSHEN_FEES_", extra="ignore")

    files_dir: Path | None = None
    """Notices, receipts (PDF); default ``<data dir>/fees``."""
    consumer_poll_s: float = Field(default=0.5, gt=0, le=60)
    watch_interval_s: float = Field(default=30.0, gt=0, le=3600)
    """How often orders still waiting (and refunds under way) are asked about."""
    pay_gateway_url: str = "https://api.mch.weixin.qq.com"
    """WeChat Pay API v3; the local simulator's address in development and tests."""
    pay_credentials_dir: Path | None = None
    """Merchant key, serial, APIv3 key, platform certificates; default ``<data dir>/wechatpay``."""
    pay_timestamp_window_s: int = Field(default=300, ge=30, le=3600)
    """How old (or how far ahead) a notification's timestamp may be."""
    order_minutes: int = Field(default=30, ge=5, le=24 * 60)
    """How long a payment QR code stays valid (the order's ``time_expire``)."""
    sms_code_minutes: int = Field(default=10, ge=1, le=60)
    court_bank_name: str = "中国工商银行"
    """For payment at a bank or by transfer, printed on the notice."""
    court_account_name: str = "人民法院诉讼费专户"
    court_account_no: str = "0000 0000 0000 0000 000"
    clerk_phone: str = ""
    """The fee office's telephone, printed on notices."""
    auto_send_notice: bool = True
    """Send the notice by SMS and e-mail as soon as the case is filed (else staff send it)."""
