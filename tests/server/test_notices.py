"""Hearing notices: real SMTP (aiosmtpd on 127.0.0.1), the signed HTTP SMS gateway, the local SMS
provider, the transactional outbox and the dispatcher's backoff (an injected clock, no sleeps)."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import stat
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from hearing_server.api import notices as notices_api
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, NotFoundError
from hearing_server.models import (
    AuditEvent,
    CourtRole,
    NoticeChannel,
    NoticeKind,
    NoticeOutbox,
    NoticeStatus,
    StaffUser,
)
from hearing_server.notices.dispatcher import NoticeDispatcher, RetryPolicy
from hearing_server.notices.email import FileEmailSender, OutgoingEmail, SmtpEmailSender
from hearing_server.notices.errors import DeliveryError
from hearing_server.notices.outbox import (
    do_retry_notice,
    do_send_hearing_notices,
    list_hearing_notices,
)
from hearing_server.notices.render import NoticeFacts, render_notice
from hearing_server.notices.sms import (
    SIGNATURE_HEADER,
    HttpGatewaySmsProvider,
    LocalSmsProvider,
    OutgoingSms,
    verify_signature,
)
from hearing_server.notices.wiring import (
    build_code_sender,
    build_dispatcher,
    notice_dispatch_running,
)
from hearing_server.notify import CodeDeliveryError, SmsCodeSender
from hearing_server.scheduling import (
    do_add_participant,
    do_reschedule_hearing,
    do_schedule_hearing,
    do_transition_hearing,
)
from hearing_server.security import verify_invitation
from hearing_server.settings import Settings
from tests.server.conftest import START, FakeClock, World, login

CASE_NUMBER = "(2026)粤0104民初123号"
GATEWAY_URL = "http://127.0.0.1:9/sms"
GATEWAY_SECRET = b"gateway-secret-for-tests"


# ---------------------------------------------------------------- fixtures and helpers


class _Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        parsed = []
        for envelope in self.envelopes:
            assert isinstance(envelope.original_content, bytes)
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class _Gateway:
    """An SMS gateway behind ``httpx.MockTransport``: answers from a script, records requests."""

    def __init__(self, *answers: int | type[Exception]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, int):
            return httpx.Response(answer, json={"ok": 200 <= answer < 300})
        raise answer("gateway did not answer", request=request)  # type: ignore[call-arg]

    def provider(self) -> HttpGatewaySmsProvider:
        return HttpGatewaySmsProvider(
            url=GATEWAY_URL, secret=GATEWAY_SECRET, transport=httpx.MockTransport(self)
        )

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]


def _staff(ctx: ServerContext, username: str = "clerk_a") -> StaffUser:
    with ctx.session_factory() as s:
        return s.scalars(select(StaffUser).where(StaffUser.username == username)).one()


def _notices(ctx: ServerContext, hearing_id: int) -> list[NoticeOutbox]:
    with ctx.session_factory() as s:
        return list(
            s.scalars(
                select(NoticeOutbox)
                .where(NoticeOutbox.hearing_id == hearing_id)
                .order_by(NoticeOutbox.id)
            )
        )


def _add_party(
    ctx: ServerContext,
    hearing_id: int,
    *,
    email: str | None = "zhang.wei@example.com",
    phone: str | None = "13800000009",
) -> int:
    with ctx.session_factory() as s:
        participant = do_add_participant(
            s,
            ctx,
            staff=_staff(ctx),
            hearing_id=hearing_id,
            display_name="赵敏",
            court_role=CourtRole.PLAINTIFF,
            staff_user_id=None,
            phone=phone,
            email=email,
        )
        return participant.id


def _dispatcher(ctx: ServerContext, tmp_path: Path, **kwargs: Any) -> NoticeDispatcher:
    defaults: dict[str, Any] = {
        "email_sender": FileEmailSender(tmp_path / "mail", sender="court@example.com"),
        "sms_provider": LocalSmsProvider(tmp_path / "sms"),
        "policy": RetryPolicy(max_attempts=3, base_seconds=30, max_seconds=3600),
    }
    defaults.update(kwargs)
    return NoticeDispatcher(
        session_factory=ctx.session_factory,
        secret_key=ctx.link_key,
        public_base_url=ctx.settings.public_base_url,
        **defaults,
    )


# ---------------------------------------------------------------- e-mail through real SMTP


def test_scheduled_notice_arrives_by_smtp_and_its_link_works(
    ctx, world: World, clock: FakeClock, smtp_server, tmp_path, make_client, code_sender
):
    inbox, port = smtp_server
    participant_id = _add_party(ctx, world.hearing_a)
    sender = SmtpEmailSender(host="127.0.0.1", port=port, sender="法院 <court@example.com>")
    dispatcher = _dispatcher(ctx, tmp_path, email_sender=sender)

    report = dispatcher.dispatch_due(clock())

    assert (report.sent, report.failed, report.retrying) == (2, 0, 0)
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["zhang.wei@example.com"]
    [message] = inbox.messages()
    subject = str(message["Subject"])
    assert CASE_NUMBER in subject and "开庭通知" in subject
    body_part = message.get_body(("plain",))
    assert body_part is not None
    body = body_part.get_content()
    assert CASE_NUMBER in body
    assert "民间借贷纠纷" in body and "第三法庭" in body
    # 08:00 UTC on Monday 30 November is 16:00 in Beijing.
    assert "2026年11月30日（星期一）16:00（北京时间）" in body
    link = next(line for line in body.splitlines() if "/join/" in line).split("：", 1)[1]
    assert link.startswith(ctx.settings.public_base_url + "/join/")
    token = link.rsplit("/join/", 1)[1]
    claims = verify_invitation(ctx.link_key, token, now=clock())
    assert claims.participant_id == participant_id and claims.hearing_id == world.hearing_a
    # The link is a working invitation: the join page sends the participant a code.
    client = make_client()
    assert client.post(f"/api/join/{token}/code").status_code == 202
    assert code_sender.last_code_for(participant_id)
    statuses = {(n.channel, n.status) for n in _notices(ctx, world.hearing_a)}
    assert statuses == {
        (NoticeChannel.EMAIL, NoticeStatus.SENT),
        (NoticeChannel.SMS, NoticeStatus.SENT),
    }


def test_unreachable_smtp_server_is_a_retryable_failure():
    sender = SmtpEmailSender(host="127.0.0.1", port=_free_port(), sender="court@example.com")
    email = OutgoingEmail(to="a@example.com", subject="s", body="b", reference="notice-1")
    with pytest.raises(DeliveryError) as refused:
        sender.send(email)
    assert not refused.value.permanent  # connection refused: try again later


def test_refused_recipient_is_a_permanent_failure(smtp_server):
    inbox, port = smtp_server
    sender = SmtpEmailSender(host="127.0.0.1", port=port, sender="court@example.com")
    email = OutgoingEmail(to="nobody@example.com", subject="s", body="b", reference="notice-2")
    with pytest.raises(DeliveryError) as refused:
        sender.send(email)
    assert refused.value.permanent
    assert inbox.envelopes == []


def test_english_rendering():
    facts = NoticeFacts(
        kind="rescheduled",
        court_name="Yuexiu District People's Court",
        case_number=CASE_NUMBER,
        cause_of_action="loan dispute",
        recipient_name="Zhang Wei",
        role_zh="原告",
        role_en="Plaintiff",
        scheduled_at=START + timedelta(days=3),
        duration_minutes=90,
        place="Court 3",
        previous_scheduled_at=START + timedelta(days=2),
    )
    notice = render_notice(facts, locale="en", join_link="http://127.0.0.1:8000/join/x")
    assert notice.subject.endswith(f"Hearing rescheduled: {CASE_NUMBER}")
    assert "2026-12-01 16:00 (Beijing time, UTC+8)" in notice.body
    assert "moved from 2026-11-30 16:00" in notice.body
    assert "http://127.0.0.1:8000/join/x" in notice.sms


# ---------------------------------------------------------------- SMS providers


def test_http_gateway_signs_retries_on_500_then_succeeds(ctx, world, clock, tmp_path):
    gateway = _Gateway(500, 200)
    participant_id = _add_party(ctx, world.hearing_a, email=None)
    dispatcher = _dispatcher(ctx, tmp_path, sms_provider=gateway.provider())

    first = dispatcher.dispatch_due(clock())
    assert (first.sent, first.retrying) == (0, 1)
    [notice] = [n for n in _notices(ctx, world.hearing_a) if n.participant_id == participant_id]
    assert notice.status is NoticeStatus.PENDING and notice.attempts == 1
    assert notice.last_error is not None and "500" in notice.last_error
    assert notice.next_attempt_at == clock() + timedelta(seconds=30)

    clock.advance(timedelta(seconds=30))
    second = dispatcher.dispatch_due(clock())
    assert (second.sent, second.retrying) == (1, 0)

    assert len(gateway.requests) == 2
    for request in gateway.requests:
        assert request.url == httpx.URL(GATEWAY_URL)
        assert verify_signature(GATEWAY_SECRET, request.content, request.headers[SIGNATURE_HEADER])
        assert not verify_signature(b"wrong", request.content, request.headers[SIGNATURE_HEADER])
    first_body, second_body = gateway.bodies()
    assert first_body == second_body  # same message_id: the gateway can drop duplicates
    assert first_body["to"] == "13800000009"
    assert CASE_NUMBER in first_body["text"] and "/join/" in first_body["text"]
    [view] = [
        v
        for v in list_hearing_notices_for(ctx, world.hearing_a)
        if v.participant_id == participant_id
    ]
    assert view.status is NoticeStatus.SENT and view.attempts == 2
    assert view.recipient == "*******0009"


def list_hearing_notices_for(ctx: ServerContext, hearing_id: int) -> list[Any]:
    with ctx.session_factory() as s:
        return list_hearing_notices(s, staff=_staff(ctx), hearing_id=hearing_id)


def test_http_gateway_timeout_is_retryable():
    provider = _Gateway(httpx.ReadTimeout).provider()
    with pytest.raises(DeliveryError) as timed_out:
        provider.send_sms(OutgoingSms(to="13800000001", text="t", reference="r"))
    assert not timed_out.value.permanent
    assert "timed out" in timed_out.value.message


def test_http_gateway_400_fails_permanently_visible_to_clerk_and_retryable(
    ctx, world, clock, tmp_path
):
    gateway = _Gateway(400, 200)
    participant_id = _add_party(ctx, world.hearing_a, email=None)
    dispatcher = _dispatcher(ctx, tmp_path, sms_provider=gateway.provider())

    report = dispatcher.dispatch_due(clock())
    assert report.failed == 1

    [view] = [
        v
        for v in list_hearing_notices_for(ctx, world.hearing_a)
        if v.participant_id == participant_id
    ]
    assert view.status is NoticeStatus.FAILED and view.attempts == 1
    assert view.last_error is not None and "400" in view.last_error
    assert view.next_attempt_at is None
    with ctx.session_factory() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "notice.failed")).one()
    assert event.entity_id == view.id and event.details["permanent"] is True
    assert event.case_id == world.case_a
    # Nothing more happens by itself ...
    clock.advance(timedelta(hours=5))
    assert dispatcher.dispatch_due(clock()).sent == 0
    # ... until the clerk retries it.
    with ctx.session_factory() as s:
        do_retry_notice(s, ctx, staff=_staff(ctx), notice_id=view.id)
    assert dispatcher.dispatch_due(clock()).sent == 1
    assert len(gateway.requests) == 2
    with ctx.session_factory() as s:
        with pytest.raises(ConflictError):
            do_retry_notice(s, ctx, staff=_staff(ctx), notice_id=view.id)  # already sent
        with pytest.raises(NotFoundError):  # another court's clerk does not see it
            do_retry_notice(s, ctx, staff=_staff(ctx, "clerk_b"), notice_id=view.id)


def test_local_sms_provider_records_for_operator_without_logging_text(tmp_path, caplog):
    provider = LocalSmsProvider(tmp_path / "sms")
    sender = SmsCodeSender(provider)
    with caplog.at_level(logging.INFO):
        provider.send_sms(OutgoingSms(to="13800000001", text="开庭通知：张伟", reference="n-1"))
        sender.send_code(
            participant_id=7, phone="13800000002", code="482913", hearing_label=CASE_NUMBER
        )
    records = provider.messages()
    assert len(records) == 2
    assert (records[0]["to"], records[0]["reference"]) == ("13800000001", "n-1")
    assert records[0]["text"] == "开庭通知：张伟"
    assert "482913" in records[1]["text"] and CASE_NUMBER in records[1]["text"]
    assert stat.S_IMODE(os.stat(provider.path).st_mode) == 0o600
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert any("*******0001" in line for line in info)
    assert not any("482913" in line or "张伟" in line for line in info)


def test_code_sender_reports_gateway_failure_as_503():
    sender = SmsCodeSender(_Gateway(503).provider())
    with pytest.raises(CodeDeliveryError) as failed:
        sender.send_code(participant_id=1, phone="13800000001", code="1", hearing_label="x")
    assert failed.value.status_code == 503


def test_build_code_sender_uses_local_provider(tmp_path):
    settings = Settings(data_dir=tmp_path)
    build_code_sender(settings).send_code(
        participant_id=3, phone="13800000003", code="246810", hearing_label=CASE_NUMBER
    )
    [line] = (tmp_path / "sms" / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    assert "246810" in json.loads(line)["text"]


# ---------------------------------------------------------------- the outbox


def _kinds(ctx: ServerContext, hearing_id: int) -> list[tuple[NoticeKind, NoticeChannel]]:
    return [(n.kind, n.channel) for n in _notices(ctx, hearing_id)]


def test_reschedule_and_cancel_enqueue_new_notices(ctx, world, clock, tmp_path):
    staff = _staff(ctx, "judge_a")
    # The seeded parties have phones only: one SMS each.
    with ctx.session_factory() as s:
        do_reschedule_hearing(
            s,
            ctx,
            staff=staff,
            hearing_id=world.hearing_a,
            scheduled_at=START + timedelta(days=5),
            duration_minutes=None,
            place="第五法庭",
            expected_version=1,
        )
    rescheduled = _notices(ctx, world.hearing_a)
    assert {(n.participant_id, n.kind) for n in rescheduled} == {
        (world.plaintiff_a, NoticeKind.RESCHEDULED),
        (world.defendant_a, NoticeKind.RESCHEDULED),
    }
    assert all(n.channel is NoticeChannel.SMS for n in rescheduled)
    assert all("invitation_id" in n.payload for n in rescheduled)

    with ctx.session_factory() as s:
        do_transition_hearing(
            s, ctx, staff=staff, hearing_id=world.hearing_a, action="cancel", expected_version=2
        )
    cancelled = [n for n in _notices(ctx, world.hearing_a) if n.kind is NoticeKind.CANCELLED]
    assert len(cancelled) == 2
    assert all("invitation_id" not in n.payload for n in cancelled)

    sms = LocalSmsProvider(tmp_path / "sms")
    assert _dispatcher(ctx, tmp_path, sms_provider=sms).dispatch_due(clock()).sent == 4
    texts = [m["text"] for m in sms.messages()]
    assert any("开庭时间变更通知" in t and "2026年12月3日" in t and "第五法庭" in t for t in texts)
    assert sum("已取消" in t for t in texts) == 2

    # A refused change (stale version) leaves no notice behind: same transaction.
    before = len(_notices(ctx, world.hearing_a2))
    with ctx.session_factory() as s, pytest.raises(ConflictError):
        do_reschedule_hearing(
            s,
            ctx,
            staff=staff,
            hearing_id=world.hearing_a2,
            scheduled_at=START + timedelta(days=6),
            duration_minutes=None,
            place=None,
            expected_version=99,
        )
    assert len(_notices(ctx, world.hearing_a2)) == before


def test_new_hearing_notifies_participants_as_they_are_added(ctx, world, clock):
    staff = _staff(ctx)
    with ctx.session_factory() as s:
        hearing = do_schedule_hearing(
            s,
            ctx,
            staff=staff,
            case_id=world.case_a,
            scheduled_at=START + timedelta(days=9),
            duration_minutes=30,
            place="第一法庭",
        )
    assert _notices(ctx, hearing.id) == []
    _add_party(ctx, hearing.id)
    _add_party(ctx, hearing.id, email=None, phone=None)  # nothing to send to
    assert _kinds(ctx, hearing.id) == [
        (NoticeKind.SCHEDULED, NoticeChannel.EMAIL),
        (NoticeKind.SCHEDULED, NoticeChannel.SMS),
    ]
    # "Send notices" again queues a fresh round for everyone with an address.
    with ctx.session_factory() as s:
        again = do_send_hearing_notices(s, ctx, staff=staff, hearing_id=hearing.id)
    assert len(again) == 2
    with ctx.session_factory() as s:
        do_transition_hearing(
            s, ctx, staff=staff, hearing_id=hearing.id, action="cancel", expected_version=1
        )
        with pytest.raises(ConflictError):
            do_send_hearing_notices(s, ctx, staff=staff, hearing_id=hearing.id)


def test_dispatch_backs_off_exponentially_then_fails(ctx, world, clock, tmp_path):
    gateway = _Gateway(500)
    participant_id = _add_party(ctx, world.hearing_a, email=None)
    dispatcher = _dispatcher(ctx, tmp_path, sms_provider=gateway.provider())
    assert {n.participant_id for n in _notices(ctx, world.hearing_a)} == {participant_id}
    t0 = clock()

    def attempt_at(offset_s: int, expected_requests: int) -> NoticeOutbox:
        clock.now = t0 + timedelta(seconds=offset_s)
        dispatcher.dispatch_due(clock())
        assert len(gateway.requests) == expected_requests
        [row] = _notices(ctx, world.hearing_a)
        return row

    row = attempt_at(0, 1)
    assert row.next_attempt_at == t0 + timedelta(seconds=30)
    attempt_at(29, 1)  # not yet due
    row = attempt_at(30, 2)
    assert row.status is NoticeStatus.PENDING
    assert row.next_attempt_at == t0 + timedelta(seconds=30 + 60)
    attempt_at(89, 2)
    row = attempt_at(90, 3)
    assert row.status is NoticeStatus.FAILED and row.attempts == 3
    attempt_at(10_000, 3)  # failed notices are not retried by themselves


def test_retry_policy_caps_delay():
    policy = RetryPolicy(max_attempts=10, base_seconds=30, max_seconds=300)
    delays = [policy.delay_after(n).total_seconds() for n in range(1, 7)]
    assert delays == [30, 60, 120, 240, 300, 300]


def test_build_dispatcher_from_settings_sends_to_local_sinks(ctx, world, clock):
    dispatcher = build_dispatcher(ctx)
    _add_party(ctx, world.hearing_a)
    assert dispatcher.dispatch_due(clock()).sent == 2  # one e-mail, one SMS
    data_dir: Path = ctx.settings.data_dir
    [eml] = (data_dir / "mail").glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert CASE_NUMBER in str(message["Subject"])
    assert len((data_dir / "sms" / "messages.jsonl").read_text("utf-8").splitlines()) == 1


# ---------------------------------------------------------------- background task and HTTP API


async def test_dispatch_task_runs_a_round_and_stops(ctx, world, tmp_path):
    _add_party(ctx, world.hearing_a)
    sms = LocalSmsProvider(tmp_path / "sms")
    dispatcher = _dispatcher(ctx, tmp_path, sms_provider=sms)
    async with notice_dispatch_running(ctx, dispatcher):
        pass  # leaving sets stop; the task still finishes the round it always starts with
    assert len(sms.messages()) == 1
    assert {n.status for n in _notices(ctx, world.hearing_a)} == {NoticeStatus.SENT}


def test_clerk_sees_failed_notice_and_retries_it_over_http(
    app, make_client, ctx, world, clock, tmp_path
):
    if not any(
        getattr(route, "path", "") == "/api/notices/{notice_id}/retry" for route in app.routes
    ):
        app.include_router(notices_api.router)  # until app.py includes the router itself
    _add_party(ctx, world.hearing_a, email=None)
    _dispatcher(ctx, tmp_path, sms_provider=_Gateway(400).provider()).dispatch_due(clock())

    clerk = make_client()
    login(clerk, "clerk_a")
    listed = clerk.get(f"/api/hearings/{world.hearing_a}/notices")
    assert listed.status_code == 200, listed.text
    [notice] = listed.json()
    assert notice["status"] == "failed" and "400" in notice["last_error"]
    assert notice["recipient"] == "*******0009" and notice["kind"] == "scheduled"

    retried = clerk.post(f"/api/notices/{notice['id']}/retry")
    assert retried.status_code == 202, retried.text
    assert retried.json()["status"] == "pending" and retried.json()["attempts"] == 0

    resent = clerk.post(f"/api/hearings/{world.hearing_a}/notices")
    assert resent.status_code == 202, resent.text
    # The seeded parties have phones too: everyone with an address gets one.
    assert {n["participant_id"] for n in resent.json()} == {
        world.plaintiff_a,
        world.defendant_a,
        notice["participant_id"],
    }

    recorder = make_client()
    login(recorder, "recorder_a")
    assert recorder.get(f"/api/hearings/{world.hearing_a}/notices").status_code == 403
    other_court = make_client()
    login(other_court, "clerk_b")
    assert other_court.get(f"/api/hearings/{world.hearing_a}/notices").status_code == 404
    assert other_court.post(f"/api/notices/{notice['id']}/retry").status_code == 404
    assert make_client().get(f"/api/hearings/{world.hearing_a}/notices").status_code == 401


async def test_dispatch_task_can_be_disabled(ctx, world, tmp_path):
    _add_party(ctx, world.hearing_a)
    sms = LocalSmsProvider(tmp_path / "sms")
    off = dataclasses.replace(
        ctx, settings=ctx.settings.model_copy(update={"notice_dispatch_enabled": False})
    )
    async with notice_dispatch_running(off, _dispatcher(ctx, tmp_path, sms_provider=sms)):
        pass
    assert sms.messages() == []


class _CountingSms:
    """An SMS provider that counts each message id it is given (thread-safe)."""

    def __init__(self) -> None:
        self.references: list[str] = []
        self._lock = threading.Lock()

    def send_sms(self, sms: OutgoingSms) -> None:
        with self._lock:
            self.references.append(sms.reference)


def test_two_dispatchers_racing_send_each_notice_once(ctx, world, clock, tmp_path):
    """Two server processes' dispatchers (here two threads with their own owners) work the same
    outbox: the platform's job queue gives each notice to one of them."""
    for n in range(12):
        _add_party(ctx, world.hearing_a, email=None, phone=f"138000001{n:02d}")
    sms = _CountingSms()
    dispatchers = [
        _dispatcher(ctx, tmp_path, sms_provider=sms, owner=f"node-{i}") for i in range(2)
    ]
    start = threading.Barrier(2)
    reports: list[Any] = []

    def run(dispatcher: NoticeDispatcher) -> None:
        start.wait()
        reports.append(dispatcher.dispatch_due(clock()))

    threads = [threading.Thread(target=run, args=(d,)) for d in dispatchers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    notices = _notices(ctx, world.hearing_a)
    assert len(notices) == 12 and {n.status for n in notices} == {NoticeStatus.SENT}
    assert sorted(sms.references) == sorted(f"notice-{n.id}" for n in notices)
    assert sum(r.sent for r in reports) == 12
