"""Who a signer certificate is for, and how that identity is written into the certificate.

The identity checked at the invitation goes into the certificate itself, so that a verifier can
show who signed in which hearing without the court's database: name (CN), role (title), court
(O), case number (OU), and, as ``urn:tingshen:`` URIs in the subject alternative name (percent-
encoded: URIs are ASCII), case number, hearing id and identity-check reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

from cryptography import x509
from cryptography.x509.oid import NameOID

from signing.errors import InvalidIdentityError

URN_PREFIX = "urn:tingshen:"
#: ASCII left as is in the URNs (RFC 8141 allows them raw). Why not percent-encode them too:
#: asn1crypto, pyHanko's ASN.1 library, decodes ``%3A`` and friends when it re-encodes a
#: certificate, which would change the signed bytes; with these raw, what we write is already
#: its normal form (tests/signing/test_ca.py checks the round trip). Non-ASCII, space and ``%``
#: are percent-encoded; ``?`` and ``#`` (no stable form) are refused in identity fields.
URN_SAFE = "!$&'()*+,;=:@/-._~"


@dataclass(frozen=True)
class SignerIdentity:
    """Who a signer certificate is for, as established by the invitation's identity check."""

    name: str
    role: str
    case_number: str
    hearing_id: str
    identity_check: str
    """Reference of the identity check (verified phone/email, ID-card check record, ...)."""

    def __post_init__(self) -> None:
        for field in ("name", "role", "case_number", "hearing_id", "identity_check"):
            value = getattr(self, field)
            if not value.strip() or len(value) > 64:
                raise InvalidIdentityError(f"{field} must be 1..64 characters, not {len(value)}")
            if "?" in value or "#" in value:
                raise InvalidIdentityError(f"{field} must not contain '?' or '#'")


def identity_uris(identity: SignerIdentity) -> list[x509.GeneralName]:
    """The subject alternative names carrying case, hearing and identity-check reference."""
    return [
        x509.UniformResourceIdentifier(_urn("case", identity.case_number)),
        x509.UniformResourceIdentifier(_urn("hearing", identity.hearing_id)),
        x509.UniformResourceIdentifier(_urn("identity-check", identity.identity_check)),
    ]


def identity_of(cert: x509.Certificate) -> SignerIdentity:
    """The :class:`SignerIdentity` a signer certificate was issued for."""
    subject = cert.subject

    def attr(oid: x509.ObjectIdentifier) -> str:
        values = subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    urns: dict[str, str] = {}
    try:
        uris = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        for uri in uris.get_values_for_type(x509.UniformResourceIdentifier):
            if uri.startswith(URN_PREFIX) and ":" in uri[len(URN_PREFIX) :]:
                kind, _, value = uri[len(URN_PREFIX) :].partition(":")
                urns[kind] = unquote(value)
    except x509.ExtensionNotFound:
        pass
    return SignerIdentity(
        name=attr(NameOID.COMMON_NAME),
        role=attr(NameOID.TITLE) or "-",
        case_number=urns.get("case") or attr(NameOID.ORGANIZATIONAL_UNIT_NAME) or "-",
        hearing_id=urns.get("hearing", "-"),
        identity_check=urns.get("identity-check", "-"),
    )


def _urn(kind: str, value: str) -> str:
    return f"{URN_PREFIX}{kind}:{quote(value, safe=URN_SAFE)}"
