"""The SMS provider's signed delivery receipts (``POST /api/delivery/sms/receipt``): a
``delivered`` receipt for the message the delivery service sent moves the service to
``arrived`` (once: a repeated receipt changes nothing); an ``undeliverable`` one (a dead number)
fails it and tells the clerk; a forged, stale or unknown receipt is refused with nothing
recorded. The provider's side signs as :func:`delivery.sms_receipts.sign_receipt` does."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from delivery.sms_receipts import SmsReceipt, attempt_id_of, sign_receipt
from delivery.tables import Attempt
from tests.delivery.conftest import PLAINTIFF_PHONE, consent, delivery_context, run, serve, sms_sent


def _sent_by_sms(app, ctx, world, staff) -> tuple[TestClient, int, str]:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE)
    answer = serve(clerk, world.dossier_case_id, ["p-1"], ["sms"])
    assert answer.status_code == 201, answer.text
    service_id = answer.json()["items"][0]["id"]
    run(app)
    assert [m for m in sms_sent(ctx) if m["to"] == PLAINTIFF_PHONE]
    with delivery_context(app).session_factory() as s:
        attempt = s.scalars(select(Attempt).where(Attempt.service_id == service_id)).one()
    return clerk, service_id, f"delivery-{attempt.id}"


def _receipt(app, client, clock, reference: str, status: str, receipt_id: str = "r-1", **kw):
    key = delivery_context(app).sms_receipt_key
    receipt = SmsReceipt(receipt_id=receipt_id, reference=reference, status=status, at=clock(),
                         error=kw.pop("error", ""))  # fmt: skip
    body, headers = sign_receipt(kw.pop("key", key), receipt, kw.pop("signed_at", clock()))
    return client.post("/api/delivery/sms/receipt", content=body, headers=headers)


def test_a_delivered_receipt_makes_the_service_arrived_once(
    app, ctx, world, staff, make_client, clock
) -> None:
    clerk, service_id, reference = _sent_by_sms(app, ctx, world, staff)
    provider = make_client()
    clock.advance(timedelta(seconds=20))
    arrived_at = clock()
    answer = _receipt(app, provider, clock, reference, "delivered")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ok": True, "changed": True}
    again = _receipt(app, provider, clock, reference, "delivered")  # the provider retried
    assert again.json() == {"ok": True, "changed": False}
    detail = clerk.get(f"/api/delivery/services/{service_id}").json()
    assert detail["state"] == "arrived"
    assert [s["step"] for s in detail["steps"]] == ["sent", "arrived"]
    assert detail["arrived_at"].startswith(arrived_at.isoformat()[:19])


def test_a_dead_number_fails_the_service_and_tells_the_clerk(
    app, ctx, world, staff, make_client, clock
) -> None:
    clerk, service_id, reference = _sent_by_sms(app, ctx, world, staff)
    answer = _receipt(app, make_client(), clock, reference, "undeliverable", error="空号")
    assert answer.status_code == 200, answer.text
    detail = clerk.get(f"/api/delivery/services/{service_id}").json()
    assert detail["state"] == "failed" and detail["needs_attention"] is True
    listed = clerk.get("/api/delivery/attention").json()["items"]
    assert [item["id"] for item in listed] == [service_id]


def test_forged_stale_and_unknown_receipts_are_refused_with_nothing_recorded(
    app, ctx, world, staff, make_client, clock
) -> None:
    clerk, service_id, reference = _sent_by_sms(app, ctx, world, staff)
    provider = make_client()
    forged = _receipt(app, provider, clock, reference, "delivered", key=b"x" * 32)
    assert forged.status_code == 401
    assert forged.json()["error"]["reason"] == "receipt"
    stale = _receipt(app, provider, clock, reference, "delivered",
                     signed_at=clock() - timedelta(hours=1))  # fmt: skip
    assert stale.status_code == 401
    unknown = _receipt(app, provider, clock, "delivery-987654", "delivered")
    assert unknown.status_code == 422 and unknown.json()["error"]["reason"] == "reference"
    garbage = provider.post("/api/delivery/sms/receipt", content=b"{}",
                            headers={"x-sms-timestamp": "1", "x-sms-signature": "00"})  # fmt: skip
    assert garbage.status_code == 401
    detail = clerk.get(f"/api/delivery/services/{service_id}").json()
    assert detail["state"] == "sent" and [s["step"] for s in detail["steps"]] == ["sent"]


def test_the_reference_names_an_attempt_and_nothing_else() -> None:
    assert attempt_id_of("delivery-12") == 12
    for other in ("delivery-", "delivery-x1", "code-3-abc", "12", "delivery-1" + "0" * 12):
        assert attempt_id_of(other) is None
