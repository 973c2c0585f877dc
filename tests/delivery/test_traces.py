"""Service traces (留痕): a call recording and the clerk's note attached to an attempt, transcribed
offline by the project's own ASR (tiny.en on speech made with espeak-ng), searchable by the staff
of the court only; audio that cannot be decoded fails its transcription and keeps the note."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from delivery.tables import DeliveryAudit
from tests.delivery.conftest import DEFENDANT_ADDRESS, consent, delivery_context, run, serve


@pytest.fixture(autouse=True)
def _english_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINGSHEN_DELIVERY_ASR_MODEL", "tiny.en")
    monkeypatch.setenv("TINGSHEN_DELIVERY_ASR_LANGUAGE", "en")


def _posted(world: Any, staff: Any) -> tuple[Any, int, int]:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-2", electronic=False,
            postal_address=DEFENDANT_ADDRESS)  # fmt: skip
    service = serve(clerk, world.dossier_case_id, ["p-2"], ["post"]).json()["items"][0]
    return clerk, service["id"], service["attempts"][0]["id"]


def _attach(
    clerk: Any,
    service_id: int,
    data: bytes,
    media_type: str,
    note: str,
    attempt_id: int | None = None,
) -> Any:
    form = {"note": note} | ({"attempt_id": str(attempt_id)} if attempt_id else {})
    return clerk.post(f"/api/delivery/services/{service_id}/traces", data=form,
                      files={"file": ("call.wav", data, media_type)})  # fmt: skip


def test_a_call_recording_is_transcribed_and_found(app, world, staff, espeak_wav) -> None:
    clerk, service_id, attempt_id = _posted(world, staff)
    speech = espeak_wav("The defendant said he moved away and refused to give his new address.")
    answer = _attach(clerk, service_id, speech.read_bytes(), "audio/wav",
                     "电话联系被告，拒绝提供新地址", attempt_id)  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert answer.json()["transcript_state"] == "queued"
    run(app)
    traces = clerk.get(f"/api/delivery/services/{service_id}").json()["traces"]
    assert len(traces) == 1 and traces[0]["transcript_state"] == "done"
    assert traces[0]["attempt_id"] == attempt_id
    assert "address" in traces[0]["transcript"].lower()
    found = clerk.get("/api/delivery/traces", params={"q": "address"}).json()["items"]
    assert [t["id"] for t in found] == [traces[0]["id"]]
    assert clerk.get("/api/delivery/traces", params={"q": "拒绝提供"}).json()["items"]
    assert staff("clerk_b").get("/api/delivery/traces", params={"q": "address"}).json() == {
        "items": []
    }
    with delivery_context(app).session_factory() as s:
        actions = s.scalars(select(DeliveryAudit.action).where(
            DeliveryAudit.service_id == service_id)).all()  # fmt: skip
    assert "trace.attached" in actions and "trace.transcribed" in actions


def test_bad_recordings(app, world, staff) -> None:
    clerk, service_id, _attempt = _posted(world, staff)
    assert _attach(clerk, service_id, b"%PDF-1.4", "application/pdf", "x").status_code == 422
    assert _attach(clerk, service_id, b"RIFF", "audio/wav", "x", 999_999).status_code == 422
    garbage = _attach(clerk, service_id, b"RIFF....not audio at all", "audio/wav", "无法接通")
    assert garbage.status_code == 201
    run(app)
    traces = clerk.get(f"/api/delivery/services/{service_id}").json()["traces"]
    assert [(t["note"], t["transcript_state"]) for t in traces] == [("无法接通", "failed")]
    assert staff("recorder_a").post(f"/api/delivery/services/{service_id}/traces",
                                    data={"note": "x"}).status_code == 403  # fmt: skip
