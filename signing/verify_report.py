"""What verification found: every signer, the record binding, and named problems.

A report is data, not a boolean: the verification page and ``tingshen verify`` show the same
facts, and tests assert on problem *codes* (stable) rather than messages (for people, and free
to improve). The verdict is valid only when there is no problem at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from signing.binding import RecordBinding

__all__ = [
    "Problem",
    "ProblemCode",
    "RecordingCheck",
    "RecordingStatus",
    "SignerReport",
    "VerificationReport",
]


class ProblemCode(StrEnum):
    UNREADABLE = "unreadable"  # the file does not parse as a PDF, or a signature not at all
    NO_SIGNATURES = "no_signatures"
    BYTES_ALTERED = "bytes_altered"  # the digest over the byte range does not match
    SIGNATURE_INVALID = "signature_invalid"  # the signature value does not verify
    BYTE_RANGE = "byte_range"  # the byte range does not cover its revision / the file
    UNTRUSTED_CHAIN = "untrusted_chain"  # no path to a trust root
    CERTIFICATE_NOT_VALID = "certificate_not_valid"  # expired, not yet valid, wrong key usage
    TIMESTAMP_MISSING = "timestamp_missing"
    TIMESTAMP_MISMATCH = "timestamp_mismatch"  # the token is not over this signature, or broken
    TIMESTAMP_UNTRUSTED = "timestamp_untrusted"
    TIMESTAMP_TIME = "timestamp_time"  # implausible against the signing time or the order
    CHANGED_AFTER_SIGNATURE = "changed_after_signature"  # anything not a later signature
    TEXT_CHANGED = "text_changed"  # a page's content changed after a signature
    PAGES_CHANGED = "pages_changed"  # a page added or removed after a signature
    ANNOTATION_ADDED = "annotation_added"  # an annotation other than a signature widget
    SIGNATURE_REMOVED = "signature_removed"  # a field signed at this signature is empty now
    BINDING_CHANGED = "binding_changed"  # the record binding changed after a signature
    BINDING_MISSING = "binding_missing"  # no record binding under the first signature
    TRANSCRIPT_DIGEST = "transcript_digest"  # first revision is not the bound transcript
    RECORDING_MISMATCH = "recording_mismatch"  # given recordings differ from the binding
    UNSIGNED_FIELD = "unsigned_field"  # a signature slot of the signature page is empty


class RecordingStatus(StrEnum):
    """What became of one recording: a file not supplied is *not checked*, never "altered"."""

    MATCHES = "matches"  # supplied, and its SHA-256 is the bound one
    DIFFERS = "differs"  # supplied, and its SHA-256 is not the bound one (a problem)
    NOT_CHECKED = "not_checked"  # bound, but no file or digest was supplied (no problem)
    NOT_BOUND = "not_bound"  # supplied under a name the binding does not have (a problem)


@dataclass(frozen=True)
class RecordingCheck:
    name: str
    status: RecordingStatus


@dataclass(frozen=True)
class Problem:
    code: ProblemCode
    message: str
    signature: int | None = None  # 1-based position in signing order


@dataclass(frozen=True)
class SignerReport:
    index: int  # 1-based, in signing order
    field_name: str
    name: str  # subject common name
    role: str  # the certificate's title attribute, "-" if none
    subject: str
    signing_time: datetime | None  # as claimed by the signer (/M)
    timestamp_time: datetime | None  # attested by the TSA
    tsa: str | None
    chain: tuple[str, ...]  # signer first, root last
    intact: bool
    signature_valid: bool
    trusted: bool
    timestamp_ok: bool
    modification_level: str  # pyHanko's view of what changed after this signature
    covers_whole_file: bool
    locks_document: bool


@dataclass(frozen=True)
class VerificationReport:
    signers: tuple[SignerReport, ...]
    binding: RecordBinding | None
    problems: tuple[Problem, ...]
    unsigned_fields: tuple[str, ...] = field(default=())
    #: One entry per bound recording (in binding order), then any supplied but not bound.
    recording_checks: tuple[RecordingCheck, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return bool(self.signers) and not self.problems

    def codes(self) -> set[ProblemCode]:
        return {problem.code for problem in self.problems}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (times as ISO 8601)."""

        def convert(value: Any) -> Any:
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [convert(v) for v in value]
            return value

        result: dict[str, Any] = convert(asdict(self))
        result["valid"] = self.valid
        return result
