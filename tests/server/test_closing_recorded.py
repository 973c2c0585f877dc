"""The closing status says whether the hearing was recorded (``recorded``), exactly when the
recordings route answers a manifest: the signing page asks for the recordings only then (a
hearing that was not recorded answered its 404 on every party's page load)."""

from __future__ import annotations

from tests.server.closing_flow import closed_hearing
from tests.server.conftest import login


def test_recorded_is_whether_the_recordings_route_has_a_manifest(
    app, ctx, world, make_client, code_sender
) -> None:
    judge = make_client()
    login(judge, "judge_a")
    hid = world.hearing_a
    status = judge.get(f"/api/hearings/{hid}/closing")
    assert status.status_code == 200, status.text
    assert status.json()["recorded"] is False
    assert judge.get(f"/api/hearings/{hid}/recordings").status_code == 404
    court = closed_hearing(app, ctx, world, make_client, code_sender)  # with finalised files
    assert court.plaintiff.client.get(court.api).json()["recorded"] is True
    assert court.plaintiff.client.get(f"/api/hearings/{hid}/recordings").status_code == 200
