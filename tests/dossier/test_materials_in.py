"""Materials the system makes arrive by themselves (consumer ``dossier.materials_in``): the
signed transcript and the recording digest list from ``transcript.signed`` (read from the shared
document store, digest checked), notices from ``notice.sent`` (rendered as a PDF). A re-delivered
event changes nothing; a wrong file or an unknown case is refused and retried."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pypdfium2 as pdfium
from fastapi import FastAPI
from sqlalchemy import select

from court_events.dossier import MATERIAL_ADDED
from court_events.hearing import (
    CASE_CREATED,
    NOTICE_SENT,
    TRANSCRIPT_SIGNED,
    CaseCreated,
    FiledDocument,
    NoticeSent,
    TranscriptSigned,
)
from dossier.materials.tables import Material, MaterialVersion
from dossier.models import AuditRow
from dossier.publish.pdf import text_pdf
from tests.dossier.conftest import DossierWorld, dossier_context, poll
from tests.server.conftest import START, FakeClock
from tingshen_platform.events import publish
from tingshen_platform.events.backoff import DEFAULT_RETRY_BASE
from tingshen_platform.schema import events

RETRY_AFTER = DEFAULT_RETRY_BASE
"""A refused event comes again after the consumer's first back-off."""


def _put(app: FastAPI, key: str, data: bytes) -> FiledDocument:
    dossier_context(app).host.exchange.put(key, data)
    kind = "signed_transcript" if key.endswith(".pdf") else "recording_digests"
    return FiledDocument(
        document_id=len(key), kind=kind, filename=key.rsplit("/", 1)[-1],
        media_type="application/pdf" if key.endswith(".pdf") else "application/json",
        sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data), blob_key=key,
    )  # fmt: skip


def _signed(world: DossierWorld, documents: list[FiledDocument], number: str) -> TranscriptSigned:
    return TranscriptSigned(
        hearing_id=world.hearing.hearing_a, case_id=world.hearing.case_a, case_number=number,
        pdf_sha256=documents[0].sha256, revision=1,
        case_document_ids=[d.document_id for d in documents], documents=documents,
    )  # fmt: skip


def _emit(app: FastAPI, event_type, payload) -> None:
    with dossier_context(app).host.engine.begin() as connection:
        publish(connection, event_type, payload, occurred_at=START, stream="test")


def _materials(app: FastAPI, case_id: int) -> list[tuple[Material, MaterialVersion]]:
    with dossier_context(app).session_factory() as s:
        rows = s.execute(
            select(Material, MaterialVersion)
            .join(MaterialVersion, MaterialVersion.material_id == Material.id)
            .where(Material.case_id == case_id)
            .order_by(Material.id)
        ).all()
        s.expunge_all()
        return [(m, v) for m, v in rows]


def _case_number(app: FastAPI, case_id: int) -> str:
    from dossier.models import DossierCase

    with dossier_context(app).session_factory() as s:
        case = s.get(DossierCase, case_id)
        assert case is not None
        return case.case_number


DIGESTS = {
    "format": "tingshen.recording-digests/1",
    "hearing_id": 1,
    "recordings": [
        {"name": "mix", "sha256": "3f" * 32, "size_bytes": 1000, "duration_ms": 60000,
         "finalized_at": "2026-11-28T09:00:00+00:00"},
    ],
}  # fmt: skip


def test_a_signed_transcript_is_filed_once(app: FastAPI, dossier_world: DossierWorld) -> None:
    pdf = text_pdf("庭审笔录", [("案号", "x")], "原告：我方要求被告归还借款五万元。")
    digests = (json.dumps(DIGESTS, ensure_ascii=False) + "\n").encode()
    documents = [
        _put(app, "cases/1/transcript-signed.pdf", pdf),
        _put(app, "cases/1/recordings.json", digests),
    ]
    number = _case_number(app, dossier_world.case_a)
    payload = _signed(dossier_world, documents, number)
    _emit(app, TRANSCRIPT_SIGNED, payload)
    poll(app)
    filed = _materials(app, dossier_world.case_a)
    assert [(m.material_type, m.volume, m.source, m.title) for m, _ in filed] == [
        ("hearing_transcript", "main", "hearing", "庭审笔录（已签名）"),
        ("recording_digests", "main", "hearing", "庭审录音录像文件摘要清单"),
    ]
    (transcript, tv), (_listing, lv) = filed
    hearing = dossier_world.hearing.hearing_a
    assert transcript.source_ref == f"hearing:{hearing}:doc:{documents[0].document_id}"
    assert (tv.sha256, tv.page_count, tv.added_by_name) == (documents[0].sha256, 1, "系统")
    files = dossier_context(app).files
    assert files.get(tv.blob_key) == pdf and tv.pdf_blob_key == tv.blob_key
    # The JSON list is kept as filed, with a PDF of it for reading (CJK, one page).
    assert files.get(lv.blob_key) == digests and lv.sha256 == documents[1].sha256
    assert lv.pdf_blob_key is not None and lv.pdf_blob_key != lv.blob_key
    rendered = pdfium.PdfDocument(files.get(lv.pdf_blob_key))
    text = rendered[0].get_textpage().get_text_range()
    assert "庭审录音录像文件摘要清单" in text and "3f" * 32 in text.replace("\r\n", "")

    # Delivered again (the same event once more, then a copy of it): nothing changes.
    _emit(app, TRANSCRIPT_SIGNED, payload)
    poll(app)
    assert len(_materials(app, dossier_world.case_a)) == 2
    ctx = dossier_context(app)
    with ctx.session_factory() as s:
        audit = s.scalars(select(AuditRow).where(AuditRow.action == "material.added")).all()
        assert [(a.actor_kind, a.actor_name) for a in audit] == [("system", "system")] * 2
        announced = s.execute(select(events).where(events.c.type == MATERIAL_ADDED.name)).all()
        assert len(announced) == 2
        assert {row.payload["material_type"] for row in announced} == {
            "hearing_transcript", "recording_digests",
        }  # fmt: skip


def test_a_file_that_does_not_match_its_digest_is_never_filed(
    app: FastAPI, dossier_world: DossierWorld, clock: FakeClock
) -> None:
    pdf = text_pdf("庭审笔录", [], "正确的笔录")
    document = _put(app, "cases/2/transcript-signed.pdf", pdf)
    dossier_context(app).host.exchange.put(document.blob_key, pdf + b"%tampered")
    number = _case_number(app, dossier_world.case_a)
    _emit(app, TRANSCRIPT_SIGNED, _signed(dossier_world, [document], number))
    poll(app)
    assert _materials(app, dossier_world.case_a) == []
    # The store is repaired: the event, retried after its back-off, files the right file.
    dossier_context(app).host.exchange.put(document.blob_key, pdf)
    clock.advance(RETRY_AFTER)
    poll(app)
    ((_, version),) = _materials(app, dossier_world.case_a)
    assert version.sha256 == document.sha256


def test_a_case_not_yet_in_the_register_waits(
    app: FastAPI, dossier_world: DossierWorld, clock: FakeClock
) -> None:
    document = _put(app, "cases/3/transcript-signed.pdf", text_pdf("庭审笔录", [], "内容"))
    number = "(2026)粤0104民初999号"
    _emit(app, TRANSCRIPT_SIGNED, _signed(dossier_world, [document], number))
    poll(app)
    with dossier_context(app).session_factory() as s:
        assert s.scalars(select(Material)).all() == []
    # The case reaches the register; the waiting event is filed once its back-off is over.
    _emit(app, CASE_CREATED, CaseCreated(case_id=99, court_id=1, case_number=number,
                                          cause_of_action="民间借贷纠纷"))  # fmt: skip
    poll(app)
    clock.advance(RETRY_AFTER)
    poll(app)
    with dossier_context(app).session_factory() as s:
        (material,) = s.scalars(select(Material)).all()
        assert material.title == "庭审笔录（已签名）"


TOKEN = "Zx8_secret-Token.Value~1"
LINK = f"https://court.example/join/{TOKEN}"


def _notice(world: DossierWorld, number: str, notice_id: int = 7) -> NoticeSent:
    return NoticeSent(
        notice_id=notice_id, hearing_id=world.hearing.hearing_a, case_id=world.hearing.case_a,
        case_number=number, kind="hearing_notice", channel="sms", recipient_name="张伟",
        recipient_role="plaintiff", sent_to="138****0001", subject=None,
        body_text="张伟：您好。(2026)粤0104民初123号案定于2026年11月30日10:00在第三法庭开庭。"
        f"\n请由此进入：{LINK}",
        sent_at=START + timedelta(minutes=5),
    )  # fmt: skip


def test_a_notice_sent_is_filed_as_a_pdf_once(app: FastAPI, dossier_world: DossierWorld) -> None:
    number = _case_number(app, dossier_world.case_a)
    _emit(app, NOTICE_SENT, _notice(dossier_world, number))
    _emit(app, NOTICE_SENT, _notice(dossier_world, number))  # delivered twice
    poll(app)
    ((material, version),) = _materials(app, dossier_world.case_a)
    assert (material.material_type, material.source, material.source_ref) == (
        "notice", "system", "notice:7",
    )  # fmt: skip
    assert material.title == "开庭通知（原告 张伟）"
    data = dossier_context(app).files.get(version.blob_key)
    assert data.startswith(b"%PDF") and version.media_type == "application/pdf"
    page = pdfium.PdfDocument(data)[0].get_textpage().get_text_range()
    for expected in ("开庭通知", "原告 张伟", "短信", "138****0001", "2026年11月28日 16:05",
                     "在第三法庭开庭", "https://court.example/join/（链接已隐去）"):  # fmt: skip
        assert expected in page.replace("\r\n", ""), expected
    # The invitation's token, a credential, is in neither the PDF nor the text kept for search.
    assert TOKEN not in page and TOKEN not in (version.text or "") and TOKEN.encode() not in data


def test_the_real_closing_flow_files_the_sealed_record(
    app: FastAPI, ctx, dossier_world: DossierWorld, make_client, code_sender
) -> None:
    """The hearing server closes, signs and seals hearing A's record; the dossier files the
    signed transcript and the digest list by itself, byte for byte."""
    from tests.server.closing_flow import closed_hearing

    court = closed_hearing(app, ctx, dossier_world.hearing, make_client, code_sender)
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    # The freeze queued a signing request to each party; the server's background dispatcher
    # sends them at its own pace (every few seconds); send what is due now, so that the dossier
    # files them whether or not a background round came first.
    app.state.services.dispatcher.dispatch_due(ctx.clock())
    for signer in (court.plaintiff, court.defendant, court.agent, court.judge):
        signer.sign()
    assert court.clerk.sign()["state"] == "complete"
    pdf = court.clerk.client.get(f"{court.api}/document.pdf").content
    poll(app)
    filed = _materials(app, dossier_world.case_a)
    kinds = {m.material_type: v for m, v in filed}
    assert set(kinds) == {"hearing_transcript", "recording_digests", "record_notice"}
    transcript = kinds["hearing_transcript"]
    assert dossier_context(app).files.get(transcript.blob_key) == pdf
    assert transcript.sha256 == hashlib.sha256(pdf).hexdigest()


def test_an_archived_case_takes_nothing_and_holds_up_nothing(
    app: FastAPI, dossier_world: DossierWorld
) -> None:
    from dossier.models import DossierCase

    ctx = dossier_context(app)
    with ctx.session_factory() as s:
        case = s.get(DossierCase, dossier_world.case_a)
        assert case is not None
        case.status = "archived"
        s.commit()
    pdf = text_pdf("庭审笔录", [("案号", "x")], "迟到的笔录")
    number = _case_number(app, dossier_world.case_a)
    _emit(app, TRANSCRIPT_SIGNED, _signed(dossier_world, [_put(app, "late.pdf", pdf)], number))
    _emit(app, NOTICE_SENT, _notice(dossier_world, number))
    poll(app)
    assert _materials(app, dossier_world.case_a) == []
    with ctx.session_factory() as s:
        noted = s.scalars(
            select(AuditRow.details).where(AuditRow.action == "material.not_filed_archived")
        ).all()
    assert sorted(d["type"] for d in noted) == ["notice.sent", "transcript.signed"]
    # Both events were handled: a later event of another case is filed at once.
    other = _case_number(app, dossier_world.case_a2)
    _emit(app, NOTICE_SENT, _notice(dossier_world, other, notice_id=8))
    assert poll(app) >= 1
    assert len(_materials(app, dossier_world.case_a2)) == 1


def test_the_default_archive_order_keeps_the_signing_notice_with_the_record(
    app: FastAPI, ctx, dossier_world: DossierWorld, staff_client
) -> None:
    """恢复默认顺序 on a case whose notices and record arrived by themselves: the notice that calls
    the party to the hearing comes before the record (传票、出庭通知), the request to sign the
    record after it (it was sent before the record was sealed, and is about the record), in the
    order of a civil 正卷: 起诉状 … 通知 … 庭审笔录 … 裁判文书 … 送达回证."""
    from dossier.materials.store import Author, NewFile, add_material
    from dossier.models import DossierCase
    from tests.dossier.archive_helpers import close_case, make_pdf

    dossier = dossier_context(app)
    case_id = dossier_world.case_a
    number = _case_number(app, case_id)

    def upload(material_type: str, title: str, minutes: int) -> None:
        with dossier.session_factory() as s:
            add_material(
                s, dossier.files, case=s.get_one(DossierCase, case_id), volume="main",
                material_type=material_type, title=title, source="upload",
                new=NewFile(f"{title}.pdf", "application/pdf", make_pdf(title, 1), page_count=1),
                author=Author(None, "书记员甲"), at=START + timedelta(minutes=minutes),
            )  # fmt: skip
            s.commit()

    def emit(event_type, payload, minutes: int) -> None:
        with dossier.host.engine.begin() as connection:
            publish(connection, event_type, payload, occurred_at=START + timedelta(minutes=minutes),
                    stream="test")  # fmt: skip

    upload("complaint", "民事起诉状", 0)
    emit(NOTICE_SENT, _notice(dossier_world, number), 10)  # 开庭通知, before the hearing
    sign_request = _notice(dossier_world, number, notice_id=9).model_copy(
        update={"kind": "sign_request", "body_text": "请阅读并签署庭审笔录。"}
    )
    emit(NOTICE_SENT, sign_request, 20)  # sent when the record was frozen, before it was sealed
    corrections = b"\xe5\x8e\x9f\xe5\x91\x8a\xe7\x94\xb3\xe8\xaf\xb7\xe6\x9b\xb4\xe6\xad\xa3"
    documents = [
        _put(app, "cases/1/transcript-signed.pdf", text_pdf("庭审笔录", [("案号", "x")], "正文")),
        _put(app, "cases/1/recordings.json", (json.dumps(DIGESTS) + "\n").encode()),
    ]
    dossier.host.exchange.put("cases/1/corrections.txt", corrections)
    documents.append(FiledDocument(
        document_id=99, kind="correction_requests", filename="corrections.txt",
        media_type="text/plain", sha256=hashlib.sha256(corrections).hexdigest(),
        size_bytes=len(corrections), blob_key="cases/1/corrections.txt",
    ))  # fmt: skip
    emit(TRANSCRIPT_SIGNED, _signed(dossier_world, documents, number), 30)
    poll(app)
    upload("judgment", "民事判决书", 40)
    upload("service_proof", "送达回证", 50)
    typed = {m.title: m.material_type for m, _ in _materials(app, case_id)}
    assert typed["笔录签名通知（原告 张伟）"] == "record_notice"
    assert typed["开庭通知（原告 张伟）"] == "notice"
    assert typed["笔录更正申请及处理"] == "record_corrections"

    close_case(dossier, ctx, case_id)
    arranged = staff_client("clerk_a").put(f"/api/dossier/cases/{case_id}/archive/arrangement",
                                           json={})  # fmt: skip
    assert arranged.status_code == 200, arranged.text
    assert [i["title"] for i in arranged.json()["items"]] == [
        "民事起诉状",
        "开庭通知（原告 张伟）",
        "庭审笔录（已签名）",
        "笔录更正申请及处理",
        "笔录签名通知（原告 张伟）",
        "庭审录音录像文件摘要清单",
        "民事判决书",
        "送达回证",
    ]
