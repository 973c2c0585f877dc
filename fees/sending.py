"""Sending notices, receipts and refund messages to parties: each send is a ``fee_sends`` row
and a durable job (queue ``fees.send``) that delivers it through the host's messenger, retried
with back-off until it goes or fails for good. Express mail is recorded by staff (the waybill
number), not sent from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fees.audit import Actor, record
from fees.codes import format_notice_code
from fees.context import FeesContext
from fees.money import format_yuan
from fees.tables import FeeAccount, FeeNotice, FeeParty, FeeSend
from tingshen_platform.jobs import Job, PermanentJobError
from tingshen_platform.messaging import DeliveryFailed, OutboundMessage

__all__ = [
    "SEND_QUEUE",
    "notice_texts",
    "pay_link",
    "queue_message",
    "queue_notice",
    "send_handler",
]

SEND_QUEUE = "fees.send"


def pay_link(ctx: FeesContext, account: FeeAccount) -> str:
    return ctx.link(f"/fees/pay.html?t={account.pay_token}")


def _date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_texts(
    ctx: FeesContext, account: FeeAccount, notice: FeeNotice, payer: FeeParty
) -> tuple[str, str, str]:
    """``(sms, email subject, email body)`` of a notice to ``payer``."""
    amount = format_yuan(notice.amount_fen)
    code = format_notice_code(account.notice_code or "")
    link = pay_link(ctx, account)
    adjusted = f"（第{notice.version}版，{notice.reason_text}）" if notice.version > 1 else ""
    sms = (
        f"【{account.court_name}】{payer.name}：{account.case_number}案应交纳诉讼费{amount}元"
        f"{adjusted}，请于{_date(notice.deadline)}前交纳，缴费码{code}。在线缴费：{link}"
    )
    subject = f"交纳诉讼费用通知书（{account.case_number}）"
    body = "\n".join(
        [
            f"{payer.name}：",
            "",
            f"你（单位）与本院受理的{account.cause_name}一案（{account.case_number}），"
            f"应交纳诉讼费{amount}元{adjusted}。",
            f"请于{_date(notice.deadline)}前交纳。缴费码：{code}。",
            f"在线缴费（微信扫码）：{link}",
            f"银行转账：{ctx.settings.court_bank_name}，户名{ctx.settings.court_account_name}，"
            f"账号{ctx.settings.court_account_no}，附言请写缴费码。",
            "依据《诉讼费用交纳办法》第二十二条，原告应自接到通知次日起七日内交纳案件受理费；"
            "期满未交纳又未提出司法救助申请的，按撤诉处理。",
            "",
            account.court_name,
        ]
    )
    return sms, subject, body


def queue_message(
    session: Session,
    ctx: FeesContext,
    account: FeeAccount,
    *,
    purpose: str,
    channel: str,
    address: str,
    text: str,
    actor: Actor,
    subject: str | None = None,
    party_ref: str | None = None,
    notice_id: int | None = None,
) -> FeeSend:
    send = FeeSend(
        account_id=account.id,
        notice_id=notice_id,
        purpose=purpose,
        channel=channel,
        address=address,
        party_ref=party_ref,
        subject=subject,
        text=text,
        status="queued",
        attempts=0,
        created_at=ctx.now(),
        created_by=actor[1],
    )
    session.add(send)
    session.flush()
    ctx.host.jobs.enqueue(
        SEND_QUEUE, {"send_id": send.id}, key=f"send:{send.id}", connection=session.connection()
    )
    return send


def queue_notice(
    session: Session,
    ctx: FeesContext,
    account: FeeAccount,
    notice: FeeNotice,
    *,
    actor: Actor,
    channels: Iterable[str] = ("sms", "email"),
) -> list[FeeSend]:
    """The notice to its payer (and to a lawyer or agent acting for them) on every channel
    asked for that they have an address for."""
    payer = session.scalars(
        select(FeeParty).where(
            FeeParty.account_id == account.id, FeeParty.party_ref == notice.payer_ref
        )
    ).first()
    if payer is None:
        return []
    agents = session.scalars(
        select(FeeParty).where(
            FeeParty.account_id == account.id, FeeParty.represents_ref == payer.party_ref
        )
    ).all()
    sms, subject, body = notice_texts(ctx, account, notice, payer)
    sends: list[FeeSend] = []
    wanted = set(channels)
    for person in (payer, *agents):
        addresses = [("sms", person.phone, None, sms), ("email", person.email, subject, body)]
        for channel, address, title, text in addresses:
            if channel in wanted and address:
                send = queue_message(
                    session,
                    ctx,
                    account,
                    purpose="notice",
                    channel=channel,
                    address=address,
                    text=text,
                    subject=title,
                    actor=actor,
                    party_ref=person.party_ref,
                    notice_id=notice.id,
                )
                sends.append(send)
    record(
        session,
        actor,
        "notice.sent",
        at=ctx.now(),
        account_id=account.id,
        details={"version": notice.version, "sends": [[s.channel, s.party_ref] for s in sends]},
    )
    return sends


def send_handler(ctx: FeesContext) -> Callable[[Job], None]:
    def handle(job: Job) -> None:
        send_id = int(job.payload["send_id"])
        with ctx.session_factory() as session:
            send = session.get(FeeSend, send_id)
            if send is None or send.status == "sent":
                return
            messenger = ctx.host.messenger
            if messenger is None:
                raise PermanentJobError("this process has no messenger (SMS, e-mail)")
            send.attempts += 1
            message = OutboundMessage(
                channel="sms" if send.channel == "sms" else "email",
                to=send.address,
                text=send.text or "",
                reference=f"fees-send-{send.id}",
                subject=send.subject,
            )
            try:
                messenger.send(message)
            except DeliveryFailed as exc:
                send.last_error = str(exc)
                if exc.permanent or job.attempts >= job.max_attempts:
                    send.status = "failed"
                session.commit()
                if exc.permanent:
                    raise PermanentJobError(str(exc)) from exc
                raise
            send.status = "sent"
            send.sent_at = ctx.now()
            send.last_error = None
            session.commit()

    return handle
