"""Two server processes behind HAProxy, walked in Chromium: an edit through one process reaches a
party's page on the other; ``kill -9`` of the process that runs the live hearing: the room page
reconnects by itself, the other process takes the hearing over, recording and recognition go on
with the outage logged as a gap, and the acknowledged edit is not lost.

Everything runs inside a private network namespace (the runner re-executes this module with
``unshare -n``): a private Redis, the two ``tingshen serve`` processes sharing one SQLite file
and data directory (one machine), HAProxy, and Chromium. The judge's fake microphone plays the
speech source of the recording kill test (:mod:`tests.e2e.crash_audio`), and the finalised
recording is checked as there (:func:`~tests.e2e.crash_checks.check_recording`: one ``restart``
gap, the audio lost at the kill, each stretch in place and recognised).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from asr.errors import ModelNotFoundError
from asr.models import resolve_model
from hearing_server.cluster import Cluster, ClusterPlan, Frontend, Node, prepare
from hearing_server.demo import seed_demo
from hearing_server.live.ownership import lease_name
from hearing_server.services import build_context
from hearing_server.settings import Settings
from hearing_server.transcript.actions import TranscriptActions
from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.store import SqlUpdateStore
from recordings import LocalDirStore, read_track_index
from recordings.index import list_tracks
from tests.conftest import MakeSpeech, speech_corpus_path
from tests.e2e.crash_audio import Source, build_source, onset_s
from tests.e2e.crash_checks import Crash, check_recording, utc_from_ms
from tests.e2e.crash_speech import corpus_clips, espeak_clips
from tests.e2e.harness import (
    CAPTURE_PROBE_JS,
    ONSET_THRESHOLD,
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    new_context,
    plaintiff_id,
    run_module_in_namespace,
    wait_capture,
    write_browser_wav,
)
from tests.e2e.restartable import PEER_LOG_JS, poll
from tests.e2e.test_recording_crash_browser import _durable_from, _durable_until
from tests.serve_process import free_port
from tingshen_platform.db import make_engine
from tingshen_platform.leases import Leases

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.model, pytest.mark.timeout(360)]

DEADLINE_S = 45.0
SCORED_SPEECH_S = 4.0
FIRST_WORDS = "现在开庭。"
CORRECTION = "（书记员补正）"


def test_cluster_browser_in_private_network_namespace() -> None:
    try:
        resolve_model("base")
    except ModelNotFoundError as exc:
        pytest.skip(f"Whisper base model not available: {exc}")
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
        pytest.fail("haproxy is not installed (.ci/run installs it)")
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (this machine kind has it)")
    run_module_in_namespace(__file__, timeout_s=340)


# ---------------------------------------------------------------- inside the namespace


@contextmanager
def private_redis(directory: Path) -> Iterator[str]:
    """A Redis of this namespace only (the machine's Redis is outside it)."""
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        import redis

        client = redis.Redis(port=port)
        poll(lambda: _pong(client), "Redis did not start", lambda: "", deadline_s=20)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _pong(client: Any) -> bool | None:
    try:
        return True if client.ping() else None
    except Exception:
        return None


def _last_code(data: Path) -> str:
    lines = (data / "sms" / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    found = re.search(r"\d{6}", json.loads(lines[-1])["text"])
    assert found is not None, lines[-1]
    return found.group(0)


def _clerk_corrects_on(browser: Browser, node: Node, password: str, hid: int) -> Page:
    from playwright.sync_api import expect

    page = new_context(browser).new_page()
    page.goto(f"{node.url}/login.html?next=/transcript/{hid}")
    page.fill("#username", "clerk")
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_url(f"**/transcript/{hid}")
    text = page.locator('.seg[data-id="seg-1"] textarea')
    expect(text).to_have_value(FIRST_WORDS, timeout=TIMEOUT_MS)
    text.click()
    page.keyboard.press("End")
    page.keyboard.insert_text(CORRECTION)
    expect(page.locator("#save-state")).to_have_text("已保存", timeout=TIMEOUT_MS)
    return page


def _party_watches_on(browser: Browser, node: Node, join_link: str, data: Path, hid: int) -> Page:
    """The plaintiff opens the SMS link days later (no session), gets a code, and reads the
    transcript, all on ``node``."""
    from playwright.sync_api import expect

    context = new_context(browser)
    page = context.new_page()
    page.goto(node.url + join_link[join_link.index("/join/") :])
    expect(page.locator("#f-you")).to_have_text("原告 张伟")
    page.click("#get-code")
    expect(page.locator("#sent")).to_be_visible()
    page.fill("#code", _last_code(data))
    page.click("#enter")
    page.wait_for_url("**/room.html?h=*")
    page.goto(f"{node.url}/transcript/{hid}")
    row = page.locator('.seg[data-id="seg-1"] .seg-text')
    expect(row).to_have_text(FIRST_WORDS + CORRECTION, timeout=TIMEOUT_MS)
    assert page.locator(".seg textarea").count() == 0
    second = context.new_page()  # a second tab, and the first one reloaded
    second.goto(f"{node.url}/transcript/{hid}")
    expect(second.locator('.seg[data-id="seg-1"] .seg-text')).to_have_text(
        FIRST_WORDS + CORRECTION, timeout=TIMEOUT_MS
    )
    second.close()
    page.reload()
    expect(row).to_have_text(FIRST_WORDS + CORRECTION, timeout=TIMEOUT_MS)
    return page


def _kill_owner(
    cluster: Cluster, leases: Leases, store: LocalDirStore, hid: int, source: Source, page: Page
) -> tuple[Crash, str]:
    def explain() -> str:
        peers: list[dict[str, Any]] = page.evaluate("window.__e2ePeers")
        steps = ", ".join(f"#{p['id']} {p['state']}" for p in peers)
        logs = "".join(
            (cluster.plan.data_dir / f"{n.name}.log").read_text(errors="replace")[-3000:]
            for n in cluster.plan.nodes
        )
        return f"page says {page.locator('#conn').text_content()!r}; peers: {steps}\n{logs}"

    capture = wait_capture(page)
    source_start = utc_from_ms(capture.onset_at_ms) - timedelta(
        seconds=onset_s(source.samples, ONSET_THRESHOLD)
    )
    first = poll(
        lambda: _durable_from(store, hid, source_start), "no audio recorded", explain,
        deadline_s=DEADLINE_S,
    )  # fmt: skip
    items = source.items_from(
        (first.start_utc - source_start).total_seconds() + 0.3, speech_s=SCORED_SPEECH_S
    )
    assert items, "the source ran out: make it longer"
    kill_at = source_start + timedelta(seconds=items[-1].end_s + 1.5)
    poll(
        lambda: _durable_until(store, hid, kill_at), "the audio stopped", explain,
        deadline_s=DEADLINE_S,
    )  # fmt: skip
    owner = leases.holder(lease_name(hid))
    assert owner is not None
    killed_at = datetime.now(UTC)
    cluster.kill(owner.owner)
    (track,) = list_tracks(store, hid)
    durable_end = read_track_index(store, hid, track).end_utc
    assert durable_end is not None
    resumed = poll(
        lambda: _durable_from(store, hid, killed_at),
        "the page's audio was not recorded again by another process",
        explain,
        deadline_s=DEADLINE_S,
    )
    taken_over = leases.holder(lease_name(hid))
    assert taken_over is not None and taken_over.owner != owner.owner
    items = source.items_from(
        (resumed.start_utc - source_start).total_seconds() + 0.3, speech_s=SCORED_SPEECH_S
    )
    assert items, "the source ran out: make it longer"
    until = source_start + timedelta(seconds=items[-1].end_s + 0.6)
    poll(lambda: _durable_until(store, hid, until), "the audio stopped again", explain,
         deadline_s=DEADLINE_S)  # fmt: skip
    crash = Crash(
        hearing=hid,
        track=track,
        source_start=source_start,
        killed_at=killed_at,
        durable_end=durable_end,
        restarted_at=killed_at,  # the other process was running all along
        resumed_at=resumed.start_utc,
        peers=page.evaluate("window.__e2ePeers"),
    )
    return crash, owner.owner


def test_two_processes_edit_and_survive_kill_9(tmp_path: Path, espeak_wav: MakeSpeech) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    from playwright.sync_api import expect, sync_playwright

    corpus = speech_corpus_path()
    clips = (
        corpus_clips(corpus) if (corpus / "manifest.jsonl").is_file() else espeak_clips(espeak_wav)
    )
    source = build_source(clips, lead_s=2.0, pause_s=0.5)
    wav = write_browser_wav(tmp_path / "source.wav", source.samples)
    data = tmp_path / "data"
    database = f"sqlite:///{data / 'tingshen.sqlite3'}"
    front = Frontend("127.0.0.1", free_port())
    proxy = f"http://{front.host}:{front.port}"
    p1, p2 = Node("p1", "127.0.0.1", free_port()), Node("p2", "127.0.0.1", free_port())
    with private_redis(tmp_path) as redis_url:
        prepare(database, data, public_base_url=proxy)
        context = build_context(
            Settings(data_dir=data, database_url=database, public_base_url=proxy)
        )
        try:
            seed = seed_demo(context)
            hid = seed.hearing_id
            plaintiff = SpeakerRef(f"participant-{plaintiff_id(context, hid)}", "plaintiff", "张伟")

            async def first_words() -> None:
                store = SqlUpdateStore(context.session_factory)
                actions = await TranscriptActions.load(hid, store, lambda _m: None)
                await actions.commit_asr(plaintiff, 0, 1500, FIRST_WORDS)

            asyncio.run(first_words())
        finally:
            context.engine.dispose()
        env = {"TINGSHEN_NOTICE_DISPATCH_ENABLED": "false"}
        plan = ClusterPlan(front, [p1, p2], data, database, redis_url, extra_env=env)
        engine = make_engine(database)
        leases = Leases(engine)
        recordings = LocalDirStore(data / "recordings")
        try:
            with (
                Cluster(plan) as cluster,
                httpx.Client(base_url=proxy) as clerk,
                sync_playwright() as pw,
            ):
                login = {"username": "clerk", "password": seed.new_passwords["clerk"]}
                assert clerk.post("/api/auth/login", json=login).status_code == 200
                assert clerk.post(f"/api/hearings/{hid}/open").status_code == 200
                browser = launch_chromium(pw, wav)
                try:
                    # The clerk corrects through process 1; the party reads on process 2.
                    _clerk_corrects_on(browser, p1, seed.new_passwords["clerk"], hid)
                    party = _party_watches_on(browser, p2, seed.join_links["原告"], data, hid)

                    # The judge in the room through the proxy: speech, then kill -9 of the owner.
                    room = new_context(browser)
                    room.add_init_script(CAPTURE_PROBE_JS)
                    room.add_init_script(PEER_LOG_JS)
                    page = room.new_page()
                    page.goto(f"{proxy}/login.html?next=/room.html%3Fh%3D{hid}")
                    page.fill("#username", "judge")
                    page.fill("#password", seed.new_passwords["judge"])
                    page.click("#submit")
                    page.wait_for_url("**/room.html?h=*")
                    expect(page.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)
                    # The room's live panel shows the document: the clerk's correction too.
                    first_line = page.locator('.line.committed[data-id="seg-1"]')
                    expect(first_line.locator(".text")).to_have_text(FIRST_WORDS + CORRECTION)
                    expect(first_line.locator(".edited")).to_have_text("已校对")
                    crash, killed = _kill_owner(cluster, leases, recordings, hid, source, page)
                    expect(page.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)
                    survivor = p2 if killed == "p1" else p1
                    # Recognition goes on at the new owner: segments spoken after the kill.
                    after = poll(
                        lambda: _segments_after(clerk, hid, crash.killed_at),
                        "no speech recognised after the takeover",
                        lambda: "",
                        deadline_s=DEADLINE_S,
                    )
                    # The party's page (on the survivor, or a fresh one when its process was
                    # the one killed) shows them and still the clerk's correction.
                    if killed == "p2":
                        party = _party_watches_on(
                            browser, survivor, seed.join_links["原告"], data, hid
                        )
                    expect(party.locator(f'.seg[data-id="{after[0]}"]')).to_be_visible(
                        timeout=TIMEOUT_MS
                    )
                    expect(party.locator('.seg[data-id="seg-1"] .seg-text')).to_have_text(
                        FIRST_WORDS + CORRECTION
                    )
                    expect(page.locator(f'.line.committed[data-id="{after[0]}"]')).to_be_visible(
                        timeout=TIMEOUT_MS
                    )  # and the judge's live panel, through the new owner
                    shots = Path(os.environ.get("TINGSHEN_E2E_SHOTS", tmp_path))
                    page.screenshot(path=str(shots / "judge-room-after-failover.png"))
                finally:
                    browser.close()
                closed = clerk.post(f"/api/hearings/{hid}/close", timeout=90)
                assert closed.status_code == 200, closed.text
        finally:
            engine.dispose()
    check_recording(crash, recordings, source, tmp_path)
    print(f"killed {killed}; taken over by {survivor.name}; recognised after: {after}")


def _segments_after(clerk: httpx.Client, hid: int, at: datetime) -> list[str] | None:
    """Ids of speech segments whose first word came after ``at`` (None: none yet)."""
    exported = clerk.get(f"/api/hearings/{hid}/transcript.json")
    if exported.status_code != 200:
        return None
    found = [
        str(s["id"])
        for s in exported.json()["segments"]
        if s.get("start_utc") and datetime.fromisoformat(s["start_utc"]) > at and s["text"]
    ]
    return found or None
