"""Closing a case (结案), its time-limit events, the hearings of a case from the hearing
server's events, and what a party sees of its case."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from court_events.hearing import HEARING_EVENTS, TRANSCRIPT_SIGNED, HearingChanged, TranscriptSigned
from dossier.models import AuditRow, DossierCase
from dossier.register.tables import DossierHearing, DossierHearingRecord
from hearing_server.events import publish_hearing
from hearing_server.models import Hearing, HearingStatus
from tests.dossier.conftest import dossier_context, poll
from tests.dossier.register_world import add_case, assign, staff_of
from tests.server.conftest import invite, join_as
from tingshen_platform.events import publish
from tingshen_platform.schema import events


@pytest.fixture
def case_id(app, ctx, dossier_world) -> int:
    staff = staff_of(ctx)
    return add_case(
        app, court_id=staff.court_a, number="(2026)粤0104民初2001号", procedure="ordinary",
        judge=(staff.ids["judge_a"], "judge_a"), clerk=(staff.ids["clerk_a"], "clerk_a"),
        parties=(("plaintiff", "陈小明", "440104199001011234"),),
    )  # fmt: skip


def test_the_judge_closes_a_case_once(app, ctx, case_id, staff_client) -> None:
    judge = staff_client("judge_a")
    closed = judge.post(
        f"/api/dossier/cases/{case_id}/close",
        json={"outcome": "mediation", "closed_on": "2026-11-27"},
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert (body["case"]["status"], body["outcome_name"], body["case"]["closed_on"]) == (
        "closed", "调解", "2026-11-27",
    )  # fmt: skip
    assert body["time_limit"]["state"] == "closed" and body["may_close"] is False
    with ctx.session_factory() as s:
        published = s.execute(
            select(events.c.type, events.c.payload).where(events.c.type == "case.closed")
        ).all()
    assert len(published) == 1 and published[0].payload["outcome"] == "mediation"
    with dossier_context(app).session_factory() as s:
        actions = list(s.scalars(select(AuditRow.action).where(AuditRow.case_id == case_id)))
    assert actions == ["case.closed"]
    again = judge.post(
        f"/api/dossier/cases/{case_id}/close",
        json={"outcome": "judgment", "closed_on": "2026-11-28"},
    )
    assert again.status_code == 409 and again.json()["error"]["reason"] == "dossier_case_closed"
    late = staff_client("clerk_a").post(
        f"/api/dossier/cases/{case_id}/time-limit-events",
        json={
            "kind": "extension",
            "months": 6,
            "approver": "president",
            "approved_by_name": "院长",
        },
    )
    assert late.status_code == 409


@pytest.mark.parametrize(
    ("user", "body", "status", "reason"),
    [
        ("recorder_a", {"outcome": "judgment", "closed_on": "2026-11-27"}, 403, "dossier_role"),
        ("admin_a", {"outcome": "judgment", "closed_on": "2026-11-27"}, 403, "dossier_role"),
        ("clerk_b", {"outcome": "judgment", "closed_on": "2026-11-27"}, 404,
         "dossier_case_not_found"),
        ("clerk_a", {"outcome": "judgment", "closed_on": "2026-11-29"}, 422, "dossier_close_date"),
        ("clerk_a", {"outcome": "judgment", "closed_on": "2026-01-01"}, 422, "dossier_close_date"),
        ("clerk_a", {"outcome": "bribery", "closed_on": "2026-11-27"}, 422,
         "dossier_outcome_unknown"),
    ],
)  # fmt: skip
def test_closing_refusals_leave_the_case_open(app, case_id, staff_client, user, body, status,
                                              reason) -> None:  # fmt: skip
    answer = staff_client(user).post(f"/api/dossier/cases/{case_id}/close", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["reason"] == reason
    with dossier_context(app).session_factory() as s:
        case = s.get(DossierCase, case_id)
        assert case is not None and (case.status, case.closed_on) == ("open", None)


def test_extensions_and_suspensions_move_the_due_date(app, case_id, staff_client) -> None:
    # Ordinary procedure filed 2026-10-01: due 2027-04-01.
    clerk = staff_client("clerk_a")
    url = f"/api/dossier/cases/{case_id}/time-limit-events"
    first = clerk.get(f"/api/dossier/cases/{case_id}/summary").json()["time_limit"]
    assert (first["due_on"], first["days_left"], first["state"]) == ("2027-04-01", 124, "running")
    extended = clerk.post(url, json={"kind": "extension", "months": 6, "approver": "president",
                                     "approved_by_name": "王院长", "reason": "案情复杂"})  # fmt: skip
    assert extended.status_code == 201, extended.text
    assert extended.json()["time_limit"]["due_on"] == "2027-10-01"
    second = clerk.post(url, json={"kind": "extension", "months": 3, "approver": "president",
                                   "approved_by_name": "王院长"})  # fmt: skip
    assert second.json()["error"]["reason"] == "dossier_extension_approver"
    # An appraisal from 2026-11-01, open: 28 days so far (to 2026-11-28), state suspended.
    suspended = staff_client("admin_a").post(
        url, json={"kind": "suspension", "ground": "appraisal", "on_date": "2026-11-01"}
    )
    assert suspended.status_code == 201, suspended.text
    limit = suspended.json()["time_limit"]
    assert (limit["suspended_days"], limit["due_on"], limit["state"]) == (28, "2027-10-29",
                                                                          "suspended")  # fmt: skip
    twice = clerk.post(url, json={"kind": "suspension", "ground": "appraisal",
                                  "on_date": "2026-11-02"})  # fmt: skip
    assert twice.status_code == 409
    ended = clerk.post(url, json={"kind": "resumption", "on_date": "2026-11-10"})
    limit = ended.json()["time_limit"]
    assert (limit["suspended_days"], limit["due_on"], limit["state"]) == (10, "2027-10-11",
                                                                          "running")  # fmt: skip
    kinds = [e["kind"] for e in ended.json()["time_limit_events"]]
    assert kinds == ["extension", "suspension", "resumption"]
    again = clerk.post(url, json={"kind": "resumption", "on_date": "2026-11-11"})
    assert again.json()["error"]["reason"] == "dossier_no_open_suspension"
    refused = staff_client("recorder_a").post(url, json={"kind": "resumption",
                                                         "on_date": "2026-11-11"})  # fmt: skip
    assert refused.status_code == 403


def test_overlapping_periods_not_counted_are_counted_once_on_the_case_page(
    app, case_id, staff_client
) -> None:
    # Filed 2026-10-01 (ordinary): due 2027-04-01, 124 days left on 2026-11-28 (Beijing).
    clerk = staff_client("clerk_a")
    url = f"/api/dossier/cases/{case_id}/time-limit-events"
    # 公告 10–31 October (22 days) and 鉴定 20 October – 5 November (12 + 5 = 17 days) share
    # 20–31 October: 10 October – 5 November is 22 + 5 = 27 days, not 39. Due 2027-04-28.
    for ground, start, end in (("announcement", "2026-10-10", "2026-10-31"),
                               ("appraisal", "2026-10-20", "2026-11-05")):  # fmt: skip
        answer = clerk.post(url, json={"kind": "suspension", "ground": ground,
                                       "on_date": start, "until": end})  # fmt: skip
        assert answer.status_code == 201, answer.text
    limit = clerk.get(f"/api/dossier/cases/{case_id}/summary").json()["time_limit"]
    assert (limit["suspended_days"], limit["due_on"], limit["days_left"]) == (
        27, "2027-04-28", 151,
    )  # fmt: skip
    # 中止 from 1 November, still open on 28 November, overlapping the appraisal: 10 October –
    # 28 November is 22 + 28 = 50 days. Due 2027-04-01 + 50 = 2027-05-21 (April has 30 days).
    opened = clerk.post(url, json={"kind": "suspension", "ground": "suspension",
                                   "on_date": "2026-11-01"})  # fmt: skip
    limit = opened.json()["time_limit"]
    assert (limit["suspended_days"], limit["due_on"], limit["days_left"], limit["state"]) == (
        50, "2027-05-21", 174, "suspended",
    )  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "extension", "months": 6},  # no approver
        {"kind": "suspension", "ground": "holiday", "on_date": "2026-11-01"},
        {"kind": "suspension", "ground": "appraisal"},  # no date
        {"kind": "suspension", "ground": "appraisal", "on_date": "2026-09-01"},  # before filing
        {"kind": "suspension", "ground": "appraisal", "on_date": "2026-11-02",
         "until": "2026-11-01"},
        {"kind": "extension", "months": 25, "approver": "president", "approved_by_name": "x"},
        {"kind": "pause"},
        {"kind": "extension", "months": 1, "approver": "president", "approved_by_name": "\u202e院长"},
    ],
)  # fmt: skip
def test_bad_time_limit_events_are_refused_and_nothing_is_stored(app, case_id, staff_client,
                                                                 body) -> None:  # fmt: skip
    answer = staff_client("clerk_a").post(f"/api/dossier/cases/{case_id}/time-limit-events",
                                          json=body)  # fmt: skip
    assert answer.status_code == 422, answer.text
    summary = staff_client("clerk_a").get(f"/api/dossier/cases/{case_id}/summary").json()
    assert summary["time_limit_events"] == []


def test_hearings_arrive_by_their_events_and_keep_the_latest_version(
    app, ctx, dossier_world, staff_client, clock
) -> None:
    with ctx.session_factory() as s:
        hearing = s.get(Hearing, dossier_world.hearing.hearing_a)
        assert hearing is not None
        publish_hearing(s, "schedule", hearing, at=clock())
        hearing.place, hearing.version = "第三法庭", hearing.version + 1
        publish_hearing(s, "reschedule", hearing, at=clock())
        s.commit()
    assert poll(app) >= 2
    late = HearingChanged(
        hearing_id=dossier_world.hearing.hearing_a, case_id=dossier_world.hearing.case_a,
        case_number="(2026)粤0104民初123号", status="scheduled", scheduled_at=clock(),
        duration_minutes=30, place="第一法庭", language="zh", version=0,
    )  # fmt: skip
    with ctx.session_factory() as s:  # a late delivery of an older version
        publish(s.connection(), HEARING_EVENTS["schedule"], late, occurred_at=clock())
        s.commit()
    assert poll(app) == 1
    with dossier_context(app).session_factory() as s:
        rows = list(s.scalars(select(DossierHearing)))
    assert [(r.place, r.case_number) for r in rows] == [("第三法庭", "(2026)粤0104民初123号")]
    summary = staff_client("clerk_a").get(f"/api/dossier/cases/{dossier_world.case_a}/summary")
    assert [h["place"] for h in summary.json()["hearings"]] == ["第三法庭"]


def _signed(world, revision: int) -> TranscriptSigned:
    return TranscriptSigned(
        hearing_id=world.hearing.hearing_a, case_id=world.hearing.case_a,
        case_number="(2026)粤0104民初123号", pdf_sha256=f"{revision:064x}", revision=revision,
        case_document_ids=[],
    )  # fmt: skip


def _hearing_rows(staff_client, world) -> list[tuple[str, str | None]]:
    summary = staff_client("clerk_a").get(f"/api/dossier/cases/{world.case_a}/summary")
    assert summary.status_code == 200, summary.text
    return [(h["status"], h["record_signed_at"]) for h in summary.json()["hearings"]]


def test_a_signed_record_shows_on_the_hearing_once(
    app, ctx, dossier_world, staff_client, clock
) -> None:
    """``transcript.signed`` (no ``hearing.*`` event says it): the closed hearing's row says its
    record is signed, from when it was sealed; a re-delivery or an older revision changes
    nothing, a later revision moves it on; the record may arrive before the hearing's row."""
    signed_at = clock()
    with ctx.session_factory() as s:  # the record first: the hearing's own events come later
        publish(s.connection(), TRANSCRIPT_SIGNED, _signed(dossier_world, 2), occurred_at=signed_at)
        s.commit()
    poll(app)
    assert _hearing_rows(staff_client, dossier_world) == []
    with ctx.session_factory() as s:
        hearing = s.get(Hearing, dossier_world.hearing.hearing_a)
        assert hearing is not None
        publish_hearing(s, "schedule", hearing, at=clock())
        hearing.status, hearing.version = HearingStatus.CLOSED, hearing.version + 1
        publish_hearing(s, "close", hearing, at=clock())
        s.commit()
    poll(app)
    rows = _hearing_rows(staff_client, dossier_world)
    assert [status for status, _ in rows] == ["closed"]
    assert rows[0][1] is not None
    assert datetime.fromisoformat(rows[0][1].replace("Z", "+00:00")) == signed_at
    clock.advance(timedelta(minutes=5))
    with ctx.session_factory() as s:  # the same event again, and an older revision, later
        for revision in (2, 1):
            publish(s.connection(), TRANSCRIPT_SIGNED, _signed(dossier_world, revision),
                    occurred_at=clock())  # fmt: skip
        s.commit()
    poll(app)
    assert _hearing_rows(staff_client, dossier_world) == rows
    with ctx.session_factory() as s:
        publish(s.connection(), TRANSCRIPT_SIGNED, _signed(dossier_world, 3), occurred_at=clock())
        s.commit()
    poll(app)
    with dossier_context(app).session_factory() as s:
        records = list(s.scalars(select(DossierHearingRecord)))
    assert [(r.hearing_id, r.revision, r.pdf_sha256) for r in records] == [
        (dossier_world.hearing.hearing_a, 3, f"{3:064x}")
    ]
    assert records[0].signed_at == clock()
    assert _hearing_rows(staff_client, dossier_world)[0][1] != rows[0][1]


def test_a_party_sees_a_reduced_page_of_its_own_case_only(
    app, ctx, dossier_world, staff_client, make_client, code_sender
) -> None:
    staff = staff_of(ctx)
    assign(app, dossier_world.case_a, (staff.ids["judge_a"], "judge_a"),
           (staff.ids["clerk_a"], "clerk_a"))  # fmt: skip
    clerk = staff_client("clerk_a")
    party = make_client()
    join_as(party, invite(clerk, dossier_world.hearing.plaintiff_a), code_sender,
            dossier_world.hearing.plaintiff_a)  # fmt: skip
    own = party.get(f"/api/dossier/cases/{dossier_world.case_a}/summary")
    assert own.status_code == 200, own.text
    body = own.json()
    assert body["viewer"] == "party" and body["time_limit"] is None
    assert not (body["may_close"] or body["may_record_time_limit"] or body["may_read_dossier"])
    other = party.get(f"/api/dossier/cases/{dossier_world.case_a2}/summary")
    assert other.status_code == 404
    assert party.get("/api/dossier/cases").status_code == 403
    assert party.get("/api/dossier/stats").status_code == 403
    closing = party.post(f"/api/dossier/cases/{dossier_world.case_a}/close",
                         json={"outcome": "judgment", "closed_on": "2026-11-28"})  # fmt: skip
    assert closing.status_code == 404


def test_two_closings_at_once_close_the_case_once(app, ctx, case_id, clock) -> None:
    """Both read the case open; the first closes it; the second changes nothing (409) and
    publishes nothing."""
    from dossier.errors import ConflictError
    from dossier.register.actions import do_close
    from tingshen_platform.identity import StaffPrincipal

    staff = staff_of(ctx)
    judge = StaffPrincipal(user_id=staff.ids["judge_a"], username="judge_a", display_name="judge_a", role="judge",
                           court_id=staff.court_a, court_name="广州市越秀区人民法院")  # fmt: skip
    factory = dossier_context(app).session_factory
    with factory() as first, factory() as second:
        seen_first = first.get(DossierCase, case_id)
        seen_second = second.get(DossierCase, case_id)
        assert seen_first is not None and seen_second is not None
        second.commit()  # its read is over; it still holds the case as it saw it: open
        do_close(first, judge, seen_first, outcome="judgment", closed_on=seen_first.filed_on,
                 today=seen_first.filed_on, at_utc=clock())  # fmt: skip
        first.commit()
        with pytest.raises(ConflictError):
            do_close(second, judge, seen_second, outcome="mediation",
                     closed_on=seen_second.filed_on, today=seen_second.filed_on,
                     at_utc=clock())  # fmt: skip
        second.rollback()
    with ctx.session_factory() as s:
        closings = s.execute(select(events.c.payload).where(events.c.type == "case.closed")).all()
    assert [row.payload["outcome"] for row in closings] == ["judgment"]
