"""E-mail with the portal link; signing for receipt in the portal (签收) as a collection; the
service's tables migrated down and up again on the app's database."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

from sqlalchemy import inspect

from court_events.delivery import DOCUMENT_OPENED, DocumentOpened
from delivery.db import upgrade_delivery
from tests.delivery.conftest import consent, delivery_context, run, serve
from tingshen_platform.events import publish

EMAIL = "chenming@example.cn"


def test_e_mail_carries_the_link_and_the_title(app, ctx, world, staff) -> None:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", email=EMAIL)
    assert serve(clerk, world.dossier_case_id, ["p-1"], ["sms"]).status_code == 422  # no phone
    answer = serve(clerk, world.dossier_case_id, ["p-1"], ["email"], title="民事裁定书")
    assert answer.status_code == 201, answer.text
    service_id = answer.json()["items"][0]["id"]
    run(app)
    mails = [
        message_from_bytes(p.read_bytes(), policy=default)
        for p in (ctx.settings.data_dir / "mail").glob("*.eml")
    ]
    ours = [m for m in mails if m["To"] == EMAIL]
    assert len(ours) == 1
    assert "民事裁定书" in str(ours[0]["Subject"])
    body = ours[0].get_body()
    assert body is not None and f"/portal/?served={service_id}" in body.get_content()
    detail = clerk.get(f"/api/delivery/services/{service_id}").json()
    assert detail["state"] == "sent"
    assert detail["attempts"][0]["address"] == EMAIL


def test_signing_for_receipt_in_the_portal_is_a_collection(app, ctx, world, staff, clock) -> None:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone="13800000011")
    service_id = serve(clerk, world.dossier_case_id, ["p-1"], ["sms"]).json()["items"][0]["id"]
    run(app)
    signed = DocumentOpened(service_id=service_id, dossier_case_id=world.dossier_case_id,
                            opened_at=clock(), account_ref="a-3", name="陈明", action="signed")  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, DOCUMENT_OPENED, signed, occurred_at=clock())
    run(app)
    detail = clerk.get(f"/api/delivery/services/{service_id}").json()
    assert detail["state"] == "opened"  # the opening recorded first, then the signature
    assert detail["opened_at"] and detail["collected_at"]
    assert [s["step"] for s in detail["steps"]] == ["sent", "opened", "collected"]
    assert detail["proof"] is True


def test_an_opening_of_another_case_is_not_believed(app, ctx, world, staff, clock) -> None:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone="13800000011")
    service_id = serve(clerk, world.dossier_case_id, ["p-1"], ["sms"]).json()["items"][0]["id"]
    run(app)
    wrong = DocumentOpened(service_id=service_id, dossier_case_id=world.dossier_case_id + 1,
                           opened_at=clock(), account_ref="a-9", name="他人")  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, DOCUMENT_OPENED, wrong, occurred_at=clock())
    run(app)
    assert clerk.get(f"/api/delivery/services/{service_id}").json()["state"] == "sent"


def test_the_tables_migrate_down_and_up(app) -> None:
    engine = delivery_context(app).host.engine
    upgrade_delivery(engine, "base", downgrade=True)
    assert not [t for t in inspect(engine).get_table_names() if t.startswith("delivery_")]
    upgrade_delivery(engine)
    assert "delivery_services" in inspect(engine).get_table_names()
