# mypy: disallow-untyped-calls=False
"""The closing of a hearing in Chromium: freeze, review, object, confirm, draw, sign, seal, verify.

A demo hearing is opened, the plaintiff joins by invitation and one-time code, the transcript
gets three segments through the document WebSocket, the clerk closes the hearing. Then, each in
their own browser context, through the pages only:

- the judge freezes the record on ``/sign/{hearing}`` (confirm dialog);
- the plaintiff reviews the frozen record, files a correction request against a segment, ticks
  "我已阅读笔录，确认无误", draws a signature with the mouse and signs (the key is made in the
  browser, the court CA certifies it, the server prepares, the page signs, the server embeds);
- the judge's page says the bench waits for the parties; the clerk records that the defendant
  refused to sign (with the reason), answers the plaintiff's correction request (the bench may
  not sign while it is open), then signs; the judge signs; the server seals;
- the page shows the record complete, the downloaded PDF passes ``tingshen verify --ca-dir``
  (exit 0, the signers listed) and a copy with one byte of a signed range changed fails it
  (exit 1, with the reason), as does a copy with an incremental update appended.

Screenshots of the party's page, the clerk's page and the complete state go to ``out/`` when
``TINGSHEN_E2E_SCREENSHOTS`` names a directory. Runs in a private network namespace.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import numpy as np
import pytest
import websockets
from pycrdt import Array, Doc

from hearing_server.demo import DemoSeed, seed_demo
from hearing_server.recording_archive import RecordingArchive
from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.ydoc import NewSegment, segment_map
from recordings import LocalDirStore, RecordingJournal
from tests.e2e.harness import (
    TIMEOUT_MS,
    LiveServer,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    new_context,
    plaintiff_enters,
    plaintiff_id,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]
TINGSHEN = Path(sys.executable).parent / "tingshen"
RATE = 16_000
LINES = (
    ("judge", "现在开庭。请原告陈述诉讼请求。"),
    ("plaintiff", "我要求被告归还借款五万元。"),
    ("defendant", "借款已经归还了一部分。"),
)


def test_signing_flow_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=290)


def test_parties_and_bench_sign_and_the_record_verifies(tmp_path: Path) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    from playwright.sync_api import sync_playwright

    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    shots = Path(os.environ.get("TINGSHEN_E2E_SCREENSHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    with live_server(tmp_path / "data", FakeStreams()) as server:
        seed = seed_demo(server.ctx)
        hid = seed.hearing_id
        with httpx.Client(base_url=server.base_url) as clerk_api:
            _login_api(clerk_api, "clerk", seed)
            assert clerk_api.post(f"/api/hearings/{hid}/open").status_code == 200
            # before Playwright: its sync API keeps an event loop running in this thread
            origin = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
            _record_defendant(tmp_path / "data" / "recordings", hid, origin)
            _seed_transcript(server, clerk_api.cookies["tingshen_staff"], hid, origin)
            with sync_playwright() as pw:
                browser = launch_chromium(pw, wav)
                plaintiff = plaintiff_enters(browser, server, seed, plaintiff_id(server.ctx, hid))
                assert clerk_api.post(f"/api/hearings/{hid}/close").status_code == 200
                _finalize_recording(server, tmp_path / "data" / "recordings", hid)

                judge = _staff_page(browser, server, seed, "judge", hid)
                _judge_freezes(judge)
                _plaintiff_signs(plaintiff, server.base_url, hid, shots)
                _bench_waits(judge)
                clerk = _staff_page(browser, server, seed, "clerk", hid)
                _clerk_records_refusal_and_signs(clerk, shots)
                _sign(judge)
                _expect_complete(judge, shots)
                _judge_files_erratum(judge, shots)
                _case_link_verifies(judge)
                pdf = _download(judge, tmp_path / "signed.pdf")
                browser.close()
        _verify_with_cli(pdf, tmp_path / "data" / "ca")


# ---------------------------------------------------------------- set-up through the API


def _login_api(client: httpx.Client, who: str, seed: DemoSeed) -> None:
    login = {"username": who, "password": seed.new_passwords[who]}
    assert client.post("/api/auth/login", json=login).status_code == 200


def _record_defendant(root: Path, hearing: int, origin: datetime) -> None:
    """14 s of a 440 Hz tone on the defendant's track, as the live recorder writes it; the
    server finalises it (files, digests) when the clerk closes the hearing."""
    journal = RecordingJournal(LocalDirStore(root), hearing, "participant-2")
    t = np.arange(14 * RATE) / RATE
    journal.write((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), origin)
    journal.close()


def _finalize_recording(server: LiveServer, root: Path, hearing: int) -> None:
    """What the live room does at close once it has recorded someone (the journal above was
    written beside it, so the room knows nothing of it): files, digests, database rows."""
    ctx = server.ctx
    RecordingArchive(ctx.session_factory, LocalDirStore(root), ctx.clock).finalize(hearing)


def _seed_transcript(server: LiveServer, cookie: str, hearing: int, origin: datetime) -> None:
    url = server.base_url.replace("http", "ws") + f"/ws/hearings/{hearing}/document"
    speakers = {
        "judge": SpeakerRef("staff-1", "judge", "王立明"),
        "plaintiff": SpeakerRef(
            f"participant-{plaintiff_id(server.ctx, hearing)}", "plaintiff", "张伟"
        ),
        "defendant": SpeakerRef("participant-2", "defendant", "李娜"),
    }

    async def run() -> None:
        async with websockets.connect(
            url, additional_headers={"Cookie": f"tingshen_staff={cookie}"}
        ) as ws:
            first = json.loads(await ws.recv())
            doc: Doc[Any] = Doc()
            doc.apply_update(base64.b64decode(first["state"]))
            segments: Array[Any] = doc.get("segments", type=Array)
            state = doc.get_state()
            for n, (role, text) in enumerate(LINES):
                start_ms = 1000 + 4000 * n
                at = origin + timedelta(milliseconds=start_ms)
                segment = NewSegment(
                    f"seg-{n + 1}",
                    speakers[role],
                    start_ms,
                    start_ms + 3000,
                    text,
                    start_utc=at.isoformat(),
                )
                segments.append(segment_map(segment))
            update = base64.b64encode(doc.get_update(state)).decode()
            await ws.send(json.dumps({"type": "edit", "id": "seed", "update": update}))
            while json.loads(await ws.recv())["type"] != "ack":
                pass

    asyncio.run(run())


# ---------------------------------------------------------------- the pages


def _freeze_seeded_record(server: LiveServer, seed: DemoSeed, hid: int) -> None:
    """The clerk opens the demo hearing, three lines are said (five minutes ago), the clerk
    closes it and the judge freezes the record: the state a signing link opens."""
    with (
        httpx.Client(base_url=server.base_url) as clerk,
        httpx.Client(base_url=server.base_url) as judge,
    ):
        _login_api(clerk, "clerk", seed)
        _login_api(judge, "judge", seed)
        assert clerk.post(f"/api/hearings/{hid}/open").status_code == 200
        origin = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        _seed_transcript(server, clerk.cookies["tingshen_staff"], hid, origin)
        assert clerk.post(f"/api/hearings/{hid}/close").status_code == 200
        frozen = judge.post(f"/api/hearings/{hid}/closing/freeze")
        assert frozen.status_code == 200, frozen.text


def _staff_page(browser: Browser, server: LiveServer, seed: DemoSeed, who: str, hid: int) -> Page:
    """Log in and reach the signing page the way staff do: the judge from the transcript
    editor's header, the clerk from the hearing's row on the dashboard."""
    page = new_context(browser).new_page()
    start = f"/transcript/{hid}" if who == "judge" else "/dashboard.html"
    page.goto(f"{server.base_url}/login.html?next={start}")
    page.fill("#username", who)
    page.fill("#password", seed.new_passwords[who])
    page.click("#submit")
    if who == "judge":
        page.locator("#to-sign").click(timeout=TIMEOUT_MS)
    else:
        page.locator(f'[data-hearing="{hid}"]').get_by_role("button", name="签名").click(
            timeout=TIMEOUT_MS
        )
    page.wait_for_url(f"**/sign/{hid}")
    page.wait_for_selector("#state-text:not(:empty)", timeout=TIMEOUT_MS)
    return page


def _judge_freezes(judge: Page) -> None:
    from playwright.sync_api import expect

    expect(judge.locator("#state-text")).to_have_text("校对中，尚未冻结")
    judge.once("dialog", lambda dialog: dialog.accept())
    judge.click("#freeze")
    expect(judge.locator("#state-text")).to_have_attribute(
        "data-state", "signing", timeout=TIMEOUT_MS
    )
    expect(judge.locator("#freeze")).to_be_hidden()


def _draw(page: Page) -> None:
    box = page.locator("#pad").bounding_box()
    assert box is not None and box["width"] > 100
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 40):
        page.mouse.move(x + i * 6, y + (18 if i % 6 < 3 else -18), steps=2)
    page.mouse.up()


def _sign(page: Page) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#sign-form")).to_be_visible(timeout=TIMEOUT_MS)
    button = page.locator("#sign")
    expect(button).to_be_disabled()  # neither ticked nor drawn
    page.check("#confirm")
    expect(button).to_be_disabled()  # ticked, not drawn
    _draw(page)
    expect(button).to_be_enabled()
    button.click()
    expect(page.locator("#signed-done")).to_contain_text("已签名", timeout=TIMEOUT_MS)
    expect(page.locator("#sign-error")).to_be_hidden()


def _plaintiff_signs(page: Page, base_url: str, hid: int, shots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/sign/{hid}")
    rows = page.locator("#review .seg[data-id]")
    expect(rows).to_have_count(len(LINES), timeout=TIMEOUT_MS)
    expect(rows.nth(1)).to_contain_text("原告 张伟")
    expect(rows.nth(1)).to_contain_text(LINES[1][1])
    # The recording plays from a line's time (the plaintiff's line at 5 s).
    expect(page.locator("#player-box")).to_be_visible()
    rows.nth(1).locator(".seg-time.play").click()
    page.wait_for_function(
        "() => { const a = document.getElementById('player');"
        " return !a.paused && a.currentTime >= 5.0 && a.currentTime < 6.5; }",
        timeout=TIMEOUT_MS,
    )
    page.evaluate("document.getElementById('player').pause()")
    # A correction request against the defendant's line, listed at once for everyone.
    page.select_option("#obj-kind", "correction")
    page.select_option("#obj-segment", "seg-3")
    page.fill("#obj-text", "被告说的是“借款已经归还了两万元”。")
    page.click("#obj-submit")
    filed = page.locator("#objections .objection")
    expect(filed).to_have_count(1, timeout=TIMEOUT_MS)
    expect(filed).to_contain_text("申请更正")
    expect(filed).to_contain_text("两万元")
    page.screenshot(path=str(shots / "sign-party.png"), full_page=True)
    _sign(page)
    expect(page.locator("#objection-form")).to_be_hidden()  # signed: nothing more to file
    expect(page.locator('#slots [data-slot^="participant-"].signed')).to_have_count(1)


def _bench_waits(judge: Page) -> None:
    from playwright.sync_api import expect

    judge.reload()
    expect(judge.locator("#sign-reason")).to_contain_text("被告 李娜", timeout=TIMEOUT_MS)
    expect(judge.locator("#sign-form")).to_be_hidden()


def _clerk_records_refusal_and_signs(clerk: Page, shots: Path) -> None:
    from playwright.sync_api import expect

    slot = clerk.locator('#slots [data-slot][data-group="participant"].pending')
    expect(slot).to_have_count(1, timeout=TIMEOUT_MS)
    expect(slot).to_contain_text("被告 李娜")
    slot.locator("button.resolve").click()
    slot.locator("select.resolve-status").select_option("refused")
    slot.locator("input.resolve-note").fill("被告当庭表示拒绝在笔录上签名")
    slot.locator("form.resolve-form button[type=submit]").click()
    refused = clerk.locator("#slots .slot.refused")
    expect(refused).to_contain_text("拒绝签名", timeout=TIMEOUT_MS)
    expect(refused).to_contain_text("被告当庭表示拒绝在笔录上签名")
    expect(clerk.locator("#state-text")).to_contain_text("等待审判人员和书记员签名")
    # The plaintiff's correction request is answered before the bench signs (issue 13).
    expect(clerk.locator("#sign-reason")).to_contain_text("原告 张伟的更正申请尚未答复")
    clerk.locator("#answer-reason").fill("经核对录音，被告所述无误")
    clerk.locator("#answer-box").get_by_role("button", name="不予采纳").click()
    expect(clerk.locator("#objections .corr-rejected")).to_contain_text(
        "不予采纳", timeout=TIMEOUT_MS
    )
    clerk.screenshot(path=str(shots / "sign-clerk.png"), full_page=True)
    _sign(clerk)


def _expect_complete(page: Page, shots: Path) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#state-text")).to_have_attribute(
        "data-state", "complete", timeout=TIMEOUT_MS
    )
    expect(page.locator("#slots .slot.pending")).to_have_count(0)
    expect(page.locator('#slots [data-group="seal"].signed')).to_have_count(1)
    page.screenshot(path=str(shots / "sign-complete.png"), full_page=True)


def _judge_files_erratum(page: Page, shots: Path) -> None:
    """After signing the text is fixed: a later correction is an erratum the court signs."""
    from playwright.sync_api import expect

    form = page.locator("#errata-form")
    expect(form).to_be_visible(timeout=TIMEOUT_MS)
    page.locator("#err-segment").select_option(index=1)
    before = page.locator("#err-after").input_value()
    assert before  # prefilled with the segment's frozen text
    page.locator("#err-after").fill(before + "（更正）")
    page.locator("#err-reason").fill("核对录音后更正")
    page.locator("#err-submit").click()
    item = page.locator("#errata li.erratum")
    expect(item).to_have_count(1, timeout=TIMEOUT_MS)
    expect(item).to_contain_text("法院已签章")
    expect(item.locator("ins")).to_have_text(before + "（更正）")
    page.screenshot(path=str(shots / "sign-erratum.png"), full_page=True)


def _case_link_verifies(page: Page) -> None:
    """The page's 验证签名 link opens /verify?hearing=ID: the court's own check of this record."""
    from playwright.sync_api import expect

    page.locator("#verify-link").click()
    expect(page.locator("#verdict-word")).to_have_text("有效", timeout=TIMEOUT_MS)
    expect(page.locator("#verdict")).to_have_attribute("data-valid", "true")
    page.go_back()
    expect(page.locator("#state-text")).to_have_attribute("data-state", "complete")


def _download(page: Page, target: Path) -> Path:
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.click("#doc-link")
    download.value.save_as(target)
    return target


# ---------------------------------------------------------------- the offline verifier


def _run_verify(pdf: Path, ca_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TINGSHEN), "verify", str(pdf), "--ca-dir", str(ca_dir), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _verify_with_cli(pdf: Path, ca_dir: Path) -> None:
    ok = _run_verify(pdf, ca_dir)
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-2000:]
    report = json.loads(ok.stdout)
    assert report["valid"] is True
    signers = [(s["field_name"], s["role"], s["name"]) for s in report["signers"]]
    # In signing order; the defendant's refusal is entered into her field under the court's key.
    assert signers == [
        ("participant-1", "原告", "张伟"),
        ("participant-2", "电子印章", signers[-1][2]),
        ("staff-2", "书记员", "陈晓"),
        ("staff-1", "审判员", "王立明"),
        ("court-seal", "电子印章", signers[-1][2]),
    ], signers
    assert report["signers"][-1]["locks_document"] is True
    bound = {r["name"] for r in report["binding"]["recordings"]}
    assert {"participant-2", "mix"} <= bound, report["binding"]

    data = pdf.read_bytes()
    flipped = bytearray(data)
    at = data.index(b"%%EOF") // 2  # inside the unsigned original: covered by every signature
    flipped[at] ^= 0x01
    tampered = pdf.with_name("tampered.pdf")
    tampered.write_bytes(bytes(flipped))
    bad = _run_verify(tampered, ca_dir)
    assert bad.returncode == 1, bad.stdout[-3000:] + bad.stderr[-2000:]
    assert json.loads(bad.stdout)["problems"], bad.stdout[-3000:]

    appended = pdf.with_name("appended.pdf")
    appended.write_bytes(data + _incremental_update(data))
    late = _run_verify(appended, ca_dir)
    assert late.returncode == 1, late.stdout[-3000:] + late.stderr[-2000:]
    assert json.loads(late.stdout)["problems"], late.stdout[-3000:]


def _incremental_update(data: bytes) -> bytes:
    """An incremental revision after the seal that replaces the first page's text."""
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    forged = generic.StreamObject(stream_data=b"BT /F1 12 Tf 70 700 Td (forged) Tj ET")
    page[generic.NameObject("/Contents")] = writer.add_object(forged)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()[len(data) :]
