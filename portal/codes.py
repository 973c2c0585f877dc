"""SMS codes: six digits sent to a phone, only a hash kept. A registration code is asked for by
phone number; a login code belongs to a login challenge (the random token the password step
returns). Each code lasts ``sms_code_minutes`` and allows ``code_tries`` wrong answers, after
which it is spent; a phone is sent at most ``codes_per_hour`` codes an hour.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.context import PortalContext
from portal.errors import InvalidInputError, ProviderError, RateLimitedError
from portal.tables import PortalCode
from tingshen_platform.messaging import DeliveryFailed, OutboundMessage

__all__ = ["check_code", "hash_token", "send_code"]

PURPOSE_TEXT = {"register": "注册电子诉讼平台账号", "login": "登录电子诉讼平台"}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _code_hash(purpose: str, phone: str, code: str) -> str:
    return hashlib.sha256(f"{purpose}:{phone}:{code}".encode()).hexdigest()


def send_code(
    session: Session,
    ctx: PortalContext,
    *,
    purpose: str,
    phone: str,
    account_id: int | None = None,
) -> str:
    """Send a code; returns the challenge token (what the second step of a login presents)."""
    now = ctx.now()
    recent = session.scalar(
        select(func.count(PortalCode.id)).where(
            PortalCode.phone == phone, PortalCode.created_at > now - timedelta(hours=1)
        )
    )
    if (recent or 0) >= ctx.settings.codes_per_hour:
        raise RateLimitedError(
            "too many codes asked for this phone: try again in an hour",
            "该手机号获取验证码过于频繁，请一小时后再试",
            reason="portal_code_rate",
            retry_s=3600,
        )
    messenger = ctx.host.messenger
    if messenger is None:
        raise ProviderError("SMS is not available", "短信服务暂不可用", reason="portal_no_sms")
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = ctx.settings.sms_code_minutes
    text = f"验证码{code}，用于{PURPOSE_TEXT[purpose]}，{minutes}分钟内有效。请勿告诉他人。"
    challenge = secrets.token_urlsafe(24)
    try:
        messenger.send(
            OutboundMessage("sms", phone, text, reference=f"portal-code-{secrets.token_hex(6)}")
        )
    except DeliveryFailed as exc:
        raise ProviderError(
            f"the code could not be sent: {exc}",
            "验证码发送失败，请稍后再试",
            reason="portal_code_failed",
        ) from exc
    session.add(
        PortalCode(
            purpose=purpose,
            phone=phone,
            account_id=account_id,
            challenge_hash=hash_token(challenge),
            code_hash=_code_hash(purpose, phone, code),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
            attempts=0,
        )
    )
    session.commit()
    return challenge


def check_code(
    session: Session,
    ctx: PortalContext,
    *,
    purpose: str,
    code: str,
    phone: str | None = None,
    challenge: str | None = None,
) -> PortalCode:
    """The latest live code of ``phone`` (registration) or of ``challenge`` (login), marked used
    (in ``session``, not committed); a wrong answer is counted and committed, then raises."""
    query = select(PortalCode).where(PortalCode.purpose == purpose)
    if challenge is not None:
        query = query.where(PortalCode.challenge_hash == hash_token(challenge))
    else:
        query = query.where(PortalCode.phone == (phone or ""))
    latest = session.scalars(query.order_by(PortalCode.id.desc()).limit(1)).first()
    now = ctx.now()
    tries = ctx.settings.code_tries
    if (
        latest is None
        or latest.used_at is not None
        or latest.expires_at <= now
        or latest.attempts >= tries
    ):
        raise InvalidInputError(
            "no valid code: ask for a new one",
            "验证码已失效，请重新获取",
            reason="portal_code_expired",
        )
    latest.attempts += 1
    if not hmac.compare_digest(latest.code_hash, _code_hash(purpose, latest.phone, code.strip())):
        session.commit()
        left = tries - latest.attempts
        raise InvalidInputError(
            "wrong code", f"验证码不正确（还可尝试{left}次）", reason="portal_code_wrong", left=left
        )
    latest.used_at = now
    return latest
