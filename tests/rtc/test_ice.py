"""ICE settings: no STUN/TURN unless configured, and a host-address restriction scoped to a block."""

from __future__ import annotations

import aioice.ice
import pytest
from aiortc import RTCBundlePolicy, RTCIceServer

from hearing_server.rtc.ice import (
    IceSettings,
    install_host_address_hook,
    offer_host_addresses,
    rtc_configuration,
)


def test_no_urls_means_no_ice_servers_not_the_public_default() -> None:
    assert rtc_configuration().iceServers == []
    assert IceSettings().configuration().iceServers == []


def test_everything_is_bundled_on_one_transport() -> None:
    # aiortc's default (BALANCED) left a second video m-line on a discarded transport.
    assert rtc_configuration().bundlePolicy == RTCBundlePolicy.MAX_BUNDLE


def test_stun_and_turn_urls() -> None:
    configuration = rtc_configuration(
        ["stun:stun.court.example:3478"],
        ["turn:turn.court.example:3478?transport=udp"],
        turn_username="u",
        turn_password="p",
    )
    assert configuration.iceServers == [
        RTCIceServer(urls=["stun:stun.court.example:3478"]),
        RTCIceServer(
            urls=["turn:turn.court.example:3478?transport=udp"], username="u", credential="p"
        ),
    ]


@pytest.mark.parametrize(("stun", "turn"), [(["turn:x"], []), ([], ["stun:x"]), (["x"], [])])
def test_wrong_url_schemes_are_refused(stun: list[str], turn: list[str]) -> None:
    with pytest.raises(ValueError):
        rtc_configuration(stun, turn)


def test_restriction_is_scoped_and_the_hook_is_transparent_outside_it() -> None:
    install_host_address_hook()
    install_host_address_hook()  # idempotent: wraps once
    hooked = aioice.ice.get_host_addresses
    original = hooked.__wrapped__  # type: ignore[attr-defined]
    assert getattr(original, "__wrapped__", None) is None
    assert hooked(True, False) == original(True, False)
    with offer_host_addresses(["127.0.0.1", "::1"]):
        assert hooked(True, False) == ["127.0.0.1"]
        assert hooked(True, True) == ["127.0.0.1", "::1"]
        assert hooked(False, True) == ["::1"]
    assert hooked(True, False) == original(True, False)


def test_empty_restriction_keeps_the_default_and_bad_addresses_fail() -> None:
    with offer_host_addresses(()):
        pass
    with pytest.raises(ValueError), offer_host_addresses(["not-an-ip"]):
        pass
