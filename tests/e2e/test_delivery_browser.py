# mypy: disallow-untyped-calls=False
"""Service of documents in Chromium (issue 17, the delivery part), in a private network
namespace: the real app (uvicorn) with the dossier and delivery services; the clerk, in the
browser:

1. records the plaintiff's address confirmation with consent to electronic service, and the
   defendant's (no consent, a postal address);
2. serves a judgment on the plaintiff by SMS and on the defendant by post; the background worker
   sends the SMS (``<data dir>/sms/messages.jsonl``, with the portal link) and posts the letter
   through the local courier (a waybill);
3. the plaintiff opens it in the portal (``portal.document_opened``, published as the portal
   does): the page shows 已查阅, the proof of service opens as a sealed PDF and is filed in the
   case's dossier as 送达回证;
4. the courier's signed callback returns the letter: the page lists it among the services to act
   on with the next channel suggested; the clerk opens the page as the address look-up's link
   does (``?party=…&address=…``) and serves again by post at that address.

No page error and no failed request. Screenshots go to ``$TINGSHEN_E2E_SHOTS`` (default /tmp):
``delivery-*.png``, in Chinese and in English.
"""

from __future__ import annotations

import io
import json
import os
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from court_events.delivery import DOCUMENT_OPENED, DocumentOpened
from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from delivery.courier.local import LocalCourier
from dossier.materials.tables import Material
from dossier.models import DossierCase
from hearing_server.demo import seed_demo
from tests.e2e.harness import (
    assert_private_namespace,
    launch_chromium,
    live_server,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams
from tingshen_platform.events import publish

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]
SHOTS = Path(os.environ.get("TINGSHEN_E2E_SHOTS", "/tmp"))
PHONE = "13800000001"
FOUND = "广州市海珠区江南大道中100号"


def test_delivery_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=230)


def _pdf(path: Path) -> Path:
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, "Civil judgment")
    canvas.save()
    path.write_bytes(out.getvalue())
    return path


def _until(what: str, check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.2)


def test_serve_open_return_and_serve_again(tmp_path: Path, monkeypatch) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    monkeypatch.setenv("TINGSHEN_SIDE_SERVICES", '["dossier", "delivery"]')
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    judgment = _pdf(tmp_path / "judgment.pdf")
    data_dir = tmp_path / "data"
    with live_server(data_dir, FakeStreams()) as server, sync_playwright() as pw:
        ctx = server.ctx
        seed = seed_demo(ctx)
        dossier_case = _until("the dossier has the demo case", lambda: _dossier_case(ctx.engine))
        with ctx.engine.begin() as connection:
            publish(connection, CASE_FILED, CaseFiled(
                dossier_case_id=dossier_case.id, court_id=dossier_case.court_id,
                court_name=dossier_case.court_name, case_number=dossier_case.case_number,
                cause_of_action="民间借贷纠纷", cause_code="C103-3", procedure="ordinary",
                claim_amount_fen=1_000_000, judge_user_id=None, clerk_user_id=None,
                filed_on=date(2026, 11, 28), filed_at=ctx.clock(),
                parties=[
                    FiledParty(party_ref="p-1", role="plaintiff", kind="person", name="张伟",
                               phone=PHONE),
                    FiledParty(party_ref="p-2", role="defendant", kind="person", name="李娜"),
                ],
            ), occurred_at=ctx.clock())  # fmt: skip
        browser = launch_chromium(pw, wav)
        problems: list[str] = []
        try:
            page = new_context(browser).new_page()
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)  # fmt: skip
            page.goto(f"{server.base_url}/login.html")
            page.fill("#username", "clerk")
            page.fill("#password", seed.new_passwords["clerk"])
            page.click("#submit")
            page.wait_for_load_state("networkidle")
            url = f"{server.base_url}/delivery/?case={dossier_case.id}"
            _until("delivery has the case", lambda: page.request.get(
                f"{server.base_url}/api/delivery/cases/{dossier_case.id}").ok)  # fmt: skip
            page.goto(f"{server.base_url}/dashboard.html")
            card = page.locator("#delivery-card")  # the clerk finds the page on the dashboard
            expect(card).to_be_visible()
            card.get_by_role("link", name="送达管理").click()
            expect(page.locator("#case-select")).to_be_visible()
            page.select_option("#case-select", str(dossier_case.id))
            expect(page.locator("#hdr-case")).to_have_text(dossier_case.case_number)

            # 1. address confirmations
            page.locator("tr[data-party=p-1] button").click()
            expect(page.locator("#c-phone")).to_have_value(PHONE)
            page.check("#consent-form input[name=electronic]")
            page.click("#consent-form button[type=submit]")
            expect(page.locator("tr[data-party=p-1] td").nth(1)).to_have_text("同意")
            page.locator("tr[data-party=p-2] button").click()
            page.fill("#c-address", "广州市天河区体育西路1号")
            page.click("#consent-form button[type=submit]")
            expect(page.locator("tr[data-party=p-2] td").nth(1)).to_have_text("不同意")

            # 2. serve: the plaintiff by SMS, the defendant by post
            rows = page.locator("#services tbody tr")
            for served, (party, channel) in enumerate((("p-1", "sms"), ("p-2", "post")), 1):
                page.fill("#s-title", "民事判决书")
                page.set_input_files("#s-file", str(judgment))
                page.check(f"#s-recipients input[value={party}]")
                page.check(f"#serve-form input[name=channels][value={channel}]")
                page.click("#serve-form button[type=submit]")
                expect(rows).to_have_count(served)
                expect(page.locator("#s-title")).to_have_value("")  # the form was reset
            _until("both sent", lambda: _reloaded(page) and page.locator(
                "#services [data-state=sent]").count() == 2)  # fmt: skip
            sms = (data_dir / "sms" / "messages.jsonl").read_text("utf-8").splitlines()
            ours = [json.loads(line) for line in sms if PHONE in line and "民事判决书" in line]
            assert len(ours) == 1 and "/portal/?served=" in ours[0]["text"]
            page.screenshot(path=str(SHOTS / "delivery-sent.png"), full_page=True)

            # 3. the plaintiff opens it in the portal
            sms_service = int(ours[0]["text"].split("served=")[1].split()[0])
            with ctx.engine.begin() as connection:
                publish(connection, DOCUMENT_OPENED, DocumentOpened(
                    service_id=sms_service, dossier_case_id=dossier_case.id,
                    opened_at=ctx.clock(), account_ref="a-1", name="张伟"),
                    occurred_at=ctx.clock())  # fmt: skip
            row = page.locator(f"tr[data-service='{sms_service}']")
            _until("opened, with its proof", lambda: _reloaded(page) and row.get_by_role(
                "link", name="送达回证").count() == 1)  # fmt: skip
            expect(row.locator("[data-state=opened]")).to_have_text("已查阅")
            proof = page.request.get(f"{server.base_url}/api/delivery/services/{sms_service}/proof")
            assert proof.ok and proof.body().startswith(b"%PDF-") and b"/ByteRange" in proof.body()
            _until("the proof in the dossier", lambda: _proof_filed(ctx.engine, dossier_case.id))

            # 4. the letter comes back; the clerk serves again at the address found
            post_row = rows.filter(has_text="邮寄")
            waybill = post_row.locator(".dl-meta").first.inner_text().replace("运单号", "").strip()
            key = (data_dir / "delivery" / "courier.key").read_text("ascii").strip().encode()
            courier = LocalCourier(data_dir / "delivery" / "courier-sim", key, ctx.clock)
            body, headers = courier.track(waybill, "returned", "查无此人")
            answer = httpx.post(f"{server.base_url}/api/delivery/courier/callback",
                                content=body, headers=headers)  # fmt: skip
            assert answer.status_code == 200, answer.text
            page.reload()
            expect(page.locator("#attention tbody tr")).to_have_count(1)
            expect(page.locator("#attention tbody tr")).to_contain_text("被告 李娜")
            expect(page.locator("#attention tbody tr td").nth(4)).to_have_text("自取")
            page.goto(f"{url}&party=p-2&address={quote(FOUND)}")
            again = page.locator(".dl-again")
            expect(again.locator("input")).to_have_value(FOUND)
            again.locator("select").select_option("post")
            again.get_by_role("button", name="重新送达").click()
            expect(page.locator("#attention-card")).to_be_hidden()
            expect(page.locator("#services tbody tr").first).to_contain_text(FOUND)
            page.screenshot(path=str(SHOTS / "delivery-served-again.png"), full_page=True)

            page.click("#lang-switch")
            expect(page.locator("#h-services")).to_have_text("Services")
            expect(page.locator("#services [data-state=opened]")).to_have_text("Opened")
            page.screenshot(path=str(SHOTS / "delivery-en.png"), full_page=True)
        finally:
            browser.close()
    assert problems == [], problems


def _reloaded(page) -> bool:
    """The page reloaded and its services list drawn again (the list is fetched after the load
    event: counting before it is drawn would count none, reload after reload)."""
    page.reload()
    page.locator("#services tbody tr").first.wait_for(timeout=30_000)
    return True


def _dossier_case(engine) -> DossierCase | None:
    with Session(engine) as s:
        return s.scalars(select(DossierCase)).first()


def _proof_filed(engine, case_id: int) -> bool:
    with Session(engine) as s:
        found = s.scalars(select(Material).where(
            Material.case_id == case_id, Material.material_type == "service_proof")).first()  # fmt: skip
        return found is not None
