"""Case accounts and their notices: opened at filing, re-issued on an adjustment, settled when
the case ends.

- :func:`open_account` (``case.filed``): the account, its notice code, the parties, notice
  version 1 (the acceptance fee the calculator gives for the cause, procedure and claim; due
  7 days after notice), and its assessment in the ledger. Opening twice opens once.
- :func:`issue_version` (staff: a changed claim, a reduction, deferral or waiver granted by the
  court): a new notice version with its amount; the ledger books the difference.
- :func:`close_account` (``case.closed``): the case's outcome; mediation or withdrawal halve
  the acceptance fee (诉讼费用交纳办法 第十五条、第十八条): a ``halved`` version, and what was
  paid beyond it becomes refundable.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from court_events.dossier import CaseClosed, CaseFiled
from fees import ledger
from fees.audit import SYSTEM, Actor, record
from fees.breakdown import breakdown_to_dict
from fees.codes import notice_code
from fees.context import COURT_TZ, FeesContext
from fees.engine import FeeRequest, compute_fee
from fees.errors import ConflictError, InvalidInputError
from fees.tables import FeeAccount, FeeNotice, FeeParty

__all__ = [
    "ADJUSTMENT_REASONS",
    "HALVING_OUTCOMES",
    "close_account",
    "current_notice",
    "issue_version",
    "open_account",
    "payer_of",
]

ADJUSTMENT_REASONS = {
    "claim_changed": "变更诉讼请求",
    "reduced": "减交",
    "deferred": "缓交",
    "waived": "免交",
}
"""What staff may re-issue a notice for (诉讼费用交纳办法 第四十四条至第四十八条: 缓交、减交、免交;
a changed claim changes the fee, 第二十一条)."""
HALVING_OUTCOMES = {"mediation": "mediation", "withdrawal": "withdrawal"}
"""Outcomes (``case.closed``) that halve the acceptance fee, and the calculator's ground."""


@dataclass(frozen=True, slots=True)
class Fee:
    amount_fen: int
    breakdown: dict[str, Any]


def _fee(ctx: FeesContext, request: FeeRequest, on: date) -> Fee:
    breakdown = compute_fee(ctx.schedules.in_force(on), request, ctx.fee_settings)
    return Fee(breakdown.total_fen, breakdown_to_dict(breakdown))


def _request(ctx: FeesContext, account: FeeAccount, extra: tuple[str, ...] = ()) -> FeeRequest:
    base = ctx.rules.fee_request(account.cause_code, account.procedure, account.claim_amount_fen)
    grounds = tuple(dict.fromkeys(base.grounds + extra))
    return FeeRequest(kind=base.kind, amount_fen=base.amount_fen, grounds=grounds)


def payer_of(session: Session, ctx: FeesContext, account_id: int) -> FeeParty | None:
    """Who pays in advance (第二十条: the plaintiff; the first one filed)."""
    for role in ctx.rules.payer_roles:
        party = session.scalars(
            select(FeeParty)
            .where(FeeParty.account_id == account_id, FeeParty.role == role)
            .order_by(FeeParty.id)
        ).first()
        if party is not None:
            return party
    return None


def current_notice(session: Session, account_id: int) -> FeeNotice | None:
    return session.scalars(
        select(FeeNotice)
        .where(FeeNotice.account_id == account_id)
        .order_by(FeeNotice.version.desc())
    ).first()


def open_account(session: Session, ctx: FeesContext, filed: CaseFiled) -> FeeAccount | None:
    """The account of a filed case (``None``: it exists already)."""
    found = session.scalars(
        select(FeeAccount).where(FeeAccount.dossier_case_id == filed.dossier_case_id)
    ).first()
    if found is not None:
        return None
    now = ctx.now()
    account = FeeAccount(
        dossier_case_id=filed.dossier_case_id,
        court_id=filed.court_id,
        court_name=filed.court_name,
        case_number=filed.case_number,
        cause_code=filed.cause_code,
        cause_name=filed.cause_of_action,
        procedure=filed.procedure,
        claim_amount_fen=filed.claim_amount_fen,
        fee_kind=ctx.rules.kind_of(filed.cause_code, filed.claim_amount_fen),
        pay_token=secrets.token_urlsafe(24),
        status="open",
        filed_on=filed.filed_on,
        opened_at=now,
    )
    session.add(account)
    session.flush()
    account.notice_code = notice_code(filed.court_id, filed.filed_on.year, account.id)
    session.add_all(
        FeeParty(
            account_id=account.id,
            party_ref=p.party_ref,
            role=p.role,
            kind=p.kind,
            name=p.name,
            phone=p.phone,
            email=p.email,
            represents_ref=p.represents_ref,
        )
        for p in filed.parties
    )
    session.flush()
    fee = _fee(ctx, _request(ctx, account), filed.filed_on)
    payer = payer_of(session, ctx, account.id)
    _add_version(session, ctx, account, fee, "filed", None, payer, SYSTEM, now)
    record(
        session,
        SYSTEM,
        "account.opened",
        at=now,
        account_id=account.id,
        details={
            "case_number": account.case_number,
            "notice_code": account.notice_code,
            "fee_kind": account.fee_kind,
            "amount_fen": fee.amount_fen,
        },
    )
    return account


def _add_version(
    session: Session,
    ctx: FeesContext,
    account: FeeAccount,
    fee: Fee,
    reason: str,
    reason_text: str | None,
    payer: FeeParty | None,
    actor: Actor,
    now: datetime,
    deadline: date | None = None,
) -> FeeNotice:
    previous = current_notice(session, account.id)
    version = (
        session.scalar(
            select(func.max(FeeNotice.version)).where(FeeNotice.account_id == account.id)
        )
        or 0
    ) + 1
    notice = FeeNotice(
        account_id=account.id,
        version=version,
        amount_fen=fee.amount_fen,
        breakdown=fee.breakdown,
        payer_ref=payer.party_ref if payer else None,
        deadline=deadline or ctx.rules.deadline(now.astimezone(COURT_TZ).date()),
        reason=reason,
        reason_text=reason_text,
        issued_at=now,
        issued_by=actor[1],
    )
    session.add(notice)
    session.flush()
    delta = fee.amount_fen - (previous.amount_fen if previous else 0)
    kind = "assessment" if previous is None else "adjustment"
    memo = f"缴费通知第{version}版" + (f"（{reason_text}）" if reason_text else "")
    ledger.book(
        session,
        account_id=account.id,
        kind=kind,
        reference=f"notice:{notice.id}",
        memo=memo,
        postings=ledger.adjustment(delta) if previous else ledger.assessment(delta),
        at=now,
        actor=actor[1],
    )
    return notice


def issue_version(
    session: Session,
    ctx: FeesContext,
    account: FeeAccount,
    *,
    reason: str,
    note: str,
    actor: Actor,
    claim_amount_fen: int | None = None,
    amount_fen: int | None = None,
    deadline: date | None = None,
) -> FeeNotice:
    """A new version: for ``claim_changed`` the calculator's fee on the new claim; for a
    reduction or waiver the amount the court granted (``waived``: 0); for a deferral the same
    amount with a later ``deadline``."""
    if reason not in ADJUSTMENT_REASONS:
        raise InvalidInputError(f"unknown reason {reason!r}", f"未知的调整原因：{reason}")
    if account.status != "open":
        raise ConflictError("the case has ended", "案件已结案，不能再调整缴费通知")
    now = ctx.now()
    current = current_notice(session, account.id)
    if current is None:
        raise ConflictError("the account has no notice", "该账户没有缴费通知")
    if reason == "claim_changed":
        if claim_amount_fen is None:
            raise InvalidInputError(
                "a changed claim needs its amount", "变更诉讼请求须填写新的请求金额"
            )
        account.claim_amount_fen = claim_amount_fen
        fee = _fee(ctx, _request(ctx, account), account.filed_on)
    elif reason == "waived":
        fee = Fee(0, current.breakdown)
    elif reason == "deferred":
        if deadline is None or deadline <= current.deadline:
            raise InvalidInputError(
                "a deferral needs a later deadline", "缓交须指定晚于原期限的日期"
            )
        fee = Fee(current.amount_fen, current.breakdown)
    else:
        if amount_fen is None or not 0 <= amount_fen < current.amount_fen:
            raise InvalidInputError(
                "a reduction needs an amount below the current one", "减交后的金额须低于原金额"
            )
        fee = Fee(amount_fen, current.breakdown)
    payer = payer_of(session, ctx, account.id)
    text = f"{ADJUSTMENT_REASONS[reason]}：{note}" if note else ADJUSTMENT_REASONS[reason]
    notice = _add_version(session, ctx, account, fee, reason, text, payer, actor, now, deadline)
    record(
        session,
        actor,
        "notice.reissued",
        at=now,
        account_id=account.id,
        details={
            "version": notice.version,
            "reason": reason,
            "amount_fen": notice.amount_fen,
            "previous_fen": current.amount_fen,
        },
    )
    return notice


def close_account(session: Session, ctx: FeesContext, closed: CaseClosed) -> FeeAccount | None:
    account = session.scalars(
        select(FeeAccount).where(FeeAccount.dossier_case_id == closed.dossier_case_id)
    ).first()
    if account is None or account.status == "closed":
        return None
    now = ctx.now()
    account.status = "closed"
    account.closed_on = closed.closed_on
    account.outcome = closed.outcome
    ground = HALVING_OUTCOMES.get(closed.outcome)
    if ground is not None:
        current = current_notice(session, account.id)
        fee = _fee(ctx, _request(ctx, account, (ground,)), account.filed_on)
        if current is not None and fee.amount_fen < current.amount_fen:
            reason = "调解结案，案件受理费减半" if ground == "mediation" else "撤诉，案件受理费减半"
            _add_version(
                session,
                ctx,
                account,
                fee,
                "halved",
                reason,
                payer_of(session, ctx, account.id),
                SYSTEM,
                now,
                deadline=current.deadline,
            )
    record(
        session,
        SYSTEM,
        "account.closed",
        at=now,
        account_id=account.id,
        details={"outcome": closed.outcome, "closed_on": closed.closed_on.isoformat()},
    )
    return account
