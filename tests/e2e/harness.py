"""Shared parts of the Chromium end-to-end tests and the mouth-to-screen benchmark.

- The private network namespace (DESIGN.md section 8): :func:`namespace_unavailable` says why one
  cannot be made here (or None), :func:`run_in_namespace` re-executes a command inside
  ``unshare -n sh -c 'ip link set lo up; exec …'`` with ``TINGSHEN_E2E_NETNS=1`` set, and
  :func:`assert_private_namespace` checks, from inside, that ``ip -o link`` shows nothing but ``lo``.
- :class:`LiveServer`: the real app (uvicorn in a background thread on 127.0.0.1) with a given
  ASR stream factory.
- :func:`launch_chromium`: headless Debian Chromium whose fake microphone plays a WAV file once
  (``%noloop``); :func:`write_browser_wav` writes 16 kHz samples as the 48 kHz 16-bit mono WAV
  Chromium reads.
- The hearing-room flows (clerk opens the hearing, judge enters, plaintiff joins with the code).
- Two page probes, installed with ``add_init_script`` so that no web file carries test hooks:
  :data:`TRANSCRIPT_RECORDER_JS` (a MutationObserver noting ``Date.now()`` when each committed or
  partial line appears in the room's transcript) and :data:`CAPTURE_PROBE_JS` (wraps
  ``getUserMedia`` and ``RTCPeerConnection``: when the capture resolved, when the first non-silent
  sample reached an AnalyserNode on the captured track, when the peer connection connected).
- :class:`CountingStreams`: wraps a stream factory, counts the non-silent samples each stream is
  fed, and can force the streams' language (the English benchmark).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import wave
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import uvicorn

from asr.stream import StreamConfig
from asr.types import SAMPLE_RATE_HZ, Event
from hearing_server.app import create_app
from hearing_server.context import ServerContext
from hearing_server.demo import DemoSeed
from hearing_server.live.streams import LiveStream, StreamFactory
from hearing_server.notify import RecordingCodeSender
from hearing_server.settings import Settings
from tests.serve_process import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
NETNS_ENV = "TINGSHEN_E2E_NETNS"
BROWSER_RATE_HZ = 48_000
TIMEOUT_MS = 20_000
#: An AnalyserNode sample above this (full scale 1.0) ends the leading digital silence.
ONSET_THRESHOLD = 0.002

FloatArray = npt.NDArray[np.float32]


# ---------------------------------------------------------------- the private network namespace


def namespace_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return "Debian's chromium is not installed (/usr/bin/chromium; .ci/run installs it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright (the dev extra) is not installed"
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-n", "true"], check=False).returncode != 0:
        return "cannot create a private network namespace (unshare -n needs root/userns)"
    return None


def run_in_namespace(argv: Sequence[str], *, timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (from the repository root) in a new network namespace with only ``lo`` up."""
    return subprocess.run(
        namespace_command(argv),
        cwd=REPO_ROOT,
        env={**os.environ, NETNS_ENV: "1"},
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def run_module_in_namespace(module: str | Path, *, timeout_s: float, passed: int = 1) -> None:
    """The runner of a browser-test module: skip where no namespace can be made, else re-run the
    module with pytest inside one and assert that its ``passed`` inner tests passed."""
    import pytest

    from tests.e2e.batch import batched

    reason = namespace_unavailable()
    if reason is not None:
        pytest.skip(reason)
    batch = batched(module)
    if batch is not None:  # one inner session runs every module of the run (tests/e2e/batch.py)
        count, problems = batch.outcome(str(module), timeout_s=timeout_s)
        assert not problems, "\n".join(problems)
        assert count == passed, f"{count} of {passed} inner tests passed\n{batch.tail()}"
        return
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)]
    result = run_in_namespace(argv, timeout_s=timeout_s)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"{passed} passed" in result.stdout, result.stdout[-2000:]


def namespace_command(argv: Sequence[str]) -> list[str]:
    """``unshare -n sh -c 'ip link set lo up; exec ARGV'``."""
    unshare = shutil.which("unshare")
    assert unshare is not None
    return [unshare, "-n", "sh", "-c", "ip link set lo up; exec " + " ".join(map(_quote, argv))]


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\"'\"'") + "'"


def inside_namespace() -> bool:
    return bool(os.environ.get(NETNS_ENV))


def assert_private_namespace() -> None:
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True)
    names = [line.split(":")[1].strip() for line in links.stdout.splitlines()]
    assert names == ["lo"], f"not a private network namespace: {names}"


# ---------------------------------------------------------------- the server


@dataclass
class LiveServer:
    base_url: str
    ctx: ServerContext
    sender: RecordingCodeSender


@contextmanager
def live_server(data_dir: Path, streams: StreamFactory) -> Iterator[LiveServer]:
    """The real app on 127.0.0.1 (ICE on loopback only) with ``streams`` as its ASR."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = Settings(
        data_dir=data_dir,
        ice_host_addresses=["127.0.0.1"],
        stun_urls=[],
        turn_urls=[],
        public_base_url=base_url,
    )
    sender = RecordingCodeSender()
    app = create_app(settings, code_sender=sender, stream_factory=streams)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:  # uvicorn has no readiness callback; poll its flag
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield LiveServer(base_url, app.state.services.context, sender)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def plaintiff_id(ctx: ServerContext, hearing_id: int) -> int:
    from sqlalchemy import select

    from hearing_server.models import CourtRole, Participant

    with ctx.session_factory() as session:
        found = session.scalars(
            select(Participant.id).where(
                Participant.hearing_id == hearing_id,
                Participant.court_role == CourtRole.PLAINTIFF,
            )
        ).first()
    assert found is not None
    return found


# ---------------------------------------------------------------- audio for the fake microphone


def silence(seconds: float) -> FloatArray:
    return np.zeros(round(seconds * SAMPLE_RATE_HZ), dtype=np.float32)


def write_browser_wav(path: Path, samples_16k: FloatArray) -> Path:
    """16 kHz float samples as a 48 kHz mono 16-bit WAV (linear interpolation ×3)."""
    n = len(samples_16k)
    positions = np.arange(n * 3, dtype=np.float64) / 3.0
    upsampled = np.interp(positions, np.arange(n, dtype=np.float64), samples_16k)
    pcm = np.clip(np.round(upsampled * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(BROWSER_RATE_HZ)
        out.writeframes(pcm.tobytes())
    return path


# ---------------------------------------------------------------- the browser


def launch_chromium(playwright: Playwright, wav: Path) -> Browser:
    """Headless Chromium whose fake microphone plays ``wav`` once, from each capture's start.

    Page assertions (``expect``) wait up to :data:`TIMEOUT_MS`, not Playwright's 5 s: on a loaded
    2-core machine a renegotiation or a socket round trip can take longer, and a passing
    assertion returns as soon as it holds."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            "--no-sandbox",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}%noloop",
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )


def new_context(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport={"width": 1366, "height": 820}, locale="zh-CN")


TRANSCRIPT_RECORDER_JS = """
(() => {
  const rec = { committed: [], partials: [] };
  window.__e2eTranscript = rec;
  const seen = (node) => {
    if (!(node instanceof HTMLElement) || !node.classList.contains("line")) return;
    const at = Date.now();
    const text = (node.querySelector(".text") || {}).textContent || "";
    const who = (node.querySelector(".who") || {}).textContent || "";
    const entry = { at, speaker: node.dataset.speaker || "", text, who, id: node.dataset.id || "" };
    if (node.classList.contains("committed")) rec.committed.push(entry);
    else if (node.classList.contains("partial")) rec.partials.push(entry);
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) for (const node of m.addedNodes) seen(node);
  }).observe(document, { childList: true, subtree: true });
})();
"""

CAPTURE_PROBE_JS = (
    """
(() => {
  const THRESHOLD = %THRESHOLD%;
  const rec = { gum: [], onsetAt: null, onsetPolledAt: null, sampleRate: null,
                connectedAt: null };
  window.__e2eCapture = rec;
  const media = navigator.mediaDevices;
  const getUserMedia = media.getUserMedia.bind(media);
  media.getUserMedia = async (constraints) => {
    const requestedAt = Date.now();
    const stream = await getUserMedia(constraints);
    rec.gum.push({ requestedAt, resolvedAt: Date.now() });
    const track = stream.getAudioTracks()[0];
    if (track && rec.gum.length === 1) watchOnset(track);
    return stream;
  };
  function watchOnset(track) {
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const data = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(data);
      const i = data.findIndex((v) => Math.abs(v) > THRESHOLD);
      if (i < 0) return;
      const now = Date.now();
      rec.sampleRate = ctx.sampleRate;
      rec.onsetPolledAt = now;
      rec.onsetAt = now - ((data.length - i) / ctx.sampleRate) * 1000;
      clearInterval(timer);
    }, 5);
  }
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("connectionstatechange", () => {
        if (this.connectionState === "connected" && rec.connectedAt === null) {
          rec.connectedAt = Date.now();
        }
      });
    }
  };
})();
"""
).replace("%THRESHOLD%", repr(ONSET_THRESHOLD))


@dataclass(frozen=True)
class ScreenLine:
    """A transcript line as it appeared on a page: ``at_ms`` is that page's ``Date.now()``."""

    at_ms: float
    speaker: str
    text: str
    who: str


def committed_lines(page: Page) -> list[ScreenLine]:
    """One line per transcript segment, in the order they first appeared: its latest text (a
    segment grows as its utterance goes on, and takes corrections), at the time it first
    appeared."""
    raw: list[dict[str, Any]] = page.evaluate("window.__e2eTranscript.committed")
    first: dict[str, ScreenLine] = {}
    for n, r in enumerate(raw):
        key = r.get("id") or f"line-{n}"
        seen = first.get(key)
        at = seen.at_ms if seen is not None else float(r["at"])
        first[key] = ScreenLine(at, r["speaker"], r["text"], r["who"])
    return list(first.values())


def committed_increments(page: Page) -> list[ScreenLine]:
    """What each version of a segment's line added, at the time it was shown: a segment grows
    as its utterance goes on, so the words new in a version appeared then (a version that is
    not an extension, a correction, counts whole). For latency per word."""
    raw: list[dict[str, Any]] = page.evaluate("window.__e2eTranscript.committed")
    shown: dict[str, str] = {}
    out: list[ScreenLine] = []
    for n, r in enumerate(raw):
        key, text = r.get("id") or f"line-{n}", str(r["text"])
        before = shown.get(key, "")
        added = text[len(before) :] if text.startswith(before) else text
        shown[key] = text
        if added:
            out.append(ScreenLine(float(r["at"]), r["speaker"], added, r["who"]))
    return out


def partial_lines(page: Page) -> list[ScreenLine]:
    raw: list[dict[str, Any]] = page.evaluate("window.__e2eTranscript.partials")
    return [ScreenLine(float(r["at"]), r["speaker"], r["text"], r["who"]) for r in raw]


@dataclass(frozen=True)
class Capture:
    """What the plaintiff's page saw of its own microphone (``Date.now()`` ms)."""

    resolved_at_ms: float
    onset_at_ms: float
    connected_at_ms: float | None


def wait_capture(page: Page, timeout_ms: float = TIMEOUT_MS) -> Capture:
    """Wait until the page's microphone delivered its first non-silent sample."""
    # A function, not an expression: Playwright polls an expression through eval, which the
    # pages' Content-Security-Policy refuses (no 'unsafe-eval').
    page.wait_for_function(
        "() => window.__e2eCapture && window.__e2eCapture.onsetAt !== null", timeout=timeout_ms
    )
    raw: dict[str, Any] = page.evaluate("window.__e2eCapture")
    connected = raw["connectedAt"]
    return Capture(
        resolved_at_ms=float(raw["gum"][0]["resolvedAt"]),
        onset_at_ms=float(raw["onsetAt"]),
        connected_at_ms=None if connected is None else float(connected),
    )


def wait_until_wall(page: Page, wall_ms: float, *, slack_ms: float = 5_000) -> None:
    """Wait until the page's ``Date.now()`` reaches ``wall_ms`` (an audio-clock event)."""
    now: float = page.evaluate("Date.now()")
    page.wait_for_function(
        "(t) => Date.now() >= t", arg=wall_ms, timeout=max(0.0, wall_ms - now) + slack_ms
    )


# ---------------------------------------------------------------- the hearing-room flows


def open_hearing(browser: Browser, base_url: str, seed: DemoSeed) -> None:
    """The clerk logs in and opens the hearing from the dashboard."""
    from playwright.sync_api import expect

    page = new_context(browser).new_page()
    page.goto(f"{base_url}/login.html")
    page.fill("#username", "clerk")
    page.fill("#password", seed.new_passwords["clerk"])
    page.click("#submit")
    page.wait_for_url("**/dashboard.html")
    row = page.locator(f'[data-hearing="{seed.hearing_id}"]')
    row.get_by_role("button", name="开庭").click()
    expect(row.get_by_text("庭审中")).to_be_visible()


def judge_enters(browser: Browser, base_url: str, seed: DemoSeed) -> Page:
    """The judge logs in and enters the room, the transcript recorder installed."""
    from playwright.sync_api import expect

    context = new_context(browser)
    context.add_init_script(TRANSCRIPT_RECORDER_JS)
    room = context.new_page()
    room.goto(f"{base_url}/login.html?next=/room.html%3Fh%3D{seed.hearing_id}")
    room.fill("#username", "judge")
    room.fill("#password", seed.new_passwords["judge"])
    room.click("#submit")
    room.wait_for_url("**/room.html?h=*")
    expect(room.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)
    return room


def plaintiff_enters(browser: Browser, server: LiveServer, seed: DemoSeed, pid: int) -> Page:
    """The plaintiff follows the invitation link, gets the code and enters (capture probe on)."""
    from playwright.sync_api import expect

    context = new_context(browser)
    context.add_init_script(CAPTURE_PROBE_JS)
    page = context.new_page()
    page.goto(seed.join_links["原告"])
    expect(page.locator("#f-you")).to_have_text("原告 张伟")
    page.click("#get-code")
    expect(page.locator("#sent")).to_be_visible()
    page.fill("#code", server.sender.last_code_for(pid))
    page.click("#enter")
    page.wait_for_url("**/room.html?h=*")
    return page


# ---------------------------------------------------------------- ASR instrumentation


class _CountedStream:
    def __init__(self, inner: LiveStream, fed: dict[str, int], stream_id: str) -> None:
        self._inner = inner
        self._fed = fed
        self._id = stream_id

    def feed(self, samples: FloatArray) -> None:
        voiced = int(np.count_nonzero(samples))
        self._fed[self._id] = self._fed.get(self._id, 0) + voiced
        self._inner.feed(samples)

    def set_hotwords(self, hotwords: tuple[str, ...]) -> None:
        self._inner.set_hotwords(hotwords)

    def events(self) -> AsyncIterator[Event]:
        return self._inner.events()

    async def finish(self) -> None:
        await self._inner.finish()


class CountingStreams:
    """A :class:`StreamFactory` around another one that counts, per stream, the samples it is fed
    that are not digital silence (``voiced``; the tap feeds zeros while the judge mutes someone).

    ``language`` (when given) replaces the hearing's language in every stream's config: the live
    session has no per-hearing language yet (it is always Mandarin), the English benchmark needs it.
    """

    def __init__(self, inner: StreamFactory, *, language: str | None = None) -> None:
        self.inner = inner
        self.language = language
        self.voiced: dict[str, int] = {}

    async def ready(self) -> None:
        await self.inner.ready()

    def open(self, stream_id: str, config: StreamConfig) -> LiveStream:
        if self.language is not None:
            config = replace(config, language=self.language)
        return _CountedStream(self.inner.open(stream_id, config), self.voiced, stream_id)

    async def aclose(self) -> None:
        await self.inner.aclose()
