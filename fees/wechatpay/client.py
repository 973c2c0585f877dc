"""An async client of WeChat Pay API v3 (Native payments, refunds, the trade bill, platform
certificates) over ``httpx`` and ``cryptography``.

Every request carries the merchant's ``Authorization`` signature; every answer (but the bill file,
checked by its SHA1 instead) must carry a valid platform signature, or it is refused as a
retryable :class:`~fees.wechatpay.errors.ProviderError` (``BAD_RESPONSE_SIGNATURE``): a state we
act on comes only from WeChat. Error answers (4xx/5xx) are not signature-checked and carry no
state: on ``ORDERPAID`` or a timeout the caller queries the order.

The base URL is configuration (default the real gateway; the local simulator,
:mod:`fees.wechatpay.simulator`, speaks the same protocol), ``transport=`` is the test seam.
Retrying is the caller's choice: ``create_native_order`` and ``create_refund`` are idempotent on
``out_trade_no`` / ``out_refund_no`` at WeChat, so a retry after a timeout is safe.

Why not the ``wechatpayv3`` package: it hard-codes the gateway in a private attribute and fetches
the platform certificates over the network in its constructor, so it cannot be pointed at a
simulator by configuration (nor built offline). It is used only in the tests, as an independent
reference implementation our signatures and ciphertexts must agree with, both ways.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Literal

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from fees.wechatpay.credentials import MerchantCredentials
from fees.wechatpay.crypto import (
    DEFAULT_WINDOW_S,
    authorization_header,
    decrypt_resource,
    load_certificate,
    new_nonce,
    signed_headers_from,
    verify_signed,
)
from fees.wechatpay.errors import ProviderError, VerificationError
from fees.wechatpay.results import (
    OrderState,
    PlatformCertificate,
    RefundState,
    field_of,
    order_state,
    refund_state,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "OrderState",
    "PlatformCertificate",
    "RefundState",
    "WechatPayClient",
]

DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
log = logging.getLogger(__name__)


class WechatPayClient:
    """``async with WechatPayClient(credentials, base_url=...) as client: ...``.

    ``timeout_s`` bounds each call (whatever the transport); ``clock`` gives epoch seconds for
    signing and for the response window (``window_s``)."""

    def __init__(
        self,
        credentials: MerchantCredentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout_s: float = 10.0,
        window_s: float = DEFAULT_WINDOW_S,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credentials = credentials
        self._base_url = base_url.rstrip("/")
        self._timeout_s = timeout_s
        self._window_s = window_s
        self._clock = clock
        self._platform_keys: dict[str, rsa.RSAPublicKey] = dict(credentials.platform_keys)
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout_s)

    async def __aenter__(self) -> WechatPayClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def platform_keys(self) -> Mapping[str, rsa.RSAPublicKey]:
        return self._platform_keys

    # ------------------------------------------------------------ payments

    async def create_native_order(
        self,
        out_trade_no: str,
        description: str,
        amount_fen: int,
        notify_url: str,
        time_expire: datetime,
        *,
        attach: str | None = None,
    ) -> str:
        """The ``code_url`` (``weixin://wxpay/bizpayurl?pr=…``) to show as a QR code."""
        if time_expire.tzinfo is None:
            raise ValueError("time_expire must carry its time zone")
        if amount_fen <= 0:
            raise ValueError("amount_fen must be positive")
        payload: dict[str, Any] = {
            "appid": self._credentials.appid,
            "mchid": self._credentials.mchid,
            "description": description,
            "out_trade_no": out_trade_no,
            "time_expire": time_expire.isoformat(timespec="seconds"),
            "notify_url": notify_url,
            "amount": {"total": amount_fen, "currency": "CNY"},
        }
        if attach is not None:
            payload["attach"] = attach
        answer = await self._call("POST", "/v3/pay/transactions/native", payload=payload)
        return field_of(answer, "code_url", str)

    async def query_order(self, out_trade_no: str) -> OrderState:
        answer = await self._call(
            "GET",
            f"/v3/pay/transactions/out-trade-no/{out_trade_no}",
            params={"mchid": self._credentials.mchid},
        )
        return order_state(answer)

    async def close_order(self, out_trade_no: str) -> None:
        await self._call(
            "POST",
            f"/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
            payload={"mchid": self._credentials.mchid},
        )

    # ------------------------------------------------------------ refunds

    async def create_refund(
        self,
        out_refund_no: str,
        *,
        refund_fen: int,
        total_fen: int,
        reason: str,
        notify_url: str,
        out_trade_no: str | None = None,
        transaction_id: str | None = None,
    ) -> RefundState:
        """Exactly one of ``out_trade_no`` / ``transaction_id``. A repeated ``out_refund_no``
        answers the refund already made (WeChat's idempotency)."""
        if (out_trade_no is None) == (transaction_id is None):
            raise ValueError("give exactly one of out_trade_no and transaction_id")
        payload: dict[str, Any] = {
            "out_refund_no": out_refund_no,
            "reason": reason,
            "notify_url": notify_url,
            "amount": {"refund": refund_fen, "total": total_fen, "currency": "CNY"},
        }
        if out_trade_no is not None:
            payload["out_trade_no"] = out_trade_no
        else:
            payload["transaction_id"] = transaction_id
        return refund_state(
            await self._call("POST", "/v3/refund/domestic/refunds", payload=payload)
        )

    async def query_refund(self, out_refund_no: str) -> RefundState:
        return refund_state(await self._call("GET", f"/v3/refund/domestic/refunds/{out_refund_no}"))

    # ------------------------------------------------------------ bill, certificates

    async def trade_bill(
        self, bill_date: date, bill_type: Literal["ALL", "SUCCESS", "REFUND"] = "ALL"
    ) -> bytes:
        """The day's trade bill file (CSV-like text, see :mod:`fees.wechatpay.bill`), checked
        against the SHA1 the signed answer gives."""
        answer = await self._call(
            "GET",
            "/v3/bill/tradebill",
            params={"bill_date": bill_date.isoformat(), "bill_type": bill_type},
        )
        hash_type = field_of(answer, "hash_type", str)
        if hash_type != "SHA1":
            raise ProviderError(200, "UNSUPPORTED_HASH", hash_type, retryable=False)
        response = await self._send("GET", httpx.URL(field_of(answer, "download_url", str)), "")
        content = response.content
        if response.status_code >= 400:
            raise _error(response)
        digest = hashlib.sha1(content).hexdigest()
        if not hmac.compare_digest(digest, field_of(answer, "hash_value", str).lower()):
            raise ProviderError(200, "BILL_HASH_MISMATCH", "the bill file's SHA1", retryable=True)
        return content

    async def certificates(self, *, remember: bool = True) -> list[PlatformCertificate]:
        """The platform certificates, decrypted with the APIv3 key (the answer itself must be
        signed by a key we already know). ``remember``: accept them for later answers."""
        answer = await self._call("GET", "/v3/certificates")
        found: list[PlatformCertificate] = []
        for item in field_of(answer, "data", list):
            try:
                pem = decrypt_resource(self._credentials.apiv3_key, item["encrypt_certificate"])
                certificate = load_certificate(pem)
            except (VerificationError, KeyError, TypeError, ValueError) as exc:
                raise ProviderError(200, "BAD_CERTIFICATE", str(exc), retryable=False) from exc
            # Compared as numbers: how many leading zeros a serial's hex keeps varies by tool;
            # the key is then known by the very string WeChat puts in Wechatpay-Serial.
            serial = str(item.get("serial_no", ""))
            if _serial_number(serial) != certificate.serial_number:
                raise ProviderError(200, "BAD_CERTIFICATE", "serial differs", retryable=False)
            key = certificate.public_key()
            if not isinstance(key, rsa.RSAPublicKey):
                raise ProviderError(200, "BAD_CERTIFICATE", "not an RSA key", retryable=False)
            found.append(
                PlatformCertificate(
                    serial_no=serial,
                    effective_time=datetime.fromisoformat(item["effective_time"]),
                    expire_time=datetime.fromisoformat(item["expire_time"]),
                    pem=pem,
                    public_key=key,
                )
            )
        if remember:
            self._platform_keys.update({c.serial_no: c.public_key for c in found})
        return found

    # ------------------------------------------------------------ the wire

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        url = httpx.URL(self._base_url + path, params=params)
        body = (
            ""
            if payload is None
            else json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        )
        response = await self._send(method, url, body)
        if response.status_code >= 400:
            raise _error(response)
        text = response.text
        try:
            verify_signed(
                signed_headers_from(response.headers),
                text,
                platform_keys=self._platform_keys,
                now=self._clock(),
                window_s=self._window_s,
            )
        except VerificationError as exc:
            log.warning("WeChat Pay answer to %s %s refused: %s", method, url.path, exc.reason)
            raise ProviderError(
                response.status_code, "BAD_RESPONSE_SIGNATURE", str(exc), retryable=True
            ) from exc
        if not text:
            return {}
        try:
            answer = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProviderError(
                response.status_code, "BAD_RESPONSE", str(exc), retryable=True
            ) from exc
        if not isinstance(answer, dict):
            raise ProviderError(
                response.status_code, "BAD_RESPONSE", "not an object", retryable=True
            )
        return answer

    async def _send(self, method: str, url: httpx.URL, body: str) -> httpx.Response:
        credentials = self._credentials
        authorization = authorization_header(
            mchid=credentials.mchid,
            serial_no=credentials.merchant_serial,
            private_key=credentials.private_key,
            method=method,
            url=url.raw_path.decode("ascii"),
            body=body,
            timestamp=int(self._clock()),
            nonce=new_nonce(),
        )
        headers = {
            "Authorization": authorization,
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "tingshen-fees",
        }
        try:
            async with asyncio.timeout(self._timeout_s):
                return await self._http.request(method, url, content=body.encode(), headers=headers)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise ProviderError(
                0, "TIMEOUT", f"no answer within {self._timeout_s} s", retryable=True
            ) from exc
        except httpx.TransportError as exc:
            raise ProviderError(
                0, "CONNECTION_ERROR", str(exc) or type(exc).__name__, retryable=True
            ) from exc


def _serial_number(serial: str) -> int | None:
    try:
        return int(serial, 16)
    except ValueError:
        return None


def _error(response: httpx.Response) -> ProviderError:
    """WeChat's error body is ``{"code": "...", "message": "..."}``; 5xx and 429 (frequency
    limit) are worth retrying, other 4xx are not."""
    code, message = f"HTTP_{response.status_code}", response.reason_phrase
    try:
        body = response.json()
        if isinstance(body, dict):
            code = str(body.get("code", code))
            message = str(body.get("message", message))
    except (json.JSONDecodeError, UnicodeDecodeError):
        pass
    retryable = response.status_code >= 500 or response.status_code == 429
    return ProviderError(response.status_code, code, message, retryable=retryable)
