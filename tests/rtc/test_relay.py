"""Forwarding: a participant who joins later hears the one already in the hearing."""

from __future__ import annotations

import numpy as np

from hearing_server.rtc.tap import ASR_SAMPLE_RATE_HZ, AudioTap
from tests.rtc.conftest import (
    Client,
    Hearing,
    SampleCollector,
    ToneWav,
    make_client,
    peak_frequency_hz,
)

RATE = ASR_SAMPLE_RATE_HZ


async def test_later_participant_receives_the_earlier_ones_audio(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    judge = make_client(tone_wav(440.0, seconds=8.0))
    plaintiff = make_client(tone_wav(660.0, seconds=8.0), receive_audio=1)
    clients += [judge, plaintiff]
    first = await judge.join(hearing.manager, "judge")
    assert dict(first.forwarded) == {}  # nobody to hear yet
    answer = await plaintiff.join(hearing.manager, "plaintiff")
    assert sorted(answer.forwarded.values()) == ["judge"]

    (mid,) = answer.forwarded
    (transceiver,) = [t for t in plaintiff.connection.getTransceivers() if t.mid == mid]
    heard = SampleCollector()
    listener = AudioTap(transceiver.receiver.track, heard, participant_id="plaintiff-speaker")
    listener.start()
    try:
        await heard.wait_for(RATE)
        assert abs(peak_frequency_hz(heard.samples[-RATE // 2 :]) - 440.0) <= 10.0
        # Each participant's own tap still gets only their own voice.
        await hearing.collector("plaintiff").wait_for(RATE // 2)
        assert abs(peak_frequency_hz(hearing.collector("plaintiff").samples) - 660.0) <= 10.0
        assert abs(peak_frequency_hz(hearing.collector("judge").samples) - 440.0) <= 10.0

        # Muted: the others hear silence (after what was already in flight).
        hearing.manager.set_muted("judge", True)
        muted_from = heard.count
        await heard.wait_for(muted_from + RATE)
        tail = heard.samples[-RATE // 2 :]
        assert float(np.sqrt(np.mean(tail**2))) < 1e-3
    finally:
        await listener.stop()
