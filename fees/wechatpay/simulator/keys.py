"""The simulator's keys, and :func:`provision`: everything a server needs to talk to it.

Layout of the simulator's state directory ``DIR``::

    DIR/platform/platform_key.pem     the simulated WeChat Pay platform key (RSA-2048), kept
    DIR/platform/platform_cert.pem    its self-signed certificate; the serial is its serial
    DIR/platform/apiv3_key            the merchant's APIv3 key (32 characters)
    DIR/merchant/…                    the merchant's credentials, in the layout of
                                      :mod:`fees.wechatpay.credentials` (private key, certificate,
                                      merchant.json, a copy of the APIv3 key and of the platform
                                      certificate under platform/<serial>.pem)
    DIR/state.jsonl                   orders, refunds, notifications (:mod:`.store`)

The platform part is made at the simulator's first start (or by :func:`provision`, whichever
comes first) and kept; :func:`provision` makes the merchant part once. A server is then pointed
at ``DIR/merchant`` and the simulator's URL: the same settings as for the real provider.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from fees.wechatpay import credentials as layout
from fees.wechatpay.credentials import MerchantCredentials, load_credentials
from fees.wechatpay.crypto import certificate_serial, load_certificate, load_private_key
from fees.wechatpay.errors import WechatPayError

__all__ = ["SimulatorKeys", "ensure_platform", "load_simulator_keys", "provision"]

PLATFORM_DIR = "platform"
MERCHANT_DIR = "merchant"
_CERT_DAYS = 5 * 365


@dataclass(frozen=True, slots=True)
class SimulatorKeys:
    mchid: str
    appid: str
    platform_key: rsa.RSAPrivateKey = field(repr=False)
    platform_serial: str
    platform_cert_pem: bytes
    apiv3_key: bytes = field(repr=False)
    merchant_keys: dict[str, rsa.RSAPublicKey] = field(repr=False)
    """Merchant API certificate serial → its public key (checks ``Authorization``)."""


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)


def _new_key_and_certificate(common_name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tingshen WeChat Pay simulator"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=_CERT_DAYS))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def ensure_platform(directory: Path) -> None:
    """Make the platform key, certificate and APIv3 key unless they exist."""
    platform = directory / PLATFORM_DIR
    if not (platform / "platform_key.pem").exists():
        key, certificate = _new_key_and_certificate("WeChat Pay simulated platform")
        platform.mkdir(parents=True, exist_ok=True)
        (platform / "platform_cert.pem").write_bytes(
            certificate.public_bytes(serialization.Encoding.PEM)
        )
        _write_private(platform / "platform_key.pem", _pem_key(key))
    if not (platform / "apiv3_key").exists():
        alphabet = string.ascii_letters + string.digits
        _write_private(
            platform / "apiv3_key", "".join(secrets.choice(alphabet) for _ in range(32)).encode()
        )


def provision(directory: Path, mchid: str, appid: str) -> MerchantCredentials:
    """Make (once) the simulator's platform keys and a merchant's key pair and certificate, and
    write the merchant's credentials to ``directory/merchant`` (see the module docstring).
    Calling it again keeps existing keys, so a server and a running simulator stay in step."""
    ensure_platform(directory)
    merchant = directory / MERCHANT_DIR
    platform = directory / PLATFORM_DIR
    if not (merchant / layout.PRIVATE_KEY_FILE).exists():
        key, certificate = _new_key_and_certificate(f"{mchid} merchant API certificate")
        merchant.mkdir(parents=True, exist_ok=True)
        (merchant / layout.CERTIFICATE_FILE).write_bytes(
            certificate.public_bytes(serialization.Encoding.PEM)
        )
        _write_private(merchant / layout.PRIVATE_KEY_FILE, _pem_key(key))
    merchant_serial = certificate_serial(
        load_certificate((merchant / layout.CERTIFICATE_FILE).read_bytes())
    )
    (merchant / layout.MERCHANT_FILE).write_text(
        json.dumps({"mchid": mchid, "appid": appid, "merchant_serial": merchant_serial}, indent=2)
    )
    _write_private(merchant / layout.APIV3_KEY_FILE, (platform / "apiv3_key").read_bytes())
    platform_pem = (platform / "platform_cert.pem").read_bytes()
    serial = certificate_serial(load_certificate(platform_pem))
    (merchant / layout.PLATFORM_DIR).mkdir(exist_ok=True)
    (merchant / layout.PLATFORM_DIR / f"{serial}.pem").write_bytes(platform_pem)
    return load_credentials(merchant)


def load_simulator_keys(directory: Path) -> SimulatorKeys:
    """The platform keys (made on first use) and the provisioned merchant's public key."""
    ensure_platform(directory)
    platform = directory / PLATFORM_DIR
    merchant = directory / MERCHANT_DIR
    try:
        info = json.loads((merchant / layout.MERCHANT_FILE).read_text())
        merchant_cert = load_certificate((merchant / layout.CERTIFICATE_FILE).read_bytes())
    except (OSError, ValueError) as exc:
        raise WechatPayError(
            f"no merchant in {merchant} ({exc}); call fees.wechatpay.simulator.keys.provision"
        ) from exc
    merchant_key = merchant_cert.public_key()
    if not isinstance(merchant_key, rsa.RSAPublicKey):
        raise WechatPayError("the merchant certificate's key is not RSA")
    platform_pem = (platform / "platform_cert.pem").read_bytes()
    return SimulatorKeys(
        mchid=str(info["mchid"]),
        appid=str(info["appid"]),
        platform_key=load_private_key((platform / "platform_key.pem").read_bytes()),
        platform_serial=certificate_serial(load_certificate(platform_pem)),
        platform_cert_pem=platform_pem,
        apiv3_key=(platform / "apiv3_key").read_bytes().strip(),
        merchant_keys={certificate_serial(merchant_cert): merchant_key},
    )
