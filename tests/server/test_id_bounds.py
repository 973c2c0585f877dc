"""An id no record can have (beyond 32 bits, the id columns' range on PostgreSQL) is a 404 with a clear message on every route, not a
500 from the database driver (issue 14: ``/api/hearings/99999999999999999999999/recordings``)."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from hearing_server.id_bounds import MAX_ID, out_of_range_id
from tests.server.conftest import login


@pytest.mark.parametrize(
    "path",
    [
        "/api/hearings/99999999999999999999999/recordings",
        "/api/hearings/9223372036854775808/recordings",
        "/api/hearings/2147483648/recordings",
        f"/api/hearings/{MAX_ID + 1}",
        "/api/participants/18446744073709551616/invitation",
    ],
)
def test_an_id_beyond_32_bits_is_not_found(client, world, path) -> None:
    login(client, "clerk_a")
    response = client.get(path) if "invitation" not in path else client.post(path)
    assert response.status_code == 404, response.text
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "ids are whole numbers up to 2147483647" in error["message"]


def test_the_largest_id_reaches_the_route(client, world) -> None:
    login(client, "clerk_a")
    response = client.get(f"/api/hearings/{MAX_ID}/recordings")
    assert response.status_code == 404  # the route's own answer: no such hearing
    assert "ids are whole numbers" not in response.json()["error"]["message"]


def test_a_socket_with_such_an_id_is_refused(client, world) -> None:
    login(client, "clerk_a")
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/ws/hearings/99999999999999999999999/document"),
    ):
        pass


def test_which_segments_are_out_of_range() -> None:
    assert out_of_range_id("/api/hearings/12/recordings") is None
    assert out_of_range_id(f"/api/hearings/{MAX_ID}") is None
    assert out_of_range_id(f"/api/hearings/{MAX_ID + 1}") == str(MAX_ID + 1)
    assert out_of_range_id("/api/hearings/00000000001") is None  # it is 1
    assert out_of_range_id("/api/hearings/" + "9" * 5000) == "9" * 5000
    assert out_of_range_id("/recordings/participant-3.flac") is None
    assert out_of_range_id("/api/hearings/١٢٣") is None  # not ASCII digits: the route decides
