"""The closing workflow across failures: an expired preparation, a seal that was due when the
server stopped (applied at the next start), and oversized input refused."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from hearing_server.app import create_app
from hearing_server.closing import signatures
from signing.verify import verify_pdf
from tests.server.closing_flow import closed_hearing


def test_a_preparation_expires(app, clock, ctx, world, make_client, code_sender) -> None:
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    assert court.plaintiff.certificate().status_code == 200
    prepared = court.plaintiff.prepare().json()
    clock.advance(timedelta(minutes=ctx.settings.signature_prepare_ttl_minutes + 1))
    expired = court.plaintiff.finish(prepared)
    assert expired.status_code == 410, expired.text
    again = court.plaintiff.finish(court.plaintiff.prepare().json())
    assert again.status_code == 200, again.text


def test_oversized_or_non_png_handwriting_is_refused(
    app, ctx, world, make_client, code_sender
) -> None:
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    assert court.plaintiff.certificate().status_code == 200
    for blob in (b"\x89PNG\r\n\x1a\n" + bytes(512 * 1024), b"GIF89a not a png"):
        response = court.plaintiff.client.post(
            f"{court.api}/prepare",
            json={"handwriting_png": base64.b64encode(blob).decode(), "confirm": True},
        )
        assert response.status_code == 422, response.text


def test_a_seal_due_when_the_server_stopped_is_applied_at_the_next_start(
    app, settings, clock, ctx, world, make_client, code_sender, fast_passwords, streams,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    court.plaintiff.sign()
    court.agent.sign()
    excused = court.clerk.client.post(
        f"{court.api}/slots/participant-{world.defendant_a}/resolve",
        json={"status": "excused", "note": "庭后离开，联系不上"},
    )
    assert excused.status_code == 200, excused.text
    court.judge.sign()

    async def crash(*_: object) -> None:
        raise RuntimeError("server stopped before the seal")

    monkeypatch.setattr(signatures, "seal_locked", crash)
    with pytest.raises(RuntimeError, match="before the seal"):
        court.clerk.sign()
    monkeypatch.undo()
    status = court.clerk.client.get(court.api).json()
    assert status["state"] == "signing" and status["stage"] == "seal"  # clerk's signature kept

    restarted = create_app(
        settings, clock=clock, code_sender=code_sender, passwords=fast_passwords,
        stream_factory=streams,
    )  # fmt: skip
    try:
        with TestClient(restarted) as client:
            client.cookies.update(court.clerk.client.cookies)
            status = client.get(court.api).json()
            assert status["state"] == "complete", status
            pdf = client.get(f"{court.api}/document.pdf").content
            report = verify_pdf(pdf, [restarted.state.services.pki.ca.root])
            assert report.valid, report
            documents = client.get(f"/api/cases/{world.case_a}/documents").json()
            assert len(documents) == 2
    finally:
        restarted.state.services.context.engine.dispose()


def test_an_erratum_after_freezing_is_attributed_signed_by_the_court_and_listed(
    app, ctx, world, make_client, code_sender
) -> None:
    from cryptography.exceptions import InvalidSignature
    from sqlalchemy import select

    from hearing_server.closing.errata import verify_erratum
    from hearing_server.models import AuditEvent, RecordErratum

    court = closed_hearing(app, ctx, world, make_client, code_sender)
    body = {"segment_id": "seg-1", "before": "五万元", "after": "四万元", "reason": "核对借条"}
    early = court.clerk.client.post(f"{court.api}/errata", json=body)
    assert early.status_code == 409  # only a frozen record has errata
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    assert court.plaintiff.client.post(f"{court.api}/errata", json=body).status_code == 403
    added = court.clerk.client.post(f"{court.api}/errata", json=body)
    assert added.status_code == 201, added.text
    assert added.json()["author_name"] == "clerk_a"
    listed = court.plaintiff.client.get(court.api).json()["errata"]
    assert [(e["before"], e["after"]) for e in listed] == [("五万元", "四万元")]
    seal_key = app.state.services.pki.ca.seal_cert.public_key()
    with ctx.session_factory() as session:
        erratum = session.scalars(select(RecordErratum)).one()
        verify_erratum(erratum, seal_key)
        assert '"transcript_sha256":"' in erratum.payload
        erratum.payload = erratum.payload.replace("四万元", "三万元")
        with pytest.raises(InvalidSignature):
            verify_erratum(erratum, seal_key)
        session.rollback()
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "closing.erratum" in actions
