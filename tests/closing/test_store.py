"""The closing document store: atomic writes, orphan revisions removed, no path escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearing_server.closing.store import DocumentStore
from hearing_server.notices.render import NoticeFacts, render_notice


def test_revisions_newer_than_the_database_are_discarded(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    for revision in range(3):
        store.write_revision(7, revision, f"pdf {revision}".encode())
    removed = store.discard_after(7, 1)  # the database knows revisions 0 and 1
    assert removed == ["hearings/7/rev-2.pdf"]
    assert store.read_revision(7, 1) == b"pdf 1"
    assert not store.blobs.exists("hearings/7/rev-2.pdf")
    assert sorted(p.name for p in (tmp_path / "hearings" / "7").iterdir()) == [
        "rev-0.pdf",
        "rev-1.pdf",
    ]  # and no temporary file left


def test_case_files_stay_inside_the_store(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs")
    relative = store.write_case_file(3, "abc-transcript.pdf", b"%PDF")
    assert store.read_case_file(relative) == b"%PDF"
    with pytest.raises(ValueError):
        store.write_case_file(3, "../evil.pdf", b"x")
    with pytest.raises(ValueError):
        store.read_case_file("../../etc/passwd")


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_signing_request_names_the_case_and_both_links(locale: str) -> None:
    from datetime import UTC, datetime

    facts = NoticeFacts(
        kind="sign_request", court_name="广州市越秀区人民法院", case_number="(2026)粤0104民初123号",
        cause_of_action="民间借贷纠纷", recipient_name="张伟", role_zh="原告", role_en="Plaintiff",
        scheduled_at=datetime(2026, 11, 30, 2, tzinfo=UTC), duration_minutes=60, place="第三法庭",
        sign_link="https://court.example/sign/7",
    )  # fmt: skip
    again = NoticeFacts.from_payload(facts.to_payload())
    assert again == facts
    rendered = render_notice(again, locale=locale, join_link="https://court.example/join/T")  # type: ignore[arg-type]
    for text in (rendered.body, rendered.sms):
        assert "(2026)粤0104民初123号" in text
    assert "https://court.example/sign/7" in rendered.body
    assert "https://court.example/join/T" in rendered.body
    assert ("签名" if locale == "zh-CN" else "sign") in rendered.subject
