"""Confirmation codes: before a payment or a refund application from the payment link, a
six-digit code goes by SMS to the payer's phone on file (else, for a notice with no phone, to
the phone the person gives, which is then recorded with the order). Only a hash is kept; a code
lasts ``sms_code_minutes`` and allows five tries; at most five codes an hour per account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fees.audit import record
from fees.context import FeesContext
from fees.errors import ConflictError, InvalidInputError
from fees.tables import FeeAccount, FeeCode
from tingshen_platform.messaging import DeliveryFailed, OutboundMessage

__all__ = ["MAX_CODES_PER_HOUR", "MAX_TRIES", "check_code", "send_code"]

MAX_TRIES = 5
MAX_CODES_PER_HOUR = 5


def _hash(account_id: int, code: str) -> str:
    return hashlib.sha256(f"{account_id}:{code}".encode()).hexdigest()


def send_code(session: Session, ctx: FeesContext, account: FeeAccount, phone: str) -> None:
    now = ctx.now()
    recent = session.scalar(
        select(func.count(FeeCode.id)).where(
            FeeCode.account_id == account.id, FeeCode.created_at > now - timedelta(hours=1)
        )
    )
    if (recent or 0) >= MAX_CODES_PER_HOUR:
        raise ConflictError(
            "too many codes asked for: try again in an hour",
            "获取验证码过于频繁，请一小时后再试",
            reason="fees_code_rate",
        )
    messenger = ctx.host.messenger
    if messenger is None:
        raise ConflictError("SMS is not available", "短信服务暂不可用", reason="fees_no_sms")
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = ctx.settings.sms_code_minutes
    text = (
        f"【{account.court_name}】验证码{code}，用于{account.case_number}案诉讼费缴费或退费，"
        f"{minutes}分钟内有效。请勿告诉他人。"
    )
    try:
        messenger.send(
            OutboundMessage("sms", phone, text, reference=f"fees-code-{secrets.token_hex(6)}")
        )
    except DeliveryFailed as exc:
        raise ConflictError(
            f"the code could not be sent: {exc}",
            "验证码发送失败，请稍后再试",
            reason="fees_code_failed",
        ) from exc
    session.add(
        FeeCode(
            account_id=account.id,
            phone=phone,
            code_hash=_hash(account.id, code),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
            attempts=0,
        )
    )
    record(session, ("party", phone[-4:]), "code.sent", at=now, account_id=account.id)
    session.commit()


def check_code(session: Session, ctx: FeesContext, account: FeeAccount, code: str) -> str:
    """The phone the code was sent to; raises if it is wrong, used up or expired."""
    latest = session.scalars(
        select(FeeCode).where(FeeCode.account_id == account.id).order_by(FeeCode.id.desc()).limit(1)
    ).first()
    now = ctx.now()
    if latest is None or latest.expires_at <= now or latest.attempts >= MAX_TRIES:
        raise InvalidInputError(
            "no valid code: ask for a new one",
            "验证码已失效，请重新获取",
            reason="fees_code_expired",
        )
    latest.attempts += 1
    if not hmac.compare_digest(latest.code_hash, _hash(account.id, code.strip())):
        session.commit()
        left = MAX_TRIES - latest.attempts
        raise InvalidInputError(
            "wrong code", f"验证码不正确（还可尝试{left}次）", reason="fees_code_wrong", left=left
        )
    session.commit()
    return latest.phone
