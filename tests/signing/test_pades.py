"""PAdES signing: the document prepared for signing, the browser's two-step flow, the seal."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pypdfium2 as pdfium
import pytest
from asn1crypto import cms as asn1_cms  # type: ignore[import-untyped, unused-ignore]
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from signing.appearance import SignatureAppearance
from signing.binding import (
    BindingError,
    RecordBinding,
    RecordingDigest,
    canonical_json,
    parse_binding,
    read_binding,
)
from signing.pades import PreparedSignature, finish_signature, prepare_signature
from signing.pades_document import SignerSlot, prepare_document
from signing.pades_values import SignatureValueError
from signing.verify import verify_pdf
from signing.verify_report import ProblemCode
from tests.signing.conftest import (
    CASE_NUMBER,
    HEARING_ID,
    PARTY_SIGNERS,
    RECORDINGS,
    SignedTranscript,
    p1363,
)


def _last_page_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return str(document[len(document) - 1].get_textpage().get_text_range())
    finally:
        document.close()


def test_binding_is_embedded_before_any_signature(signed_transcript: SignedTranscript) -> None:
    binding = read_binding(signed_transcript.prepared_document)
    assert binding.hearing_id == HEARING_ID
    assert binding.case_number == CASE_NUMBER
    assert binding.transcript_version == 7
    assert binding.transcript_sha256 == hashlib.sha256(signed_transcript.transcript).hexdigest()
    assert binding.recording_digests() == signed_transcript.recording_digests
    # the rendered transcript is, byte for byte, the first revision of every later file
    assert signed_transcript.signed.startswith(signed_transcript.transcript)


def test_canonical_json_is_sorted_compact_and_round_trips() -> None:
    binding = RecordBinding(
        "h",
        "案号",
        3,
        "00" * 32,
        (RecordingDigest("b.flac", "bb" * 32, 2), RecordingDigest("a.flac", "aa" * 32, 1)),
    )
    data = canonical_json(binding)
    assert b" " not in data and "案号".encode() in data
    assert [r["name"] for r in json.loads(data)["recordings"]] == ["a.flac", "b.flac"]
    assert canonical_json(parse_binding(data)) == data
    with pytest.raises(BindingError):
        parse_binding(data.replace(b'"transcript_version":3', b'"transcript_version": 3'))


def test_signature_page_lists_recording_digests_and_signers(
    signed_transcript: SignedTranscript,
) -> None:
    text = _last_page_text(signed_transcript.signed)
    assert "签 名 页" in text
    for name, (digest, _) in RECORDINGS.items():
        assert name in text and digest in text
    for _, role, name in PARTY_SIGNERS:
        assert f"{role} {name}" in text
    assert "法院印章" in text


def test_four_signers_and_seal_verify(signed_transcript: SignedTranscript) -> None:
    report = verify_pdf(
        signed_transcript.signed,
        [signed_transcript.ca.root],
        recordings=signed_transcript.recording_digests,
    )
    assert report.problems == ()
    assert report.valid
    assert [(s.field_name, s.role, s.name) for s in report.signers[:4]] == list(PARTY_SIGNERS)
    seal = report.signers[4]
    assert seal.field_name == "sig-seal" and seal.locks_document and seal.covers_whole_file
    for signer in report.signers:
        assert signer.intact and signer.signature_valid and signer.trusted and signer.timestamp_ok
        assert signer.tsa is not None and "Tingshen TSA" in signer.tsa
        assert signer.chain[-1].startswith("Tingshen Root CA (")
        assert signer.timestamp_time is not None and signer.signing_time is not None
        assert signer.signing_time <= signer.timestamp_time
    assert [s.modification_level for s in report.signers] == ["FORM_FILLING"] * 4 + ["NONE"]


def test_prepared_state_round_trips_and_to_be_signed_is_signed_attributes(
    signed_transcript: SignedTranscript,
) -> None:
    state = signed_transcript
    prepared = prepare_signature(
        state.prepared_document,
        "sig-plaintiff",
        state.certs["sig-plaintiff"],
        state.ca.chain,
        SignatureAppearance("张三", "原告"),
        font=state.font,
        now=state.clock.now,
    )
    assert PreparedSignature.from_bytes(prepared.to_bytes()) == prepared
    attributes = asn1_cms.CMSAttributes.load(prepared.to_be_signed)
    assert prepared.to_be_signed[0] == 0x31  # DER SET OF, as CMS signs it
    types = {a["type"].native: a["values"][0].native for a in attributes}
    assert types["message_digest"] == prepared.document_digest
    assert "signing_certificate_v2" in types and "signing_time" not in types  # PAdES baseline


def test_finish_accepts_der_and_refuses_a_value_that_does_not_verify(
    signed_transcript: SignedTranscript,
) -> None:
    state = signed_transcript
    field, key = "sig-plaintiff", state.keys["sig-plaintiff"]
    prepared = prepare_signature(
        state.prepared_document, field, state.certs[field], state.ca.chain,
        SignatureAppearance("张三", "原告"), font=state.font, now=state.clock.now,
    )  # fmt: skip
    other = ec.generate_private_key(ec.SECP256R1())
    wrong = other.sign(prepared.to_be_signed, ec.ECDSA(hashes.SHA256()))
    for value in (wrong, p1363(wrong), b"\x00" * 64, b""):
        with pytest.raises(SignatureValueError):
            finish_signature(prepared, value, state.timestamper)
    der = key.sign(prepared.to_be_signed, ec.ECDSA(hashes.SHA256()))
    signed = finish_signature(prepared, der, state.timestamper)
    report = verify_pdf(signed, [state.ca.root])
    assert [s.field_name for s in report.signers] == [field]
    assert report.signers[0].intact and report.signers[0].signature_valid
    # four empty slots remain: an unfinished record is not a valid one
    assert report.codes() == {ProblemCode.UNSIGNED_FIELD}
    assert len(report.unsigned_fields) == 4


def test_refuses_an_already_signed_field(signed_transcript: SignedTranscript) -> None:
    state = signed_transcript
    with pytest.raises(ValueError, match="already signed"):
        prepare_signature(
            state.revisions[1], "sig-plaintiff", state.certs["sig-plaintiff"], state.ca.chain,
            SignatureAppearance("张三", "原告"), font=state.font, now=state.clock.now,
        )  # fmt: skip


def test_refuses_to_sign_after_the_seal(signed_transcript: SignedTranscript) -> None:
    state = signed_transcript
    late = SignatureAppearance("王五", "审判长", page=0, box=(300, 40, 500, 120))
    with pytest.raises(ValueError, match="sealed"):
        prepare_signature(
            state.signed, "sig-late", state.certs["sig-judge"], state.ca.chain, late,
            font=state.font, now=state.clock.now,
        )  # fmt: skip


def test_slot_rules(signed_transcript: SignedTranscript) -> None:
    def prepare(slots: list[SignerSlot]) -> bytes:
        return prepare_document(
            signed_transcript.transcript, hearing_id="h", case_number="c", transcript_version=1,
            recordings=[], slots=slots, font=signed_transcript.font,
        )  # fmt: skip

    with pytest.raises(ValueError, match="unique"):
        prepare([SignerSlot("a", "x"), SignerSlot("a", "y")])
    with pytest.raises(ValueError, match="seal"):
        prepare([SignerSlot("seal", "印章", seal=True), SignerSlot("b", "y")])
    many = prepare([SignerSlot(f"s{i}", f"代理人 {i}") for i in range(9)])  # overflows one page
    document = pdfium.PdfDocument(many)
    try:
        assert len(document) == 3 + 2
    finally:
        document.close()


def test_appearance_dataclass_is_frozen() -> None:
    appearance = SignatureAppearance("张三", "原告")
    with pytest.raises(dataclasses.FrozenInstanceError):
        appearance.name = "x"  # type: ignore[misc]
