"""The order workflow's actions (each writes its rows and its leaf, then announces): a lawyer
applies; the case's judge approves (as asked or narrowed) or rejects, with reasons; an approved
order is issued at once (number, QR token, sealed PDF with its receipt, :mod:`ledger.order_issue`);
the judge may revoke it; an issued order expires after its last day. Institutions' verifications
and answers are in :mod:`ledger.order_public`.

Authorisation is here, per case and role, so that every route gets the same answer: only the
case's judge decides or revokes; a lawyer sees his own applications only; anything else is
answered as an order that does not exist (:class:`OrderError` ``order.not_found``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ledger.order_context import Actor, OrderContext
from ledger.order_events import announce
from ledger.order_rules import (
    COURT_TZ,
    OrderRuleError,
    Scope,
    canonical,
    effective_status,
    number_prefix,
    order_number,
    valid_until,
)
from ledger.order_steps import append_step
from ledger.order_tables import case_parties, cases, orders

__all__ = [
    "Judge",
    "Lawyer",
    "OrderError",
    "apply",
    "decide",
    "expire_due",
    "order_row",
    "revoke",
    "view",
]


_RETRIES = 5


class OrderError(Exception):
    def __init__(self, status: int, reason: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.status, self.reason, self.zh, self.en = status, reason, zh, en


def not_found() -> OrderError:
    return OrderError(404, "order.not_found", "没有找到该调查令", "No such investigation order")


@dataclass(frozen=True, slots=True)
class Lawyer:
    name: str
    licence_number: str


@dataclass(frozen=True, slots=True)
class Judge:
    user_id: int
    name: str
    court_id: int


def _case(connection: Connection, dossier_case_id: int) -> Row[Any]:
    row = connection.execute(
        select(cases).where(cases.c.dossier_case_id == dossier_case_id)
    ).first()
    if row is None:
        raise OrderError(404, "case.not_found", "没有找到该案件", "No such case")
    return row


def lawyer_in_case(connection: Connection, case_id: int, lawyer: Lawyer) -> bool:
    return (
        connection.execute(
            select(case_parties.c.id).where(
                case_parties.c.case_id == case_id,
                case_parties.c.licence_number == lawyer.licence_number,
            )
        ).first()
        is not None
    )


def order_row(connection: Connection, order_id: int) -> Row[Any]:
    row = connection.execute(select(orders).where(orders.c.id == order_id)).first()
    if row is None:
        raise not_found()
    return row


def case_of(connection: Connection, case_id: int) -> Row[Any]:
    return connection.execute(select(cases).where(cases.c.id == case_id)).one()


def apply(ctx: OrderContext, dossier_case_id: int, lawyer: Lawyer, scope: Scope) -> int:
    """A lawyer of the case (by licence number, as the filing recorded it) applies; the id.
    Two applications at once may count the same sequence: the number is unique, so the loser
    counts again."""
    now = ctx.now()
    for _ in range(_RETRIES):
        try:
            with ctx.engine.begin() as connection:
                order_id, number, record = _insert_application(
                    connection, dossier_case_id, lawyer, scope, now
                )
            break
        except IntegrityError:
            continue
    else:
        raise OrderError(503, "order.busy", "系统繁忙，请重试", "Busy, try again")
    append_step(ctx, order_id, number, "order.applied", record, Actor("律师", lawyer.name), now)
    announce(ctx, order_id, "applied", f"律师{lawyer.name}申请调查令{number}")
    return order_id


def _insert_application(
    connection: Connection, dossier_case_id: int, lawyer: Lawyer, scope: Scope, now: datetime
) -> tuple[int, str, dict[str, Any]]:
    case = _case(connection, dossier_case_id)
    if not lawyer_in_case(connection, case.id, lawyer):
        raise OrderError(
            403, "order.not_lawyer_of_case", "您不是本案登记的代理律师",
            "You are not a lawyer of record in this case",
        )  # fmt: skip
    year = now.astimezone(COURT_TZ).year
    prefix = number_prefix(case.case_number, year)
    seq = connection.execute(
        select(func.count()).select_from(orders).where(orders.c.number.startswith(prefix))
    ).scalar_one()
    number = order_number(case.case_number, year, int(seq) + 1)
    record = {
        "type": "order.applied", "number": number, "court": case.court_name,
        "case_number": case.case_number, "lawyer": lawyer.name,
        "licence_number": lawyer.licence_number, "scope": scope.as_dict(),
        "at": now.isoformat(),
    }  # fmt: skip
    order_id = connection.execute(
        insert(orders).values(
            number=number, case_id=case.id, lawyer_licence=lawyer.licence_number,
            lawyer_name=lawyer.name, status="applied", scope_json=canonical(scope.as_dict()),
            applied_json=canonical(scope.as_dict()), applied_at=now,
        )
    ).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
    return int(order_id), number, record


def judge_of(ctx: OrderContext, order_id: int, judge: Judge) -> Row[Any]:
    """The order, if ``judge`` is its case's judge (else: not found)."""
    with ctx.engine.connect() as connection:
        row = order_row(connection, order_id)
        case = case_of(connection, row.case_id)
    if case.judge_user_id != judge.user_id or case.court_id != judge.court_id:
        raise not_found()
    return row


def decide(
    ctx: OrderContext, order_id: int, judge: Judge, *, approve: bool, reason: str,
    scope: Scope | None = None,
) -> str:  # fmt: skip
    """Approve (``scope``: the applied one or narrower) or reject, with reasons; an approved
    order is issued at once. The decision (``approved``, ``narrowed``, ``rejected``)."""
    from ledger.order_issue import issue  # the PDF and seal are only needed here

    row = judge_of(ctx, order_id, judge)
    if row.status != "applied":
        raise OrderError(409, "order.decided", "该申请已经处理", "This application was decided")
    if not reason.strip():
        raise OrderError(422, "order.reason", "请写明理由", "Give the reasons")
    applied = Scope.from_dict(json.loads(row.applied_json))
    final = scope or applied
    try:
        narrowed = approve and final.narrows(applied)
    except OrderRuleError as exc:
        raise OrderError(422, exc.reason, "法官只能缩小申请的范围", exc.detail) from None
    decision = "rejected" if not approve else "narrowed" if narrowed else "approved"
    now = ctx.now()
    with ctx.engine.begin() as connection:
        done = connection.execute(
            update(orders).where(orders.c.id == order_id, orders.c.status == "applied").values(
                status="approved" if approve else "rejected", decided_at=now,
                decision_reason=reason, judge_name=judge.name,
                scope_json=canonical(final.as_dict()),
            )
        ).rowcount  # fmt: skip
    if done != 1:
        raise OrderError(409, "order.decided", "该申请已经处理", "This application was decided")
    record = {
        "type": "order.decided", "number": row.number, "decision": decision, "reason": reason,
        "judge": judge.name, "scope": final.as_dict(), "at": now.isoformat(),
    }  # fmt: skip
    append_step(ctx, order_id, row.number, "order.decided", record, Actor("法官", judge.name), now)
    if approve:
        issue(ctx, order_id, judge)
    else:
        announce(ctx, order_id, "rejected", f"调查令申请{row.number}未获准许：{reason}")
    return decision


def revoke(ctx: OrderContext, order_id: int, judge: Judge, reason: str) -> None:
    row = judge_of(ctx, order_id, judge)
    if effective_status(row.status, last_day(row), ctx.now()) != "issued":
        raise OrderError(409, "order.not_issued", "只能撤销有效的调查令", "Only a valid order")
    if not reason.strip():
        raise OrderError(422, "order.reason", "请写明理由", "Give the reasons")
    now = ctx.now()
    with ctx.engine.begin() as connection:
        connection.execute(
            update(orders)
            .where(orders.c.id == order_id)
            .values(status="revoked", revoked_at=now, revoke_reason=reason)
        )
    record = {"type": "order.revoked", "number": row.number, "reason": reason,
              "judge": judge.name, "at": now.isoformat()}  # fmt: skip
    append_step(ctx, order_id, row.number, "order.revoked", record, Actor("法官", judge.name), now)
    announce(ctx, order_id, "revoked", f"调查令{row.number}已被撤销：{reason}")


def last_day(row: Row[Any]) -> date | None:
    if row.issued_at is None:
        return None
    return valid_until(row.issued_at, int(json.loads(row.scope_json)["valid_days"]))


def expire_due(ctx: OrderContext) -> list[str]:
    """Mark the issued orders past their last day expired, each with its leaf (the periodic
    work; an order's state is also computed on read, so a late run changes no answer)."""
    now, expired = ctx.now(), []
    with ctx.engine.connect() as connection:
        issued = connection.execute(select(orders).where(orders.c.status == "issued")).all()
    for row in issued:
        if effective_status(row.status, last_day(row), now) != "expired":
            continue
        with ctx.engine.begin() as connection:
            done = connection.execute(
                update(orders).where(orders.c.id == row.id, orders.c.status == "issued")
                .values(status="expired")
            ).rowcount  # fmt: skip
        if done:
            record = {"type": "order.expired", "number": row.number,
                      "last_day": str(last_day(row)), "at": now.isoformat()}  # fmt: skip
            append_step(
                ctx, row.id, row.number, "order.expired", record, Actor("系统", "到期"), now
            )
            announce(ctx, row.id, "expired", f"调查令{row.number}已过有效期")
            expired.append(row.number)
    return expired


def view(ctx: OrderContext, row: Row[Any]) -> dict[str, Any]:
    """What the lawyer's and judge's pages show of an order."""
    with ctx.engine.connect() as connection:
        case = case_of(connection, row.case_id)
    last = last_day(row)
    return {
        "id": row.id, "number": row.number, "case_number": case.case_number,
        "dossier_case_id": case.dossier_case_id, "court": case.court_name,
        "status": effective_status(row.status, last, ctx.now()),
        "lawyer": row.lawyer_name, "judge": row.judge_name,
        "applied": json.loads(row.applied_json), "scope": json.loads(row.scope_json),
        "decision_reason": row.decision_reason, "revoke_reason": row.revoke_reason,
        "applied_at": row.applied_at.isoformat(),
        "issued_at": row.issued_at.isoformat() if row.issued_at else None,
        "valid_until": str(last) if last else None, "has_pdf": row.pdf_key is not None,
    }  # fmt: skip
