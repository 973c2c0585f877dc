"""Online file review: asked by a party of the case, approved by a judge or clerk of the court,
read page by page as watermarked images for a limited time, downloads only where allowed,
every page view audited; an unapproved, refused, expired or foreign review is answered as one
that does not exist."""

from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
from PIL import Image
from sqlalchemy import select

from hearing_server.context import ServerContext
from portal.tables import PortalAudit
from tests.portal.conftest import (
    CHEN,
    LI,
    STRANGER,
    PortalWorld,
    file_case,
    filed,
    portal_context,
    serve,
)
from tests.server.conftest import FakeClock


def test_review_from_asking_to_expiry(
    app, ctx: ServerContext, world: PortalWorld, party, staff, clock: FakeClock
) -> None:
    case = filed(world.court_a)
    file_case(app, ctx, case)
    serve(app, ctx, case, "p-1", service_id=31, title="起诉状")
    chen, li, stranger = party(CHEN), party(LI), party(STRANGER)
    nothing = chen.get("/api/portal/reviews/999/documents").json()
    assert nothing["error"]["reason"] == "portal_not_found"
    assert stranger.post("/api/portal/reviews", json={"dossier_case_id": 701,
                                                      "reason": "查阅"}).json() == nothing  # fmt: skip
    asked = chen.post("/api/portal/reviews", json={"dossier_case_id": 701, "reason": "准备答辩"})
    assert asked.status_code == 201, asked.text
    review_id = asked.json()["id"]
    base = f"/api/portal/reviews/{review_id}/documents"
    # Not yet approved: as if it did not exist, for its owner and for anyone else.
    assert chen.get(base).json() == nothing
    assert li.get(base).json() == nothing
    # Another court's clerk can neither see nor decide it.
    assert staff("clerk_b").get("/api/portal/staff/reviews").json() == []
    decision = f"/api/portal/staff/reviews/{review_id}/decision"
    assert staff("clerk_b").post(decision, json={"approve": True}).status_code == 404
    judge = staff("judge_a")
    [listed] = judge.get("/api/portal/staff/reviews").json()
    assert (listed["party_name"], listed["case_number"]) == ("陈明", case.case_number)
    approved = judge.post(decision, json={"approve": True, "hours": 2})
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == "judge_a"
    assert judge.post(decision, json={"approve": False}).status_code == 409
    docs = chen.get(base).json()["documents"]
    assert [(d["title"], d["pages"]) for d in docs] == [("起诉状", 2)]
    doc_id = docs[0]["id"]
    page = chen.get(f"{base}/{doc_id}/pages/2")
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(page.content)).convert("RGB")
    # The watermark's red tint is on the page (a plain render is black on white only).
    rgb = np.asarray(image, dtype=np.int16)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    reddish = int(((red > green + 20) & (red > blue + 20)).sum())
    assert reddish > 1000
    assert chen.get(f"{base}/{doc_id}/pages/3").json() == nothing
    assert li.get(f"{base}/{doc_id}/pages/1").json() == nothing  # not li's review
    assert chen.get(f"{base}/{doc_id}/download").json() == nothing  # downloads not allowed
    with portal_context(app).session_factory() as s:
        views = s.scalars(
            select(PortalAudit).where(PortalAudit.action == "review.page_viewed")
        ).all()  # fmt: skip
    assert [(v.actor_name, v.detail["page"]) for v in views] == [("陈明", 2)]
    clock.advance(timedelta(hours=2, seconds=1))
    assert chen.get(base).json() == nothing
    assert chen.get(f"{base}/{doc_id}/pages/1").json() == nothing


def test_downloads_only_where_allowed_and_refusals_stay_closed(
    app, ctx: ServerContext, world: PortalWorld, party, staff
) -> None:
    case = filed(world.court_a)
    file_case(app, ctx, case)
    serve(app, ctx, case, "p-1", service_id=32)
    chen = party(CHEN)
    first = chen.post(
        "/api/portal/reviews", json={"dossier_case_id": 701, "reason": "准备质证"}
    ).json()
    second = chen.post(
        "/api/portal/reviews", json={"dossier_case_id": 701, "reason": "准备答辩"}
    ).json()
    clerk = staff("clerk_a")
    clerk.post(f"/api/portal/staff/reviews/{first['id']}/decision", json={"approve": False})
    clerk.post(f"/api/portal/staff/reviews/{second['id']}/decision",
               json={"approve": True, "allow_download": True})  # fmt: skip
    assert chen.get(f"/api/portal/reviews/{first['id']}/documents").status_code == 404
    docs = chen.get(f"/api/portal/reviews/{second['id']}/documents").json()["documents"]
    answer = chen.get(f"/api/portal/reviews/{second['id']}/documents/{docs[0]['id']}/download")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    statuses = {r["reason"]: r["status"] for r in chen.get("/api/portal/reviews").json()}
    assert statuses == {"准备质证": "refused", "准备答辩": "approved"}
