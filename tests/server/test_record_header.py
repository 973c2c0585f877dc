"""The 笔录 header and page footers of a frozen record (issue 13, defect 3), with worked examples:
a hearing scheduled for 09:30 Beijing time on the 6th that ran 08:17-08:25 on the 5th states
"2026年12月05日 08时17分至08时25分"; the clerk who opened and closed it and the judge who froze
it (neither on the participant list, both signers) are named as 审判长 and 书记员; a record of more than three pages says
"共 N 页" with N its real page count (the signature page included) on every page.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from hearing_server.models import Hearing, StaffUser
from hearing_server.settings import Settings
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.model import SpeakerRef
from tests.server.conftest import login

SCHEDULED = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)  # 09:30 on the 6th in Beijing
OPENED = datetime(2026, 12, 5, 0, 17, 20, tzinfo=UTC)  # 08:17 on the 5th in Beijing
CLOSED = datetime(2026, 12, 5, 0, 25, 40, tzinfo=UTC)  # 08:25
LINE = "原告方认为被告应当按照借款合同约定的期限归还全部借款本金并支付逾期利息，请求法庭予以支持。"


def _pages(pdf: bytes) -> list[str]:
    """The text of each page, read back from the PDF with poppler's pdftotext."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf, capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    pages = result.stdout.decode().split("\f")
    return [page for page in pages if page.strip()]


def test_the_header_states_actual_times_in_court_time_the_bench_and_true_page_counts(
    app, ctx, world, make_client, clock, tmp_path
) -> None:
    hid = world.hearing_a
    with ctx.session_factory() as session:
        session.get(Hearing, hid).scheduled_at = SCHEDULED
        for username, name in (("judge_a", "陈明"), ("clerk_a", "刘洋")):
            user = session.scalars(select(StaffUser).where(StaffUser.username == username)).one()
            user.display_name = name
        session.commit()
    clock.now = OPENED - timedelta(minutes=10)
    judge, clerk = make_client(), make_client()
    login(judge, "judge_a")
    login(clerk, "clerk_a")
    clock.now = OPENED
    assert clerk.post(f"/api/hearings/{hid}/open", json={}).status_code == 200
    rooms = app.state.services.documents
    assert isinstance(rooms, DocumentRooms)

    async def say() -> None:
        room = await rooms.get(hid)
        assert room.actions is not None
        speaker = SpeakerRef(f"participant-{world.plaintiff_a}", "plaintiff", "张伟")
        for n in range(70):  # about three pages of dialogue
            start = 1000 + n * 6000
            await room.actions.commit_asr(speaker, start, start + 5000, f"第{n + 1}点，{LINE}")

    clerk.portal.call(say)
    clock.now = CLOSED
    assert clerk.post(f"/api/hearings/{hid}/close", json={}).status_code == 200
    # the export before freezing states the same times; its bench is who opened and closed
    text = judge.get(f"/api/hearings/{hid}/transcript.txt").text
    assert "时间：2026-12-05 08:17–08:25" in text and "书记员：刘洋" in text
    clock.advance(timedelta(minutes=5))
    frozen = judge.post(f"/api/hearings/{hid}/closing/freeze")
    assert frozen.status_code == 200, frozen.text

    pdf = judge.get(f"/api/hearings/{hid}/closing/document.pdf").content
    (tmp_path / "record.pdf").write_bytes(pdf)  # kept for a look (pytest --basetemp)
    pages = _pages(pdf)
    first = re.sub(r"[ \t]+", "", pages[0])
    assert "时间：2026年12月05日08时17分至08时25分" in first
    assert "审判长：陈明" in first and "书记员：刘洋" in first
    assert "2026年12月06日" not in first and "01时30分" not in first

    total = len(pages)
    assert total >= 4  # three or more pages of transcript, then the signature page
    assert "签名页" in pages[-1].replace(" ", "")
    for number, page in enumerate(pages, start=1):
        footers = re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", page)
        assert footers == [(str(number), str(total))], (number, footers)

    header = judge.get(f"/api/hearings/{hid}/closing/transcript.json").json()["header"]
    assert header["started_at"] == "2026-12-05T08:17:20+08:00"
    assert header["ended_at"] == "2026-12-05T08:25:40+08:00"
    assert (header["presiding_judge"], header["clerk"]) == ("陈明", "刘洋")


def test_the_court_time_zone_is_a_known_iana_zone(tmp_path) -> None:
    assert Settings(data_dir=tmp_path).court_zone == ZoneInfo("Asia/Shanghai")
    assert Settings(data_dir=tmp_path, court_time_zone="Asia/Urumqi").court_time_zone == (
        "Asia/Urumqi"
    )
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(data_dir=tmp_path, court_time_zone="Mars/Olympus_Mons")
