"""Real-name accounts: registration (ID number checked, phone confirmed by SMS code, name and ID
confirmed by the identity provider), login (password, then an SMS code), lockout after
``lockout_failures`` wrong passwords, sessions (a random token; only its hash is stored)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit import record
from portal.codes import check_code, hash_token, send_code
from portal.context import PortalContext
from portal.errors import (
    ConflictError,
    InvalidInputError,
    NotAuthenticatedError,
    ProviderError,
)
from portal.idnumber import IdNumberError, mask, normalise, tail
from portal.schemas import RegisterIn
from portal.tables import PortalAccount, PortalSession
from portal.verifier import Verdict, VerifierUnavailable

__all__ = [
    "account_of",
    "checked_id_number",
    "end_session",
    "finish_login",
    "me_view",
    "new_session",
    "register",
    "start_login",
]

LOGIN_FAILED = ("ID number or password is wrong", "身份证号码或密码不正确")


def checked_id_number(text: str) -> str:
    try:
        return normalise(text)
    except IdNumberError as exc:
        raise InvalidInputError(str(exc), exc.zh, reason="portal_id_number") from exc


def register(session: Session, ctx: PortalContext, body: RegisterIn) -> tuple[PortalAccount, str]:
    """The new account and a session token. Checks everything before the code is spent, and
    the identity provider before anything is written."""
    id_number = checked_id_number(body.id_number)
    name = body.name.strip()
    if body.kind == "lawyer" and not body.licence_number:
        raise InvalidInputError(
            "a lawyer registers with a licence number",
            "律师注册须填写执业证号",
            reason="portal_licence_needed",
        )
    taken = session.scalars(
        select(PortalAccount.id).where(PortalAccount.id_number == id_number)
    ).first()
    if taken is not None:
        raise ConflictError(
            "this ID number already has an account: log in instead",
            "该身份证号码已注册，请直接登录",
            reason="portal_registered",
        )
    check_code(session, ctx, purpose="register", phone=body.phone, code=body.code)
    try:
        verdict = ctx.verifier.verify(name, id_number)
    except VerifierUnavailable as exc:
        session.rollback()
        raise ProviderError(
            "identity verification is unavailable: try again later",
            "实名认证服务暂不可用，请稍后再试",
            reason="portal_verifier_down",
        ) from exc
    if verdict is not Verdict.match:
        session.commit()  # the code is spent
        raise InvalidInputError(
            "name and ID number do not match the identity register",
            "姓名与身份证号码不一致，实名认证未通过",
            reason="portal_identity_mismatch",
        )
    now = ctx.now()
    account = PortalAccount(
        kind=body.kind,
        name=name,
        id_number=id_number,
        phone=body.phone,
        licence_number=body.licence_number if body.kind == "lawyer" else None,
        password_hash=ctx.passwords.hash(body.password),
        verified_at=now,
        created_at=now,
        failed_logins=0,
    )
    session.add(account)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(
            "this ID number already has an account",
            "该身份证号码已注册",
            reason="portal_registered",
        ) from exc
    record(session, (body.kind, name), "account.registered", at=now, id_number=mask(id_number))
    token = new_session(session, ctx, account)
    session.commit()
    return account, token


def start_login(session: Session, ctx: PortalContext, id_number_text: str, password: str) -> str:
    """Check the password; send a code to the account's phone; return the login challenge.
    A wrong ID number and a wrong password get the same answer."""
    try:
        id_number = normalise(id_number_text)
    except IdNumberError:
        raise InvalidInputError(*LOGIN_FAILED, reason="portal_login_failed") from None
    account = session.scalars(
        select(PortalAccount).where(PortalAccount.id_number == id_number)
    ).first()
    now = ctx.now()
    if account is None:
        ctx.passwords.hash(password)  # the same time as for an account
        raise InvalidInputError(*LOGIN_FAILED, reason="portal_login_failed")
    if account.locked_until is not None and account.locked_until > now:
        raise ConflictError(
            "the account is locked after too many wrong passwords: try again later",
            "密码错误次数过多，账号已暂时锁定，请稍后再试",
            reason="portal_locked",
        )
    try:
        ctx.passwords.verify(account.password_hash, password)
    except VerificationError:
        account.failed_logins += 1
        if account.failed_logins >= ctx.settings.lockout_failures:
            account.locked_until = now + timedelta(minutes=ctx.settings.lockout_minutes)
            account.failed_logins = 0
            record(session, (account.kind, account.name), "account.locked", at=now)
        session.commit()
        raise InvalidInputError(*LOGIN_FAILED, reason="portal_login_failed") from None
    account.failed_logins = 0
    session.commit()
    return send_code(session, ctx, purpose="login", phone=account.phone, account_id=account.id)


def finish_login(session: Session, ctx: PortalContext, challenge: str, code: str) -> str:
    used = check_code(session, ctx, purpose="login", challenge=challenge, code=code)
    account = session.get(PortalAccount, used.account_id) if used.account_id else None
    if account is None:
        raise InvalidInputError(*LOGIN_FAILED, reason="portal_login_failed")
    token = new_session(session, ctx, account)
    record(session, (account.kind, account.name), "account.login", at=ctx.now())
    session.commit()
    return token


def new_session(session: Session, ctx: PortalContext, account: PortalAccount) -> str:
    token = secrets.token_urlsafe(32)
    now = ctx.now()
    session.add(
        PortalSession(
            token_hash=hash_token(token),
            account_id=account.id,
            created_at=now,
            expires_at=now + timedelta(hours=ctx.settings.session_hours),
        )
    )
    return token


def account_of(session: Session, ctx: PortalContext, token: str | None) -> PortalAccount:
    if token and 16 <= len(token) <= 64:
        row = session.get(PortalSession, hash_token(token))
        if row is not None and row.ended_at is None and row.expires_at > ctx.now():
            account = session.get(PortalAccount, row.account_id)
            if account is not None:
                return account
    raise NotAuthenticatedError(
        "please log in to the portal", "请先登录电子诉讼平台", reason="portal_login_needed"
    )


def end_session(session: Session, ctx: PortalContext, token: str | None) -> None:
    row = session.get(PortalSession, hash_token(token)) if token else None
    if row is not None and row.ended_at is None:
        row.ended_at = ctx.now()
        session.commit()


def me_view(account: PortalAccount) -> dict[str, Any]:
    """Who is logged in, as the pages show it (the ID number and phone by their tails only)."""
    return {
        "name": account.name,
        "kind": account.kind,
        "id_tail": tail(account.id_number),
        "phone_tail": account.phone[-4:],
        "licence_number": account.licence_number,
    }
