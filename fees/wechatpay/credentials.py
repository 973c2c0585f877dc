"""A merchant's WeChat Pay credentials, read from one directory: the same layout for the real
provider and for the local simulator (:func:`fees.wechatpay.simulator.keys.provision` writes it),
so that switching is configuration only (the directory and the base URL).

::

    DIR/merchant.json        {"mchid": "...", "appid": "...", "merchant_serial": "..."}
    DIR/apiclient_key.pem    the merchant API certificate's private key (商户API私钥)
    DIR/apiclient_cert.pem   its certificate (the simulator reads it to check our signatures)
    DIR/apiv3_key            the 32-character APIv3 key (APIv3密钥)
    DIR/platform/<id>.pem    WeChat Pay platform certificates, or the platform public key, each
                             named by its serial (or ``PUB_KEY_ID_…``): the keys responses and
                             notifications must be signed with

Nothing is read at import; a missing or broken file raises :class:`CredentialsError` naming it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from fees.wechatpay.crypto import load_private_key, load_public_key
from fees.wechatpay.errors import WechatPayError

__all__ = ["CredentialsError", "MerchantCredentials", "load_credentials"]

MERCHANT_FILE = "merchant.json"
PRIVATE_KEY_FILE = "apiclient_key.pem"
CERTIFICATE_FILE = "apiclient_cert.pem"
APIV3_KEY_FILE = "apiv3_key"
PLATFORM_DIR = "platform"


class CredentialsError(WechatPayError):
    """The credentials directory is incomplete or a file in it is broken."""


@dataclass(frozen=True, slots=True)
class MerchantCredentials:
    mchid: str
    appid: str
    merchant_serial: str
    """The serial of the merchant's API certificate (``serial_no`` in ``Authorization``)."""
    private_key: rsa.RSAPrivateKey = field(repr=False)
    apiv3_key: bytes = field(repr=False)
    platform_keys: dict[str, rsa.RSAPublicKey] = field(repr=False)
    """Serial (or public key id) → key; responses and notifications must name one of them."""
    directory: Path | None = None


def load_credentials(directory: Path) -> MerchantCredentials:
    def read(name: str) -> bytes:
        try:
            return (directory / name).read_bytes()
        except OSError as exc:
            raise CredentialsError(f"cannot read {directory / name}: {exc.strerror}") from exc

    try:
        merchant = json.loads(read(MERCHANT_FILE))
        mchid, appid = str(merchant["mchid"]), str(merchant["appid"])
        serial = str(merchant["merchant_serial"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CredentialsError(f"{directory / MERCHANT_FILE}: {exc}") from exc
    apiv3_key = read(APIV3_KEY_FILE).strip()
    if len(apiv3_key) != 32:
        raise CredentialsError(f"{directory / APIV3_KEY_FILE}: the APIv3 key has 32 characters")
    try:
        private_key = load_private_key(read(PRIVATE_KEY_FILE))
    except ValueError as exc:
        raise CredentialsError(f"{directory / PRIVATE_KEY_FILE}: {exc}") from exc
    platform_keys: dict[str, rsa.RSAPublicKey] = {}
    for path in sorted((directory / PLATFORM_DIR).glob("*.pem")):
        try:
            platform_keys[path.stem] = load_public_key(path.read_bytes())
        except ValueError as exc:
            raise CredentialsError(f"{path}: {exc}") from exc
    if not platform_keys:
        raise CredentialsError(f"no platform certificate in {directory / PLATFORM_DIR}")
    return MerchantCredentials(
        mchid=mchid,
        appid=appid,
        merchant_serial=serial,
        private_key=private_key,
        apiv3_key=apiv3_key,
        platform_keys=platform_keys,
        directory=directory,
    )
