"""``kill -9`` of the server while Chromium streams a known speech file: the room page reconnects by
itself, the recording resumes, the gap is logged, and what was recorded is the source, in place.

``tingshen serve --demo`` (real app, real Whisper model) runs as a child process and headless
Chromium as the judge, both inside a private network namespace (ICE on 127.0.0.1 only; the runner
re-executes this module with ``unshare -n``). The judge's fake microphone plays, once, a file made
by :func:`~tests.e2e.crash_audio.build_source`: 2 s of silence, then real utterances of the
speech corpus (:data:`~tests.e2e.crash_speech.CORPUS_ITEMS`, English and Mandarin, about 95 s,
longer than the test) or, without the corpus, English sentences by espeak-ng. The clerk opens and
later closes the hearing over the API.

The server is killed (SIGKILL) at a random moment 1.5-2.5 s after the end of the first utterances
recorded whole (at least :data:`SCORED_SPEECH_S` of speech), so that the durable audio holds them
whole, at a random phase of the 1 s chunks. It is started again on the same data directory and
port. The page is not touched: its WebSocket and its
media reconnect by themselves (:data:`~tests.e2e.restartable.PEER_LOG_JS` notes how). Once as
much speech recorded whole after the restart is durable, the clerk closes the hearing and the
recording is finalised. :func:`~tests.e2e.crash_checks.check_recording` then checks the finalised
track (it decodes; one ``restart`` gap from the durable end to the restart), the audio lost at the
kill (against the server clock and against the source), that each stretch (before, after) is the
source at its place (every voiced second alike and not displaced), and recognises the whole
utterances of each stretch (Whisper base, the server's model) against their reference texts. Its
docstring gives the bounds and why; it prints the figures.

Each wait polls a condition (the durable index) with a deadline; the one timed wait chooses the
moment of the kill.
"""

from __future__ import annotations

import random
import shutil
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from asr.errors import ModelNotFoundError
from asr.models import resolve_model
from recordings import (
    ChunkEntry,
    LocalDirStore,
    read_track_index,
)
from recordings.index import list_tracks
from tests.conftest import MakeSpeech, speech_corpus_path
from tests.e2e.crash_audio import (
    Source,
    build_source,
    onset_s,
)
from tests.e2e.crash_checks import Crash, check_recording, utc_from_ms
from tests.e2e.crash_speech import corpus_clips, espeak_clips
from tests.e2e.harness import (
    CAPTURE_PROBE_JS,
    ONSET_THRESHOLD,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    new_context,
    run_module_in_namespace,
    wait_capture,
    write_browser_wav,
)
from tests.e2e.restartable import PEER_LOG_JS, ServeChild, poll
from tests.serve_process import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.model, pytest.mark.timeout(300)]

DEADLINE_S = 45.0
"""For each awaited condition (first audio, audio again after the restart, the next utterance)."""
SCORED_SPEECH_S = 4.0
"""Each stretch (before, after the kill) is awaited until it holds whole utterances of at least
this much speech, so that recognition is scored on more than a few words."""
LEAD_S = 2.0
PAUSE_S = 0.5


def test_recording_crash_browser_in_private_network_namespace() -> None:
    try:
        resolve_model("base")
    except ModelNotFoundError as exc:
        pytest.skip(f"Whisper base model not available: {exc}")
    if not (speech_corpus_path() / "manifest.jsonl").is_file() and not shutil.which("espeak-ng"):
        pytest.skip("neither the speech corpus nor espeak-ng is available")
    run_module_in_namespace(__file__, timeout_s=280)


# ---------------------------------------------------------------- the scenario (inside)


def _durable_from(store: LocalDirStore, hearing: int, since: datetime) -> ChunkEntry | None:
    """The first durable chunk of the hearing's (one) track starting at or after ``since``."""
    tracks = list_tracks(store, hearing)
    if not tracks:
        return None
    assert len(tracks) == 1, f"one speaker, one track: {tracks}"
    index = read_track_index(store, hearing, tracks[0])
    return next((c for c in index.chunks if c.start_utc >= since), None)


def _durable_until(store: LocalDirStore, hearing: int, until: datetime) -> bool | None:
    (track,) = list_tracks(store, hearing)
    end = read_track_index(store, hearing, track).end_utc
    return True if end is not None and end >= until else None


def _kill_and_restart(
    server: ServeChild, store: LocalDirStore, hearing: int, source: Source, page: Page
) -> Crash:
    marks: dict[str, datetime] = {}

    def explain() -> str:
        conn = page.locator("#conn").text_content()
        peers: list[dict[str, Any]] = page.evaluate("window.__e2ePeers")
        times = ", ".join(f"{k} {v.isoformat()}" for k, v in marks.items())
        steps = ", ".join(
            f"{utc_from_ms(p['at']).isoformat()} #{p['id']} {p['state']}" for p in peers
        )
        return f"{times}\npage says {conn!r}; peers: {steps}\nserver:\n{server.tail()}"

    capture = wait_capture(page)
    source_start = utc_from_ms(capture.onset_at_ms) - timedelta(
        seconds=onset_s(source.samples, ONSET_THRESHOLD)
    )
    first = poll(
        lambda: _durable_from(store, hearing, source_start),
        "no audio recorded",
        explain,
        deadline_s=DEADLINE_S,
    )
    items = source.items_from(
        (first.start_utc - source_start).total_seconds() + 0.3, speech_s=SCORED_SPEECH_S
    )
    assert items, "the source ran out: make it longer"
    # A random moment after the first whole utterances: late enough for the durable audio (which
    # trails by up to a chunk and the path delay) to hold them whole, random against the chunks.
    kill_at = source_start + timedelta(seconds=items[-1].end_s + 1.5 + random.uniform(0.0, 1.0))
    time.sleep(max(0.0, (kill_at - datetime.now(UTC)).total_seconds()))  # choosing the moment
    killed_at = marks["killed"] = datetime.now(UTC)
    server.stop(signal.SIGKILL)
    (track,) = list_tracks(store, hearing)
    durable_end = read_track_index(store, hearing, track).end_utc
    assert durable_end is not None
    server.start()  # same data directory and port; the page is left alone
    restarted_at = marks["restarted"] = datetime.now(UTC)
    resumed = poll(
        lambda: _durable_from(store, hearing, killed_at),
        "the page's audio was not recorded again after the restart",
        explain,
        deadline_s=DEADLINE_S,
    )
    items = source.items_from(
        (resumed.start_utc - source_start).total_seconds() + 0.3, speech_s=SCORED_SPEECH_S
    )
    assert items, "the source ran out: make it longer"
    until = source_start + timedelta(seconds=items[-1].end_s + 0.6)
    poll(
        lambda: _durable_until(store, hearing, until),
        "the audio stopped again",
        explain,
        deadline_s=DEADLINE_S,
    )
    return Crash(
        hearing=hearing,
        track=track,
        source_start=source_start,
        killed_at=killed_at,
        durable_end=durable_end,
        restarted_at=restarted_at,
        resumed_at=resumed.start_utc,
        peers=page.evaluate("window.__e2ePeers"),
    )


def _hearing_with_crash(tmp: Path, source: Source) -> tuple[Crash, LocalDirStore]:
    from playwright.sync_api import sync_playwright

    wav = write_browser_wav(tmp / "source.wav", source.samples)
    data, port = tmp / "data", free_port()
    store = LocalDirStore(data / "recordings")
    server = ServeChild(data, port)
    server.start()
    base = f"http://127.0.0.1:{port}"
    try:
        with (
            httpx.Client(base_url=base) as clerk,
            httpx.Client(base_url=base) as judge,
            sync_playwright() as pw,
        ):
            for client, who in ((judge, "judge"), (clerk, "clerk")):
                login = {"username": who, "password": server.passwords[who]}
                assert client.post("/api/auth/login", json=login).status_code == 200
            hearing: int = clerk.get("/api/hearings").json()[0]["id"]
            assert clerk.post(f"/api/hearings/{hearing}/open").status_code == 200
            browser = launch_chromium(pw, wav)
            try:
                context = new_context(browser)
                context.add_init_script(CAPTURE_PROBE_JS)
                context.add_init_script(PEER_LOG_JS)
                cookie = judge.cookies["tingshen_staff"]
                context.add_cookies([{"name": "tingshen_staff", "value": cookie, "url": base}])
                page = context.new_page()
                page.goto(f"{base}/room.html?h={hearing}")
                crash = _kill_and_restart(server, store, hearing, source, page)
                closed = clerk.post(f"/api/hearings/{hearing}/close", timeout=60)
                assert closed.status_code == 200, closed.text
            finally:
                browser.close()
    finally:
        server.stop(signal.SIGTERM)
    return crash, store


def test_browser_recording_survives_kill_9(tmp_path: Path, espeak_wav: MakeSpeech) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    corpus = speech_corpus_path()
    if (corpus / "manifest.jsonl").is_file():
        clips = corpus_clips(corpus)
    else:
        clips = espeak_clips(espeak_wav)
    source = build_source(clips, lead_s=LEAD_S, pause_s=PAUSE_S)
    crash, store = _hearing_with_crash(tmp_path, source)
    check_recording(crash, store, source, tmp_path)
