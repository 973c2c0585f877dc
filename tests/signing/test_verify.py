"""verify_pdf on untouched files: what it lists, which inputs it checks, what it never does."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from signing.ca import CourtCA
from signing.verify import verify_pdf
from signing.verify_report import ProblemCode, RecordingStatus
from tests.signing.conftest import PARTY_SIGNERS, SignedTranscript, render_test_transcript


def test_every_intermediate_state_verifies_apart_from_its_empty_slots(
    signed_transcript: SignedTranscript,
) -> None:
    """Each signature followed only by later signatures is fine; the missing ones are named."""
    fields = [f for f, _, _ in PARTY_SIGNERS] + ["sig-seal"]
    for count, pdf in enumerate(signed_transcript.revisions, start=1):
        report = verify_pdf(pdf, [signed_transcript.ca.root])
        assert [s.field_name for s in report.signers] == fields[:count]
        assert all(s.intact and s.signature_valid and s.trusted for s in report.signers)
        assert set(report.unsigned_fields) == set(fields[count:])
        if count < len(fields):
            assert report.codes() == {ProblemCode.UNSIGNED_FIELD} and not report.valid
        else:
            assert report.valid


def test_remains_valid_after_the_signer_certificates_expire(
    signed_transcript: SignedTranscript,
) -> None:
    """Chains are validated at the TSA's time: years later the record still verifies."""
    later = signed_transcript.clock.now + dt.timedelta(days=3 * 365)
    assert later > signed_transcript.certs["sig-plaintiff"].not_valid_after_utc
    report = verify_pdf(signed_transcript.signed, [signed_transcript.ca.root], now=later)
    assert report.valid, report.problems


@pytest.mark.parametrize(
    "change",
    ["digest differs", "extra file"],
)
def test_recordings_given_must_match_the_binding(
    signed_transcript: SignedTranscript, change: str
) -> None:
    recordings = dict(signed_transcript.recording_digests)
    name = sorted(recordings)[0]
    if change == "digest differs":
        recordings[name] = "00" * 32
    else:
        recordings["extra.flac"] = "11" * 32
    report = verify_pdf(
        signed_transcript.signed, [signed_transcript.ca.root], recordings=recordings
    )
    assert report.codes() == {ProblemCode.RECORDING_MISMATCH}
    assert not report.valid


def test_a_recording_not_given_is_not_checked_rather_than_altered(
    signed_transcript: SignedTranscript,
) -> None:
    recordings = dict(signed_transcript.recording_digests)
    assert len(recordings) >= 2
    given_name, *missing = sorted(recordings)
    report = verify_pdf(
        signed_transcript.signed,
        [signed_transcript.ca.root],
        recordings={given_name: recordings[given_name]},
    )
    assert report.valid, report.problems
    statuses = {check.name: check.status for check in report.recording_checks}
    assert statuses == {
        given_name: RecordingStatus.MATCHES,
        **{name: RecordingStatus.NOT_CHECKED for name in missing},
    }
    nothing = verify_pdf(signed_transcript.signed, [signed_transcript.ca.root])
    assert nothing.valid
    assert {c.status for c in nothing.recording_checks} == {RecordingStatus.NOT_CHECKED}


def test_recording_digests_compare_case_insensitively(signed_transcript: SignedTranscript) -> None:
    upper = {k: v.upper() for k, v in signed_transcript.recording_digests.items()}
    assert verify_pdf(signed_transcript.signed, [signed_transcript.ca.root], recordings=upper).valid


def test_another_courts_root_trusts_nothing(
    signed_transcript: SignedTranscript, court_ca: CourtCA
) -> None:
    report = verify_pdf(signed_transcript.signed, [court_ca.root])
    assert ProblemCode.UNTRUSTED_CHAIN in report.codes()
    assert ProblemCode.TIMESTAMP_UNTRUSTED in report.codes()
    assert all(not s.trusted for s in report.signers)


def test_not_a_pdf_and_an_unsigned_pdf(signed_transcript: SignedTranscript) -> None:
    report = verify_pdf(b"hello, not a PDF", [signed_transcript.ca.root])
    assert report.codes() == {ProblemCode.UNREADABLE} and not report.valid
    unsigned = verify_pdf(
        render_test_transcript(signed_transcript.font, 1), [signed_transcript.ca.root]
    )
    assert unsigned.codes() == {ProblemCode.NO_SIGNATURES} and not unsigned.valid


def test_report_serialises_to_json(signed_transcript: SignedTranscript) -> None:
    report = verify_pdf(signed_transcript.signed, [signed_transcript.ca.root])
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["valid"] is True
    assert data["signers"][0]["name"] == "张三"
    assert data["binding"]["transcript_version"] == 7
    assert dt.datetime.fromisoformat(data["signers"][0]["timestamp_time"]).tzinfo is not None
