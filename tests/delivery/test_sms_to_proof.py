"""A document served by SMS: consent first; the SMS with the portal link goes out once through
the durable work; ``delivery.document_served`` tells the portal; the recipient's opening
(``portal.document_opened``) makes the service ``opened``, and the sealed proof of service
arrives in the case's dossier with the opening time."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

import pypdfium2 as pdfium
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import func, select

from court_events.delivery import DOCUMENT_OPENED, DocumentOpened
from delivery.tables import Attempt, Service
from dossier.materials.tables import Material
from tests.delivery.conftest import (
    PLAINTIFF_PHONE,
    a_pdf,
    consent,
    delivery_context,
    run,
    serve,
    sms_sent,
)
from tingshen_platform.events import publish
from tingshen_platform.schema import events


def _events(ctx, name: str) -> list[dict[str, Any]]:
    with ctx.engine.connect() as c:
        rows = c.execute(select(events.c.payload).where(events.c.type == name)).all()
    return [r.payload for r in rows]


def test_without_consent_nothing_is_served_electronically(app, ctx, world, staff) -> None:
    clerk = staff("clerk_a")
    answer = serve(clerk, world.dossier_case_id, ["p-1"], ["sms"])
    assert answer.status_code == 409
    assert answer.json()["error"]["reason"] == "no_consent"
    assert "送达地址确认书" in answer.json()["error"]["message_zh"]
    with delivery_context(app).session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Service)) == 0
    run(app)
    assert sms_sent(ctx) == []


def test_sms_service_opened_in_the_portal_files_a_sealed_proof(app, ctx, world, staff, clock):
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE)
    document = a_pdf("judgment of case 501")
    answer = serve(clerk, world.dossier_case_id, ["p-1"], ["sms"], data=document)
    assert answer.status_code == 201, answer.text
    service_id = answer.json()["items"][0]["id"]
    assert answer.json()["items"][0]["state"] == "prepared"

    run(app)
    run(app)  # a second round sends nothing more
    messages = [m for m in sms_sent(ctx) if m["to"] == PLAINTIFF_PHONE]
    assert len(messages) == 1, messages
    assert f"/portal/?served={service_id}" in messages[0]["text"]
    assert "民事判决书" in messages[0]["text"]
    served = _events(ctx, "delivery.document_served")
    assert len(served) == 1
    assert served[0]["sha256"] == hashlib.sha256(document).hexdigest()
    assert served[0]["recipient_id_number"] == "440104199001011237"
    assert ctx.engine and delivery_context(app).host.exchange.get(served[0]["blob_key"]) == document

    clock.advance(timedelta(minutes=30))
    opened_at = clock()
    opening = DocumentOpened(
        service_id=service_id, dossier_case_id=world.dossier_case_id, opened_at=opened_at,
        account_ref="a-7", name="陈明",
    )  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, DOCUMENT_OPENED, opening, occurred_at=opened_at)
        publish(connection, DOCUMENT_OPENED, opening, occurred_at=opened_at)  # sent twice
    run(app)

    detail = clerk.get(f"/api/delivery/services/{service_id}").json()
    assert detail["state"] == "opened"
    assert detail["opened_by"] == "陈明"
    assert [s["step"] for s in detail["steps"]] == ["sent", "opened"]
    assert detail["proof"] is True
    proofs = _events(ctx, "delivery.proof_issued")
    assert len(proofs) == 1
    proof = clerk.get(f"/api/delivery/services/{service_id}/proof")
    assert proof.status_code == 200
    assert proof.content.startswith(b"%PDF-")
    assert hashlib.sha256(proof.content).hexdigest() == proofs[0]["sha256"]

    with app.state.dossier.session_factory() as s:
        filed = s.scalars(
            select(Material).where(
                Material.case_id == world.dossier_case_id,
                Material.material_type == "service_proof",
            )
        ).all()
    assert len(filed) == 1
    assert filed[0].title.startswith("送达回证（陈明")
    assert filed[0].source_ref == f"delivery:proof:{service_id}"


def test_the_proof_shows_the_times_and_the_digest(app, ctx, world, staff, clock) -> None:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE)
    document = a_pdf("ruling")
    service_id = serve(clerk, world.dossier_case_id, ["p-1"], ["sms"], data=document).json()[
        "items"
    ][0]["id"]
    run(app)
    clock.advance(timedelta(minutes=47, seconds=13))  # within the clerk's session
    opened_at = clock()
    with ctx.engine.begin() as connection:
        publish(connection, DOCUMENT_OPENED, DocumentOpened(
            service_id=service_id, dossier_case_id=world.dossier_case_id, opened_at=opened_at,
            account_ref="a-7", name="陈明"), occurred_at=opened_at)  # fmt: skip
    run(app)
    pdf = clerk.get(f"/api/delivery/services/{service_id}/proof").content
    document_pdf = pdfium.PdfDocument(pdf)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document_pdf)
    finally:
        document_pdf.close()
    compact = "".join(text.split())
    assert hashlib.sha256(document).hexdigest() in compact
    local = opened_at + timedelta(hours=8)
    assert local.strftime("%Y年%m月%d日%H:%M:%S") in compact
    assert PLAINTIFF_PHONE in compact
    with delivery_context(app).session_factory() as s:
        attempt = s.scalars(select(Attempt).where(Attempt.service_id == service_id)).one()
        assert attempt.state == "sent"


def test_the_proof_is_sealed_by_the_court_and_verifies(app, ctx, world, staff, clock) -> None:
    closing = app.state.services.closing
    assert closing is not None, "the test server signs (it holds the court's seal)"
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE)
    service_id = serve(clerk, world.dossier_case_id, ["p-1"], ["sms"]).json()["items"][0]["id"]
    run(app)
    with ctx.engine.begin() as connection:
        publish(connection, DOCUMENT_OPENED, DocumentOpened(
            service_id=service_id, dossier_case_id=world.dossier_case_id, opened_at=clock(),
            account_ref="a-7", name="陈明"), occurred_at=clock())  # fmt: skip
    run(app)
    sealed = clerk.get(f"/api/delivery/services/{service_id}/proof").content
    (signature,) = PdfFileReader(io.BytesIO(sealed)).embedded_regular_signatures
    root = asn1_x509.Certificate.load(closing.pki.ca.root.public_bytes(Encoding.DER))
    context = ValidationContext(
        trust_roots=[root], moment=clock(), allow_fetching=False, revocation_mode="soft-fail"
    )
    status = validate_pdf_signature(
        signature, signer_validation_context=context, ts_validation_context=context
    )
    assert status.intact and status.valid and status.trusted
    assert "电子印章" in status.signing_cert.subject.human_friendly  # the seal key, not a person
    tampered = bytearray(sealed)
    tampered[len(sealed) // 4] ^= 0x01
    again = PdfFileReader(io.BytesIO(bytes(tampered))).embedded_regular_signatures[0]
    assert not validate_pdf_signature(again, context).intact
