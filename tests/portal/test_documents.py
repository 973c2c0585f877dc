"""A served document reaches its recipient's portal: listed, opened (``portal.document_opened``
published once, with the opening time), signed for; and the access matrix of the issue: another
party's document, another case, a lawyer without confirmed authority — each refused with
exactly the answer of a document that does not exist."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from court_events.delivery import DOCUMENT_OPENED
from hearing_server.context import ServerContext
from portal.tables import PortalAudit
from tests.portal.conftest import (
    CHEN,
    LI,
    LICENCE,
    STRANGER,
    WANG,
    PortalWorld,
    file_case,
    filed,
    portal_context,
    serve,
)
from tests.server.conftest import FakeClock
from tingshen_platform.schema import events as events_table

NO_SUCH = 987_654


def opened_events(ctx: ServerContext) -> list[dict[str, object]]:
    with ctx.engine.connect() as connection:
        rows = connection.execute(
            select(events_table.c.payload).where(events_table.c.type == DOCUMENT_OPENED.name)
        ).scalars().all()  # fmt: skip
    return [dict(r) for r in rows]


def test_the_recipient_sees_opens_and_signs_for_a_served_document(
    app, ctx: ServerContext, world: PortalWorld, party, clock: FakeClock
) -> None:
    case = filed(world.court_a)
    file_case(app, ctx, case)
    served = serve(app, ctx, case, "p-1", service_id=11, title="民事判决书")
    chen = party(CHEN)
    [mine] = chen.get("/api/portal/cases").json()
    assert mine["case_number"] == case.case_number
    assert [p["name"] for p in mine["parties"]] == ["陈明", "李华"]
    assert [(p["role_zh"], p["role_en"]) for p in mine["parties"]] == [
        ("原告", "Plaintiff"), ("被告", "Defendant")
    ]  # fmt: skip
    [doc] = chen.get("/api/portal/documents").json()
    assert (doc["title"], doc["opened_at"], doc["sha256"]) == ("民事判决书", None, served.sha256)
    refused = chen.post(f"/api/portal/documents/{doc['id']}/sign")
    assert refused.json()["error"]["reason"] == "portal_sign_unread"
    clock.advance(timedelta(minutes=3))
    opened_at = clock()
    answer = chen.get(f"/api/portal/documents/{doc['id']}/file")
    assert answer.status_code == 200
    assert hashlib.sha256(answer.content).hexdigest() == served.sha256
    clock.advance(timedelta(minutes=1))
    assert chen.get(f"/api/portal/documents/{doc['id']}/file").status_code == 200
    [event] = opened_events(ctx)  # the second view publishes nothing
    assert event["service_id"] == 11 and event["name"] == "陈明" and event["action"] == "opened"
    assert str(event["opened_at"]).startswith(opened_at.isoformat()[:19])
    signed = chen.post(f"/api/portal/documents/{doc['id']}/sign")
    assert signed.status_code == 200 and signed.json()["signed_at"]
    assert [e["action"] for e in opened_events(ctx)] == ["opened", "signed"]
    chen.post(f"/api/portal/documents/{doc['id']}/sign")  # again: nothing new
    assert len(opened_events(ctx)) == 2
    with portal_context(app).session_factory() as s:
        actions = s.scalars(
            select(PortalAudit.action).where(PortalAudit.dossier_case_id == 701)
        ).all()
    assert [a for a in actions if a.startswith("document.") and a != "document.received"] == [
        "document.opened",
        "document.viewed",
        "document.signed",
    ]


def test_a_redelivered_event_adds_nothing(
    app, ctx: ServerContext, world: PortalWorld, party
) -> None:
    case = filed(world.court_a)
    file_case(app, ctx, case)
    file_case(app, ctx, case)
    serve(app, ctx, case, "p-1", service_id=12)
    serve(app, ctx, case, "p-1", service_id=12)
    chen = party(CHEN)
    assert len(chen.get("/api/portal/cases").json()) == 1
    assert len(chen.get("/api/portal/documents").json()) == 1


def test_the_home_page_is_one_request_with_what_the_separate_routes_say(
    app, ctx: ServerContext, world: PortalWorld, party, make_client
) -> None:
    case = filed(world.court_a)
    file_case(app, ctx, case)
    serve(app, ctx, case, "p-1", service_id=13, title="应诉通知书")
    chen = party(CHEN)
    home = chen.get("/api/portal/home").json()
    assert home["me"] == chen.get("/api/portal/me").json()
    assert home["me"]["name"] == "陈明" and "id_number" not in home["me"]
    assert home["cases"] == chen.get("/api/portal/cases").json()
    assert [d["title"] for d in home["documents"]] == ["应诉通知书"]
    assert home["documents"] == chen.get("/api/portal/documents").json()
    assert home["reviews"] == chen.get("/api/portal/reviews").json() == []
    refused = make_client().get("/api/portal/home")
    assert refused.status_code == 401
    assert refused.json()["error"]["reason"] == "portal_login_needed"


def test_access_matrix_refuses_without_revealing_existence(
    app, ctx: ServerContext, world: PortalWorld, party, staff
) -> None:
    case = filed(world.court_a)
    other_case = filed(world.court_a, case_id=702, number="（2026）粤0104民初702号")
    file_case(app, ctx, case)
    file_case(app, ctx, other_case)
    for_chen = serve(app, ctx, case, "p-1", service_id=21)
    serve(app, ctx, other_case, "p-1", service_id=22)
    for_li = serve(app, ctx, case, "p-2", service_id=23)
    chen, li, stranger = party(CHEN), party(LI), party(STRANGER)
    lawyer = party(WANG, kind="lawyer", licence=LICENCE)
    ids = {d["title"]: d["id"] for d in chen.get("/api/portal/documents").json()}
    assert len(ids) == 1  # both were "Civil judgment": one per service id
    chen_docs = [d["id"] for d in chen.get("/api/portal/documents").json()]
    li_docs = [d["id"] for d in li.get("/api/portal/documents").json()]
    assert len(chen_docs) == 2 and len(li_docs) == 1
    nothing = chen.get(f"/api/portal/documents/{NO_SUCH}/file").json()
    assert nothing["error"]["reason"] == "portal_not_found"
    for browser, doc_id in ((chen, li_docs[0]), (li, chen_docs[0]), (stranger, chen_docs[0]),
                            (lawyer, li_docs[0])):  # fmt: skip
        for answer in (browser.get(f"/api/portal/documents/{doc_id}/file"),
                       browser.post(f"/api/portal/documents/{doc_id}/sign")):  # fmt: skip
            assert answer.status_code == 404
            assert answer.json() == nothing
    assert stranger.get("/api/portal/cases").json() == []
    assert lawyer.get("/api/portal/documents").json() == []
    # The lawyer asks to act for 李华; until the clerk confirms, still nothing.
    asked = lawyer.post("/api/portal/representations",
                        json={"case_number": case.case_number, "party_name": "李华"})  # fmt: skip
    assert asked.status_code == 201, asked.text
    assert lawyer.get(f"/api/portal/documents/{li_docs[0]}/file").json() == nothing
    unknown = lawyer.post("/api/portal/representations",
                          json={"case_number": "（2026）粤0104民初999号", "party_name": "李华"})  # fmt: skip
    assert unknown.json() == nothing
    assert chen.post("/api/portal/representations", json={
        "case_number": case.case_number, "party_name": "李华"}).status_code == 403  # fmt: skip
    # A clerk of another court cannot confirm it (nor learn it exists); clerk_a can.
    rep_id = asked.json()["id"]
    decision = {"approve": True}
    foreign = staff("clerk_b").post(f"/api/portal/staff/representations/{rep_id}/decision",
                                    json=decision)  # fmt: skip
    assert foreign.status_code == 404, foreign.text
    assert staff("clerk_b").get("/api/portal/staff/representations").json() == []
    clerk = staff("clerk_a")
    [listed] = clerk.get("/api/portal/staff/representations").json()
    assert (listed["lawyer_name"], listed["party_name"], listed["licence_number"]) == (
        "王律师",
        "李华",
        LICENCE,
    )
    confirmed = clerk.post(f"/api/portal/staff/representations/{rep_id}/decision", json=decision)
    assert confirmed.json()["decided_by"] == "clerk_a"
    lawyers = lawyer.get("/api/portal/documents").json()
    assert [(d["id"], d["service_id"]) for d in lawyers] == [(li_docs[0], for_li.service_id)]
    assert lawyer.get(f"/api/portal/documents/{li_docs[0]}/file").status_code == 200
    assert for_chen.service_id != for_li.service_id


def test_staff_decisions_need_a_judge_or_clerk(
    app, ctx: ServerContext, world: PortalWorld, staff, make_client
) -> None:
    assert make_client().get("/api/portal/staff/reviews").status_code == 401
    assert staff("recorder_a").get("/api/portal/staff/reviews").status_code == 403
    assert staff("judge_a").get("/api/portal/staff/reviews").status_code == 200
    assert make_client().get("/api/portal/documents").status_code == 401
