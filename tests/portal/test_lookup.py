"""The public look-up (司法送达): all three of case number, name and ID number must match; any
mismatch gets exactly the answer of a match with nothing waiting; the answer is bounded (the newest
documents and the count of all); rate-limited; ID numbers only masked in the audit trail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hearing_server.context import ServerContext
from portal.lookup import LOOKUP_MAX_DOCUMENTS
from portal.tables import PortalAudit
from tests.portal.conftest import CHEN, LI, PortalWorld, file_case, filed, portal_context, serve
from tests.server.conftest import FakeClock


def test_only_all_three_matching_reveal_anything(
    app, ctx: ServerContext, world: PortalWorld, make_client
) -> None:
    case = filed(world.court_a)
    file_case(app, ctx, case)
    serve(app, ctx, case, "p-1", service_id=41, title="应诉通知书")
    serve(app, ctx, case, "p-2", service_id=42, title="给被告的文书")
    right = {"case_number": case.case_number, "name": CHEN[0], "id_number": CHEN[1]}
    wrongs = [
        right | {"case_number": "（2026）粤0104民初702号"},
        right | {"name": LI[0]},
        right | {"id_number": LI[1]},
    ]
    answers = []
    for n, body in enumerate([right, *wrongs]):
        browser = make_client()  # one address each would still count: the limit is per ID too
        answer = browser.post("/api/portal/lookup", json=body)
        assert answer.status_code == 200, (n, answer.text)
        answers.append(answer.json())
    assert [d["title"] for d in answers[0]["documents"]] == ["应诉通知书"]
    assert answers[0]["total"] == 1
    assert answers[1:] == [{"documents": [], "total": 0}] * 3
    bad = make_client().post("/api/portal/lookup", json=right | {"id_number": "110105194912310021"})
    assert bad.status_code == 422 and bad.json()["error"]["reason"] == "portal_id_number"
    with portal_context(app).session_factory() as s:
        details = s.scalars(select(PortalAudit.detail).where(PortalAudit.action == "lookup")).all()
    assert [d["matched"] for d in details] == [True, False, False, False]
    assert CHEN[1] not in repr(details) and LI[1] not in repr(details)


def test_lookups_are_rate_limited(app, ctx: ServerContext, world: PortalWorld, make_client) -> None:
    case = filed(world.court_a)
    file_case(app, ctx, case)
    browser = make_client()
    body = {"case_number": case.case_number, "name": CHEN[0], "id_number": CHEN[1]}
    codes = [browser.post("/api/portal/lookup", json=body).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_the_answer_is_the_newest_twenty_and_the_count_of_all(
    app, ctx: ServerContext, world: PortalWorld, make_client, clock: FakeClock
) -> None:
    case = filed(world.court_a)
    file_case(app, ctx, case)
    for n in range(25):
        clock.advance(timedelta(minutes=1))
        serve(app, ctx, case, "p-1", service_id=100 + n, title=f"文书{n:02d}")
    serve(app, ctx, case, "p-2", service_id=200, title="给被告的文书")  # not the plaintiff's
    right = {"case_number": case.case_number, "name": CHEN[0], "id_number": CHEN[1]}
    answer = make_client().post("/api/portal/lookup", json=right)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert LOOKUP_MAX_DOCUMENTS == 20
    assert found["total"] == 25
    assert [d["title"] for d in found["documents"]] == [f"文书{n:02d}" for n in range(24, 4, -1)]
    moments = [d["sent_at"] for d in found["documents"]]
    assert moments == sorted(moments, reverse=True) and len(set(moments)) == 20
    wrong = make_client().post("/api/portal/lookup", json=right | {"name": LI[0]})
    assert wrong.status_code == 200 and wrong.json() == {"documents": [], "total": 0}
