# mypy: disallow-untyped-calls=False
"""A case from filing to the archive in Chromium, each step by the person who does it (issue 15).

Real app (uvicorn) with the model-free fake ASR, in a private network namespace; the demo's court
and staff. Through the pages only, each person in a browser context of their own:

1. the court administrator goes from the dashboard to the case list (/dossier/) and sets the
   court's code there;
2. the filing clerk reaches the filing page from the dashboard and files a case (a plaintiff with
   a phone, a company as defendant, the judge and clerk assigned);
3. the judge schedules its hearing on the dashboard once the case has reached the hearing server
   (``case.filed``); the clerk adds the plaintiff as the filed party and makes the invitation link;
4. the clerk opens the hearing; the plaintiff follows the link, gets the code and enters; the
   judge enters from the dashboard; the record gets its lines (seeded through the document socket,
   as the other tests do: no speech model); the clerk closes the hearing;
5. the judge freezes the record; the plaintiff goes from the closed room to the record and signs;
   the clerk and the judge sign; the court seals;
6. the case page shows the hearing's record as signed (笔录已签署, from ``transcript.signed``);
   the sealed transcript arrives in the dossier by itself (``transcript.signed`` → the dossier's
   materials consumer): the judge's publishing page is polled until it lists it, then the judge
   publishes it to the plaintiff;
7. the plaintiff, in a fresh browser (no session), opens the signing link of the SMS, gets a code,
   and from the finished record reaches 我的案件材料 (/dossier/my.html): it says who they are
   (原告 陈明) and in which court, the transcript is there (公开于 …) and downloads as a PDF,
   and 返回笔录 leads back to the record (the interval between one person's codes is shortened
   to 15 s: in life the party comes back days later, here a minute);
8. the clerk closes the case on the case page, arranges the main volume on the archive page in
   the default order (the notice to sign the record after the record) and submits it; ``bagit``
   validates the package;
9. the court administrator goes from the case list to the court's archive page (档案管理) and
   runs the fixity check: intact; a byte of the stored package is changed (not a person's act:
   done here) and the next check reports that package, its case and the file, in Chinese; the
   case number leads to the case, and its archive page shows the same failure.

No page error, no CSP violation, no console error and no 4xx/5xx answer but the refusals the
pages expect and handle (:data:`EXPECTED_REFUSALS`). Screenshots go to ``out/screenshots/``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bagit
import pytest
import websockets
from pycrdt import Array, Doc
from sqlalchemy import select

from hearing_server.demo import DemoSeed, seed_demo
from hearing_server.models import Participant, StaffUser
from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.ydoc import NewSegment, segment_map
from tests.e2e.harness import (
    REPO_ROOT,
    TIMEOUT_MS,
    LiveServer,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.e2e.test_sign_link_browser import _sms_link
from tests.e2e.test_signing_flow import _sign
from tests.server.live_fakes import FakeStreams

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]
SCREENSHOTS = REPO_ROOT / "out" / "screenshots"
NUMBER = re.compile(r"（20\d\d）粤0104民初1号")
PLAINTIFF, PHONE, ID_NUMBER = "陈明", "13900001234", "440104199003071239"
DEFENDANT, CREDIT_CODE = "广州某某贸易有限公司", "91350100M000100Y43"
NAME = "姓名\uff0f名称"  # the filing form's label, with a full-width solidus
LINES = (
    ("judge", "现在开庭。请原告陈述诉讼请求。"),
    ("plaintiff", "请求判令被告归还借款五万元。"),
)
TRANSCRIPT = "庭审笔录（已签名）"
CODE_INTERVAL_S = 15
SEAL_WAIT_MS = 60_000  # sealing and the consumers on a loaded two-core machine


def test_dossier_walk_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=290)


# ---------------------------------------------------------------- what the pages may complain of


EXPECTED_REFUSALS = (
    # a party's page (the room, the record, the dossier) asking whether the caller is staff
    (frozenset({401, 403}), re.compile(r"/api/auth/me$")),
    # the room's public-viewing panel: the bench's only, the others' pages are refused it
    (frozenset({403}), re.compile(r"/api/hearings/\d+/broadcast$")),
    # the archive page's borrowing and fixity part (?case=N): court administrators' only
    (frozenset({403}), re.compile(r"/api/dossier/archive/fixity$")),
    # the party's re-offer (the judge joined) crossing the clerk's closing: the hearing is no
    # longer open; the room keeps its media and the transcript socket brings the close
    (frozenset({409}), re.compile(r"/api/hearings/\d+/rtc/offer$")),
    # the browser's own request (the site has no icon)
    (frozenset({404}), re.compile(r"/favicon\.ico$")),
    # a new code asked for within CODE_INTERVAL_S of the last (a fast run signs, then reads):
    # the page shows the countdown and the walk asks again when it ends (_get_code)
    (frozenset({429}), re.compile(r"/api/sign-links/[^/]+/code$")),
)


def _expected_refusal(url: str, status: int) -> bool:
    """A 4xx a page asks for and handles (it shows less, it says nothing)."""
    path = url.split("?", 1)[0]
    return any(status in codes and pattern.search(path) for codes, pattern in EXPECTED_REFUSALS)


@dataclass
class Watch:
    """Page errors, console errors (CSP violations are console errors) and 4xx/5xx answers,
    of every page of the walk."""

    problems: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> Page:
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("console", lambda m: self._console(m.type, m.text))
        page.on("response", self._response)
        return page

    def _console(self, kind: str, text: str) -> None:
        # the browser logs each refused request too: judged by its answer in _response
        if kind == "error" and "Failed to load resource: the server responded" not in text:
            self.problems.append(f"console: {text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            entry = f"{response.status} {response.url}"
            if _expected_refusal(response.url, response.status):
                self.refused.append(entry)
            else:
                self.problems.append(entry)


# ---------------------------------------------------------------- people


@dataclass
class Walk:
    browser: Browser
    server: LiveServer
    seed: DemoSeed
    watch: Watch

    @property
    def base(self) -> str:
        return self.server.base_url

    def page(self) -> Page:
        """A fresh browser context (no cookies) and its page, watched."""
        return self.watch.attach(new_context(self.browser).new_page())

    def login(self, username: str, start: str = "") -> Page:
        page = self.page()
        page.goto(f"{self.base}/login.html" + (f"?next={start}" if start else ""))
        page.fill("#username", username)
        page.fill("#password", self.seed.new_passwords[username])
        page.click("#submit")
        page.wait_for_url(lambda url: "login" not in url, timeout=TIMEOUT_MS)
        return page


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"walk-{name}.png"), full_page=True)


def _in_thread(work: Callable[[], None]) -> None:
    """Run ``work`` (which runs its own event loop) beside Playwright's sync API, whose loop
    occupies this thread."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised below, in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the work beside the browser did not finish"
    if failure:
        raise failure[0]


# ---------------------------------------------------------------- 1-2: code and filing


def _admin_sets_court_code(walk: Walk) -> Page:
    from playwright.sync_api import expect

    admin = walk.login("admin")
    admin.wait_for_url("**/dashboard.html")
    expect(admin.locator("#who")).to_have_text("法院管理员 赵敏", timeout=TIMEOUT_MS)
    expect(admin.locator("#schedule")).to_be_hidden()  # nor does an administrator schedule
    admin.locator("#admin-card").get_by_role("link", name="案件与卷宗").click()
    admin.wait_for_url("**/dossier/")
    form = admin.locator("#court-code")
    expect(form).to_be_visible(timeout=TIMEOUT_MS)
    expect(admin.locator("#cc-current")).to_have_text("尚未设置")
    form.get_by_label("法院代字").fill("粤0104")
    form.get_by_role("button", name="保存").click()
    expect(admin.locator("#cc-status")).to_have_text("已保存：本院法院代字为“粤0104”。")
    expect(admin.locator("#cc-current")).to_have_text("粤0104")
    _shot(admin, "01-admin-court-code")
    return admin


def file_on_the_form(page: Page, procedure: str) -> str:
    """On the filing form (``/dossier/file.html``, just opened): a private-lending case of
    50,000 yuan under ``procedure``, the plaintiff and the defendant company; the case number
    the page answers with."""
    from playwright.sync_api import expect

    page.wait_for_url("**/dossier/file.html")
    # The form listens once it has its lists (the court, case types, judges and clerks).
    expect(page.locator("#hdr-court")).to_have_text("广州市越秀区人民法院（粤0104）")
    page.fill("#cause-q", "借贷")
    page.locator("#cause-results button").filter(has_text="民间借贷纠纷").click()
    page.select_option("#procedure", procedure)
    page.fill("#amount", "50,000")
    page.select_option("#judge", label="王立明")
    page.select_option("#clerk", label="陈晓")
    first, second = page.locator(".party").nth(0), page.locator(".party").nth(1)
    first.get_by_label(NAME).fill(PLAINTIFF)
    first.get_by_label("公民身份号码").fill(ID_NUMBER)
    first.get_by_label("联系电话").fill(PHONE)
    second.get_by_label("类别").select_option("organisation")
    second.get_by_label(NAME).fill(DEFENDANT)
    second.get_by_label("统一社会信用代码").fill(CREDIT_CODE)
    page.click("#submit")
    expect(page.locator("#case-number")).to_have_text(NUMBER, timeout=TIMEOUT_MS)
    return page.locator("#case-number").inner_text()


def _filing_clerk_files(walk: Walk) -> tuple[int, str]:
    from playwright.sync_api import expect

    page = walk.login("filing")
    page.wait_for_url("**/dashboard.html")
    expect(page.locator("#who")).to_have_text("立案庭工作人员 刘芳", timeout=TIMEOUT_MS)
    expect(page.locator("#schedule")).to_be_hidden()  # a filing clerk schedules nothing
    card = page.locator("#filing-card")
    expect(card).to_be_visible()
    _shot(page, "02-filing-clerk-dashboard")
    card.get_by_role("link", name="立案登记").click()
    number = file_on_the_form(page, "simplified")
    _shot(page, "03-filed")
    href = page.locator("#case-link").get_attribute("href") or ""
    assert re.fullmatch(r"/dossier/case\.html\?id=\d+", href), href
    return int(href.rsplit("=", 1)[1]), number


# ---------------------------------------------------------------- 3: scheduling and inviting

CASE_REACHED_HEARINGS = """async (number) => {
  const answer = await fetch("/api/cases?limit=100");
  return answer.ok && (await answer.json()).some((c) => c.case_number === number);
}"""


def _judge_schedules(walk: Walk, number: str) -> tuple[Page, int]:
    from playwright.sync_api import expect

    judge = walk.login("judge")
    judge.wait_for_url("**/dashboard.html")
    # The filed case reaches the hearing server by its event (case.filed): the form lists the
    # cases it knew when the page loaded, so the judge reloads once it is there.
    judge.wait_for_function(CASE_REACHED_HEARINGS, arg=number, polling=250, timeout=TIMEOUT_MS)
    judge.reload()
    option = judge.locator("#s-case option").filter(has_text=number)
    expect(option).to_have_text(f"{number} 民间借贷纠纷")
    judge.select_option("#s-case", value=option.get_attribute("value"))
    tomorrow = (datetime.now(UTC) + timedelta(hours=8, days=1)).date()
    judge.fill("#s-time", f"{tomorrow.isoformat()}T09:30")
    judge.fill("#s-place", "第二法庭（在线）")
    judge.locator("#schedule").get_by_role("button").click()
    expect(judge.locator("#dash-status")).to_have_text(
        f"已安排庭审：{number}，{tomorrow.year}/{tomorrow.month:02d}/{tomorrow.day:02d} 09:30，"
        "第二法庭（在线）。请添加参加人并发送开庭通知。",
        timeout=TIMEOUT_MS,
    )
    row = judge.locator(".hearing").filter(has_text=number)
    expect(row).to_contain_text("待开庭", timeout=TIMEOUT_MS)
    expect(row).to_contain_text("09:30")
    expect(row).to_contain_text("第二法庭（在线）")
    hearing_id = int(row.get_attribute("data-hearing") or "0")
    _shot(judge, "04-judge-scheduled")
    return judge, hearing_id


def _clerk_invites(walk: Walk, hid: int) -> tuple[Page, str]:
    from playwright.sync_api import expect

    clerk = walk.login("clerk")
    clerk.wait_for_url("**/dashboard.html")
    row = clerk.locator(f'[data-hearing="{hid}"]')
    row.get_by_role("button", name="参加人").click()
    choice = row.locator("select[data-case-party]")
    expect(choice).to_be_visible(timeout=TIMEOUT_MS)
    choice.select_option(label=f"原告 {PLAINTIFF}")
    expect(row.get_by_placeholder("手机号")).to_have_value(PHONE)
    row.get_by_role("button", name="添加").click()
    added = row.locator("li[data-participant]").filter(has_text=PLAINTIFF)
    expect(added.locator("[data-case-party-ref]")).to_have_text("以本案当事人身份参加")
    added.get_by_role("button", name="生成邀请链接").click()
    link = added.locator(".invite-url")
    expect(link).to_have_text(re.compile(rf"^{re.escape(walk.base)}/join/\S+$"))
    _shot(clerk, "05-clerk-invited")
    return clerk, link.inner_text()


# ---------------------------------------------------------------- 4: the hearing


def _party_id(server: LiveServer, hid: int) -> int:
    with server.ctx.session_factory() as s:
        return s.scalars(
            select(Participant.id).where(
                Participant.hearing_id == hid, Participant.display_name == PLAINTIFF
            )
        ).one()


def _party_enters(walk: Walk, link: str, pid: int) -> Page:
    from playwright.sync_api import expect

    party = walk.page()
    party.goto(link)
    expect(party.locator("#f-you")).to_have_text(f"原告 {PLAINTIFF}", timeout=TIMEOUT_MS)
    expect(party.locator("#f-case")).to_have_text(NUMBER)
    party.click("#get-code")
    expect(party.locator("#sent")).to_contain_text("验证码已发送至")
    party.fill("#code", walk.server.sender.last_code_for(pid))
    party.click("#enter")
    party.wait_for_url("**/room.html?h=*")
    expect(party.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)
    return party


def _seed_lines(server: LiveServer, cookie: str, hid: int, pid: int) -> None:
    """The hearing's record: what the speech model would have written (no model here)."""
    with server.ctx.session_factory() as s:
        judge = s.scalars(select(StaffUser).where(StaffUser.username == "judge")).one()
        speakers = {
            "judge": SpeakerRef(f"staff-{judge.id}", "judge", judge.display_name),
            "plaintiff": SpeakerRef(f"participant-{pid}", "plaintiff", PLAINTIFF),
        }
    url = server.base_url.replace("http", "ws") + f"/ws/hearings/{hid}/document"
    origin = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)

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
                segments.append(segment_map(NewSegment(
                    f"seg-{n + 1}", speakers[role], start_ms, start_ms + 3000, text,
                    start_utc=at.isoformat(),
                )))  # fmt: skip
            update = base64.b64encode(doc.get_update(state)).decode()
            await ws.send(json.dumps({"type": "edit", "id": "seed", "update": update}))
            while json.loads(await ws.recv())["type"] != "ack":
                pass

    _in_thread(lambda: asyncio.run(run()))


def _hold_hearing(walk: Walk, judge: Page, clerk: Page, hid: int, link: str) -> Page:
    from playwright.sync_api import expect

    row = clerk.locator(f'[data-hearing="{hid}"]')
    row.get_by_role("button", name="开庭").click()
    expect(row.get_by_text("庭审中")).to_be_visible(timeout=TIMEOUT_MS)
    pid = _party_id(walk.server, hid)
    party = _party_enters(walk, link, pid)

    judge.reload()
    judge.locator(f'[data-hearing="{hid}"]').get_by_role("button", name="进入法庭").click()
    judge.wait_for_url("**/room.html?h=*")
    expect(judge.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)
    staff_cookie = next(
        c["value"] for c in clerk.context.cookies() if c["name"] == "tingshen_staff"
    )
    _seed_lines(walk.server, staff_cookie, hid, pid)
    for page in (judge, party):
        expect(page.locator("#committed")).to_contain_text(LINES[1][1], timeout=TIMEOUT_MS)
    _shot(party, "06-party-in-room")

    clerk.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="闭庭").click()
    expect(row.get_by_text("已闭庭")).to_be_visible(timeout=TIMEOUT_MS)
    expect(party.locator("#exit-title")).to_have_text("庭审已结束", timeout=TIMEOUT_MS)
    _shot(party, "07-party-room-closed")
    return party


# ---------------------------------------------------------------- 5: signing


def _sign_record(walk: Walk, judge: Page, clerk: Page, party: Page, hid: int) -> None:
    from playwright.sync_api import expect

    judge.goto(f"{walk.base}/dashboard.html")
    judge.locator(f'[data-hearing="{hid}"]').get_by_role("button", name="签名").click()
    judge.wait_for_url(f"**/sign/{hid}")
    expect(judge.locator("#state-text")).to_have_text("校对中，尚未冻结", timeout=TIMEOUT_MS)
    judge.once("dialog", lambda d: d.accept())
    judge.click("#freeze")
    expect(judge.locator("#state-text")).to_have_attribute(
        "data-state", "signing", timeout=TIMEOUT_MS
    )

    # The party goes from the closed room to the record and signs it.
    party.get_by_role("link", name="阅读并签署笔录").click()
    party.wait_for_url(f"**/sign/{hid}")
    expect(party.locator("#who")).to_have_text(f"原告 {PLAINTIFF}", timeout=TIMEOUT_MS)
    rows = party.locator("#review .seg[data-id]")
    expect(rows).to_have_count(len(LINES), timeout=TIMEOUT_MS)
    expect(rows.nth(1)).to_contain_text(f"原告 {PLAINTIFF}")
    _sign(party)
    _shot(party, "08-party-signed")

    clerk.goto(f"{walk.base}/dashboard.html")
    clerk.locator(f'[data-hearing="{hid}"]').get_by_role("button", name="签名").click()
    clerk.wait_for_url(f"**/sign/{hid}")
    _sign(clerk)
    judge.reload()
    _sign(judge)
    expect(judge.locator("#state-text")).to_have_attribute(
        "data-state", "complete", timeout=SEAL_WAIT_MS
    )
    expect(judge.locator('#slots [data-group="seal"].signed')).to_have_count(1)
    _shot(judge, "09-record-complete")


# ---------------------------------------------------------------- 6-7: publishing, the party

RECORD_SIGNED = """async (caseId) => {
  const answer = await fetch(`/api/dossier/cases/${caseId}/summary`);
  return answer.ok && (await answer.json()).hearings.some((h) => h.record_signed_at);
}"""
TRANSCRIPT_FILED = """async ([caseId, title]) => {
  const answer = await fetch(`/api/dossier/cases/${caseId}/publications`);
  return answer.ok && (await answer.json()).materials.some((m) => m.title === title);
}"""


def _judge_publishes(walk: Walk, judge: Page, case_id: int, number: str) -> None:
    from playwright.sync_api import expect

    _open_case(judge, walk.base, case_id, number)
    # The record is signed and sealed (transcript.signed → consumer dossier.records): the
    # hearing's row says so, not merely 已闭庭; the page shows what it knew when it loaded.
    judge.wait_for_function(RECORD_SIGNED, arg=case_id, polling=250, timeout=SEAL_WAIT_MS)
    judge.reload()
    state = judge.locator("#hearings td").filter(has_text="笔录已签署")
    expect(state).to_have_count(1, timeout=TIMEOUT_MS)
    expect(judge.locator("#hearings")).not_to_contain_text("已闭庭")
    _shot(judge, "10a-case-record-signed")
    judge.get_by_role("link", name="向当事人公开").click()
    judge.wait_for_url(f"**/dossier/publish.html?case={case_id}")
    # Nobody uploads the sealed record: it comes by itself (transcript.signed).
    judge.wait_for_function(
        TRANSCRIPT_FILED, arg=[case_id, TRANSCRIPT], polling=250, timeout=SEAL_WAIT_MS
    )
    judge.reload()
    judge.get_by_label(TRANSCRIPT).check()
    judge.get_by_label(f"原告 {PLAINTIFF}", exact=True).check()
    judge.get_by_role("button", name="公开所选材料").click()
    expect(judge.locator("#done")).to_be_visible(timeout=TIMEOUT_MS)
    seen = judge.locator(".dp-party").filter(has_text=f"原告 {PLAINTIFF}")
    expect(seen).to_contain_text(TRANSCRIPT)
    expect(seen).to_contain_text("审判员 王立明")
    expect(judge.locator(".dp-party").filter(has_text=f"被告 {DEFENDANT}")).to_contain_text(
        "尚未公开任何材料"
    )
    _shot(judge, "10-judge-published")


def _get_code(page: Page) -> None:
    """Ask for a code; if the last one is too recent, wait for the button's countdown."""
    from playwright.sync_api import expect

    page.click("#get-code")
    sent, error = page.locator("#sent"), page.locator("#error")
    answered = page.locator("#sent:not([hidden]), #error:not([hidden])")
    expect(answered).to_have_count(1, timeout=TIMEOUT_MS)
    if error.is_visible():
        expect(error).to_contain_text("秒后")
        expect(page.locator("#get-code")).to_be_enabled(timeout=(CODE_INTERVAL_S + 5) * 1000)
        page.click("#get-code")
    expect(sent).to_contain_text("验证码已发送至", timeout=TIMEOUT_MS)


def _party_reads(walk: Walk, hid: int, pid: int) -> None:
    from playwright.sync_api import expect

    link = _sms_link(walk.server.ctx.settings.data_dir / "sms" / "messages.jsonl", PHONE)
    party = walk.page()  # days later, another browser: no session
    party.goto(link)
    expect(party.locator("#f-you")).to_have_text(f"原告 {PLAINTIFF}", timeout=TIMEOUT_MS)
    _get_code(party)
    party.fill("#code", walk.server.sender.last_code_for(pid))
    party.click("#enter")
    party.wait_for_url(f"**/sign/{hid}")
    expect(party.locator("#state-text")).to_have_attribute(
        "data-state", "complete", timeout=TIMEOUT_MS
    )
    party.get_by_role("link", name="我的案件材料").click()
    party.wait_for_url("**/dossier/my.html")
    item = party.locator("[data-material]").filter(has_text=TRANSCRIPT)
    expect(item).to_be_visible(timeout=TIMEOUT_MS)
    expect(party.locator("#cases h2")).to_have_text(re.compile(rf"{NUMBER.pattern} · 民间借贷纠纷"))
    # Who they are (by role and name), the court, when it was published; the way back.
    expect(party.locator("#who")).to_have_text(f"原告 {PLAINTIFF}")
    expect(party.locator(".dp-you")).to_have_text(f"原告 {PLAINTIFF}")
    expect(party.locator(".dp-facts")).to_contain_text("广州市越秀区人民法院")
    expect(item.locator(".meta")).to_contain_text("公开于 ")
    href = item.get_by_role("link", name="下载 PDF").get_attribute("href")
    pdf = party.request.get(f"{walk.base}{href}")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    _shot(party, "11-party-my-materials")
    party.reload()  # a reload keeps the party in, with the same material
    expect(item).to_be_visible(timeout=TIMEOUT_MS)
    second = walk.watch.attach(party.context.new_page())  # a second tab of the same browser
    second.goto(f"{walk.base}/dossier/my.html")
    expect(second.locator("#who")).to_have_text(f"原告 {PLAINTIFF}", timeout=TIMEOUT_MS)
    expect(second.locator("[data-material]").filter(has_text=TRANSCRIPT)).to_be_visible(
        timeout=TIMEOUT_MS
    )
    second.close()
    party.get_by_role("link", name="返回笔录").click()
    party.wait_for_url(f"**/sign/{hid}")
    expect(party.locator("#state-text")).to_have_attribute(
        "data-state", "complete", timeout=TIMEOUT_MS
    )


# ---------------------------------------------------------------- 8-9: closing and the archive


def _open_case(page: Page, base: str, case_id: int, number: str) -> None:
    """From the dashboard to the case page, as staff find a case."""
    page.goto(f"{base}/dashboard.html")
    page.get_by_role("link", name="案件与卷宗").first.click()
    page.wait_for_url("**/dossier/")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/dossier/case.html?id={case_id}")


def _clerk_closes_and_archives(walk: Walk, clerk: Page, case_id: int, number: str) -> str:
    from playwright.sync_api import expect

    _open_case(clerk, walk.base, case_id, number)
    card = clerk.locator("#close-card")
    expect(card).to_be_visible(timeout=TIMEOUT_MS)
    card.get_by_label("结案方式").select_option(label="判决")
    card.get_by_role("button", name="确认结案").click()
    expect(clerk.locator("#facts")).to_contain_text("案件状态已结", timeout=TIMEOUT_MS)
    expect(clerk.locator("#facts")).to_contain_text("结案方式判决")
    expect(card).to_be_hidden()
    _shot(clerk, "12-case-closed")

    clerk.get_by_role("link", name="电子档案").click()
    clerk.wait_for_url(f"**/dossier/archive.html?case={case_id}")
    rows = clerk.locator("#items tr")
    expect(rows.filter(has_text=TRANSCRIPT)).to_have_count(1, timeout=TIMEOUT_MS)
    expect(clerk.locator("#facts")).to_contain_text("已结案，待归档")
    clerk.click("#default-order")
    expect(clerk.locator("#archive-status")).to_have_text("排列已保存。", timeout=TIMEOUT_MS)
    # The default order is the civil 正卷's: the notice asking the plaintiff to sign the record
    # (sent when it was frozen) is kept with the record, after it, not among the summonses.
    titles = [t.strip() for t in rows.locator("td:nth-child(2)").all_inner_texts()]
    signing = [n for n, title in enumerate(titles) if title.startswith("笔录签名通知")]
    assert signing and min(signing) > titles.index(TRANSCRIPT), titles
    _shot(clerk, "13-archive-arranged")
    clerk.once("dialog", lambda d: d.accept())
    clerk.click("#submit")
    expect(clerk.locator("#archive-status")).to_contain_text("已归档，档号 F", timeout=SEAL_WAIT_MS)
    _shot(clerk, "14-archive-submitted")
    text = clerk.locator("#archive-status").inner_text()
    found = re.search(r"F\S+", text)
    assert found is not None, text
    return found.group(0).rstrip("。")


def _package(data_dir: Path, archive_number: str) -> Path:
    [bag] = [p.parent for p in data_dir.rglob("bagit.txt") if p.parent.name == archive_number]
    return bag


def _damage(bag: Path) -> str:
    """One byte of the e-volume changed (the package is read-only: made writable first)."""
    victim = bag / "data" / "evolume.pdf"
    victim.chmod(0o644)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    return "data/evolume.pdf"


def _admin_checks_fixity(
    walk: Walk, admin: Page, case_id: int, number: str, bag: Path, archive_number: str
) -> None:
    from playwright.sync_api import expect

    # The court's archive page (档案管理), from the case list: the administrator's, no case needed.
    admin.goto(f"{walk.base}/dashboard.html")
    admin.get_by_role("link", name="案件与卷宗").first.click()
    admin.wait_for_url("**/dossier/")
    admin.get_by_role("link", name="档案管理").click()
    admin.wait_for_url("**/dossier/archive-admin.html")
    expect(admin.locator("#fixity-card")).to_be_visible(timeout=TIMEOUT_MS)
    admin.click("#fixity-run")
    summary = admin.locator("#fixity-summary")
    expect(summary).to_have_text("1 个档案包，0 个异常", timeout=TIMEOUT_MS)
    expect(admin.locator("#no-failures")).to_be_visible()

    damaged = _damage(bag)
    admin.click("#fixity-run")
    expect(summary).to_have_text("1 个档案包，1 个异常", timeout=TIMEOUT_MS)
    expect(summary).to_have_class("error")
    row = admin.locator("#failures tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"异常 {archive_number}")
    problem = f"{damaged}：文件内容已改变（sha256、sha512 校验值不符）"
    expect(row.locator("div.bad")).to_have_text([problem])
    _shot(admin, "15-admin-fixity-damaged")

    # The failure names its case: from there to the case and its archive page.
    row.get_by_role("link", name=number).click()
    admin.wait_for_url(f"**/dossier/case.html?id={case_id}")
    expect(admin.locator("#facts")).to_contain_text("已归档", timeout=TIMEOUT_MS)
    admin.get_by_role("link", name="电子档案").click()
    admin.wait_for_url(f"**/dossier/archive.html?case={case_id}")
    expect(admin.locator("#admin")).to_be_visible(timeout=TIMEOUT_MS)
    line = admin.locator("#fixity li")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(f"异常 {archive_number}")
    expect(line.locator("div.bad")).to_have_text([problem])
    _shot(admin, "16-admin-case-archive")


# ---------------------------------------------------------------- the walk


def test_a_case_from_filing_to_the_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    # The party comes back for the published record days after the hearing; here it is a minute,
    # so the interval between one person's codes (60 s) is shortened, not waited out.
    monkeypatch.setenv("TINGSHEN_CODE_RESEND_SECONDS", str(CODE_INTERVAL_S))
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    data_dir = tmp_path / "data"
    with live_server(data_dir, FakeStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        browser = launch_chromium(pw, wav)
        walk = Walk(browser, server, seed, Watch())
        try:
            admin = _admin_sets_court_code(walk)
            case_id, number = _filing_clerk_files(walk)
            judge, hid = _judge_schedules(walk, number)
            clerk, link = _clerk_invites(walk, hid)
            party = _hold_hearing(walk, judge, clerk, hid, link)
            _sign_record(walk, judge, clerk, party, hid)
            _judge_publishes(walk, judge, case_id, number)
            _party_reads(walk, hid, _party_id(server, hid))
            archive_number = _clerk_closes_and_archives(walk, clerk, case_id, number)
            bag = _package(data_dir, archive_number)
            bagit.Bag(str(bag)).validate()  # the package as submitted is a valid bag
            _admin_checks_fixity(walk, admin, case_id, number, bag, archive_number)
        finally:
            browser.close()
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag)).validate()
    assert walk.watch.problems == [], walk.watch.problems
