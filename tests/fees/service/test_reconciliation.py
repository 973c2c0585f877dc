# ruff: noqa: F811  (the simulator fixtures are imported by name, then asked for by name)
"""The day's reconciliation against the provider's trade bill: a payment whose notification
never came is found in the bill and booked once; the next run is clean; only the finance
officer reconciles; flagged notifications are listed for them."""

from __future__ import annotations

from datetime import timedelta

from tests.fees.service.conftest import PLAINTIFF_PHONE, file_case, filed_case
from tests.fees.service.paying import (  # noqa: F401
    Paying,
    order_for,
    order_paid,
    paying,
    provisioned,
    token_of,
)

FEE_FEN = 276_914


def test_a_payment_found_only_in_the_bill_is_booked_once(
    app, ctx, clock, fees_world, paying: Paying, make_client, staff_client
) -> None:
    filed = filed_case(fees_world)
    file_case(app, ctx, filed)
    order = order_for(make_client(), ctx, token_of(paying), PLAINTIFF_PHONE)
    paying.fault(out_trade_no=order["out_trade_no"], drop=True)
    paying.pay(order["out_trade_no"])
    assert not order_paid(paying, order["out_trade_no"])
    finance = staff_client("finance_a")
    today = finance.post("/api/fees/reconciliations", json={"bill_date": "2026-11-28"})
    assert today.status_code == 422  # the bill of a day comes the next day
    clock.advance(timedelta(days=1))
    finance = staff_client("finance_a")  # a day later: a new session
    assert (
        staff_client("clerk_a")
        .post("/api/fees/reconciliations", json={"bill_date": "2026-11-28"})
        .status_code
        == 403
    )
    first = finance.post("/api/fees/reconciliations", json={"bill_date": "2026-11-28"})
    assert first.status_code == 201, first.text
    report = first.json()
    assert report["bill_lines"] == 1 and report["created_by"] == "孙静"
    summary = report["summary"]
    assert (summary["extra"], summary["booked_now"], summary["clean"]) == (1, 1, False)
    assert [(e["reference"], e["reason"]) for e in report["items"]["extra"]] == [
        (order["out_trade_no"], "pending")
    ]
    assert order_paid(paying, order["out_trade_no"])
    account = finance.get("/api/fees/lookup", params={"q": filed.case_number}).json()
    assert account["balances"]["paid_fen"] == FEE_FEN
    assert [o["booked_by"] for o in account["orders"]] == ["reconciliation"]
    second = finance.post("/api/fees/reconciliations", json={"bill_date": "2026-11-28"}).json()
    assert (second["summary"]["matched"], second["summary"]["clean"]) == (1, True)
    listed = finance.get("/api/fees/reconciliations").json()
    assert [r["id"] for r in listed["items"]] == [second["id"], report["id"]]
    assert (
        finance.get(f"/api/fees/reconciliations/{report['id']}").json()["items"] == report["items"]
    )


def test_flagged_notifications_are_listed_for_finance(
    app, ctx, fees_world, paying: Paying, make_client, staff_client
) -> None:
    file_case(app, ctx, filed_case(fees_world))
    order = order_for(make_client(), ctx, token_of(paying), PLAINTIFF_PHONE)
    paying.fault(out_trade_no=order["out_trade_no"], wrong_amount=True)
    paying.pay(order["out_trade_no"])
    finance = staff_client("finance_a")
    paying.until(lambda: bool(finance.get("/api/fees/notifications").json()["items"]))
    items = finance.get("/api/fees/notifications").json()["items"]
    assert [(n["outcome"], n["reference"]) for n in items][:1] == [
        ("mismatch", order["out_trade_no"])
    ]
    assert staff_client("clerk_b").get("/api/fees/notifications").status_code == 403


def test_yesterday_is_reconciled_once_by_itself(
    app, ctx, clock, fees_world, paying: Paying, make_client, staff_client
) -> None:
    from fees.watch import reconcile_yesterday

    file_case(app, ctx, filed_case(fees_world))
    order = order_for(make_client(), ctx, token_of(paying), PLAINTIFF_PHONE)
    paying.pay(order["out_trade_no"])
    paying.until(lambda: order_paid(paying, order["out_trade_no"]))

    async def once() -> int | None:
        return await reconcile_yesterday(paying.service.ctx)

    before = paying.call(once)  # 2026-11-27: no transaction, no bill; checked all the same
    assert before is not None and paying.call(once) is None
    clock.advance(timedelta(days=1))  # 2026-11-29 16:00 Beijing: yesterday's bill is ready
    first = paying.call(once)
    assert first is not None and paying.call(once) is None
    finance = staff_client("finance_a")
    report = finance.get(f"/api/fees/reconciliations/{first}").json()
    assert (report["bill_date"], report["created_by"]) == ("2026-11-28", "系统")
    assert (report["summary"]["matched"], report["summary"]["clean"]) == (1, True)
    empty = finance.get(f"/api/fees/reconciliations/{before}").json()
    assert (empty["bill_date"], empty["bill_lines"], empty["summary"]["clean"]) == (
        "2026-11-27",
        0,
        True,
    )
