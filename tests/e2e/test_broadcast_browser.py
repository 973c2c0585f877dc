"""Issue 13, public broadcast (庭审公开), as the judge and an observer see it.

Headless Chromium in a private network namespace, the real app on 127.0.0.1. The judge (fake
microphone: a looping tone, sent over real WebRTC) enters the room and allows public viewing with
a 6 s delay; an observer opens the public link: hls.js plays the server's HLS (the judge's audio,
mixed and encoded by the broadcast writer, and the active speaker's camera, the judge's),
``video.currentTime`` advances, the picture is the judge's fake camera, and the observer's
transcript shows the judge's committed words only once they are 6 s old (compared with when the
judge's own page showed them). The observer's page opens no RTCPeerConnection and no WebSocket;
the judge's panel counts one observer. The judge stops public viewing: the observer's page says
the broadcast ended. The ASR is the model-free fake of ``test_room.py`` (one sentence per voiced
second).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hearing_server.demo import seed_demo
from hearing_server.notify import RecordingCodeSender
from tests.e2e.harness import (
    NETNS_ENV,
    REPO_ROOT,
    TIMEOUT_MS,
    TRANSCRIPT_RECORDER_JS,
    assert_private_namespace,
    inside_namespace,
    live_server,
    open_hearing,
    run_module_in_namespace,
)
from tests.e2e.test_room import Running, SpeakingStreams, _chromium, _tone_wav

SCREENSHOTS = REPO_ROOT / "out" / "screenshots"
DELAY_S = 6

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]

NO_REALTIME_JS = """
(() => {
  window.__e2eRealtime = [];
  const Peer = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Peer {
    constructor(...a) { super(...a); window.__e2eRealtime.push("rtc"); }
  };
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...a) { super(...a); window.__e2eRealtime.push("ws"); }
  };
})();
"""


MEAN_COLOUR_JS = """
() => {
  const video = document.getElementById("watch-video");
  const canvas = document.createElement("canvas");
  canvas.width = 32;
  canvas.height = 18;
  const g = canvas.getContext("2d");
  g.drawImage(video, 0, 0, 32, 18);
  const d = g.getImageData(0, 0, 32, 18).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < d.length; i += 4) { sum[0] += d[i]; sum[1] += d[i + 1]; sum[2] += d[i + 2]; }
  return sum.map((v) => v / (d.length / 4));
}
"""


def test_broadcast_in_private_network_namespace() -> None:
    if inside_namespace():
        pytest.skip("already inside the private network namespace")
    run_module_in_namespace(__file__, timeout_s=230, passed=1)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Running, RecordingCodeSender]]:
    if not inside_namespace():
        pytest.skip(f"runs only inside a private network namespace ({NETNS_ENV}=1, see the runner)")
    assert_private_namespace()
    streams = SpeakingStreams()
    with live_server(tmp_path / "data", streams) as live:
        yield Running(live.base_url, live.ctx, streams), live.sender


def _first_seen(page: Any) -> dict[str, int]:
    """Segment id → when the page first showed it (ms since the epoch)."""
    entries = page.evaluate("() => window.__e2eTranscript.committed")
    seen: dict[str, int] = {}
    for entry in entries:
        seen.setdefault(entry["id"], entry["at"])
    return seen


def test_judge_opens_the_hearing_to_the_public_and_an_observer_watches_behind_the_delay(
    server: tuple[Running, RecordingCodeSender], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    running, _ = server
    seed = seed_demo(running.ctx)
    base = running.base_url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = _chromium(pw, _tone_wav(tmp_path / "tone.wav"))
        try:
            open_hearing(browser, base, seed)
            viewport = {"width": 1366, "height": 820}
            judge_context = browser.new_context(viewport=viewport, locale="zh-CN")
            judge_context.add_init_script(TRANSCRIPT_RECORDER_JS)
            judge = judge_context.new_page()
            judge.goto(f"{base}/login.html?next=/room.html%3Fh%3D{seed.hearing_id}")
            judge.fill("#username", "judge")
            judge.fill("#password", seed.new_passwords["judge"])
            judge.click("#submit")
            judge.wait_for_url("**/room.html?h=*")
            expect(judge.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)
            panel = judge.locator("#broadcast-panel")
            expect(panel.locator("#bc-status")).to_have_text("未公开")
            panel.locator("#bc-delay").fill(str(DELAY_S))
            panel.locator("#bc-toggle").click()
            expect(panel.locator("#bc-toggle")).to_have_text("停止公开")
            expect(panel.locator("#bc-status")).to_contain_text(f"公开中 · 延迟 {DELAY_S} 秒")
            watch_url = panel.locator("#bc-link").get_attribute("href")
            assert watch_url is not None and "/watch/" in watch_url

            observer_context = browser.new_context(viewport=viewport, locale="zh-CN")
            observer_context.add_init_script(NO_REALTIME_JS)
            observer_context.add_init_script(TRANSCRIPT_RECORDER_JS)
            observer = observer_context.new_page()
            observer.goto(watch_url)
            expect(observer.locator("#hdr-case")).to_contain_text("民初")
            # The broadcast plays: hls.js fetched playlist and segments, and time advances.
            observer.wait_for_function(
                "() => document.getElementById('watch-video').currentTime > 1",
                timeout=60_000,
            )
            played = observer.evaluate("() => document.getElementById('watch-video').currentTime")
            observer.wait_for_function(
                f"() => document.getElementById('watch-video').currentTime > {played + 1.5}",
                timeout=30_000,
            )
            # The picture is the active speaker's (the judge's) camera: Chromium's fake camera is
            # mostly green, so the broadcast's frames are too (black would mean no camera).
            observer.wait_for_function(
                "() => document.getElementById('watch-video').videoWidth === 320"
            )
            red, green, blue = observer.evaluate(MEAN_COLOUR_JS)
            assert green > 80 and green > red + 40 and green > blue + 40, (red, green, blue)
            # The transcript: committed words, each shown only once they are DELAY_S old.
            expect(observer.locator("#watch-lines .line").first).to_contain_text(
                "本庭现在开庭", timeout=30_000
            )
            judge_seen, observer_seen = _first_seen(judge), _first_seen(observer)
            assert observer_seen, "the observer saw no line"
            for segment_id, at in observer_seen.items():
                assert segment_id in judge_seen, segment_id
                lag_s = (at - judge_seen[segment_id]) / 1000
                assert lag_s >= DELAY_S - 1.0, f"{segment_id} shown {lag_s:.1f} s after the judge"
            observer_text = observer.locator("#watch-lines .line .text").first.inner_text()
            judge_text = judge.locator("#committed .line .text").first.inner_text()
            assert judge_text.startswith(observer_text[:6]), (observer_text, judge_text)
            expect(observer.locator(".partial")).to_have_count(0)
            assert observer.evaluate("() => window.__e2eRealtime") == []
            # The judge sees one observer.
            expect(panel.locator("#bc-status")).to_contain_text("旁听 1 人", timeout=10_000)
            observer.screenshot(path=str(SCREENSHOTS / "watch-playing.png"))
            judge.screenshot(path=str(SCREENSHOTS / "room-broadcast-panel.png"))

            # The judge stops public viewing: the observer's page says it ended.
            panel.locator("#bc-toggle").click()
            expect(panel.locator("#bc-status")).to_have_text("未公开")
            expect(observer.locator("#watch-status")).to_have_text(
                "公开直播已结束。", timeout=10_000
            )
            expect(observer.locator("#watch-video")).to_be_hidden()
            expect(observer.locator("#watch-lines .line")).to_have_count(0)
            observer.screenshot(path=str(SCREENSHOTS / "watch-ended.png"))
            # Media is refused once public viewing is off.
            token = watch_url.rsplit("/", 1)[1]
            status = observer.evaluate(
                f"async () => (await fetch('/watch/{token}/live.m3u8')).status"
            )
            assert status == 404
        finally:
            browser.close()
