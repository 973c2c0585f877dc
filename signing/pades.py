"""PAdES signatures in two steps, so that a party's key can stay in the browser.

    prepared = prepare_signature(pdf, "sig-plaintiff", cert, chain, appearance, font=font)
    store(prepared.to_bytes())                      # the server may restart here
    browser: signature = crypto.subtle.sign({name: "ECDSA", hash: "SHA-256"}, key,
                                            prepared.to_be_signed)      # IEEE P1363 r||s
    signed_pdf = finish_signature(PreparedSignature.from_bytes(stored), signature, timestamper)

``prepare_signature`` lets pyHanko (interrupted signing) add the signature dictionary, the
visible appearance and a placeholder as one incremental update, digests the byte range, and
builds the CMS *signed attributes* (message digest, signing certificate v2, content type): their
DER is exactly what WebCrypto's ECDSA-with-SHA-256 signs. ``finish_signature`` checks the value
against the certificate (a bad value is refused before it can be embedded), lets pyHanko build
the CMS SignedData with an RFC 3161 signature timestamp over that value, and fills the
placeholder. The court seal goes the same way in one call (:func:`sign_with_key`), or from a
file to a file (:func:`seal_file`: the document is never held in memory, for an archive's
e-volume of hundreds of scanned pages).

``keep_pdf_1_7``: pyHanko marks a document signed with an ECDSA P-256 (or Ed25519) key as PDF 2.0
(the catalog's ``/Version`` and the ISO 32002 extension: PDF 2.0 is where those curves are
named). A PDF/A-2 file must stay PDF 1.7 (ISO 19005-2 is based on ISO 32000-1), where a PAdES
signature is declared by the ESIC extension alone and ECDSA comes in through CAdES (ETSI EN
319 142-1); with the flag only that is written, and a document already past 1.7 is refused.

pyHanko is asynchronous inside; these functions are synchronous (``asyncio.run``) and CPU-bound:
call them through ``asyncio.to_thread`` from the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from asn1crypto import cms as asn1_cms  # type: ignore[import-untyped, unused-ignore]
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import constants
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.appearance import SignatureAppearance, render_appearance_pdf, stamp_style
from signing.errors import SigningError
from signing.pades_values import SignatureValueError, check_signature_value, sign_bytes

__all__ = [
    "BYTES_RESERVED",
    "PreparedSignature",
    "SignatureFieldError",
    "SignatureValueError",
    "finish_signature",
    "prepare_signature",
    "seal_file",
    "sign_with_key",
]

# Hex characters reserved for the CMS container (two per DER byte). With the court's P-256 chain,
# signer cert + issuing CA + root + an RFC 3161 token carrying the TSA's chain measured 4.5 KB of
# DER; 12 KiB of room leaves enough for RSA-4096 chains without padding every signature by 30 KB.
BYTES_RESERVED = 24576
STATE_FORMAT = "tingshen.prepared-signature/1"


@dataclass(frozen=True)
class PreparedSignature:
    """Everything needed to finish one signature; serialisable, so a restart loses nothing."""

    field_name: str
    pdf: bytes  # the document in its final pre-signing state, with the placeholder
    document_digest: bytes
    reserved_region_start: int
    reserved_region_end: int
    signed_attrs: bytes  # DER of the SET OF signed attributes
    signer_cert: bytes  # DER
    chain: tuple[bytes, ...]  # DER, issuing CA(s) and root

    @property
    def to_be_signed(self) -> bytes:
        """The bytes the browser signs (WebCrypto hashes them with SHA-256 itself)."""
        return self.signed_attrs

    def to_bytes(self) -> bytes:
        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode("ascii")

        return json.dumps(
            {
                "format": STATE_FORMAT,
                "field_name": self.field_name,
                "pdf": b64(self.pdf),
                "document_digest": b64(self.document_digest),
                "reserved_region": [self.reserved_region_start, self.reserved_region_end],
                "signed_attrs": b64(self.signed_attrs),
                "signer_cert": b64(self.signer_cert),
                "chain": [b64(cert) for cert in self.chain],
            }
        ).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> PreparedSignature:
        state: dict[str, Any] = json.loads(data)
        if state.get("format") != STATE_FORMAT:
            raise ValueError("not a prepared signature state")
        start, end = state["reserved_region"]
        return cls(
            field_name=str(state["field_name"]),
            pdf=base64.b64decode(state["pdf"]),
            document_digest=base64.b64decode(state["document_digest"]),
            reserved_region_start=int(start),
            reserved_region_end=int(end),
            signed_attrs=base64.b64decode(state["signed_attrs"]),
            signer_cert=base64.b64decode(state["signer_cert"]),
            chain=tuple(base64.b64decode(cert) for cert in state["chain"]),
        )


class SignatureFieldError(SigningError, ValueError):
    """The field cannot take this signature: signed already, sealed document, or no such field."""


class _ClockedPdfSigner(signers.PdfSigner):
    """pyHanko takes the signing time from the system clock; the caller's clock rules here.
    With ``keep_pdf_1_7`` the document stays PDF 1.7 (module docstring)."""

    def __init__(self, *args: Any, now: datetime, keep_pdf_1_7: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._now = now
        self._keep_pdf_1_7 = keep_pdf_1_7

    def register_extensions(self, pdf_out: Any, *, md_algorithm: str) -> None:
        if not self._keep_pdf_1_7:
            super().register_extensions(pdf_out, md_algorithm=md_algorithm)
            return
        if pdf_out.output_version > (1, 7) or md_algorithm != "sha256":
            raise SignatureFieldError("the document cannot stay PDF 1.7 with this signature")
        pdf_out.ensure_output_version(version=(1, 7))
        pdf_out.register_extension(constants.ESIC_EXTENSION_1)

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._now
        return session


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def _check_not_sealed(reader: PdfFileReader) -> None:
    """A signed field whose lock says "no changes" (the seal) closes the document for good.

    pyHanko refuses to sign after a DocMDP certification only; a field lock with ``/P 1`` is
    checked here, so the server cannot produce a file that verification would reject.
    """
    for name, _value, ref in fields.enumerate_sig_fields(reader, filled_status=True):
        lock = ref.get_object().get("/Lock")
        if lock is not None and lock.get_object().get("/P") == 1:
            raise SignatureFieldError(f"the document is sealed by {name!r}: no further signatures")


def _field_box(reader: PdfFileReader, field_name: str) -> tuple[float, float, float, float] | None:
    for name, value, _ref in fields.enumerate_sig_fields(reader, with_name=field_name):
        if name == field_name:
            if value is not None:
                raise SignatureFieldError(f"signature field {field_name!r} is already signed")
            field = _ref.get_object()
            widget = field if "/Rect" in field else field["/Kids"][0].get_object()
            x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
            return x1, y1, x2, y2
    return None


@dataclass(frozen=True)
class _Digested:
    digest: PreparedByteRangeDigest
    signed_attrs: bytes
    output: IO[bytes]


async def _digest(
    source: BinaryIO,
    output: BinaryIO | None,
    field_name: str,
    signer_cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    appearance: SignatureAppearance,
    font: Path,
    now: datetime,
    keep_pdf_1_7: bool = False,
) -> _Digested:
    """The document with the placeholder written to ``output`` (``None``: to memory), its
    byte-range digest and the signed attributes to sign."""
    writer = IncrementalPdfFileWriter(source)
    _check_not_sealed(writer.prev)
    box = _field_box(writer.prev, field_name)
    new_field = None
    if box is None:
        if appearance.box is None:
            raise SignatureFieldError(f"no field {field_name!r} and no box to create it")
        x1, y1, x2, y2 = (float(v) for v in appearance.box)
        new_field = fields.SigFieldSpec(
            sig_field_name=field_name, on_page=appearance.page, box=appearance.box
        )
    else:
        x1, y1, x2, y2 = box
    picture = render_appearance_pdf(
        appearance, now, width=abs(x2 - x1), height=abs(y2 - y1), font=font
    )
    cert = _asn1(signer_cert)
    registry = SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
        [_asn1(c) for c in chain]
    )
    external = signers.ExternalSigner(cert, registry, signature_value=bytes(72))
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=appearance.reason,
        location=appearance.location,
        name=appearance.name,
        # Only used where the field's lock asks for DocMDP (the seal); it must say "no changes".
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    pdf_signer = _ClockedPdfSigner(
        meta, external, stamp_style=stamp_style(picture), new_field_spec=new_field, now=now,
        keep_pdf_1_7=keep_pdf_1_7,
    )  # fmt: skip
    digest, _tbs, written = await pdf_signer.async_digest_doc_for_signing(
        writer, bytes_reserved=BYTES_RESERVED, output=output
    )
    signed_attrs = await external.signed_attrs(digest.document_digest, "sha256", use_pades=True)
    return _Digested(digest, signed_attrs.dump(), written)


async def _prepare(
    pdf: bytes,
    field_name: str,
    signer_cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    appearance: SignatureAppearance,
    font: Path,
    now: datetime,
) -> PreparedSignature:
    done = await _digest(
        io.BytesIO(pdf), None, field_name, signer_cert, chain, appearance, font, now
    )
    return PreparedSignature(
        field_name=field_name,
        pdf=cast(io.BytesIO, done.output).getvalue(),
        document_digest=done.digest.document_digest,
        reserved_region_start=done.digest.reserved_region_start,
        reserved_region_end=done.digest.reserved_region_end,
        signed_attrs=done.signed_attrs,
        signer_cert=signer_cert.public_bytes(Encoding.DER),
        chain=tuple(c.public_bytes(Encoding.DER) for c in chain),
    )


def prepare_signature(
    pdf_bytes: bytes,
    field_name: str,
    signer_cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    appearance: SignatureAppearance,
    *,
    font: Path,
    now: datetime | None = None,
) -> PreparedSignature:
    """Add the signature's placeholder and appearance; return the state and the bytes to sign."""
    when = now if now is not None else datetime.now(UTC)
    return asyncio.run(_prepare(pdf_bytes, field_name, signer_cert, chain, appearance, font, when))


async def _fill(
    output: IO[bytes],
    digest: PreparedByteRangeDigest,
    signed_attrs: bytes,
    signer_cert: bytes,
    chain: Sequence[bytes],
    signature_der: bytes,
    timestamper: TimeStamper | None,
) -> None:
    """The CMS SignedData (with its timestamp) written into ``output``'s placeholder."""
    cert = asn1_x509.Certificate.load(signer_cert)
    registry = SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
        [asn1_x509.Certificate.load(c) for c in chain]
    )
    external = signers.ExternalSigner(cert, registry, signature_value=signature_der)
    attrs = asn1_cms.CMSAttributes.load(signed_attrs)
    digests = [a["values"][0].native for a in attrs if a["type"].native == "message_digest"]
    if digests != [digest.document_digest]:
        raise ValueError("prepared state is inconsistent: signed digest is not the document's")
    signed_data = await external.async_sign_prescribed_attributes(
        "sha256", signed_attrs=attrs, timestamper=timestamper
    )
    await PdfTBSDocument.async_finish_signing(output, digest, signed_data)


async def _finish(
    prepared: PreparedSignature, signature_der: bytes, timestamper: TimeStamper | None
) -> bytes:
    output = io.BytesIO(prepared.pdf)
    digest = PreparedByteRangeDigest(
        document_digest=prepared.document_digest,
        reserved_region_start=prepared.reserved_region_start,
        reserved_region_end=prepared.reserved_region_end,
    )
    await _fill(
        output, digest, prepared.signed_attrs, prepared.signer_cert, prepared.chain,
        signature_der, timestamper,
    )  # fmt: skip
    return output.getvalue()


def finish_signature(
    prepared: PreparedSignature, signature_value: bytes, timestamper: TimeStamper | None
) -> bytes:
    """Embed a signature value (P1363 ``r||s`` from WebCrypto, or DER) and its timestamp.

    Raises :class:`SignatureValueError` when the value does not verify with the signer's
    certificate over :attr:`PreparedSignature.to_be_signed`; nothing is embedded then.
    """
    signer_cert = x509.load_der_x509_certificate(prepared.signer_cert)
    der = check_signature_value(signer_cert, prepared.to_be_signed, signature_value)
    return asyncio.run(_finish(prepared, der, timestamper))


def sign_with_key(
    pdf_bytes: bytes,
    field_name: str,
    cert: x509.Certificate,
    key: CertificateIssuerPrivateKeyTypes,
    chain: Sequence[x509.Certificate],
    appearance: SignatureAppearance,
    timestamper: TimeStamper | None,
    *,
    font: Path,
    now: datetime | None = None,
) -> bytes:
    """Sign on the server (the court seal): the same two steps with a key held here."""
    prepared = prepare_signature(pdf_bytes, field_name, cert, chain, appearance, font=font, now=now)
    return finish_signature(prepared, sign_bytes(key, prepared.to_be_signed), timestamper)


def seal_file(
    source: Path,
    target: Path,
    field_name: str,
    cert: x509.Certificate,
    key: CertificateIssuerPrivateKeyTypes,
    chain: Sequence[x509.Certificate],
    appearance: SignatureAppearance,
    timestamper: TimeStamper | None,
    *,
    font: Path,
    now: datetime | None = None,
    keep_pdf_1_7: bool = False,
) -> None:
    """:func:`sign_with_key` from the file ``source`` to the file ``target``: pyHanko reads the
    document where it is, copies it into ``target`` in chunks, digests the byte range from there
    and writes the signature into its placeholder, so memory does not grow with the document."""
    when = now if now is not None else datetime.now(UTC)
    der_chain = [c.public_bytes(Encoding.DER) for c in chain]

    async def run(document: BinaryIO, output: BinaryIO) -> None:
        done = await _digest(
            document, output, field_name, cert, chain, appearance, font, when, keep_pdf_1_7
        )
        if done.output is not output:  # pyHanko wrote to memory: the target is not usable
            raise ValueError("the target must be a readable, writable, seekable file")
        value = check_signature_value(cert, done.signed_attrs, sign_bytes(key, done.signed_attrs))
        await _fill(
            output, done.digest, done.signed_attrs, cert.public_bytes(Encoding.DER), der_chain,
            value, timestamper,
        )  # fmt: skip

    with source.open("rb") as document, target.open("w+b") as output:
        asyncio.run(run(document, output))
