"""The post through the courier: a waybill; signed tracking callbacks move the service; a
returned letter tells the clerk with the next channel suggested, and the clerk serves again at an
address found since. Forged, stale and garbage callbacks change nothing; a dead number fails the
SMS at once; a courier outage is retried on the durable work, and the letter is posted once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from delivery.sending import send_handler
from delivery.tables import Attempt, Service, Step
from tests.delivery.conftest import (
    DEFENDANT_ADDRESS,
    PLAINTIFF_PHONE,
    consent,
    delivery_context,
    delivery_service,
    run,
    serve,
)
from tingshen_platform.jobs import work_one
from tingshen_platform.messaging import DeliveryFailed, OutboundMessage


def _post_defendant(app, world, staff) -> tuple[TestClient, int, str]:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-2", electronic=False,
            postal_address=DEFENDANT_ADDRESS, postal_recipient="李强")  # fmt: skip
    answer = serve(clerk, world.dossier_case_id, ["p-2"], ["post"], title="应诉通知书")
    assert answer.status_code == 201, answer.text
    service_id = answer.json()["items"][0]["id"]
    run(app)
    detail = clerk.get(f"/api/delivery/services/{service_id}").json()
    waybill = detail["attempts"][0]["waybill"]
    assert detail["state"] == "sent" and waybill
    return clerk, service_id, waybill


def _callback(app, client, waybill: str, status: str):
    body, headers = delivery_context(app).courier.track(waybill, status)  # type: ignore[attr-defined]
    return client.post("/api/delivery/courier/callback", content=body, headers=headers)


def test_a_returned_letter_tells_the_clerk_and_a_new_address_is_used(
    app, world, staff, make_client
) -> None:
    clerk, service_id, waybill = _post_defendant(app, world, staff)
    courier = make_client()  # the courier: no session
    assert _callback(app, courier, waybill, "in_transit").status_code == 200
    answer = _callback(app, courier, waybill, "returned")
    assert answer.status_code == 200, answer.text
    assert _callback(app, courier, waybill, "returned").json()["repeated"] is True

    detail = clerk.get(f"/api/delivery/services/{service_id}").json()
    assert detail["state"] == "returned"
    assert detail["needs_attention"] is True
    assert detail["suggestion"] == "collect"  # no consent to electronic service: no SMS
    assert [s["step"] for s in detail["steps"]] == ["sent", "in_transit", "returned"]
    listed = clerk.get("/api/delivery/attention").json()["items"]
    assert [item["id"] for item in listed] == [service_id]

    found = "广州市海珠区江南大道中100号"  # as the address look-up found it
    again = clerk.post(f"/api/delivery/services/{service_id}/again",
                       json={"channel": "post", "postal_address": found})  # fmt: skip
    assert again.status_code == 201, again.text
    assert again.json()["attempts"][0]["address"] == found
    assert clerk.get("/api/delivery/attention").json()["items"] == []
    run(app)
    new_waybill = clerk.get(f"/api/delivery/services/{again.json()['id']}").json()["attempts"][0][
        "waybill"
    ]
    assert new_waybill and new_waybill != waybill
    assert _callback(app, courier, new_waybill, "delivered").status_code == 200
    assert _callback(app, courier, new_waybill, "signed").status_code == 200
    run(app)
    final = clerk.get(f"/api/delivery/services/{again.json()['id']}").json()
    assert final["state"] == "collected" and final["arrived_at"] and final["proof"] is True


def test_forged_stale_and_garbage_callbacks_change_nothing(
    app, world, staff, make_client, clock
) -> None:
    clerk, service_id, waybill = _post_defendant(app, world, staff)
    courier = make_client()
    body, headers = delivery_context(app).courier.track(waybill, "returned")  # type: ignore[attr-defined]
    forged = body.replace(b"returned", b"signed\x20\x20")
    assert courier.post("/api/delivery/courier/callback", content=forged,
                        headers=headers).status_code == 401  # fmt: skip
    wrong = {**headers, "x-courier-signature": "0" * 64}
    assert courier.post("/api/delivery/courier/callback", content=body,
                        headers=wrong).status_code == 401  # fmt: skip
    bare = {"content-type": "application/json"}
    answer = courier.post("/api/delivery/courier/callback", content=body, headers=bare)
    assert answer.status_code == 401
    assert "签名" in answer.json()["error"]["message_zh"]
    clock.advance(timedelta(minutes=10))  # the signed callback is now too old
    assert courier.post("/api/delivery/courier/callback", content=body,
                        headers=headers).status_code == 401  # fmt: skip
    detail = clerk.get(f"/api/delivery/services/{service_id}").json()
    assert detail["state"] == "sent"
    with delivery_context(app).session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Step)) == 1  # "sent" only


class DeadNumber:
    """The SMS gateway's answer for a number that does not exist (permanent)."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    def send(self, message: OutboundMessage) -> None:
        self.sent.append(message)
        raise DeliveryFailed("gateway: number does not exist", permanent=True)


def test_a_dead_number_fails_at_once_with_the_post_suggested(app, world, staff) -> None:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE,
            postal_address="广州市越秀区北京路1号")  # fmt: skip
    service_id = serve(clerk, world.dossier_case_id, ["p-1"], ["sms"]).json()["items"][0]["id"]
    ctx = delivery_context(app)
    gateway = DeadNumber()
    dead = replace(ctx, host=replace(ctx.host, messenger=gateway))
    done = work_one(ctx.host.jobs, {"delivery.send": send_handler(dead)}, "t",
                    lease=timedelta(minutes=1))  # fmt: skip
    assert done is not None and done[1] == "dead"
    assert len(gateway.sent) == 1
    detail = clerk.get(f"/api/delivery/services/{service_id}").json()
    assert detail["state"] == "failed"
    assert detail["suggestion"] == "post"  # no e-mail confirmed
    assert "number does not exist" in detail["attempts"][0]["error"]


def test_a_courier_outage_is_retried_and_the_letter_posted_once(app, world, staff) -> None:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-2", electronic=False,
            postal_address=DEFENDANT_ADDRESS)  # fmt: skip
    ctx = delivery_context(app)
    ctx.courier.set_down(True)  # type: ignore[attr-defined]
    service_id = serve(clerk, world.dossier_case_id, ["p-2"], ["post"]).json()["items"][0]["id"]
    handlers = delivery_service(app).job_handlers()
    first = work_one(ctx.host.jobs, handlers, "t", lease=timedelta(minutes=1))
    assert first is not None and first[1] == "queued"  # to be tried again
    with ctx.session_factory() as s:
        assert s.scalars(select(Attempt.state)).one() == "queued"
        assert s.get(Service, service_id).state == "prepared"  # type: ignore[union-attr]
    ctx.courier.set_down(False)  # type: ignore[attr-defined]
    job = ctx.host.jobs.get(first[0].id)
    assert job is not None
    ctx.host.jobs.restart(job.id)  # due now instead of after the back-off
    run(app)
    run(app)
    assert len(ctx.courier.letters()) == 1  # type: ignore[attr-defined]
    assert clerk.get(f"/api/delivery/services/{service_id}").json()["state"] == "sent"
