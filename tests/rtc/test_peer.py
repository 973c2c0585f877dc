"""PeerManager + AudioTap over real WebRTC on loopback (aiortc client peers in this process)."""

from __future__ import annotations

import asyncio

import pytest

from hearing_server.rtc.errors import BadOfferError
from hearing_server.rtc.tap import ASR_SAMPLE_RATE_HZ
from tests.rtc.conftest import (
    TIMEOUT_S,
    Client,
    Hearing,
    ToneWav,
    make_client,
    peak_frequency_hz,
)

RATE = ASR_SAMPLE_RATE_HZ


def candidate_addresses(sdp: str) -> list[tuple[str, str]]:
    """``(address, type)`` of every ``a=candidate`` line."""
    found = []
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            fields = line.split()
            found.append((fields[4], fields[7]))
    return found


async def test_tone_reaches_the_tap_at_16_khz(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    client = make_client(tone_wav(440.0, seconds=3.0))
    clients.append(client)
    await client.join(hearing.manager, "plaintiff")
    collector = hearing.collector("plaintiff")
    # Everything but the last half second, then the end of the file.
    await collector.wait_for(int(2.5 * RATE))
    assert client.player is not None and client.player.audio is not None
    ended = asyncio.Event()
    client.player.audio.on("ended", ended.set)
    await asyncio.wait_for(ended.wait(), TIMEOUT_S)
    await client.close()
    tap = hearing.taps["plaintiff"]
    await asyncio.wait_for(tap.wait_ended(), TIMEOUT_S)

    samples = collector.samples
    assert tap.samples_fed == samples.size
    assert abs(samples.size / RATE - 3.0) <= 0.5
    assert abs(peak_frequency_hz(samples) - 440.0) <= 10.0
    assert 0.1 < float(abs(samples).max()) <= 1.0


async def test_answer_offers_only_loopback_host_candidates(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    client = make_client(tone_wav(440.0, seconds=1.0))
    clients.append(client)
    answer = await client.join(hearing.manager, "clerk")
    for sdp in (answer.sdp, client.connection.localDescription.sdp):
        candidates = candidate_addresses(sdp)
        assert candidates, sdp
        assert set(candidates) == {("127.0.0.1", "host")}


async def test_mute_feeds_silence_of_the_same_length_and_drains_the_track(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    client = make_client(tone_wav(440.0, seconds=5.0))
    clients.append(client)
    await client.join(hearing.manager, "defendant")
    collector = hearing.collector("defendant")
    await collector.wait_for(int(0.5 * RATE))

    tap = hearing.taps["defendant"]
    track = hearing.tracks["defendant"]
    hearing.manager.set_muted("defendant", True)
    # The first muted frame also flushes the resampler's tail of the voice; count after it.
    await track.wait_frames(track.frames + 1)
    fed, frames = tap.samples_fed, tap.frames_received  # both updated by the tap, in step
    await track.wait_frames(track.frames + 50)  # one second of 20 ms frames, read while muted
    muted = collector.samples[fed:]
    assert tap.samples_fed - fed == (tap.frames_received - frames) * RATE // 50  # 320 a frame
    assert muted.size == tap.samples_fed - fed and not muted.any()  # nothing of the voice

    hearing.manager.set_muted("defendant", False)
    await collector.wait_for(collector.count + int(0.5 * RATE))
    assert float(abs(collector.samples[-RATE // 4 :]).max()) > 0.1


async def test_closing_the_client_ends_the_tap_and_the_peer(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    client = make_client(tone_wav(440.0, seconds=10.0))
    clients.append(client)
    await client.join(hearing.manager, "witness")
    await hearing.collector("witness").wait_for(int(0.2 * RATE))
    await client.close()
    await asyncio.wait_for(hearing.taps["witness"].wait_ended(), TIMEOUT_S)
    assert not hearing.taps["witness"].running
    assert hearing.lost == ["witness"]  # reported as lost: the others are told


async def test_server_close_ends_the_tap(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    client = make_client(tone_wav(440.0, seconds=10.0))
    clients.append(client)
    await client.join(hearing.manager, "judge")
    await hearing.collector("judge").wait_for(int(0.2 * RATE))
    await hearing.manager.close("judge")
    assert hearing.taps["judge"].ended
    assert hearing.manager.participants == ()
    assert hearing.lost == []  # a close by the server (leave, removal) is not a loss


@pytest.mark.parametrize(
    "offer",
    [
        "",
        "garbage",
        "v=0\r\n",
        "v=0\r\nm=audio x\r\n",
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
        "v=0\r\n" + "a=x\r\n" * 20_000,
    ],
    ids=["empty", "garbage", "no-media", "bad-m-line", "no-ice-credentials", "too-large"],
)
async def test_malformed_offer_raises_bad_offer(hearing: Hearing, offer: str) -> None:
    with pytest.raises(BadOfferError):
        await hearing.manager.answer("plaintiff", offer)
    assert hearing.manager.participants == ()


async def test_datagrams_went_to_loopback_only(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav, loopback_only: list[str]
) -> None:
    client = make_client(tone_wav(440.0, seconds=2.0))
    clients.append(client)
    await client.join(hearing.manager, "recorder")
    await hearing.collector("recorder").wait_for(int(0.2 * RATE))
    assert loopback_only  # the guard saw the traffic (STUN checks, DTLS, RTP)
    assert set(loopback_only) == {"127.0.0.1"}


async def test_rejoin_replaces_the_old_connection_and_keeps_mute(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    first = make_client(tone_wav(440.0, seconds=10.0))
    clients.append(first)
    await first.join(hearing.manager, "lawyer")
    await hearing.collector("lawyer").wait_for(int(0.2 * RATE))
    old_tap = hearing.taps["lawyer"]
    hearing.manager.set_muted("lawyer", True)

    second = make_client(tone_wav(440.0, seconds=10.0))  # the page was reloaded
    clients.append(second)
    await second.join(hearing.manager, "lawyer")
    assert old_tap.ended
    assert hearing.manager.participants == ("lawyer",)
    new_tap = hearing.taps["lawyer"]
    assert new_tap is not old_tap and new_tap.muted
    hearing.manager.set_muted("lawyer", False)
    fed = hearing.collector("lawyer").count
    await hearing.collector("lawyer").wait_for(fed + int(0.2 * RATE))
    assert new_tap.samples_fed > 0


async def test_re_offer_before_media_flowed_ends_the_old_tap_at_once(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav, caplog: pytest.LogCaptureFixture
) -> None:
    first = make_client(tone_wav(440.0, seconds=10.0))
    second = make_client(tone_wav(440.0, seconds=10.0))
    clients += [first, second]
    await first.join(hearing.manager, "lawyer")
    old_tap = hearing.taps["lawyer"]
    await second.join(hearing.manager, "lawyer")  # before ICE/DTLS of the first connection
    assert old_tap.ended
    assert "did not end" not in caplog.text  # it ended, the manager did not give up waiting
    await hearing.collector("lawyer").wait_for(int(0.2 * RATE))
