"""Issue 13, defect 11: a party's correction request blocks the record until the court answers it,
and every request with its answer is recorded with the transcript and filed with the case."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select

from hearing_server.models import AuditEvent
from tests.server.closing_flow import Court, closed_hearing


def _court(app, ctx, world, make_client, code_sender) -> Court:
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    return court


def test_an_open_correction_request_blocks_the_bench_until_it_is_answered(
    app, ctx, world, make_client, code_sender
) -> None:
    court = _court(app, ctx, world, make_client, code_sender)
    filed = court.defendant.client.post(
        f"{court.api}/objections",
        json={"kind": "correction", "segment_id": "seg-1", "text": "应为借款四万元"},
    )
    assert filed.status_code == 201, filed.text
    request_id = filed.json()["id"]
    court.plaintiff.sign()
    court.defendant.sign()
    court.agent.sign()

    judge = court.judge.client.get(court.api).json()
    assert judge["stage"] == "bench" and judge["me"]["may_sign"] is False
    assert judge["me"]["reason_code"] == "corrections_open"
    assert "被告 李娜的更正申请尚未答复" in judge["me"]["reason"]
    refused = court.judge.certificate()
    assert refused.status_code == 409, refused.text
    assert "被告 李娜的更正申请尚未答复" in refused.json()["error"]["message"]

    # a party may not answer, nor may the answer be empty
    party = court.defendant.client.post(
        f"{court.api}/objections/{request_id}/answer",
        json={"decision": "accepted", "reason": "我同意"},
    )
    assert party.status_code == 403, party.text
    empty = court.clerk.client.post(
        f"{court.api}/objections/{request_id}/answer", json={"decision": "rejected", "reason": " "}
    )
    assert empty.status_code == 422
    answered = court.clerk.client.post(
        f"{court.api}/objections/{request_id}/answer",
        json={"decision": "rejected", "reason": "与庭审录音核对，原告所述为五万元"},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["answer"] == "rejected"
    assert answered.json()["answered_by"] == "clerk_a"
    again = court.clerk.client.post(
        f"{court.api}/objections/{request_id}/answer",
        json={"decision": "accepted", "reason": "改变主意"},
    )
    assert again.status_code == 409

    mine = court.defendant.client.get(court.api).json()["objections"][0]
    assert (mine["answer"], mine["answer_reason"]) == (
        "rejected",
        "与庭审录音核对，原告所述为五万元",
    )

    txt = court.plaintiff.client.get(f"/api/hearings/{world.hearing_a}/transcript.txt").text
    assert "更正申请" in txt
    assert "被告 李娜" in txt and "应为借款四万元" in txt
    assert "答复：不予采纳。理由：与庭审录音核对，原告所述为五万元（书记员 clerk_a" in txt

    court.judge.sign()
    done = court.clerk.sign()
    assert done["state"] == "complete"
    documents = court.defendant.client.get(f"/api/cases/{world.case_a}/documents").json()
    filed_doc = next(d for d in documents if d["kind"] == "correction_requests")
    body = court.defendant.client.get(f"/api/cases/{world.case_a}/documents/{filed_doc['id']}")
    assert "应为借款四万元" in body.text and "不予采纳" in body.text
    # the court seal's signed reason names the filed requests and their digest
    pdf = court.defendant.client.get(f"{court.api}/document.pdf").content
    seal = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[-1]
    assert seal.field_name == "court-seal"
    reason = str(seal.sig_object["/Reason"])
    assert filed_doc["filename"] in reason and filed_doc["sha256"] in reason

    with ctx.session_factory() as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "closing.correction_answered")
        ).all()
    assert event.details["before"] == {"answer": None}
    assert event.details["after"]["answer"] == "rejected"


def test_an_objection_needs_no_answer_and_blocks_nothing(
    app, ctx, world, make_client, code_sender
) -> None:
    court = _court(app, ctx, world, make_client, code_sender)
    filed = court.defendant.client.post(
        f"{court.api}/objections", json={"kind": "objection", "text": "对庭审程序有异议"}
    )
    assert filed.status_code == 201
    for signer in (court.plaintiff, court.defendant, court.agent):
        signer.sign()
    answer = court.clerk.client.post(
        f"{court.api}/objections/{filed.json()['id']}/answer",
        json={"decision": "accepted", "reason": "好"},
    )
    assert answer.status_code == 409
    assert court.judge.client.get(court.api).json()["me"]["may_sign"] is True
