"""Passkeys (WebAuthn) for the portal's login, with py_webauthn (``webauthn``).

A logged-in party registers a passkey (a discoverable credential, user verification required:
the phone's or computer's screen lock); later the party logs in with it alone, without
password or SMS code (the passkey is both factors). Each ceremony's challenge is handed out
with a ceremony token (only its hash kept), used once, for ``CEREMONY_MINUTES``. A failed
verification, an unknown credential, a spent or expired ceremony all get the same refusal.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.accounts import new_session
from portal.audit import record
from portal.context import PortalContext
from portal.errors import ConflictError, InvalidInputError, NotAuthenticatedError
from portal.idnumber import mask
from portal.paging import Page
from portal.tables import PortalAccount, PortalPasskey, PortalPasskeyCeremony

__all__ = [
    "CEREMONY_MINUTES",
    "finish_login",
    "finish_registration",
    "passkey_views",
    "relying_party",
    "start_login",
    "start_registration",
]

CEREMONY_MINUTES = 5
RP_NAME = "电子诉讼平台"
REFUSED = ("the passkey was not accepted", "通行密钥验证未通过")


def relying_party(ctx: PortalContext) -> tuple[str, str]:
    """``(rp_id, origin)``: the settings; by default the server's public URL's host, and its
    origin with the host replaced by the relying party's id (``http://localhost:8000`` for
    ``TINGSHEN_PORTAL_PASSKEY_RP_ID=localhost`` on ``http://127.0.0.1:8000``)."""
    public = urlsplit(ctx.host.public_url)
    rp_id = ctx.settings.passkey_rp_id or public.hostname or "localhost"
    port = f":{public.port}" if public.port else ""
    origin = ctx.settings.passkey_origin or f"{public.scheme}://{rp_id}{port}"
    return rp_id, origin


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _ceremony(
    session: Session, ctx: PortalContext, purpose: str, challenge: bytes, account_id: int | None
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(PortalPasskeyCeremony(
        token_hash=_hash(token), purpose=purpose, account_id=account_id, challenge=challenge,
        expires_at=ctx.now() + timedelta(minutes=CEREMONY_MINUTES),
    ))  # fmt: skip
    session.commit()
    return token


def _take(session: Session, ctx: PortalContext, token: str, purpose: str) -> PortalPasskeyCeremony:
    """The live ceremony of ``token``, marked used (committed: a ceremony is tried once)."""
    row = session.get(PortalPasskeyCeremony, _hash(token))
    now = ctx.now()
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= now:
        raise InvalidInputError(*REFUSED, reason="portal_passkey_refused")
    row.used_at = now
    session.commit()
    return row


def start_registration(
    session: Session, ctx: PortalContext, account: PortalAccount
) -> dict[str, Any]:
    rp_id, _ = relying_party(ctx)
    mine = session.scalars(
        select(PortalPasskey.credential_id).where(PortalPasskey.account_id == account.id)
    ).all()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_id=f"portal-account-{account.id}".encode(),
        user_name=mask(account.id_number), user_display_name=account.name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in mine],
    )  # fmt: skip
    token = _ceremony(session, ctx, "register", options.challenge, account.id)
    return {"ceremony": token, "options": json.loads(options_to_json(options))}


def finish_registration(
    session: Session, ctx: PortalContext, account: PortalAccount, token: str, credential: str
) -> PortalPasskey:
    ceremony = _take(session, ctx, token, "register")
    if ceremony.account_id != account.id:
        raise InvalidInputError(*REFUSED, reason="portal_passkey_refused")
    rp_id, origin = relying_party(ctx)
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=ceremony.challenge, expected_rp_id=rp_id,
            expected_origin=origin, require_user_verification=True,
        )  # fmt: skip
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(*REFUSED, reason="portal_passkey_refused") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalars(
        select(PortalPasskey.id).where(PortalPasskey.credential_id == credential_id)
    ).first():
        raise ConflictError(
            "this passkey is registered already", "该通行密钥已登记", reason="portal_passkey_known"
        )
    passkey = PortalPasskey(
        account_id=account.id, credential_id=credential_id,
        public_key=verified.credential_public_key, sign_count=verified.sign_count,
        created_at=ctx.now(),
    )  # fmt: skip
    session.add(passkey)
    record(session, (account.kind, account.name), "passkey.registered", at=ctx.now())
    session.commit()
    return passkey


def start_login(session: Session, ctx: PortalContext) -> dict[str, Any]:
    rp_id, _ = relying_party(ctx)
    options = generate_authentication_options(
        rp_id=rp_id, user_verification=UserVerificationRequirement.REQUIRED
    )
    token = _ceremony(session, ctx, "login", options.challenge, None)
    return {"ceremony": token, "options": json.loads(options_to_json(options))}


def finish_login(session: Session, ctx: PortalContext, token: str, credential: str) -> str:
    """A new portal session's token for the passkey's account."""
    ceremony = _take(session, ctx, token, "login")
    try:
        raw_id = str(json.loads(credential)["rawId"])
    except (ValueError, KeyError, TypeError) as exc:
        raise NotAuthenticatedError(*REFUSED, reason="portal_passkey_refused") from exc
    passkey = session.scalars(
        select(PortalPasskey).where(PortalPasskey.credential_id == raw_id)
    ).first()
    account = session.get(PortalAccount, passkey.account_id) if passkey is not None else None
    if passkey is None or account is None:
        raise NotAuthenticatedError(*REFUSED, reason="portal_passkey_refused")
    rp_id, origin = relying_party(ctx)
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=ceremony.challenge, expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count, require_user_verification=True,
        )  # fmt: skip
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        raise NotAuthenticatedError(*REFUSED, reason="portal_passkey_refused") from exc
    now = ctx.now()
    if account.locked_until is not None and account.locked_until > now:
        raise ConflictError(
            "the account is locked after too many wrong passwords: try again later",
            "密码错误次数过多，账号已暂时锁定，请稍后再试",
            reason="portal_locked",
        )
    passkey.sign_count, passkey.last_used_at = verified.new_sign_count, now
    session_token = new_session(session, ctx, account)
    record(session, (account.kind, account.name), "account.login", at=now, method="passkey")
    session.commit()
    return session_token


def passkey_views(session: Session, account: PortalAccount, page: Page) -> list[dict[str, Any]]:
    """A page of the account's passkeys, oldest first (``limit + 1``: :class:`Page`)."""
    query = select(PortalPasskey).where(PortalPasskey.account_id == account.id)
    after = page.after_id()
    if after is not None:
        query = query.where(PortalPasskey.id > after)
    rows = session.scalars(query.order_by(PortalPasskey.id).limit(page.limit + 1)).all()
    return [
        {"id": p.id, "created_at": p.created_at.isoformat(),
         "last_used_at": p.last_used_at.isoformat() if p.last_used_at else None}
        for p in rows
    ]  # fmt: skip
