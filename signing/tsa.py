"""The court's RFC 3161 timestamp authority, and a pyHanko ``TimeStamper`` that calls it in-process.

Why our own TSA: a signature's time must be attested by someone other than the signer, and a court
cannot depend on a commercial TSA being reachable during a hearing. The TSA key is certified by
the court's issuing CA with the critical ``timeStamping`` extended key usage (:mod:`signing.ca`).

:meth:`TimeStampAuthority.respond` takes and returns DER, so the HTTP endpoint
(``application/timestamp-query``) and the in-process :class:`InProcessTimeStamper` run exactly the
same code. It never raises for bad input: an undecodable or unacceptable request gets a
``rejection`` response with a ``failInfo`` (RFC 3161 section 2.4.2); a TSA that cannot allocate a
serial answers ``systemFailure``.

Serial numbers must be unique for the TSA's lifetime; they come from a
:class:`~signing.tsa_serials.SerialSource` (:mod:`signing.tsa_serials`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any, Literal

from asn1crypto import algos, cms, core, tsp  # type: ignore[import-untyped, unused-ignore]
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.timestamps.api import TimeStamper

from signing.errors import TimestampAuthorityError
from signing.tsa_serials import FileSerialSource, MemorySerialSource, SerialSource

__all__ = [
    "DEFAULT_POLICY_OID",
    "FailInfo",
    "FileSerialSource",
    "InProcessTimeStamper",
    "MemorySerialSource",
    "SerialSource",
    "TimeStampAuthority",
]

logger = logging.getLogger(__name__)

#: Placeholder policy OID (under the documentation arc 2.999); a court deploying this registers
#: its own TSA policy and passes it in.
DEFAULT_POLICY_OID = "2.999.3161.1"
#: The message imprints accepted, with their digest lengths in bytes.
IMPRINT_DIGEST_BYTES = {"sha256": 32, "sha384": 48, "sha512": 64}


#: RFC 3161 failInfo bits, by asn1crypto's names (which silently drops a name it does not know).
FailInfo = Literal[
    "bad_alg", "bad_request", "bad_data_format", "unaccepted_policy", "unaccepted_extensions",
    "system_failure",
]  # fmt: skip


class _RejectedError(Exception):
    def __init__(self, fail_info: FailInfo, text: str) -> None:
        super().__init__(text)
        self.fail_info = fail_info
        self.text = text


class TimeStampAuthority:
    """Answers RFC 3161 ``TimeStampReq`` with ``TimeStampResp``, signing with ECDSA P-256."""

    def __init__(
        self,
        cert: x509.Certificate,
        key: ec.EllipticCurvePrivateKey,
        chain: Sequence[x509.Certificate],
        serials: SerialSource,
        clock: Callable[[], dt.datetime],
        policy_oid: str = DEFAULT_POLICY_OID,
        *,
        accuracy_ms: int | None = 1000,
    ) -> None:
        _check_tsa_certificate(cert, key)
        self._cert = _to_asn1(cert)
        self._key = key
        # The outer layers (SignedData, ContentInfo, TimeStampResp) are assembled from DER
        # pieces: asn1crypto deep-copies and re-encodes every certificate it has to re-tag,
        # which made a token cost ~10 ms of CPU instead of well under one.
        certificates = sorted(_der_of(c) for c in [cert, *chain])  # DER sorts a SET OF
        self._certificates_der = _tlv(0xA0, b"".join(certificates))  # [0] IMPLICIT SET OF
        self._signing_certificate = _attribute(
            "signing_certificate_v2", as_signing_certificate_v2(self._cert)
        ).dump()
        self._sid = cms.IssuerAndSerialNumber(
            {"issuer": self._cert.issuer, "serial_number": self._cert.serial_number}
        ).dump()
        self._serials = serials
        self._clock = clock
        self._policy = policy_oid
        self._accuracy_ms = accuracy_ms

    def respond(self, request_der: bytes) -> bytes:
        """The DER ``TimeStampResp`` for a DER ``TimeStampReq``; never raises for bad input."""
        try:
            request = _parse_request(request_der, self._policy)
            serial = self._serials.next_serial()
            token = self._token(request, serial)
        except _RejectedError as rejected:
            return _rejection(rejected.fail_info, rejected.text)
        except Exception:  # the TSA itself is broken: the client still gets a status
            logger.exception("timestamp authority failed to issue a token")
            return _rejection("system_failure", "timestamp authority unavailable")
        return _tlv(0x30, _GRANTED + token)

    def _token(self, request: tsp.TimeStampReq, serial: int) -> bytes:
        """The DER ContentInfo of the SignedData over a fresh TSTInfo."""
        now = self._clock()
        if now.tzinfo is None:  # a naive time would silently be taken as the host's local time
            raise TimestampAuthorityError("the TSA clock must return timezone-aware times")
        now = now.astimezone(dt.UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # millisecond precision
        info: dict[str, Any] = {
            "version": "v1",
            "policy": self._policy,
            "message_imprint": request["message_imprint"],
            "serial_number": serial,
            "gen_time": now,
            "tsa": asn1_x509.GeneralName(name="directory_name", value=self._cert.subject),
        }
        if self._accuracy_ms is not None:
            seconds, millis = divmod(self._accuracy_ms, 1000)
            info["accuracy"] = {"seconds": seconds or None, "millis": millis or None}
        if request["nonce"].native is not None:
            info["nonce"] = request["nonce"]
        tst_info = tsp.TSTInfo(info).dump()
        digest = hashes.Hash(hashes.SHA256())
        digest.update(tst_info)
        attributes = [
            _attribute("content_type", "tst_info").dump(),
            _attribute("signing_time", cms.Time({"utc_time": core.UTCTime(now)})).dump(),
            self._signing_certificate,
            _attribute("message_digest", digest.finalize()).dump(),
        ]
        signed_attrs = b"".join(sorted(attributes))  # DER orders a SET OF by encoding
        signature = self._key.sign(_tlv(0x31, signed_attrs), ec.ECDSA(hashes.SHA256()))
        signer_info = _tlv(
            0x30,
            _VERSION_1
            + self._sid
            + _SHA256
            + _tlv(0xA0, signed_attrs)  # [0] IMPLICIT SET OF Attribute
            + _ECDSA_SHA256
            + _tlv(0x04, signature),
        )
        encapsulated = _tlv(0x30, _TST_INFO_OID + _tlv(0xA0, _tlv(0x04, tst_info)))
        signed_data = _tlv(
            0x30,
            _VERSION_3
            + _tlv(0x31, _SHA256)
            + encapsulated
            + (self._certificates_der if request["cert_req"].native else b"")
            + _tlv(0x31, signer_info),
        )
        return _tlv(0x30, _SIGNED_DATA_OID + _tlv(0xA0, signed_data))


class InProcessTimeStamper(TimeStamper):
    """pyHanko ``TimeStamper`` that obtains tokens from a :class:`TimeStampAuthority` directly.

    The request goes through :meth:`TimeStampAuthority.respond` as DER, like over HTTP, and
    runs in a worker thread because the serial source may fsync.
    """

    def __init__(self, authority: TimeStampAuthority, include_nonce: bool = True) -> None:
        super().__init__(include_nonce=include_nonce)  # type: ignore[no-untyped-call]
        self._authority = authority

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> _TimeStampResp:
        response_der = await asyncio.to_thread(self._authority.respond, req.dump())
        # pyHanko only indexes "status" and "time_stamp_token": our class parses rejections too.
        response: _TimeStampResp = _TimeStampResp.load(response_der)
        return response


# ---------------------------------------------------------------------- request parsing
def _parse_request(request_der: bytes, policy_oid: str) -> tsp.TimeStampReq:
    """Decode and check a request completely (asn1crypto parses lazily), or raise _RejectedError."""
    try:
        request = tsp.TimeStampReq.load(request_der, strict=True)
        request.native  # noqa: B018  # forces every nested value to decode now
        if request.dump(force=True) != request_der:
            raise ValueError("not DER")
    except Exception as exc:  # asn1crypto raises ValueError, TypeError, KeyError, ...
        raise _RejectedError(
            "bad_data_format", f"undecodable TimeStampReq: {type(exc).__name__}"
        ) from None
    if request["version"].native != "v1":
        raise _RejectedError("bad_request", "only TimeStampReq version 1 is supported")
    imprint = request["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in IMPRINT_DIGEST_BYTES:
        raise _RejectedError("bad_alg", f"message imprint algorithm {algorithm} is not accepted")
    if imprint["hash_algorithm"]["parameters"].native is not None:
        raise _RejectedError("bad_alg", "digest algorithm parameters must be absent")
    if len(imprint["hashed_message"].native) != IMPRINT_DIGEST_BYTES[algorithm]:
        raise _RejectedError("bad_data_format", f"message imprint is not a {algorithm} digest")
    policy = request["req_policy"].native
    if policy is not None and policy != policy_oid:
        raise _RejectedError("unaccepted_policy", f"policy {policy} is not this TSA's")
    if request["extensions"].native:
        raise _RejectedError("unaccepted_extensions", "no request extensions are supported")
    return request


class _TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161's TimeStampResp; asn1crypto 1.5 forgets that the token is OPTIONAL."""

    _fields = [  # noqa: RUF012  # asn1crypto's declaration style
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def _attribute(name: str, value: object) -> Any:
    return simple_cms_attribute(name, value)  # type: ignore[no-untyped-call]


def _rejection(fail_info: FailInfo, text: str) -> bytes:
    status = tsp.PKIStatusInfo({
        "status": "rejection",
        "status_string": [text],
        "fail_info": tsp.PKIFailureInfo({fail_info}),
    })  # fmt: skip
    return bytes(_TimeStampResp({"status": status}).dump())


# ---------------------------------------------------------------------- configuration
def _tlv(tag: int, contents: bytes) -> bytes:
    """One DER element (definite, minimal length)."""
    length = len(contents)
    if length < 0x80:
        return bytes([tag, length]) + contents
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + contents


def _der_of(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


_SHA256 = bytes(algos.DigestAlgorithm({"algorithm": "sha256"}).dump())
_ECDSA_SHA256 = bytes(algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}).dump())
_VERSION_1 = bytes(core.Integer(1).dump())
_VERSION_3 = bytes(core.Integer(3).dump())
_TST_INFO_OID = bytes(cms.ContentType("tst_info").dump())
_SIGNED_DATA_OID = bytes(cms.ContentType("signed_data").dump())
_GRANTED = bytes(tsp.PKIStatusInfo({"status": "granted"}).dump())


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(_der_of(cert))


def _check_tsa_certificate(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
    """Refuse to start with a certificate verifiers would reject (RFC 3161 section 2.3)."""
    if not isinstance(key.curve, ec.SECP256R1):
        raise TimestampAuthorityError("the TSA key must be ECDSA P-256")
    if cert.public_key() != key.public_key():
        raise TimestampAuthorityError("the TSA key does not match its certificate")
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        raise TimestampAuthorityError("TSA certificate has no extended key usage") from None
    if list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING] or not eku.critical:
        raise TimestampAuthorityError("TSA certificate needs the sole, critical timeStamping EKU")
