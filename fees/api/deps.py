"""Every ``Annotated`` dependency of the fee service's routes, and who may do what."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from fees.codes import NoticeCodeError, parse_notice_code
from fees.context import FeesContext
from fees.errors import (
    ForbiddenError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
)
from fees.tables import FeeAccount
from tingshen_platform.identity import PartyPrincipal, StaffPrincipal

__all__ = [
    "ADJUSTERS",
    "APPROVERS",
    "CASHIERS",
    "VIEWERS",
    "ContextDep",
    "SessionDep",
    "StaffDep",
    "Token",
    "account_by_code",
    "account_by_id",
    "account_by_token",
    "require_role",
]

VIEWERS = frozenset({"judge", "clerk", "filing_clerk", "court_admin", "finance"})
"""Staff who may see a case's fee account (of their own court)."""
ADJUSTERS = frozenset({"judge", "clerk", "filing_clerk", "finance"})
"""Who may re-issue a notice (a changed claim, a reduction, deferral or waiver the court granted)
and send it."""
CASHIERS = frozenset({"filing_clerk", "finance"})
"""Who records a payment or a refund application taken at the counter."""
APPROVERS = frozenset({"finance"})
"""Who approves refunds and reconciles with the provider's bill."""

ROLE_NAMES = {
    "judge": "审判员",
    "clerk": "书记员",
    "recorder": "记录员",
    "filing_clerk": "立案庭工作人员",
    "court_admin": "法院管理员",
    "finance": "财务人员",
}


Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
"""The secret of a payment link."""


def get_context(request: Request) -> FeesContext:
    ctx: FeesContext = request.app.state.fees
    return ctx


ContextDep = Annotated[FeesContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    with ctx.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_staff(request: Request, ctx: ContextDep) -> StaffPrincipal:
    principal = await ctx.host.identity.who(request.cookies)
    if isinstance(principal, PartyPrincipal):
        raise ForbiddenError(
            "court staff only",
            "仅限法院工作人员；当事人请使用缴费通知中的缴费链接",
            reason="fees_staff_only",
        )
    if not isinstance(principal, StaffPrincipal):
        raise NotAuthenticatedError(
            "please log in as court staff", "请先以法院工作人员身份登录", reason="fees_login_needed"
        )
    if principal.role not in VIEWERS:
        raise ForbiddenError(
            f"your role ({principal.role}) has no access to fee accounts",
            f"您的角色（{ROLE_NAMES.get(principal.role, principal.role)}）无权查看诉讼费账户",
            reason="fees_role",
        )
    return principal


StaffDep = Annotated[StaffPrincipal, Depends(get_staff)]


def require_role(staff: StaffPrincipal, roles: frozenset[str], what_zh: str) -> None:
    if staff.role not in roles:
        allowed = "、".join(ROLE_NAMES[r] for r in sorted(roles))
        raise ForbiddenError(
            f"your role ({staff.role}) may not do this",
            f"{ROLE_NAMES.get(staff.role, staff.role)}不能{what_zh}（需由{allowed}办理）",
            reason="fees_role",
        )


def account_by_id(session: Session, staff: StaffPrincipal, account_id: int) -> FeeAccount:
    account = session.get(FeeAccount, account_id)
    if account is None or account.court_id != staff.court_id:
        raise NotFoundError("no such fee account", "没有这个诉讼费账户", reason="fees_not_found")
    return account


def account_by_code(session: Session, staff: StaffPrincipal, code_or_number: str) -> FeeAccount:
    """A notice code (checked) or a case number, of the caller's court."""
    text = code_or_number.strip()
    if any(ch.isdigit() for ch in text) and not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        try:
            code = parse_notice_code(text)
        except NoticeCodeError as exc:
            raise InvalidInputError(
                str(exc),
                "缴费码有误：应为18位数字，且校验位须一致（请核对每一位）",
                reason="fees_notice_code",
            ) from exc
        account = session.scalars(select(FeeAccount).where(FeeAccount.notice_code == code)).first()
    else:
        account = session.scalars(select(FeeAccount).where(FeeAccount.case_number == text)).first()
    if account is None or account.court_id != staff.court_id:
        raise NotFoundError(
            "no such fee account", "没有这个缴费码或案号的诉讼费账户", reason="fees_not_found"
        )
    return account


def account_by_token(session: Session, token: str) -> FeeAccount:
    account = (
        session.scalars(select(FeeAccount).where(FeeAccount.pay_token == token)).first()
        if 16 <= len(token) <= 64
        else None
    )
    if account is None:
        raise NotFoundError(
            "this payment link is not valid",
            "缴费链接无效：请核对短信或缴费通知书上的链接，或凭缴费码到法院诉讼服务中心缴费",
            reason="fees_link_invalid",
        )
    return account
