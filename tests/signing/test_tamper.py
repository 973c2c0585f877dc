# mypy: disallow-untyped-calls=False
# (the mutations drive pyHanko's untyped PDF object model directly)
"""The tamper corpus: every mutation of a signed transcript is detected, with the reason named.

Each case takes the session's signed transcript (4 browser signatures + the court seal), changes
it the way a forger or an accident would, and states which problem codes verification must name
(at least those; more are fine, none is a false accept). Untouched files are covered in
test_verify.py and test_pades.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from asn1crypto import cms as asn1_cms  # type: ignore[import-untyped, unused-ignore]
from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped, unused-ignore]
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.binding import BINDING_FILE_NAME, RecordingDigest, canonical_json, read_binding
from signing.ca import CourtCA, SignerIdentity
from signing.tsa import InProcessTimeStamper, MemorySerialSource, TimeStampAuthority
from signing.verify import verify_pdf
from signing.verify_report import ProblemCode as P
from tests.signing.conftest import (
    CA_PASSPHRASE,
    CASE_NUMBER,
    HEARING_ID,
    SignedTranscript,
    sign_as_party,
)

FIELDS = ["sig-plaintiff", "sig-defendant", "sig-judge", "sig-clerk", "sig-seal"]


# ---------------------------------------------------------------- helpers
def _signatures(pdf: bytes) -> list[EmbeddedPdfSignature]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return sorted(reader.embedded_regular_signatures, key=lambda s: s.signed_revision)


def _flip(pdf: bytes, offset: int) -> bytes:
    return pdf[:offset] + bytes([pdf[offset] ^ 0x01]) + pdf[offset + 1 :]


def _revision_start(pdf: bytes, index: int) -> int:
    """Where signature ``index``'s revision begins: after the previous signature's range."""
    if index == 0:
        return pdf.find(b"%%EOF")
    _, _, start2, len2 = _signatures(pdf)[index - 1].byte_range
    return int(start2) + int(len2)


def _update(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page(writer: IncrementalPdfFileWriter, index: int) -> generic.DictionaryObject:
    page_ref, _ = writer.find_page_for_modification(index)
    page: generic.DictionaryObject = page_ref.get_object()
    return page


def _replace_cms(pdf: bytes, index: int, edit: Callable[[asn1_cms.SignerInfo], None]) -> bytes:
    """Rewrite signature ``index``'s signer info inside its (unsigned) /Contents placeholder.

    Only the edited path is re-encoded (assigning each level back marks it changed); forcing a
    full re-encoding would also re-encode the certificates and break the signing-certificate
    attribute, a different mutation than the one meant.
    """
    signature = _signatures(pdf)[index]
    content = asn1_cms.ContentInfo.load(signature.pkcs7_content)
    signed_data = content["content"]
    infos = signed_data["signer_infos"]
    info = infos[0]
    edit(info)
    signed_data["signer_infos"] = asn1_cms.SignerInfos([info])
    content["content"] = signed_data
    return _embed_cms(pdf, signature, content.dump())


def _embed_cms(pdf: bytes, signature: EmbeddedPdfSignature, der: bytes) -> bytes:
    data = der.hex().upper().encode()
    _, len1, start2, _ = (int(v) for v in signature.byte_range)
    room = start2 - len1 - 2
    assert len(data) <= room
    return pdf[: len1 + 1] + data.ljust(room, b"0") + pdf[start2 - 1 :]


def _content(pdf: bytes, index: int) -> asn1_cms.ContentInfo:
    return asn1_cms.ContentInfo.load(_signatures(pdf)[index].pkcs7_content)


def _token(info: asn1_cms.SignerInfo) -> asn1_cms.ContentInfo:
    return info["unsigned_attrs"][0]["values"][0]


def _set_token(info: asn1_cms.SignerInfo, token: asn1_cms.ContentInfo | None) -> None:
    if token is None:
        info["unsigned_attrs"] = asn1_cms.CMSAttributes([])
    else:
        info["unsigned_attrs"] = asn1_cms.CMSAttributes(
            [{"type": "signature_time_stamp_token", "values": [token]}]
        )


def _new_token(authority: TimeStampAuthority, info: asn1_cms.SignerInfo) -> asn1_cms.ContentInfo:
    imprint = hashlib.sha256(info["signature"].native).digest()
    token: asn1_cms.ContentInfo = asyncio.run(
        InProcessTimeStamper(authority).async_timestamp(imprint, "sha256")
    )
    return token


# ---------------------------------------------------------------- mutations
@dataclass(frozen=True)
class Mutation:
    name: str
    make: Callable[[SignedTranscript, CourtCA], bytes]
    expect: frozenset[P]
    signature: int | None = None  # 1-based signature the problem must name, if any
    recordings: dict[str, str] | None = None


def flip_in_revision(
    index: int, second_range: bool
) -> Callable[[SignedTranscript, CourtCA], bytes]:
    def make(state: SignedTranscript, _: CourtCA) -> bytes:
        pdf = state.signed
        signature = _signatures(pdf)[index]
        _start, len1, start2, _len2 = (int(v) for v in signature.byte_range)
        if second_range:  # the signing time /M, written after /Contents
            return _flip(pdf, pdf.index(b"/M (D", start2) + 14)
        # inside a stream of this revision (the appearance), before /Contents
        stream = pdf.index(b"stream\n", _revision_start(pdf, index))
        assert stream < len1
        return _flip(pdf, stream + 12)

    return make


def change_text(state: SignedTranscript, _: CourtCA) -> bytes:
    def edit(writer: IncrementalPdfFileWriter) -> None:
        page = _page(writer, 0)
        forged = generic.StreamObject(stream_data=b"BT /F1 12 Tf 70 700 Td (forged) Tj ET")
        page[pdf_name("/Contents")] = writer.add_object(forged)
        writer.update_container(page)

    return _update(state.revisions[1], edit)  # after the defendant: "text changed after sig 2"


def add_page(state: SignedTranscript, _: CourtCA) -> bytes:
    def edit(writer: IncrementalPdfFileWriter) -> None:
        page = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
            pdf_name("/Contents"): writer.add_object(generic.StreamObject(stream_data=b"")),
        })  # fmt: skip
        writer.insert_page(page)

    return _update(state.signed, edit)


def remove_signature(state: SignedTranscript, _: CourtCA) -> bytes:
    def edit(writer: IncrementalPdfFileWriter) -> None:
        for ref in writer.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if field["/T"] == "sig-defendant":
                del field["/V"]
                writer.update_container(field)

    return _update(state.signed, edit)


def cut_off_seal(state: SignedTranscript, _: CourtCA) -> bytes:
    return state.revisions[3]  # an earlier state of the file, presented as the record


def swap_contents(state: SignedTranscript, _: CourtCA) -> bytes:
    pdf = state.signed
    return _embed_cms(pdf, _signatures(pdf)[0], _content(pdf, 1).dump())


def forge_byte_range(state: SignedTranscript, _: CourtCA) -> bytes:
    pdf = state.signed
    seal = _signatures(pdf)[4]
    original = b"/ByteRange [" + b" ".join(str(int(v)).encode() for v in seal.byte_range) + b"]"
    start, length1, start2, length2 = (int(v) for v in seal.byte_range)
    forged = f"/ByteRange [{start} {length1} {start2} {length2 - 100}]".encode()
    return pdf.replace(original, forged.ljust(len(original)), 1)


def truncate(state: SignedTranscript, _: CourtCA) -> bytes:
    return state.signed[:-3000]


def append_garbage(state: SignedTranscript, _: CourtCA) -> bytes:
    return state.signed + b"\n% appended after signing\n"


def timestamp_from_other_signature(state: SignedTranscript, _: CourtCA) -> bytes:
    other = _content(state.signed, 1)["content"]["signer_infos"][0]
    return _replace_cms(state.signed, 0, lambda info: _set_token(info, _token(other)))


def timestamp_of_another_time(state: SignedTranscript, _: CourtCA) -> bytes:
    later = state.clock.now + dt.timedelta(days=3)
    authority = TimeStampAuthority(
        state.ca.tsa_cert, state.ca.tsa_key, state.ca.chain, MemorySerialSource(), lambda: later
    )
    return _replace_cms(state.signed, 1, lambda c: _set_token(c, _new_token(authority, c)))


def timestamp_backdated(state: SignedTranscript, _: CourtCA) -> bytes:
    """A genuine token from the court's TSA, but from before the signature claims to exist."""
    earlier = state.clock.now - dt.timedelta(minutes=45)
    authority = TimeStampAuthority(
        state.ca.tsa_cert, state.ca.tsa_key, state.ca.chain, MemorySerialSource(), lambda: earlier
    )
    return _replace_cms(state.signed, 4, lambda c: _set_token(c, _new_token(authority, c)))


def timestamp_from_foreign_tsa(state: SignedTranscript, foreign: CourtCA) -> bytes:
    authority = TimeStampAuthority(
        foreign.tsa_cert, foreign.tsa_key, foreign.chain, MemorySerialSource(), state.clock
    )
    return _replace_cms(state.signed, 2, lambda c: _set_token(c, _new_token(authority, c)))


def timestamp_removed(state: SignedTranscript, _: CourtCA) -> bytes:
    return _replace_cms(state.signed, 3, lambda c: _set_token(c, None))


def wrong_signature_value(state: SignedTranscript, _: CourtCA) -> bytes:
    def edit(info: asn1_cms.SignerInfo) -> None:
        other = ec.generate_private_key(ec.SECP256R1())
        info["signature"] = other.sign(b"something else", ec.ECDSA(hashes.SHA256()))

    return _replace_cms(state.signed, 0, edit)


def change_recording_digest(state: SignedTranscript, _: CourtCA) -> bytes:
    binding = read_binding(state.signed)
    first = binding.recordings[0]
    forged = replace(
        binding,
        recordings=(
            RecordingDigest(first.name, "00" * 32, first.duration_ms),
            *binding.recordings[1:],
        ),
    )

    def edit(writer: IncrementalPdfFileWriter) -> None:
        names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for position in range(0, len(names), 2):
            if names[position] == BINDING_FILE_NAME:
                spec = names[position + 1].get_object()
                stream = generic.StreamObject(stream_data=canonical_json(forged))
                spec["/EF"][pdf_name("/F")] = writer.add_object(stream)
                writer.update_container(spec)

    return _update(state.signed, edit)


def overlay_annotation(state: SignedTranscript, _: CourtCA) -> bytes:
    def edit(writer: IncrementalPdfFileWriter) -> None:
        page = _page(writer, 0)
        annotation = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/FreeText"),
            pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(v) for v in (60, 600, 400, 760)]),
            pdf_name("/Contents"): generic.TextStringObject("被告不同意"),
            pdf_name("/DA"): generic.TextStringObject("/Helv 12 Tf 0 g"),
        })  # fmt: skip
        page[pdf_name("/Annots")] = generic.ArrayObject([writer.add_object(annotation)])
        writer.update_container(page)

    return _update(state.signed, edit)


def sign_with_foreign_cert(state: SignedTranscript, foreign: CourtCA) -> bytes:
    impostor = replace(state, ca=foreign, keys={}, certs={})
    return sign_as_party(impostor, state.prepared_document, "sig-plaintiff", "原告", "张三")


def sign_with_expired_cert(state: SignedTranscript, _: CourtCA) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    identity = SignerIdentity("张三", "原告", CASE_NUMBER, HEARING_ID, "sms:+86")
    cert = state.ca.issue_signer(
        key.public_key(), identity, now=state.clock.now - dt.timedelta(days=40), valid_days=30
    )
    from signing.appearance import SignatureAppearance
    from signing.pades import finish_signature, prepare_signature
    from tests.signing.conftest import p1363

    prepared = prepare_signature(
        state.prepared_document, "sig-plaintiff", cert, state.ca.chain,
        SignatureAppearance("张三", "原告"), font=state.font, now=state.clock.now,
    )  # fmt: skip
    value = p1363(key.sign(prepared.to_be_signed, ec.ECDSA(hashes.SHA256())))
    return finish_signature(prepared, value, state.timestamper)


def sign_after_the_seal(state: SignedTranscript, _: CourtCA) -> bytes:
    """Our signer refuses (test_pades); a forger's tool need not: sign with pyHanko directly."""
    key = asn1_keys.PrivateKeyInfo.load(
        state.ca.seal_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(state.ca.seal_cert.public_bytes(Encoding.DER)),
        signing_key=key,
        cert_registry=SimpleCertificateStore(),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(state.signed), strict=False)
    out = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="sig-late", subfilter=SigSeedSubFilter.PADES),
        signer,
        timestamper=state.timestamper,
        new_field_spec=SigFieldSpec("sig-late", on_page=0, box=(300, 40, 500, 120)),
    ).sign_pdf(writer)
    data: bytes = out.getvalue()
    return data


def change_signature_page(state: SignedTranscript, _: CourtCA) -> bytes:
    def edit(writer: IncrementalPdfFileWriter) -> None:
        page = _page(writer, int(writer.root["/Pages"]["/Count"]) - 1)
        page[pdf_name("/Contents")] = writer.add_object(generic.StreamObject(stream_data=b"q Q"))
        writer.update_container(page)

    return _update(state.signed, edit)


def flip_in_transcript(state: SignedTranscript, _: CourtCA) -> bytes:
    pdf = state.signed
    return _flip(pdf, pdf.index(b"stream\n") + 30)


MUTATIONS = [
    *[
        Mutation(
            f"flip in range 1 of signature {i + 1}",
            flip_in_revision(i, False),
            frozenset({P.BYTES_ALTERED}),
            i + 1,
        )
        for i in range(5)
    ],
    *[
        Mutation(
            f"flip in range 2 of signature {i + 1}",
            flip_in_revision(i, True),
            frozenset({P.BYTES_ALTERED}),
            i + 1,
        )
        for i in range(5)
    ],
    Mutation(
        "flip in the transcript's first revision",
        flip_in_transcript,
        frozenset({P.BYTES_ALTERED, P.TRANSCRIPT_DIGEST}),
        1,
    ),
    Mutation(
        "text changed after signature 2",
        change_text,
        frozenset({P.TEXT_CHANGED, P.CHANGED_AFTER_SIGNATURE}),
        2,
    ),
    Mutation(
        "signature page redrawn",
        change_signature_page,
        frozenset({P.TEXT_CHANGED, P.CHANGED_AFTER_SIGNATURE}),
        5,
    ),
    Mutation("page added", add_page, frozenset({P.PAGES_CHANGED, P.CHANGED_AFTER_SIGNATURE}), 5),
    Mutation(
        "signature removed",
        remove_signature,
        frozenset({P.SIGNATURE_REMOVED, P.UNSIGNED_FIELD, P.CHANGED_AFTER_SIGNATURE}),
    ),
    Mutation("seal cut off", cut_off_seal, frozenset({P.UNSIGNED_FIELD})),
    Mutation(
        "contents replaced by another signature's", swap_contents, frozenset({P.BYTES_ALTERED}), 1
    ),
    Mutation("forged byte range", forge_byte_range, frozenset({P.BYTES_ALTERED}), 5),
    Mutation("truncated file", truncate, frozenset({P.UNREADABLE})),
    Mutation("bytes appended", append_garbage, frozenset({P.BYTE_RANGE}), 5),
    Mutation(
        "timestamp token of another signature",
        timestamp_from_other_signature,
        frozenset({P.TIMESTAMP_MISMATCH}),
        1,
    ),
    Mutation(
        "timestamp of another time", timestamp_of_another_time, frozenset({P.TIMESTAMP_TIME}), 2
    ),
    Mutation(
        "timestamp backdated",
        timestamp_backdated,
        frozenset({P.TIMESTAMP_TIME}),
        5,
    ),
    Mutation(
        "timestamp from a foreign TSA",
        timestamp_from_foreign_tsa,
        frozenset({P.TIMESTAMP_UNTRUSTED}),
        3,
    ),
    Mutation("timestamp removed", timestamp_removed, frozenset({P.TIMESTAMP_MISSING}), 4),
    Mutation("wrong signature value", wrong_signature_value, frozenset({P.SIGNATURE_INVALID}), 1),
    Mutation(
        "recording digest changed in the binding",
        change_recording_digest,
        frozenset({P.BINDING_CHANGED, P.CHANGED_AFTER_SIGNATURE}),
        1,
    ),
    Mutation(
        "overlay annotation added",
        overlay_annotation,
        frozenset({P.ANNOTATION_ADDED, P.CHANGED_AFTER_SIGNATURE}),
        5,
    ),
    Mutation(
        "signature added after the seal",
        sign_after_the_seal,
        frozenset({P.CHANGED_AFTER_SIGNATURE}),
        5,
    ),
    Mutation(
        "certificate from a foreign CA", sign_with_foreign_cert, frozenset({P.UNTRUSTED_CHAIN}), 1
    ),
    Mutation(
        "expired certificate", sign_with_expired_cert, frozenset({P.CERTIFICATE_NOT_VALID}), 1
    ),
    Mutation(
        "recording file differs from its digest",
        lambda state, _: state.signed,
        frozenset({P.RECORDING_MISMATCH}),
        recordings={"hearing-42-mixed.flac": "3f" * 31 + "40", "hearing-42-张三.flac": "a1" * 32},
    ),
]


@pytest.fixture(scope="module")
def foreign_ca(tmp_path_factory: pytest.TempPathFactory) -> CourtCA:
    directory = tmp_path_factory.mktemp("foreign-ca") / "ca"
    return CourtCA.create(
        directory, CA_PASSPHRASE, "另一个法院", now=dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
    )


def test_corpus_has_at_least_twenty_distinct_mutations() -> None:
    assert len({m.name for m in MUTATIONS}) == len(MUTATIONS) >= 20


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mutation_is_detected_and_named(
    mutation: Mutation, signed_transcript: SignedTranscript, foreign_ca: CourtCA
) -> None:
    pdf = mutation.make(signed_transcript, foreign_ca)
    report = verify_pdf(
        pdf,
        [signed_transcript.ca.root],
        recordings=mutation.recordings or signed_transcript.recording_digests,
    )
    assert not report.valid
    missing = mutation.expect - report.codes()
    assert not missing, f"{mutation.name}: missing {missing}; got {report.problems}"
    if mutation.signature is not None:
        named = {p.signature for p in report.problems if p.code in mutation.expect}
        assert mutation.signature in named, report.problems
    assert all(p.message for p in report.problems)


def test_text_change_is_named_per_page(
    signed_transcript: SignedTranscript, foreign_ca: CourtCA
) -> None:
    report = verify_pdf(change_text(signed_transcript, foreign_ca), [signed_transcript.ca.root])
    messages = [p.message for p in report.problems if p.code is P.TEXT_CHANGED]
    assert any(re.search(r"signature 2 .*page 1", m) for m in messages), messages
