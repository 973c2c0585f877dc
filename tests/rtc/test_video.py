"""Video and audio between room-shaped clients (room.js: sendonly mic + camera, recvonly pairs).

The bug this guards: audio was relayed but video never reached the other browsers. Each client's
camera is flat grey of its own luma, so a decoded frame tells whose picture it is.
"""

from __future__ import annotations

import pytest

from hearing_server.rtc.tap import ASR_SAMPLE_RATE_HZ, AudioTap
from tests.rtc.conftest import Client, Hearing, SampleCollector, ToneWav, peak_frequency_hz
from tests.rtc.room_clients import FrameCounter, make_room_client

RATE = ASR_SAMPLE_RATE_HZ
JUDGE_LUMA, PLAINTIFF_LUMA, REJOINED_LUMA = 200, 60, 140


async def assert_receives(client: Client, participant_id: str, luma: int, tone_hz: float) -> None:
    """``client`` decodes ``participant_id``'s picture (by its luma) and voice (by its pitch)."""
    video = FrameCounter(client.forwarded_from(participant_id, "video"))
    heard = SampleCollector()
    listener = AudioTap(client.forwarded_from(participant_id, "audio"), heard, participant_id="x")
    listener.start()
    try:
        await video.wait_frames(10)
        assert abs(video.mean_luma() - luma) < 8, video.mean_luma()
        await heard.wait_for(RATE // 2)
        assert abs(peak_frequency_hz(heard.samples[-RATE // 4 :]) - tone_hz) <= 10.0
    finally:
        await video.stop()
        await listener.stop()


@pytest.mark.parametrize("hearing", ["encoded", "reencode"], indirect=True)
async def test_video_and_audio_reach_later_participants_and_re_offers(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    judge = make_room_client(tone_wav(440.0, seconds=30.0), JUDGE_LUMA, others=0)
    plaintiff = make_room_client(tone_wav(660.0, seconds=30.0), PLAINTIFF_LUMA, others=1)
    clients += [judge, plaintiff]
    assert dict((await judge.join(hearing.manager, "judge")).forwarded) == {}

    # The plaintiff joins later and receives the judge.
    answer = await plaintiff.join(hearing.manager, "plaintiff")
    assert sorted(answer.forwarded.values()) == ["judge", "judge"]
    await assert_receives(plaintiff, "judge", JUDGE_LUMA, 440.0)

    # The judge re-offers (room.js does when someone it does not receive speaks: a new
    # connection, the old one closed after the answer) and receives the plaintiff. The plaintiff
    # need not re-offer: what it received of the judge continues from the new connection.
    rejoined = make_room_client(tone_wav(440.0, seconds=30.0), REJOINED_LUMA, others=1)
    clients.append(rejoined)
    answer = await rejoined.join(hearing.manager, "judge")
    assert sorted(answer.forwarded.values()) == ["plaintiff", "plaintiff"]
    await judge.close()
    await assert_receives(rejoined, "plaintiff", PLAINTIFF_LUMA, 660.0)
    await assert_receives(plaintiff, "judge", REJOINED_LUMA, 440.0)  # the new connection's

    # A re-offer of the plaintiff (page reload) receives the judge as well.
    again = make_room_client(tone_wav(660.0, seconds=30.0), PLAINTIFF_LUMA, others=1)
    clients.append(again)
    await again.join(hearing.manager, "plaintiff")
    await assert_receives(again, "judge", REJOINED_LUMA, 440.0)

    forwarder = hearing.manager.forwarder
    if hearing.forwarding == "encoded":
        assert forwarder.fallbacks == 0  # nothing was re-encoded
        video = forwarder.source("judge", "video")
        assert video is not None and video.frames > 0 and not video.decode
        assert video.mime_type == "video/vp8"
        audio = forwarder.source("judge", "audio")
        assert audio is not None and audio.mime_type == "audio/opus" and audio.decode
    else:
        assert forwarder.fallbacks == 6  # audio + video in each of the three answers
