# ruff: noqa: F811  (the simulator fixtures are imported by name, then asked for by name)
"""Refunds after the case ends: applied for online by the party (back through WeChat Pay) or at
the counter (to a bank account), approved by the finance officer, paid out once, told by SMS;
and the notice as a PDF."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pypdfium2 as pdfium

from fees import ledger
from fees.tables import FeeAccount, FeeRefund
from tests.fees.service.conftest import (
    PLAINTIFF_PHONE,
    close_case,
    file_case,
    filed_case,
    run,
    sms_sent,
)
from tests.fees.service.paying import (  # noqa: F401
    Paying,
    order_for,
    order_paid,
    paying,
    provisioned,
    sms_code,
    token_of,
)

FEE_FEN = 276_914
HALF_FEN = 138_457


def _paid_in_full(app, ctx, paying: Paying, make_client) -> str:
    token = token_of(paying)
    order = order_for(make_client(), ctx, token, PLAINTIFF_PHONE)
    paying.pay(order["out_trade_no"])
    paying.until(lambda: order_paid(paying, order["out_trade_no"]))
    run(app)
    return token


def _balances(paying: Paying) -> ledger.Balances:
    with paying.service.ctx.session_factory() as s:
        return ledger.balances(s, s.query(FeeAccount.id).scalar() or 0)


def _refund_status(paying: Paying) -> str:
    with paying.service.ctx.session_factory() as s:
        refund = s.query(FeeRefund).one()
        return refund.status


def test_after_mediation_the_party_gets_half_back_through_wechat(
    app, ctx, fees_world, paying: Paying, make_client, staff_client
) -> None:
    filed = filed_case(fees_world)
    file_case(app, ctx, filed)
    token = _paid_in_full(app, ctx, paying, make_client)
    party = make_client()
    # Before the case ends there is nothing to refund.
    assert party.post(f"/api/fees/pay/{token}/code", json={}).status_code == 204
    early = party.post(
        f"/api/fees/pay/{token}/refunds",
        json={"code": sms_code(ctx, PLAINTIFF_PHONE), "channel": "original"},
    )
    assert early.status_code == 409
    close_case(app, ctx, filed, "mediation", date(2026, 12, 20))
    view = party.get(f"/api/fees/pay/{token}").json()
    assert view["status"] == "closed" and view["balances"]["refundable_fen"] == HALF_FEN
    answer = party.post(
        f"/api/fees/pay/{token}/refunds",
        json={"code": sms_code(ctx, PLAINTIFF_PHONE), "channel": "original"},
    )
    assert answer.status_code == 201, answer.text
    refund = answer.json()
    assert (refund["amount_fen"], refund["status"], refund["applied_by"]) == (
        HALF_FEN,
        "applied",
        "陈明",
    )
    # Applying twice asks for nothing more: the first is under way.
    again = party.post(
        f"/api/fees/pay/{token}/refunds",
        json={"code": sms_code(ctx, PLAINTIFF_PHONE), "channel": "original"},
    )
    assert again.status_code == 409
    # Only the finance officer decides.
    decision = {"approve": True, "note": "调解结案，退还一半案件受理费"}
    clerk = staff_client("clerk_a").post(
        f"/api/fees/refunds/{refund['id']}/decision", json=decision
    )
    assert clerk.status_code == 403 and "财务人员" in clerk.json()["error"]["message_zh"]
    finance = staff_client("finance_a")
    waiting = finance.get("/api/fees/refunds", params={"status": "applied"}).json()["items"]
    assert [(r["id"], r["case_number"]) for r in waiting] == [(refund["id"], filed.case_number)]
    assert (
        finance.post(f"/api/fees/refunds/{refund['id']}/decision", json=decision).status_code == 200
    )
    run(app)  # the job submits it to the provider
    assert _refund_status(paying) == "processing"
    run(app)  # a second run submits nothing again
    paying.call(_resume(paying))  # the provider completes it and notifies
    paying.until(lambda: _refund_status(paying) == "succeeded")
    run(app)
    balances = _balances(paying)
    assert (balances.assessed_fen, balances.paid_fen, balances.refunded_fen) == (
        HALF_FEN,
        FEE_FEN,
        HALF_FEN,
    )
    assert balances.balance_fen == 0
    texts = [m["text"] for m in sms_sent(ctx) if m["to"] == PLAINTIFF_PHONE and "退费" in m["text"]]
    assert texts and "1,384.57元：已退至原支付渠道（微信支付）" in texts[-1]
    account = finance.get("/api/fees/lookup", params={"q": filed.case_number}).json()
    assert [m["kind"] for m in account["movements"]] == [
        "assessment",
        "payment",
        "adjustment",
        "refund",
    ]


def _resume(paying: Paying) -> Callable[[], Awaitable[None]]:
    async def resume() -> None:
        paying.gateway.resume()

    return resume


def test_a_counter_refund_to_a_bank_account(
    app, ctx, fees_world, paying: Paying, make_client, staff_client
) -> None:
    filed = filed_case(fees_world)
    file_case(app, ctx, filed)
    _paid_in_full(app, ctx, paying, make_client)
    close_case(app, ctx, filed, "withdrawal", date(2026, 12, 10))
    bank = {"bank": "中国银行广州分行", "account_name": "陈明", "account_no": "6216 6100 0000 1234"}
    body = {"channel": "bank", "applicant": "陈明", "bank": bank}
    assert (
        staff_client("judge_a").post("/api/fees/accounts/1/refunds", json=body).status_code == 403
    )
    answer = staff_client("filing_a").post("/api/fees/accounts/1/refunds", json=body)
    assert answer.status_code == 201, answer.text
    refund = answer.json()
    assert refund["applied_by"] == "刘芳（代陈明申请）" and refund["amount_fen"] == HALF_FEN
    finance = staff_client("finance_a")
    early = finance.post(f"/api/fees/refunds/{refund['id']}/paid")
    assert early.status_code == 409
    decision = {"approve": True, "note": ""}
    assert (
        finance.post(f"/api/fees/refunds/{refund['id']}/decision", json=decision).status_code == 200
    )
    paid = finance.post(f"/api/fees/refunds/{refund['id']}/paid")
    assert paid.status_code == 200 and paid.json()["status"] == "succeeded"
    assert finance.post(f"/api/fees/refunds/{refund['id']}/paid").status_code == 409
    assert _balances(paying).refunded_fen == HALF_FEN
    # Another court's finance officer does not see it.
    assert staff_client("clerk_b").get("/api/fees/accounts/1").status_code == 404


def test_the_notice_as_a_pdf(app, ctx, fees_world, staff_client, make_client) -> None:
    file_case(app, ctx, filed_case(fees_world))
    answer = staff_client("clerk_a").get("/api/fees/accounts/1/notices/1/pdf")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    document = pdfium.PdfDocument(answer.content)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "交纳诉讼费用通知书" in text and "2,769.14" in text and "陈明" in text
    assert b"/ByteRange" in answer.content  # sealed by the court
    again = staff_client("clerk_a").get("/api/fees/accounts/1/notices/1/pdf")
    assert again.content == answer.content  # made once, then kept
    assert staff_client("clerk_a").get("/api/fees/accounts/1/notices/2/pdf").status_code == 404
    assert staff_client("clerk_b").get("/api/fees/accounts/1/notices/1/pdf").status_code == 404
