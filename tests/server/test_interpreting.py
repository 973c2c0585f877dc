"""Issue 13: a speaker's language and an interpreter's "of whom", set by the bench (audited)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from hearing_server.context import ServerContext
from hearing_server.live.admission import participant_speaker
from hearing_server.models import AuditEvent, Participant
from tests.server.conftest import World, login


def _add_interpreter(
    client: TestClient, world: World, **extra: object
) -> Any:  # the client's response
    return client.post(
        f"/api/hearings/{world.hearing_a}/participants",
        json={"display_name": "陈译", "court_role": "interpreter", **extra},
    )


def test_clerk_sets_language_and_interpreter_and_the_speaker_carries_them(
    client: TestClient, ctx: ServerContext, world: World
) -> None:
    login(client, "clerk_a")
    added = _add_interpreter(client, world, interprets_participant_id=world.defendant_a)
    assert added.status_code == 201, added.text
    body = added.json()
    assert (
        body["role_label_zh"] == "翻译" and body["interprets_participant_id"] == world.defendant_a
    )
    changed = client.put(f"/api/participants/{world.defendant_a}/language", json={"language": "en"})
    assert changed.status_code == 200 and changed.json()["language"] == "en"
    listed = client.get(f"/api/hearings/{world.hearing_a}/participants").json()
    assert {p["id"]: p["language"] for p in listed}[world.defendant_a] == "en"
    with ctx.session_factory() as session:
        interpreter = session.get(Participant, body["id"])
        assert interpreter is not None
        label = participant_speaker(interpreter, session=session).label()
        assert label["interprets"] == {
            "speaker": f"participant-{world.defendant_a}",
            "role": "defendant",
            "display_name": "李娜",
        }
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "participant.language")
        ).one()
    assert event.entity_id == world.defendant_a
    assert event.details["language"] == "en" and event.details["before"]["language"] is None


def test_bad_language_or_interpreter_input_is_a_clear_4xx_and_changes_nothing(
    client: TestClient, ctx: ServerContext, world: World
) -> None:
    login(client, "clerk_a")
    url = f"/api/participants/{world.defendant_a}/language"
    assert client.put(url, json={"language": "fr"}).status_code == 422
    # Only an interpreter interprets; and only for someone of the same hearing.
    not_interpreter = client.put(
        url, json={"language": "en", "interprets_participant_id": world.plaintiff_a}
    )
    assert not_interpreter.status_code == 422, not_interpreter.text
    other_hearing = _add_interpreter(client, world, interprets_participant_id=world.plaintiff_a2)
    assert other_hearing.status_code == 422, other_hearing.text
    assert (
        client.put("/api/participants/99999/language", json={"language": "en"}).status_code == 404
    )
    with ctx.session_factory() as session:
        defendant = session.get(Participant, world.defendant_a)
        assert defendant is not None and defendant.language is None
        assert (
            session.scalars(select(Participant).where(Participant.display_name == "陈译")).all()
            == []
        )


def test_parties_and_other_courts_cannot_set_a_language(make_client, world: World) -> None:
    anonymous = make_client()
    url = f"/api/participants/{world.defendant_a}/language"
    assert anonymous.put(url, json={"language": "en"}).status_code == 401
    other_court = make_client()
    login(other_court, "clerk_b")
    assert other_court.put(url, json={"language": "en"}).status_code in (403, 404)
    recorder = make_client()
    login(recorder, "recorder_a")
    assert recorder.put(url, json={"language": "en"}).status_code == 403
