"""Verify a signed transcript: every signature, its timestamp, its chain, and what came after it.

    report = verify_pdf(pdf_bytes, [court_root], recordings={"mixed.ogg": "ab12…"})
    report.valid, report.signers, report.problems

Each signature is checked by pyHanko (digest over the byte range, signature value, chain to the
court's root, RFC 3161 signature timestamp, difference analysis of every later revision under
pyHanko's standard policy, which allows only later signatures and their appearances) and then
held to the court's stricter reading:

- the chain is validated at the time the TSA attested, not today, so a transcript stays
  verifiable after the signers' one-year certificates expire, while a certificate that had
  already expired when it signed fails;
- timestamps are checked against the signer's claimed time and against signing order;
- the last revision must be covered to the last byte (pyHanko accepts trailing bytes after the
  signed revision when they form no revision);
- the record binding must lie under the first signature, be unchanged since, match the first
  revision's SHA-256 and, when given, the recordings' digests: a recording that is given must
  match, one that is not given is reported *not checked* (the report's ``recording_checks``)
  and is no problem;
- every signature slot of the signature page must be filled: a copy with the later signatures
  cut off is an earlier state of the record, not the record.

pyHanko's synchronous validation runs its own event loop: from async code, call ``verify_pdf``
through ``asyncio.to_thread`` (it is CPU-bound anyway: about 0.3 s for a 5-signature transcript).
"""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from asn1crypto import cms as asn1_cms  # type: ignore[import-untyped, unused-ignore]
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from signing.binding import BindingError, RecordBinding, binding_from_root
from signing.verify_changes import describe_changes
from signing.verify_report import (
    Problem,
    ProblemCode,
    RecordingCheck,
    RecordingStatus,
    SignerReport,
    VerificationReport,
)

__all__ = ["verify_pdf"]

CLOCK_SKEW = timedelta(minutes=5)
# Between preparing a signature (the claimed signing time) and the browser's answer (the TSA's
# time) a party may take a while, and the state survives restarts; a day is generous.
MAX_SIGN_DELAY = timedelta(hours=24)


def _name(cert: x509.Certificate, oid: x509.ObjectIdentifier, default: str = "-") -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else default


def _label(cert: asn1_x509.Certificate) -> str:
    """``Tingshen Root CA (北京市朝阳区人民法院)``: common name and organisation."""
    subject = cert.subject.native
    name = str(subject.get("common_name") or cert.subject.human_friendly)
    organisation = subject.get("organization_name")
    return f"{name} ({organisation})" if organisation else name


def _crypto(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def _claimed_timestamp_time(signer_info: asn1_cms.SignerInfo) -> datetime | None:
    """The TSA time written in the token, before validation (to pick the validation moment)."""
    for attribute in signer_info["unsigned_attrs"] or ():
        if attribute["type"].native == "signature_time_stamp_token":
            token = attribute["values"][0]
            info = token["content"]["encap_content_info"]["content"].parsed
            gen_time: datetime = info["gen_time"].native
            return gen_time
    return None


def _first_revision_digests(pdf: bytes) -> set[str]:
    """SHA-256 of the bytes up to the first ``%%EOF`` (with or without its line end)."""
    end = pdf.find(b"%%EOF")
    if end < 0:
        return set()
    end += len(b"%%EOF")
    return {hashlib.sha256(pdf[: end + extra]).hexdigest() for extra in (0, 1, 2)}


def _validation_context(
    roots: Sequence[asn1_x509.Certificate], moment: datetime
) -> ValidationContext:
    return ValidationContext(
        trust_roots=list(roots), moment=moment, allow_fetching=False, revocation_mode="soft-fail"
    )


def _check_signature(
    index: int,
    embedded: EmbeddedPdfSignature,
    roots: Sequence[asn1_x509.Certificate],
    now: datetime,
    is_latest: bool,
    problems: list[Problem],
) -> SignerReport:
    def problem(code: ProblemCode, message: str) -> None:
        problems.append(
            Problem(code, f"signature {index} ({embedded.field_name}): {message}", index)
        )

    cert = _crypto(embedded.signer_cert)
    claimed_ts = _claimed_timestamp_time(embedded.signer_info)
    moment = claimed_ts or now
    status: PdfSignatureStatus = validate_pdf_signature(
        embedded,
        signer_validation_context=_validation_context(roots, moment),
        ts_validation_context=_validation_context(roots, moment),
    )
    if not status.intact:
        problem(ProblemCode.BYTES_ALTERED, "signed bytes altered (digest does not match)")
    elif not status.valid:
        problem(ProblemCode.SIGNATURE_INVALID, "signature value does not verify")
    coverage = status.coverage
    if coverage is None or coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        problem(ProblemCode.BYTE_RANGE, "byte range does not cover its revision")
    elif is_latest and coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problem(ProblemCode.BYTE_RANGE, "byte range does not cover the file (bytes appended)")
    if status.intact and status.valid and not status.trusted:  # else pyHanko skips the path
        if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
            problem(
                ProblemCode.CERTIFICATE_NOT_VALID,
                f"certificate not valid at {moment:%Y-%m-%d %H:%M} UTC",
            )
        else:
            problem(
                ProblemCode.UNTRUSTED_CHAIN, "certificate chain does not lead to the court root"
            )
    tst = status.timestamp_validity
    if tst is None:
        problem(ProblemCode.TIMESTAMP_MISSING, "no signature timestamp")
    elif not (tst.intact and tst.valid):
        problem(ProblemCode.TIMESTAMP_MISMATCH, "timestamp does not match the signature")
    elif not tst.trusted:
        problem(ProblemCode.TIMESTAMP_UNTRUSTED, "timestamp authority not trusted")
    else:
        claimed = status.signer_reported_dt
        if claimed is not None and not (
            claimed - CLOCK_SKEW <= tst.timestamp <= claimed + MAX_SIGN_DELAY
        ):
            problem(
                ProblemCode.TIMESTAMP_TIME,
                f"timestamp {tst.timestamp:%Y-%m-%d %H:%M} does not fit signing time"
                f" {claimed:%Y-%m-%d %H:%M}",
            )
    level = status.modification_level
    if (
        isinstance(status.diff_result, SuspiciousModification)
        or level is None
        or level > ModificationLevel.FORM_FILLING
        or status.docmdp_ok is False
    ):
        detail = str(status.diff_result or "unknown").splitlines()[0][:160]
        problem(ProblemCode.CHANGED_AFTER_SIGNATURE, f"document changed after signature: {detail}")
    for code, detail in describe_changes(embedded.reader, embedded.signed_revision):
        problem(code, f"{code.value.replace('_', ' ')} after signature: {detail}")
    path = status.validation_path
    chain = (
        tuple(reversed([_label(c) for c in path.iter_certs(include_root=True)]))
        if path is not None
        else (_label(embedded.signer_cert),)
    )
    return SignerReport(
        index=index,
        field_name=str(embedded.field_name),
        name=_name(cert, NameOID.COMMON_NAME),
        role=_name(cert, NameOID.TITLE),
        subject=cert.subject.rfc4514_string(),
        signing_time=status.signer_reported_dt,
        timestamp_time=tst.timestamp if tst is not None else None,
        tsa=_label(tst.signing_cert) if tst is not None else None,
        chain=chain,
        intact=status.intact,
        signature_valid=status.valid,
        trusted=status.trusted,
        timestamp_ok=tst is not None and tst.intact and tst.valid and tst.trusted,
        modification_level=level.name if level is not None else "UNKNOWN",
        covers_whole_file=coverage == SignatureCoverageLevel.ENTIRE_FILE,
        locks_document=embedded.fieldmdp is not None,
    )


def check_recordings(
    binding: RecordBinding, recordings: Mapping[str, str] | None
) -> list[RecordingCheck]:
    """Each bound recording: matches, differs, or not checked (not supplied); then the supplied
    names the binding does not have. Digests compare case-insensitively."""
    given = {name: digest.lower() for name, digest in (recordings or {}).items()}
    checks = []
    for recording in binding.recordings:
        digest = given.get(recording.name)
        if digest is None:
            status = RecordingStatus.NOT_CHECKED
        elif digest == recording.sha256.lower():
            status = RecordingStatus.MATCHES
        else:
            status = RecordingStatus.DIFFERS
        checks.append(RecordingCheck(recording.name, status))
    bound = {recording.name for recording in binding.recordings}
    checks.extend(
        RecordingCheck(name, RecordingStatus.NOT_BOUND)
        for name in sorted(given)
        if name not in bound
    )
    return checks


def _check_binding(
    reader: PdfFileReader,
    first: EmbeddedPdfSignature,
    pdf: bytes,
    recordings: Mapping[str, str] | None,
    problems: list[Problem],
    checks: list[RecordingCheck],
) -> RecordBinding | None:
    try:
        binding = binding_from_root(reader.get_historical_resolver(first.signed_revision).root)
    except BindingError as exc:
        problems.append(
            Problem(ProblemCode.BINDING_MISSING, f"no record binding under signature 1: {exc}")
        )
        return None
    if binding.transcript_sha256 not in _first_revision_digests(pdf):
        problems.append(
            Problem(ProblemCode.TRANSCRIPT_DIGEST, "first revision is not the bound transcript")
        )
    checks.extend(check_recordings(binding, recordings))
    wrong = [c.name for c in checks if c.status is RecordingStatus.DIFFERS]
    unbound = [c.name for c in checks if c.status is RecordingStatus.NOT_BOUND]
    if wrong or unbound:
        parts = ["recording digests differ from the binding: " + ", ".join(wrong)] if wrong else []
        if unbound:
            parts.append("recordings the binding does not name: " + ", ".join(unbound))
        problems.append(Problem(ProblemCode.RECORDING_MISMATCH, "; ".join(parts)))
    return binding


def verify_pdf(
    pdf_bytes: bytes,
    trust_roots: Sequence[x509.Certificate],
    *,
    recordings: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> VerificationReport:
    """Check everything; never raises for a bad file (that is a problem in the report)."""
    when = now or datetime.now(UTC)
    roots = [asn1_x509.Certificate.load(root.public_bytes(Encoding.DER)) for root in trust_roots]
    problems: list[Problem] = []
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = sorted(reader.embedded_regular_signatures, key=lambda s: s.signed_revision)
        unsigned = tuple(
            str(name) for name, _, _ in fields.enumerate_sig_fields(reader, filled_status=False)
        )
    except Exception as exc:  # any parser failure means the file is not what was signed
        return VerificationReport(
            (), None, (Problem(ProblemCode.UNREADABLE, f"file unreadable: {exc}"),)
        )
    if not embedded:
        problems.append(Problem(ProblemCode.NO_SIGNATURES, "no signatures"))
        return VerificationReport((), None, tuple(problems), unsigned)
    latest = reader.xrefs.total_revisions - 1
    signers: list[SignerReport] = []
    for index, signature in enumerate(embedded, start=1):
        try:
            signers.append(
                _check_signature(
                    index, signature, roots, when, signature.signed_revision == latest, problems
                )
            )
        except Exception as exc:  # pyHanko raises for structurally broken signatures
            problems.append(
                Problem(
                    ProblemCode.UNREADABLE, f"signature {index} cannot be validated: {exc}", index
                )
            )
    for earlier, later in itertools.pairwise(signers):
        if (
            earlier.timestamp_time
            and later.timestamp_time
            and later.timestamp_time < earlier.timestamp_time
        ):
            problems.append(
                Problem(
                    ProblemCode.TIMESTAMP_TIME,
                    f"signature {later.index} is timestamped before signature {earlier.index}",
                    later.index,
                )
            )
    checks: list[RecordingCheck] = []
    binding = _check_binding(reader, embedded[0], pdf_bytes, recordings, problems, checks)
    for name in unsigned:
        problems.append(
            Problem(ProblemCode.UNSIGNED_FIELD, f"signature field {name} is not signed")
        )
    return VerificationReport(tuple(signers), binding, tuple(problems), unsigned, tuple(checks))
