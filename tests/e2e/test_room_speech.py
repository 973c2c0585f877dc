"""Real speech through the hearing room: Chromium microphone → WebRTC → Whisper → the judge's page.

The real app with the real :class:`~hearing_server.live.streams.ModelStreamFactory` (Whisper base,
int8; the hearing is Mandarin) runs inside a private network namespace with a judge and a
plaintiff in headless Chromium (two browser processes: the plaintiff's fake microphone plays the
speech file, the judge's plays silence). The runner (outside a namespace) re-executes this module
once with ``unshare -n`` and reports each inner test's outcome as its own test, so a failure of
one observation (the video) does not hide the others.

The plaintiff's microphone plays, from the speech corpus (``TINGSHEN_SPEECH_CORPUS``), upsampled
to 48 kHz in a temporary folder::

    5 s silence | AISHELL-1 BAC009S0764W0121 (4.2 s) | 0.6 s | CosyVoice prompt (3.5 s)
      | 3.5 s silence | WenetSpeech meeting clip, first 8 s | 0.5 s

Part A is the two short clips (27 reference characters); part B, the meeting clip, plays after
the plaintiff has muted. The leading silence covers the time the page needs to connect its media
(3.3 s here: the page waits up to 3 s for ICE gathering, which never completes with only ``lo``)
so that no speech is lost before the server receives audio. The server's streams are wrapped in
:class:`~tests.e2e.harness.CountingStreams` (counts the non-silent samples each stream is fed).

What is checked:

- ``test_plaintiff_speech_reaches_judge``: the judge's page shows committed lines of the
  plaintiff, attributed by role and name (原告, 张伟), whose text (lines that arrived before the
  mute was acknowledged + :data:`GRACE_MS`) scores a character error rate of at most
  :data:`CER_BOUND` = 0.25 against the manifest's reference of part A (project scoring,
  :func:`asr.eval.metrics.score`: simplified Chinese, punctuation and spaces removed). Measured
  here: CER 0.074 in each of 3 runs whose text was printed (two substitutions: 停制 for 停滞,
  好用 for 好呦), the same as Whisper base offline on these clips. 0.25 allows 6 of 27
  characters wrong, so a noisy CPU does not fail it, while a lost clip (CER >= 0.48), garbled
  text or another speaker's text does. (One early run, at a load average of 15 from other jobs,
  committed the second clip more than 6 s late: that fails, and should.)
- ``test_mute_stops_transcript``: the plaintiff mutes after part A's last utterance ended on the
  judge's page (a committed line after A's audio ended and no partial left; at the latest just
  before part B starts). Once the mute is acknowledged on the plaintiff's page (the button reads
  取消静音) and :data:`SETTLE_MS` has passed, the server's stream of the plaintiff gets less than
  0.1 s of non-silent audio while part B plays (unmuted: 244,160 samples, 15 s); and no committed
  line of the plaintiff arrives from :data:`GRACE_MS` (more than the engine's commit latency of
  audio sent before the mute) after the acknowledgement until :data:`GRACE_MS` after part B ends.
- ``test_judge_sees_plaintiff_video``: the plaintiff's tile on the judge's page plays video
  (``videoWidth > 0`` and ``currentTime`` advancing), waited for while part B plays.
"""

from __future__ import annotations

import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from asr.audio import decode_file
from asr.errors import ModelNotFoundError
from asr.eval.manifest import load_manifest
from asr.eval.metrics import score
from asr.models import resolve_model
from asr.types import SAMPLE_RATE_HZ
from hearing_server.demo import seed_demo
from hearing_server.live.streams import ModelStreamFactory
from tests.conftest import speech_corpus_path
from tests.e2e.harness import (
    CountingStreams,
    ScreenLine,
    assert_private_namespace,
    committed_lines,
    inside_namespace,
    judge_enters,
    launch_chromium,
    live_server,
    namespace_unavailable,
    open_hearing,
    plaintiff_enters,
    plaintiff_id,
    run_in_namespace,
    silence,
    wait_capture,
    wait_until_wall,
    write_browser_wav,
)

CER_BOUND = 0.25
GRACE_MS = 6_000
SETTLE_MS = 1_500
LEAD_S = 5.0
PART_B_S = 8
PART_A = ("zh_aishell1_BAC009S0764W0121.wav", "zh_cosyvoice_zero_shot_prompt.wav")
PART_B = "zh_wenetspeech_TEST_MEETING_S00000.wav"
INNER_TESTS = (
    "test_plaintiff_speech_reaches_judge",
    "test_mute_stops_transcript",
    "test_judge_sees_plaintiff_video",
)
INNER_TIMEOUT_S = 240

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.model,
    pytest.mark.corpus,
    pytest.mark.timeout(INNER_TIMEOUT_S + 60),
]


# ---------------------------------------------------------------- the runner (outside a namespace)


@pytest.fixture(scope="module")
def inner_outcomes() -> dict[str, str]:
    """Run this module's inner tests once inside a private network namespace.

    Returns test name → "" when it passed, else the failure text (or "skipped: reason").
    """
    if inside_namespace():
        pytest.skip("already inside the private network namespace")
    reason = namespace_unavailable()
    if reason is not None:
        pytest.skip(reason)
    if not (speech_corpus_path() / "manifest.jsonl").is_file():
        pytest.skip(
            f"speech corpus not found at {speech_corpus_path()}; set TINGSHEN_SPEECH_CORPUS"
        )
    try:
        resolve_model("base")
    except ModelNotFoundError as exc:
        pytest.skip(f"Whisper base model not available: {exc}")
    with tempfile.TemporaryDirectory(prefix="tingshen-e2e-") as tmp:
        report = Path(tmp) / "inner.xml"
        result = run_in_namespace(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
            + [f"{Path(__file__)}::{name}" for name in INNER_TESTS],
            timeout_s=INNER_TIMEOUT_S,
        )
        tail = result.stdout[-6000:] + result.stderr[-3000:]
        assert report.is_file(), (
            f"the inner run wrote no report (exit {result.returncode}):\n{tail}"
        )
        outcomes: dict[str, str] = {}
        for case in ET.parse(report).getroot().iter("testcase"):
            name = case.get("name", "")
            problems = [c for c in case if c.tag in ("failure", "error", "skipped")]
            outcomes[name] = "\n".join(
                f"{c.tag}: {c.get('message', '')}\n{c.text or ''}" for c in problems
            )
    missing = [name for name in INNER_TESTS if name not in outcomes]
    assert not missing, f"inner tests did not run: {missing}\n{tail}"
    return outcomes


@pytest.mark.parametrize("inner", INNER_TESTS)
def test_in_private_network_namespace(inner: str, inner_outcomes: dict[str, str]) -> None:
    assert inner_outcomes[inner] == "", inner_outcomes[inner][-6000:]


# ---------------------------------------------------------------- the scenario (inside)


@dataclass(frozen=True)
class Scenario:
    plaintiff_key: str
    reference_a: str
    lines: list[ScreenLine]
    mute_acknowledged_ms: float
    voiced_after_mute_samples: int
    b_after_mute_s: float
    video_problem: str | None


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright

    corpus = speech_corpus_path()
    items = {item.audio.name: item for item in load_manifest(corpus / "manifest.jsonl")}
    tmp = tmp_path_factory.mktemp("speech-room")
    clips_a = [decode_file(items[name].audio) for name in PART_A]
    clip_b = decode_file(items[PART_B].audio)[: PART_B_S * SAMPLE_RATE_HZ]
    parts = [silence(LEAD_S), clips_a[0], silence(0.6), clips_a[1], silence(3.5)]
    a_end_s = sum(len(p) for p in parts[:-1]) / SAMPLE_RATE_HZ
    b_start_s = sum(len(p) for p in parts) / SAMPLE_RATE_HZ
    parts += [clip_b, silence(0.5)]
    audio = np.concatenate(parts).astype(np.float32)
    b_end_s = b_start_s + len(clip_b) / SAMPLE_RATE_HZ
    speech = write_browser_wav(tmp / "plaintiff.wav", audio)
    quiet = write_browser_wav(tmp / "quiet.wav", silence(1.0))
    streams = CountingStreams(ModelStreamFactory("base"))

    with live_server(tmp / "data", streams) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        pid = plaintiff_id(server.ctx, seed.hearing_id)
        key = f"participant-{pid}"
        court = launch_chromium(pw, quiet)
        party = launch_chromium(pw, speech)
        try:
            open_hearing(court, server.base_url, seed)
            judge = judge_enters(court, server.base_url, seed)
            plaintiff = plaintiff_enters(party, server, seed, pid)
            capture = wait_capture(plaintiff)
            start_ms = capture.onset_at_ms - LEAD_S * 1000  # the file's first sample
            # Mute once part A's last utterance ended on the judge's page (a committed line
            # after A's audio ended and no partial left), at the latest just before B starts.
            judge.wait_for_function(
                """([key, aEnd, latest]) => {
                  const rec = window.__e2eTranscript;
                  const done = rec.committed.some((l) => l.speaker === key && l.at >= aEnd)
                    && !document.querySelector(`#lines [data-pending="${key}"]`);
                  return done || Date.now() >= latest;
                }""",
                arg=[key, start_ms + a_end_s * 1000, start_ms + b_start_s * 1000 - 500],
                timeout=(b_start_s + 10) * 1000,
            )
            plaintiff.click("#mute")
            expect(plaintiff.locator("#mute")).to_have_text("取消静音")
            muted_ms: float = plaintiff.evaluate("Date.now()")
            # Packets in flight when the mute was acknowledged have arrived after this.
            wait_until_wall(plaintiff, muted_ms + SETTLE_MS)
            fed_at_settle = streams.voiced.get(key, 0)
            settled_ms = max(muted_ms + SETTLE_MS, start_ms + b_start_s * 1000)
            video_problem: str | None = None
            try:
                judge.wait_for_function(
                    """async (key) => {
                      const v = document.querySelector(`.tile[data-speaker="${key}"] video`);
                      if (!v || !v.videoWidth) return false;
                      const t = v.currentTime;
                      await new Promise((r) => setTimeout(r, 300));
                      return v.currentTime > t;
                    }""",
                    arg=key,
                    timeout=max(1000.0, start_ms + b_end_s * 1000 - muted_ms),
                )
            except PlaywrightError as exc:
                video_problem = f"the plaintiff's video never played on the judge's page: {exc}"
            # Let part B play out, then the engine's latency pass: no text may have come of it.
            wait_until_wall(judge, start_ms + b_end_s * 1000 + GRACE_MS)
            yield Scenario(
                plaintiff_key=key,
                reference_a="".join(items[name].text for name in PART_A),
                lines=committed_lines(judge),
                mute_acknowledged_ms=muted_ms,
                voiced_after_mute_samples=streams.voiced.get(key, 0) - fed_at_settle,
                b_after_mute_s=(start_ms + b_end_s * 1000 - settled_ms) / 1000,
                video_problem=video_problem,
            )
        finally:
            party.close()
            court.close()


def _describe(lines: list[ScreenLine], since_ms: float) -> str:
    return "\n".join(f"{(ln.at_ms - since_ms) / 1000:+.2f}s {ln.speaker} {ln.text}" for ln in lines)


def test_plaintiff_speech_reaches_judge(scenario: Scenario) -> None:
    own = [ln for ln in scenario.lines if ln.speaker == scenario.plaintiff_key]
    before = [ln for ln in own if ln.at_ms < scenario.mute_acknowledged_ms + GRACE_MS]
    assert before, "no committed line of the plaintiff on the judge's page"
    for line in before:
        assert "原告" in line.who and "张伟" in line.who, line.who
    text = "".join(ln.text for ln in before)
    counts = score(scenario.reference_a, text, "zh")
    assert counts.rate is not None and counts.rate <= CER_BOUND, (
        f"CER {counts.rate:.3f} > {CER_BOUND}: {text!r} vs {scenario.reference_a!r}"
    )
    print(f"CER {counts.rate:.3f}: {text}")


def test_mute_stops_transcript(scenario: Scenario) -> None:
    # Unmuted, B's speech after the settle point would be b_after_mute_s × 16,000 samples; a
    # resampler remainder (16 samples were seen) may trickle in: the bound is 0.1 s of audio.
    assert scenario.b_after_mute_s > 4.0, "the mute came too late to prove anything"
    assert scenario.voiced_after_mute_samples < SAMPLE_RATE_HZ // 10, (
        f"the server still got {scenario.voiced_after_mute_samples} voiced samples after the mute"
    )
    own = [ln for ln in scenario.lines if ln.speaker == scenario.plaintiff_key]
    late = [ln for ln in own if ln.at_ms >= scenario.mute_acknowledged_ms + GRACE_MS]
    assert not late, "committed text after mute:\n" + _describe(late, scenario.mute_acknowledged_ms)
    print(_describe(own, scenario.mute_acknowledged_ms))


def test_judge_sees_plaintiff_video(scenario: Scenario) -> None:
    assert scenario.video_problem is None, scenario.video_problem
