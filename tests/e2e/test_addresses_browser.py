# mypy: disallow-untyped-calls=False
"""Address look-up in Chromium (issue 17, the addresses part), in a private network namespace:
the real app (uvicorn) with the dossier, delivery and address services, and the two agencies'
simulators as their own processes on loopback. The clerk, in the browser:

1. opens the case's look-up page, asks for the defendant's addresses with the ID number and a
   reason: both agencies answer, three addresses ranked (the Tianhe one first, found by both);
2. asks again while the migrant registry hangs: it is named 超时未答复, the postal records stay;
3. reads the page in English;
4. opens the first look-up from the case's history and uses its first address: the delivery
   page opens with that address in the defendant's address confirmation;
5. a letter served by post comes back (the local courier's signed callback); opened from it
   (``?service=…``), the page posts the document again to the address found, in one click.

No page error and no failed request. Screenshots go to ``$TINGSHEN_E2E_SHOTS`` (default /tmp):
``addresses-*.png``.
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from addresses.keys import provision
from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from dossier.models import DossierCase
from hearing_server.demo import seed_demo
from tests.addresses.conftest import DEFENDANT_ID, _start
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


def test_addresses_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=230)


def _until(what: str, check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.2)


def _dossier_case(engine) -> DossierCase | None:
    with Session(engine) as s:
        return s.scalars(select(DossierCase)).first()


def test_look_up_rank_time_out_and_use(tmp_path: Path, monkeypatch) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    keys_dir = tmp_path / "keys"
    provision(keys_dir, "migrant", "postal")
    agencies: dict[str, str] = {}
    procs: list[subprocess.Popen[bytes]] = []
    for agency in ("migrant", "postal"):
        proc, agencies[agency] = _start(agency, keys_dir, tmp_path / f"{agency}.log")
        procs.append(proc)
    monkeypatch.setenv("TINGSHEN_SIDE_SERVICES", '["dossier", "delivery", "addresses"]')
    monkeypatch.setenv("TINGSHEN_ADDRESSES_KEYS_DIR", str(keys_dir))
    monkeypatch.setenv("TINGSHEN_ADDRESSES_MIGRANT_URL", agencies["migrant"])
    monkeypatch.setenv("TINGSHEN_ADDRESSES_POSTAL_URL", agencies["postal"])
    monkeypatch.setenv("TINGSHEN_ADDRESSES_TIMEOUT_S", "2")
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    try:
        with live_server(tmp_path / "data", FakeStreams()) as server, sync_playwright() as pw:
            _walk(server, pw, agencies, expect, wav)
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _walk(server, pw, agencies, expect, wav) -> None:
    ctx = server.ctx
    seed = seed_demo(ctx)
    case = _until("the dossier has the demo case", lambda: _dossier_case(ctx.engine))
    with ctx.engine.begin() as connection:
        publish(connection, CASE_FILED, CaseFiled(
            dossier_case_id=case.id, court_id=case.court_id, court_name=case.court_name,
            case_number=case.case_number, cause_of_action="民间借贷纠纷", cause_code="C103-3",
            procedure="ordinary", claim_amount_fen=1_000_000, judge_user_id=None,
            clerk_user_id=None, filed_on=date(2026, 11, 28), filed_at=ctx.clock(),
            parties=[
                FiledParty(party_ref="p-1", role="plaintiff", kind="person", name="陈明"),
                FiledParty(party_ref="p-2", role="defendant", kind="person", name="王强"),
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
        _until("the address service has the case", lambda: page.request.get(
            f"{server.base_url}/api/addresses/cases/{case.id}").ok)  # fmt: skip

        # 1. both agencies answer
        page.goto(f"{server.base_url}/addresses/?case={case.id}")
        expect(page.locator("#case-title")).to_have_text(case.case_number)
        expect(page.locator("#party")).to_have_value("p-2")  # the defendant first
        page.fill("#id-number", DEFENDANT_ID)
        page.fill("#reason", "邮寄送达被退回，需核实被告送达地址")
        page.click("#ask-button")
        results = page.locator("#results tbody tr")
        expect(results).to_have_count(3)
        expect(results.first).to_contain_text("天河区体育西路")
        expect(results.first).to_contain_text("邮件妥投地址")
        expect(results.first).to_contain_text("居住登记地址")
        expect(page.locator("#sources tbody tr .addr-chip.ok")).to_have_count(2)
        expect(page.locator("#id-number")).to_have_value("")  # not left on the page
        page.screenshot(path=str(SHOTS / "addresses-found.png"), full_page=True)

        # 2. the migrant registry hangs: named, and the post's records kept
        httpx.post(f"{agencies['migrant']}/sim/faults", json={"mode": "hang"}, timeout=5)
        page.fill("#id-number", DEFENDANT_ID)
        page.fill("#reason", "再次核实被告送达地址")
        page.click("#ask-button")
        expect(page.locator("#sources tbody tr").first).to_contain_text("超时未答复")
        expect(results).to_have_count(2)
        expect(page.locator("#history tbody tr")).to_have_count(2)
        page.screenshot(path=str(SHOTS / "addresses-timeout.png"), full_page=True)

        # 3. in English
        page.click("#lang-switch")
        expect(page.locator("#history-title")).to_have_text("Look-ups in this case")
        page.goto(f"{server.base_url}/addresses/?case={case.id}")
        expect(page.locator("#history tbody tr").first).to_contain_text(
            "Some agencies did not answer"
        )
        page.screenshot(path=str(SHOTS / "addresses-en.png"), full_page=True)
        page.click("#lang-switch")

        # 4. the first look-up's first address, to the delivery page
        page.goto(f"{server.base_url}/addresses/?case={case.id}")
        page.locator("#history tbody tr").nth(1).click()
        expect(results).to_have_count(3)
        address = results.first.locator("td").nth(1).inner_text()
        results.first.get_by_role("button", name="以此地址邮寄送达").click()
        page.wait_for_url("**/delivery/**")
        expect(page.locator("#c-address")).to_have_value(address)
        page.screenshot(path=str(SHOTS / "addresses-to-delivery.png"), full_page=True)

        # 5. a letter comes back: opened from it, the page posts the document again, in one click
        service_id = _returned_letter(server, page, case.id)
        page.goto(f"{server.base_url}/addresses/?case={case.id}&service={service_id}")
        expect(page.locator("#service-note")).to_be_visible()
        page.locator("#history tbody tr").nth(1).click()
        expect(results).to_have_count(3)
        address = results.first.locator("td").nth(1).inner_text()
        results.first.get_by_role("button", name="改按此地址重新邮寄").click()
        expect(page.locator("#use-status")).to_have_text(f"已按此地址重新交邮寄送达：{address}")
        expect(results.first.get_by_role("button")).to_be_disabled()  # not served twice
        page.screenshot(path=str(SHOTS / "addresses-served-again.png"), full_page=True)
        services = page.request.get(f"{server.base_url}/api/delivery/cases/{case.id}").json()
        posted = [a["address"] for s in services["services"] for a in s["attempts"]
                  if a["channel"] == "post"]  # fmt: skip
        assert address in posted, posted
    finally:
        browser.close()
    assert problems == [], problems


PDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _returned_letter(server, page, case_id: int) -> int:
    """A judgment served on the defendant by post through the delivery service's API (from the
    page, as its own page sends it), posted by the local courier, then returned (查无此人)."""
    from delivery.courier.local import LocalCourier

    base = server.base_url
    sent = page.evaluate("""async ([caseId, pdf]) => {
        const put = await fetch(`/api/delivery/cases/${caseId}/parties/p-2/addresses`, {
          method: "PUT", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ electronic: false, postal_address: "广州市天河区体育西路1号",
                                 postal_recipient: "王强" }) });
        if (!put.ok) return { error: await put.text() };
        const form = new FormData();
        form.append("file", new Blob([pdf], { type: "application/pdf" }), "judgment.pdf");
        form.append("title", "民事判决书");
        form.append("kind", "judgment");
        form.append("recipients", "p-2");
        form.append("channels", "post");
        const served = await fetch(`/api/delivery/cases/${caseId}/services`, { method: "POST", body: form });
        return served.ok ? await served.json() : { error: await served.text() };
    }""", [case_id, PDF])  # fmt: skip
    assert "error" not in sent, sent
    service_id = int(sent["items"][0]["id"])

    def waybill() -> str | None:
        view = page.request.get(f"{base}/api/delivery/services/{service_id}").json()
        return next((a["waybill"] for a in view["attempts"] if a["waybill"]), None)

    number = _until("the letter is posted", waybill)
    data_dir = server.ctx.settings.data_dir
    key = (data_dir / "delivery" / "courier.key").read_text("ascii").strip().encode()
    courier = LocalCourier(data_dir / "delivery" / "courier-sim", key, server.ctx.clock)
    body, headers = courier.track(number, "returned", "查无此人")
    answer = httpx.post(f"{base}/api/delivery/courier/callback", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    _until("the clerk is told", lambda: page.request.get(
        f"{base}/api/delivery/services/{service_id}").json()["needs_attention"])  # fmt: skip
    return service_id
