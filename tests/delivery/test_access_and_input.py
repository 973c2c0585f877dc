"""Who may do what, and bad input: staff of another court learn nothing (404 as for a case that
does not exist), a recorder reads nothing, only a judge or clerk serves; no session is 401. Bad
input is refused with a Chinese message and leaves nothing half-done."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from delivery.tables import Document, Service
from tests.delivery.conftest import PLAINTIFF_PHONE, consent, delivery_context, run, serve


def _count(app, table) -> int:
    with delivery_context(app).session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_another_court_sees_neither_the_case_nor_its_services(app, world, staff) -> None:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE)
    service_id = serve(clerk, world.dossier_case_id, ["p-1"], ["sms"]).json()["items"][0]["id"]
    other = staff("clerk_b")
    for path in (
        f"/api/delivery/cases/{world.dossier_case_id}",
        f"/api/delivery/services/{service_id}",
        f"/api/delivery/services/{service_id}/proof",
    ):
        answer = other.get(path)
        assert answer.status_code == 404, path
    assert other.get("/api/delivery/cases/999999").json()["error"]["reason"] == "case_not_found"
    assert other.get("/api/delivery/cases").json()["items"] == []
    assert other.post(f"/api/delivery/services/{service_id}/handover").status_code == 404
    assert serve(other, world.dossier_case_id, ["p-1"], ["sms"]).status_code == 404


def test_roles_and_sessions(app, world, staff, make_client) -> None:
    assert make_client().get("/api/delivery/cases").status_code == 401
    recorder = staff("recorder_a")
    assert recorder.get(f"/api/delivery/cases/{world.dossier_case_id}").status_code == 403
    judge = staff("judge_a")
    assert judge.get(f"/api/delivery/cases/{world.dossier_case_id}").status_code == 200
    consent(judge, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"electronic": True, "phone": "1380000001"}, "phone"),
        ({"electronic": True, "phone": "23800000011"}, "phone"),
        ({"electronic": True, "email": "not-an-address"}, "email"),
        ({"electronic": True, "sms": True}, "sms"),
    ],
)
def test_bad_addresses_are_refused(app, world, staff, body, field) -> None:
    clerk = staff("clerk_a")
    answer = clerk.put(f"/api/delivery/cases/{world.dossier_case_id}/parties/p-1/addresses",
                       json=body)  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert field in answer.text
    assert (
        clerk.get(f"/api/delivery/cases/{world.dossier_case_id}").json()["parties"][0]["consent"]
        is None
    )


def test_consent_without_an_address_and_an_unknown_party(app, world, staff) -> None:
    clerk = staff("clerk_a")
    base = f"/api/delivery/cases/{world.dossier_case_id}/parties"
    answer = clerk.put(f"{base}/p-1/addresses", json={"electronic": True})
    assert answer.status_code == 422
    assert answer.json()["error"]["reason"] == "consent_address"
    assert clerk.put(f"{base}/p-9/addresses", json={"electronic": False}).status_code == 404


@pytest.mark.parametrize(
    ("recipients", "channels", "data", "reason"),
    [
        (["p-1"], ["fax"], None, "channels"),
        (["p-1"], ["sms", "sms"], None, "channels"),
        (["p-1", "p-1"], ["sms"], None, "recipients"),
        (["p-1"], ["sms"], b"<html>not a pdf</html>", "document"),
        (["p-1", "p-2"], ["sms"], None, "no_consent"),  # p-2 has none: nothing is served
        (["p-1", "p-7"], ["sms"], None, "party"),
    ],
)
def test_bad_services_leave_nothing_behind(
    app, ctx, world, staff, recipients, channels, data, reason
) -> None:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE)
    answer = serve(clerk, world.dossier_case_id, recipients, channels, data=data)
    assert answer.status_code in (404, 409, 422), answer.text
    assert answer.json()["error"]["reason"] == reason
    assert answer.json()["error"]["message_zh"]
    assert _count(app, Service) == 0 and _count(app, Document) == 0
    run(app)
    path = ctx.settings.data_dir / "sms" / "messages.jsonl"
    assert not path.exists() or PLAINTIFF_PHONE not in path.read_text("utf-8")


def test_collect_in_person_is_recorded_at_the_hand_over(app, world, staff) -> None:
    clerk = staff("clerk_a")
    service_id = serve(clerk, world.dossier_case_id, ["p-2"], ["collect"]).json()["items"][0]["id"]
    assert clerk.get(f"/api/delivery/services/{service_id}").json()["state"] == "sent"
    assert clerk.get(f"/api/delivery/services/{service_id}/proof").status_code == 404
    handed = clerk.post(f"/api/delivery/services/{service_id}/handover")
    assert handed.status_code == 200, handed.text
    assert handed.json()["state"] == "collected"
    again = clerk.post(f"/api/delivery/services/{service_id}/handover")
    assert again.status_code == 409
    run(app)
    assert clerk.get(f"/api/delivery/services/{service_id}/proof").status_code == 200
