"""The payment provider as the service uses it: the merchant's credentials (read once, at
start) and a client per call.

Which provider and where is configuration: ``TINGSHEN_FEES_PAY_GATEWAY_URL`` (WeChat Pay, or the
local simulator started by ``make run``) and the credentials directory (``pay_credentials_dir``,
default ``<data dir>/wechatpay``, the layout of :mod:`fees.wechatpay.credentials`). Without
credentials, outside production, online payment is off and the pages say so (the notice still
gives the bank account); in production the service refuses to start without them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from fees.service_settings import FeesServiceSettings
from fees.wechatpay.client import WechatPayClient
from fees.wechatpay.credentials import CredentialsError, MerchantCredentials, load_credentials

__all__ = ["NOTIFY_PATH", "REFUND_NOTIFY_PATH", "Provider", "load_provider"]

NOTIFY_PATH = "/api/fees/wechatpay/notify"
REFUND_NOTIFY_PATH = "/api/fees/wechatpay/refund-notify"


@dataclass(frozen=True, slots=True)
class Provider:
    credentials: MerchantCredentials
    base_url: str
    window_s: int
    transport: httpx.AsyncBaseTransport | None = None
    """Tests: the simulator in this process (``httpx.ASGITransport``); else the network."""
    clock: Callable[[], float] = time.time
    """Epoch seconds: request signatures and the window answers and notifications must fall in
    (the service's clock)."""

    def client(self) -> WechatPayClient:
        return WechatPayClient(
            self.credentials,
            base_url=self.base_url,
            window_s=self.window_s,
            transport=self.transport,
            clock=self.clock,
        )


def load_provider(
    settings: FeesServiceSettings,
    data_dir: Path,
    *,
    production: bool,
    clock: Callable[[], float] = time.time,
) -> Provider | None:
    directory = settings.pay_credentials_dir or data_dir / "wechatpay"
    if not directory.exists() and not production:
        return None
    try:
        credentials = load_credentials(directory)
    except CredentialsError as exc:
        if production:
            raise RuntimeError(f"the fee service cannot take payments: {exc}") from exc
        return None
    return Provider(
        credentials, settings.pay_gateway_url, settings.pay_timestamp_window_s, clock=clock
    )
