# ruff: noqa: F811  (the simulator fixtures are imported by name, then asked for by name)
"""Paying a notice online through the WeChat Pay simulator: the payment link, the SMS code, the
QR code, the notification booked once (however often and in whatever state it arrives), the
receipt (sealed PDF, SMS, verification), and the order query that finds a payment whose
notification never came."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fees import ledger
from fees.tables import FeeAccount, FeeNotification, FeeOrder
from tests.fees.service.conftest import PLAINTIFF_PHONE, file_case, filed_case, run, sms_sent
from tests.fees.service.paying import Paying, paying, provisioned, sms_code  # noqa: F401

FEE_FEN = 276_914
NUMBER = "（2026）粤0104民初501号"


def _token(paying: Paying) -> str:
    with paying.service.ctx.session_factory() as s:
        account = s.scalars(select(FeeAccount)).one()
        return account.pay_token


def _order(party: TestClient, ctx: Any, token: str) -> dict[str, Any]:
    assert party.post(f"/api/fees/pay/{token}/code", json={}).status_code == 204
    answer = party.post(
        f"/api/fees/pay/{token}/orders", json={"code": sms_code(ctx, PLAINTIFF_PHONE)}
    )
    assert answer.status_code == 201, answer.text
    order: dict[str, Any] = answer.json()
    return order


def _paid(paying: Paying, out_trade_no: str) -> bool:
    with paying.service.ctx.session_factory() as s:
        order = s.scalars(select(FeeOrder).where(FeeOrder.out_trade_no == out_trade_no)).one()
        return order.status == "paid"


def _balances(paying: Paying) -> ledger.Balances:
    with paying.service.ctx.session_factory() as s:
        return ledger.balances(s, s.scalars(select(FeeAccount.id)).one())


def _outcomes(paying: Paying) -> list[str]:
    with paying.service.ctx.session_factory() as s:
        return [n.outcome for n in s.scalars(select(FeeNotification).order_by(FeeNotification.id))]


@pytest.fixture
def filed(app, ctx, fees_world) -> None:
    file_case(app, ctx, filed_case(fees_world))


def test_a_party_pays_from_the_link_and_gets_a_receipt(
    app, ctx, fees_world, filed, paying: Paying, make_client, staff_client
) -> None:
    token = _token(paying)
    party = make_client()  # opened from the SMS days later: no session
    view = party.get(f"/api/fees/pay/{token}").json()
    assert (view["case_number"], view["payer_name"], view["online"]) == (NUMBER, "陈明", True)
    assert view["balances"]["outstanding_fen"] == FEE_FEN
    assert view["payer_phone"] == "138****0011"
    order = _order(party, ctx, token)
    assert order["amount_fen"] == FEE_FEN and order["status"] == "created"
    assert order["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    assert order["qr_svg"].startswith("<svg")
    # Asking again shows the same QR code (one order for what is due).
    again = party.post(
        f"/api/fees/pay/{token}/orders", json={"code": sms_code(ctx, PLAINTIFF_PHONE)}
    )
    assert again.json()["out_trade_no"] == order["out_trade_no"]
    paid = paying.pay(order["out_trade_no"])
    paying.until(lambda: _paid(paying, order["out_trade_no"]))
    run(app)
    state = party.get(f"/api/fees/pay/{token}/orders/{order['out_trade_no']}").json()
    assert state["status"] == "paid" and state["receipt_number"]
    balances = _balances(paying)
    assert (balances.paid_fen, balances.outstanding_fen) == (FEE_FEN, 0)
    # The receipt: an SMS with the voucher and its link; the sealed PDF; anyone can check it.
    texts = [
        m["text"] for m in sms_sent(ctx) if m["to"] == PLAINTIFF_PHONE and "票据号" in m["text"]
    ]
    assert len(texts) == 1
    assert paid["transaction_id"] in texts[0] and "2,769.14元" in texts[0]
    number = state["receipt_number"]
    pdf = party.get(f"/api/fees/pay/{token}/receipt", params={"number": number})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"/ByteRange" in pdf.content  # sealed (PAdES)
    view = party.get(f"/api/fees/pay/{token}").json()
    assert [r["number"] for r in view["receipts"]] == [number]
    with paying.service.ctx.session_factory() as s:
        from fees.tables import FeeReceipt

        code = s.scalars(select(FeeReceipt.verify_code)).one()
    check = party.get("/api/fees/receipts/verify", params={"number": number, "code": code}).json()
    assert check["valid"] and check["amount_fen"] == FEE_FEN and check["payer_name"] == "陈*"
    forged = party.get("/api/fees/receipts/verify", params={"number": number, "code": "ABCDEFGH"})
    assert forged.json() == {"valid": False} | {k: None for k in check if k != "valid"}
    # Staff see it in real time.
    account = staff_client("clerk_a").get("/api/fees/lookup", params={"q": NUMBER}).json()
    assert account["balances"]["paid_fen"] == FEE_FEN
    assert [o["booked_by"] for o in account["orders"]] == ["notification"]
    assert [m["kind"] for m in account["movements"]] == ["assessment", "payment"]
    staff_pdf = staff_client("clerk_a").get(
        f"/api/fees/accounts/{account['id']}/receipt", params={"number": number}
    )
    assert staff_pdf.content == pdf.content
    paying.until(lambda: bool(_outcomes(paying)))  # noted after the booking's commit
    assert _outcomes(paying) == ["booked"]
    # Paid: no further order.
    answer = party.post(
        f"/api/fees/pay/{token}/orders", json={"code": sms_code(ctx, PLAINTIFF_PHONE)}
    )
    assert (
        answer.status_code == 409
        and answer.json()["error"]["message_zh"] == "本案诉讼费已交清，无需再缴费"
    )


def test_duplicate_notifications_in_parallel_book_one_payment(
    app, ctx, filed, paying: Paying, make_client
) -> None:
    token = _token(paying)
    order = _order(make_client(), ctx, token)
    paying.fault(out_trade_no=order["out_trade_no"], duplicate=6)
    paying.pay(order["out_trade_no"])
    paying.until(lambda: len(_outcomes(paying)) >= 6)
    paying.settled()

    assert _balances(paying).paid_fen == FEE_FEN
    # On a loaded machine all six answers may come after the simulator's 2 s timeout: it then
    # retries, as WeChat Pay does, and the retry is one more duplicate. Never a second booking.
    outcomes = _outcomes(paying)
    assert outcomes.count("booked") == 1 and len(outcomes) >= 6, outcomes
    assert set(outcomes) == {"booked", "duplicate"}, outcomes


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [("forge", "rejected"), ("stale", "rejected"), ("wrong_amount", "mismatch")],
)
def test_a_notification_that_fails_a_check_books_nothing_and_the_query_does(
    app, ctx, filed, paying: Paying, make_client, fault: str, outcome: str
) -> None:
    token = _token(paying)
    order = _order(make_client(), ctx, token)
    paying.fault(out_trade_no=order["out_trade_no"], **{fault: True})
    paying.pay(order["out_trade_no"])
    paying.until(lambda: outcome in _outcomes(paying))
    assert not _paid(paying, order["out_trade_no"])
    with paying.service.ctx.session_factory() as s:
        flagged = s.scalars(select(FeeNotification).where(FeeNotification.flagged)).all()
        assert [n.outcome for n in flagged][:1] == [outcome]
    # The provider's own record, asked for, books the real payment once.
    _age(paying, order["out_trade_no"])
    assert paying.watch() == 1
    assert _paid(paying, order["out_trade_no"]) and _balances(paying).paid_fen == FEE_FEN


def _age(paying: Paying, out_trade_no: str) -> None:
    """The order waited long enough to be asked about (what a minute does)."""
    from datetime import timedelta

    with paying.service.ctx.session_factory() as s:
        order = s.scalars(select(FeeOrder).where(FeeOrder.out_trade_no == out_trade_no)).one()
        order.created_at -= timedelta(minutes=5)
        s.commit()


def test_a_payment_whose_notification_never_came_is_found_once(
    app, ctx, filed, paying: Paying, make_client
) -> None:
    """The provider took the money but the server never booked it (the notification was lost,
    or the server was killed between the provider's success and its own commit): the periodic
    query books it, once however often it runs."""
    token = _token(paying)
    order = _order(make_client(), ctx, token)
    paying.fault(out_trade_no=order["out_trade_no"], drop=True)
    paying.pay(order["out_trade_no"])
    assert not _paid(paying, order["out_trade_no"])
    _age(paying, order["out_trade_no"])
    assert paying.watch() == 1 and paying.watch() == 0
    assert _balances(paying).paid_fen == FEE_FEN
    with paying.service.ctx.session_factory() as s:
        booked = s.scalars(select(FeeOrder.booked_by)).one()
    assert booked == "query"


def test_a_replayed_notification_changes_nothing(
    app, ctx, filed, paying: Paying, make_client
) -> None:
    token = _token(paying)
    order = _order(make_client(), ctx, token)
    paying.fault(out_trade_no=order["out_trade_no"], replay=True)
    paying.pay(order["out_trade_no"])
    paying.until(lambda: len(_outcomes(paying)) >= 2)
    assert sorted(_outcomes(paying)) == ["booked", "duplicate"]
    assert _balances(paying).paid_fen == FEE_FEN


def test_a_wrong_code_is_refused(app, ctx, filed, paying: Paying, make_client) -> None:
    token = _token(paying)
    party = make_client()
    assert party.post(f"/api/fees/pay/{token}/code", json={}).status_code == 204
    code = sms_code(ctx, PLAINTIFF_PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answer = party.post(f"/api/fees/pay/{token}/orders", json={"code": wrong})
    assert (
        answer.status_code == 422
        and answer.json()["error"]["message_zh"] == "验证码不正确（还可尝试4次）"
    )
    assert party.get("/api/fees/pay/not-a-real-token-at-all").status_code == 404


def test_a_notification_before_the_provider_answered_finds_its_order(
    app, ctx, filed, paying: Paying, make_client
) -> None:
    """The provider notifies before its answer to the order request arrives here: the order was
    committed before the request was sent, so the notification finds it."""
    token = _token(paying)
    paying.fault(pay_immediately=True)
    order = _order(make_client(), ctx, token)
    # The notification is noted after its booking commits (the order is paid a moment before
    # the note exists): wait for the note.
    paying.until(lambda: bool(_outcomes(paying)))
    assert _outcomes(paying) == ["booked"] and _paid(paying, order["out_trade_no"])
    assert _balances(paying).paid_fen == FEE_FEN


def test_a_crash_between_the_provider_and_the_commit_books_once(
    app, ctx, filed, paying: Paying, make_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server fails after the payment was checked and before its transaction commits (as a
    process killed there would): nothing is kept, the provider is answered with an error and
    delivers again, and the payment is booked once."""
    from fees import checkout

    token = _token(paying)
    order = _order(make_client(), ctx, token)
    real = checkout.enqueue_receipt  # type: ignore[attr-defined]
    crashes: list[str] = []

    def crash_once(*args: Any, **kwargs: Any) -> None:
        if not crashes:
            crashes.append("crashed")
            raise RuntimeError("killed before the commit")
        real(*args, **kwargs)

    monkeypatch.setattr(checkout, "enqueue_receipt", crash_once)
    paying.pay(order["out_trade_no"])
    paying.until(lambda: _paid(paying, order["out_trade_no"]))
    assert crashes == ["crashed"]
    assert _balances(paying).paid_fen == FEE_FEN
    attempts = [d["attempts"] for d in paying.settled()]
    assert attempts == [2]  # the first delivery failed; the provider's retry was booked
    _age(paying, order["out_trade_no"])
    assert paying.watch() == 0  # nothing is waiting any more
