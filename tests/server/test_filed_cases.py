"""The hearing server's side of the dossier (issue 15): cases filed there arrive by ``case.filed``
(a case, its parties, and ``case.created`` back), the clerk invites a party as themselves
(``case_party_ref``, reported by ``/api/join/me`` and the in-process identity), a notice sent
is the ``notice.sent`` event with its text as sent, and the demo case is announced once."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select

from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from court_events.hearing import CASE_CREATED, NOTICE_SENT
from hearing_server.context import ServerContext
from hearing_server.demo import CASE_NUMBER as DEMO_CASE
from hearing_server.demo import seed_demo
from hearing_server.filed_cases import filed_cases_consumer
from hearing_server.identity import LocalIdentity
from hearing_server.models import AuditEvent, Case, CaseParty, Court, CourtRole, StaffUser
from hearing_server.notices.dispatcher import NoticeDispatcher, RetryPolicy
from hearing_server.notices.email import FileEmailSender
from hearing_server.notices.sms import LocalSmsProvider
from hearing_server.scheduling import do_add_participant
from tests.server.conftest import FakeClock, World, join_as, login
from tingshen_platform.events import Event, EventConsumer, publish
from tingshen_platform.identity import PARTY_COOKIE

NUMBER = "(2026)粤0104民初501号"
_READERS = itertools.count()


def _filed(court_id: int, number: str = NUMBER, dossier_id: int = 7) -> CaseFiled:
    at = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    return CaseFiled(
        dossier_case_id=dossier_id,
        court_id=court_id,
        court_name="广州市越秀区人民法院",
        case_number=number,
        cause_of_action="买卖合同纠纷",
        cause_code="9.84",
        procedure="simplified",
        claim_amount_fen=12_345_00,
        judge_user_id=None,
        clerk_user_id=None,
        filed_on=date(2026, 11, 27),
        filed_at=at,
        parties=[
            FiledParty(party_ref="p-1", role="plaintiff", kind="person", name="周杰",
                       phone="13900000001", email="zhou.jie@example.com"),
            FiledParty(party_ref="p-2", role="defendant", kind="organisation",
                       name="广州某某贸易有限公司", phone="13900000002"),
            FiledParty(party_ref="p-3", role="agent", kind="lawyer", name="吴律师",
                       phone="13900000003", represents_ref="p-1"),
        ],
    )  # fmt: skip


def _publish_filed(ctx: ServerContext, filed: CaseFiled) -> None:
    with ctx.engine.begin() as connection:
        publish(connection, CASE_FILED, filed, occurred_at=filed.filed_at, stream="dossier:1")


def _court_a(ctx: ServerContext) -> int:
    with ctx.session_factory() as s:
        return s.scalars(select(Court.id).where(Court.name == "广州市越秀区人民法院")).one()


def _events(ctx: ServerContext, *types: str) -> list[Event]:
    seen: list[Event] = []

    def keep(_: Connection, event: Event) -> None:
        seen.append(event)

    name = f"test-read-{next(_READERS)}"  # a new reader each time: every event, from the start
    EventConsumer(ctx.engine, name, keep, types=set(types)).poll_once()
    return seen


def _file_case(ctx: ServerContext) -> int:
    _publish_filed(ctx, _filed(_court_a(ctx)))
    assert filed_cases_consumer(ctx).poll_once() == 1
    with ctx.session_factory() as s:
        return s.scalars(select(Case.id).where(Case.case_number == NUMBER)).one()


def test_a_filed_case_enters_with_its_parties_and_is_announced_once(ctx, world: World) -> None:
    case_id = _file_case(ctx)
    _publish_filed(ctx, _filed(_court_a(ctx)))  # delivered again (a second event, same case)
    assert filed_cases_consumer(ctx).poll_once() == 1
    assert filed_cases_consumer(ctx).poll_once() == 0  # each event once

    with ctx.session_factory() as s:
        case = s.get(Case, case_id)
        assert case is not None
        assert (case.cause_of_action, case.court_id) == ("买卖合同纠纷", _court_a(ctx))
        assert s.scalar(select(func.count()).where(Case.case_number == NUMBER)) == 1
        parties = s.scalars(select(CaseParty).where(CaseParty.case_id == case_id)).all()
        assert [(p.party_ref, p.role, p.kind, p.name) for p in parties] == [
            ("p-1", "plaintiff", "person", "周杰"),
            ("p-2", "defendant", "organisation", "广州某某贸易有限公司"),
            ("p-3", "agent", "lawyer", "吴律师"),
        ]
        assert parties[2].represents_ref == "p-1" and parties[0].email == "zhou.jie@example.com"
        audited = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)).all()
        assert [a.action for a in audited] == ["case.create"]
        assert audited[0].actor_kind == "system"
    created = [e.parse(CASE_CREATED) for e in _events(ctx, CASE_CREATED.name)]
    mine = [c for c in created if c.case_number == NUMBER]
    assert len(mine) == 1 and mine[0].case_id == case_id
    assert mine[0].court_name == "广州市越秀区人民法院"


def test_a_known_number_keeps_its_case_and_an_unknown_court_enters_nothing(
    ctx, world: World
) -> None:
    with ctx.session_factory() as s:
        existing = s.scalars(select(Case).where(Case.id == world.case_a)).one()
        number, court = existing.case_number, existing.court_id
    _publish_filed(ctx, _filed(court, number))
    _publish_filed(ctx, _filed(court + 1000, "(2026)粤0104民初999号"))
    _publish_filed(ctx, _filed(court + 1, number))  # the number, but another court's case
    assert filed_cases_consumer(ctx).poll_once() == 3
    with ctx.session_factory() as s:
        refs = s.scalars(select(CaseParty.party_ref).where(CaseParty.case_id == world.case_a))
        assert list(refs) == ["p-1", "p-2", "p-3"]
        assert (
            s.scalars(select(Case).where(Case.case_number == "(2026)粤0104民初999号")).first()
            is None
        )
    assert not [
        e for e in _events(ctx, CASE_CREATED.name) if e.payload["case_number"] == number
    ]  # the case existed: not announced again


def test_the_clerk_invites_a_party_as_themselves(
    ctx, world: World, make_client, code_sender
) -> None:
    case_id = _file_case(ctx)
    clerk = make_client()
    login(clerk, "clerk_a")
    parties = clerk.get(f"/api/cases/{case_id}/parties")
    assert parties.status_code == 200, parties.text
    body = parties.json()
    assert [(p["party_ref"], p["role_label_zh"], p["name"]) for p in body] == [
        ("p-1", "原告", "周杰"),
        ("p-2", "被告", "广州某某贸易有限公司"),
        ("p-3", "诉讼代理人", "吴律师"),
    ]
    assert body[2]["represents_name"] == "周杰"
    assert clerk.get(f"/api/cases/{world.case_a}/parties").json() == []  # entered by hand

    hearing = clerk.post(
        f"/api/cases/{case_id}/hearings",
        json={"scheduled_at": "2026-12-20T02:00:00Z", "duration_minutes": 60, "place": "第一法庭"},
    )
    assert hearing.status_code == 201, hearing.text
    hearing_id = hearing.json()["id"]
    added = clerk.post(f"/api/hearings/{hearing_id}/participants", json={"case_party_ref": "p-1"})
    assert added.status_code == 201, added.text
    participant = added.json()
    assert (participant["display_name"], participant["court_role"]) == ("周杰", "plaintiff")
    assert (participant["phone"], participant["email"]) == ("13900000001", "zhou.jie@example.com")
    assert participant["case_party_ref"] == "p-1"

    renamed = clerk.post(
        f"/api/hearings/{hearing_id}/participants",
        json={"case_party_ref": "p-3", "display_name": "吴明（律师）", "phone": "13900000009"},
    )
    assert renamed.status_code == 201, renamed.text
    assert (renamed.json()["display_name"], renamed.json()["court_role"]) == (
        "吴明（律师）",
        "agent",
    )
    assert renamed.json()["phone"] == "13900000009"

    for body_in, reason in (
        ({"case_party_ref": "p-9"}, "not_a_case_party"),
        ({"court_role": "witness"}, "participant_needs_name"),
        ({}, "participant_needs_name"),
    ):
        refused = clerk.post(f"/api/hearings/{hearing_id}/participants", json=body_in)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["reason"] == reason
    # A party of another case is not a party of this one.
    other = clerk.post(
        f"/api/hearings/{world.hearing_a}/participants", json={"case_party_ref": "p-1"}
    )
    assert other.status_code == 422
    assert other.json()["error"]["reason"] == "not_a_case_party"
    bad = clerk.post(f"/api/hearings/{hearing_id}/participants", json={"case_party_ref": "a/b"})
    assert bad.status_code == 422

    # The party joins: the session says whom they were invited as, here and to the side services.
    party = make_client()
    invitation = clerk.post(f"/api/participants/{participant['id']}/invitation").json()
    join_as(party, invitation["url"].rsplit("/join/", 1)[1], code_sender, participant["id"])
    me = party.get("/api/join/me")
    assert me.status_code == 200 and me.json()["case_party_ref"] == "p-1"
    who = party.portal.call(LocalIdentity(ctx).who, {PARTY_COOKIE: party.cookies[PARTY_COOKIE]})
    assert who is not None and getattr(who, "case_party_ref", None) == "p-1"


def test_the_parties_of_a_case_are_for_its_court_only(ctx, world: World, make_client) -> None:
    case_id = _file_case(ctx)
    other_court = make_client()
    login(other_court, "clerk_b")
    assert other_court.get(f"/api/cases/{case_id}/parties").status_code == 404
    assert make_client().get(f"/api/cases/{case_id}/parties").status_code == 401


def test_a_sent_notice_is_told_with_its_text_and_without_its_link(
    ctx, world: World, clock: FakeClock, tmp_path: Path
) -> None:
    # No app lifespan here: its own dispatcher would race this one for the notices.
    with ctx.session_factory() as s:
        clerk = s.scalars(select(StaffUser).where(StaffUser.username == "clerk_a")).one()
        do_add_participant(
            s, ctx, staff=clerk, hearing_id=world.hearing_a, display_name="赵敏",
            court_role=CourtRole.WITNESS, staff_user_id=None, phone="13800000009",
            email="zhao.min@example.com",
        )  # fmt: skip
    dispatcher = NoticeDispatcher(
        session_factory=ctx.session_factory,
        secret_key=ctx.link_key,
        public_base_url=ctx.settings.public_base_url,
        email_sender=FileEmailSender(tmp_path / "mail", sender="court@example.com"),
        sms_provider=LocalSmsProvider(tmp_path / "sms"),
        policy=RetryPolicy(max_attempts=3, base_seconds=30, max_seconds=3600),
    )
    assert dispatcher.dispatch_due(clock()).sent == 2
    sent = [e.parse(NOTICE_SENT) for e in _events(ctx, NOTICE_SENT.name)]
    assert sorted(s.channel for s in sent) == ["email", "sms"]
    email = next(s for s in sent if s.channel == "email")
    sms = next(s for s in sent if s.channel == "sms")
    assert email.kind == "hearing_notice" and email.recipient_name == "赵敏"
    assert email.recipient_role == "witness" and email.case_number == "(2026)粤0104民初123号"
    assert email.subject is not None and "开庭通知" in email.subject
    assert "第三法庭" in email.body_text and sms.subject is None
    assert email.sent_to != "zhao.min@example.com" and "*" in email.sent_to
    sms_file = next((tmp_path / "sms").rglob("*.jsonl")).read_text("utf-8")
    assert "/join/" in sms_file and "/join/…" not in sms_file  # the SMS carried the real link …
    for event in sent:  # … the event names the page only: the token is no one else's to read
        link_lines = [line for line in event.body_text.splitlines() if "/join/" in line]
        assert link_lines and all(line.rstrip().endswith("/join/…") for line in link_lines)
    assert dispatcher.dispatch_due(clock()).sent == 0
    assert len(_events(ctx, NOTICE_SENT.name)) == 2  # each notice told once


@pytest.mark.parametrize("runs", [2])
def test_the_demo_case_is_announced_once(ctx, runs: int) -> None:
    for _ in range(runs):
        seed_demo(ctx)
    created = [e.parse(CASE_CREATED) for e in _events(ctx, CASE_CREATED.name)]
    assert [c.case_number for c in created] == [DEMO_CASE]


def test_the_dossier_learns_the_hearing_servers_id_of_the_case_it_filed(app, ctx, world) -> None:
    """The round trip: the dossier files (its register row and ``case.filed``), the hearing
    server enters the case and answers ``case.created``, the dossier links the two."""
    from dossier.models import DossierCase
    from tests.dossier.conftest import dossier_context, poll

    filed = _filed(_court_a(ctx))
    dossier = dossier_context(app)
    with dossier.session_factory() as s:
        s.add(
            DossierCase(
                court_id=filed.court_id, court_name=filed.court_name,
                case_number=filed.case_number, cause_code=filed.cause_code,
                cause_name=filed.cause_of_action, procedure=filed.procedure,
                status="open", source="filed", filed_on=filed.filed_on, filed_at=filed.filed_at,
            )
        )  # fmt: skip
        s.commit()
    _publish_filed(ctx, filed)
    poll(app)  # the dossier has nothing to do with its own case.filed
    assert filed_cases_consumer(ctx).poll_once() == 1
    poll(app)  # … and now reads case.created
    with ctx.session_factory() as s:
        case_id = s.scalars(select(Case.id).where(Case.case_number == NUMBER)).one()
    with dossier.session_factory() as s:
        entry = s.scalars(select(DossierCase).where(DossierCase.case_number == NUMBER)).one()
        assert (entry.hearing_case_id, entry.source) == (case_id, "filed")


def test_an_unreadable_filing_is_skipped_and_does_not_hold_back_the_next(ctx, world) -> None:
    from sqlalchemy import insert

    from tingshen_platform.schema import events

    at = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    with ctx.engine.begin() as connection:
        for version, payload in ((1, {"case_number": NUMBER}), (2, {"anything": "new"})):
            connection.execute(
                insert(events).values(
                    event_id=f"00000000-0000-0000-0000-00000000000{version}", type="case.filed",
                    version=version, stream="dossier:9", payload=payload, occurred_at=at,
                )
            )  # fmt: skip
    _publish_filed(ctx, _filed(_court_a(ctx)))
    assert filed_cases_consumer(ctx).poll_once() == 3  # two skipped, one entered
    with ctx.session_factory() as s:
        assert s.scalars(select(Case).where(Case.case_number == NUMBER)).one() is not None


def test_links_are_cut_to_their_page_in_the_told_text() -> None:
    from hearing_server.notices.sent import redact_links, sent_text

    join, sign = "https://court.example/join/AbC.123", "https://court.example/sign/XyZ-9"
    text = f"参加庭审链接：{join}\n签名链接：{sign}\n再次：{join}"
    assert redact_links(text, join, sign) == (
        "参加庭审链接：https://court.example/join/…\n签名链接：https://court.example/sign/…\n"
        "再次：https://court.example/join/…"
    )
    assert redact_links(text, None, None) == text  # no link sent: nothing to cut
    told = sent_text(None, f"【法院】参加链接：{join}", "138****0009", join, None)
    assert told.text == "【法院】参加链接：https://court.example/join/…" and told.subject is None
