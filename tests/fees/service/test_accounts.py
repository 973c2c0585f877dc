"""A filed case's fee account: opened from ``case.filed``, its notice sent, seen by staff in
real time, re-issued on an adjustment, settled when the case ends."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fees.codes import parse_notice_code
from fees.tables import FeeAccount
from tests.fees.service.conftest import (
    AGENT_EMAIL,
    PLAINTIFF_PHONE,
    close_case,
    fees_context,
    file_case,
    filed_case,
    mail_sent,
    run,
    sms_sent,
)

NUMBER = "（2026）粤0104民初501号"
ACCOUNT = 1
"""The first account opened in a test."""
FEE_FEN = 276_914
"""123,456.78 yuan claimed (2007 schedule, 第十三条第（一）项): 50 (to 10,000) + 90,000 × 2.5%
= 2,250 + 23,456.78 × 2% = 469.1356; 2,769.1356 rounded half up to the fen: 2,769.14 yuan."""


def test_filing_opens_the_account_and_sends_the_notice(app, ctx, fees_world, staff_client) -> None:
    file_case(app, ctx, filed_case(fees_world))
    clerk = staff_client("clerk_a")
    answer = clerk.get("/api/fees/lookup", params={"q": NUMBER})
    assert answer.status_code == 200, answer.text
    account = answer.json()
    assert parse_notice_code(account["notice_code"]) == account["notice_code"]
    assert account["notice_code"].startswith(f"{fees_world.court_id:04d}2026")
    assert account["amount_fen"] == FEE_FEN
    assert account["balances"]["outstanding_fen"] == FEE_FEN
    assert account["fee_kind"] == "property"
    notice = account["notices"][0]
    assert (notice["version"], notice["amount_fen"], notice["reason"]) == (1, FEE_FEN, "filed")
    assert notice["deadline"] == "2026-12-05"  # notified 2026-11-28 (Beijing), + 7 days
    assert notice["payer_name"] == "陈明"
    assert [p["is_payer"] for p in account["parties"]] == [True, False, False]
    assert account["parties"][0]["phone"] == "138****0011"
    # The plaintiff by SMS, their lawyer by e-mail; the defendant pays nothing in advance.
    texts = [m for m in sms_sent(ctx) if m["to"] == PLAINTIFF_PHONE]
    assert len(texts) == 1
    text = texts[0]["text"]
    assert "陈明" in text and "2,769.14元" in text and "2026年12月5日" in text
    link = text.split("在线缴费：")[1]
    assert parse_qs(urlsplit(link).query)["t"] == [account["pay_link"].split("t=")[1]]
    mails = mail_sent(ctx)
    assert len(mails) == 1 and AGENT_EMAIL in mails[0]
    assert "legal@example.cn" not in "".join(mails)
    assert {(s["channel"], s["status"]) for s in account["sends"]} == {
        ("sms", "sent"),
        ("email", "sent"),
    }
    assert [m["kind"] for m in account["movements"]] == ["assessment"]


def test_a_filing_heard_twice_opens_one_account(app, ctx, fees_world, staff_client) -> None:
    filed = filed_case(fees_world)
    file_case(app, ctx, filed)
    file_case(app, ctx, filed)  # the same event delivered again (another event, same case)
    with fees_context(app).session_factory() as s:
        assert s.query(FeeAccount).count() == 1
    assert len([m for m in sms_sent(ctx) if m["to"] == PLAINTIFF_PHONE]) == 1


def test_staff_find_an_account_by_notice_code(app, ctx, fees_world, staff_client) -> None:
    file_case(app, ctx, filed_case(fees_world))
    clerk = staff_client("clerk_a")
    code = clerk.get("/api/fees/lookup", params={"q": NUMBER}).json()["notice_code"]
    spaced = " ".join(code[i : i + 4] for i in range(0, 18, 4))
    assert clerk.get("/api/fees/lookup", params={"q": spaced}).json()["case_number"] == NUMBER
    wrong = code[:-3] + str((int(code[-3]) + 1) % 10) + code[-2:]
    answer = clerk.get("/api/fees/lookup", params={"q": wrong})
    assert answer.status_code == 422, answer.text
    assert "校验位" in answer.json()["error"]["message_zh"]
    swapped = code[:5] + code[6] + code[5] + code[7:]
    if swapped != code:
        assert clerk.get("/api/fees/lookup", params={"q": swapped}).status_code == 422
    assert staff_client("clerk_b").get("/api/fees/lookup", params={"q": code}).status_code == 404
    recorder = staff_client("recorder_a").get("/api/fees/lookup", params={"q": code})
    assert recorder.status_code == 403
    assert "记录员" in recorder.json()["error"]["message_zh"]
    assert staff_client("finance_a").get("/api/fees/lookup", params={"q": code}).status_code == 200
    anonymous = clerk.__class__(app)  # a browser with no session
    assert anonymous.get("/api/fees/lookup", params={"q": code}).status_code == 401


def test_a_changed_claim_reissues_the_notice(app, ctx, fees_world, staff_client) -> None:
    file_case(app, ctx, filed_case(fees_world))
    clerk = staff_client("filing_a")
    answer = clerk.post(
        f"/api/fees/accounts/{ACCOUNT}/notices",
        json={"reason": "claim_changed", "note": "原告减少诉讼请求", "claim_amount_fen": 5_000_000},
    )
    assert answer.status_code == 201, answer.text
    run(app)
    account = clerk.get("/api/fees/lookup", params={"q": NUMBER}).json()
    # 50,000 yuan: 50 + 40,000 × 2.5% = 1,050 yuan.
    assert [n["amount_fen"] for n in account["notices"]] == [FEE_FEN, 105_000]
    assert account["notices"][1]["reason_text"] == "变更诉讼请求：原告减少诉讼请求"
    assert account["notices"][1]["issued_by"] == "刘芳"
    assert account["balances"]["outstanding_fen"] == 105_000
    adjustment = account["movements"][1]
    assert adjustment["kind"] == "adjustment"
    assert sorted(p["amount_fen"] for p in adjustment["postings"]) == [-171_914, 171_914]
    texts = [m["text"] for m in sms_sent(ctx) if m["to"] == PLAINTIFF_PHONE]
    assert len(texts) == 2 and "1,050.00元（第2版，变更诉讼请求：原告减少诉讼请求）" in texts[1]


def test_only_those_who_handle_fees_reissue_a_notice(app, ctx, fees_world, staff_client) -> None:
    file_case(app, ctx, filed_case(fees_world))
    body = {"reason": "reduced", "amount_fen": 100_000, "note": "经济困难，准予减交"}
    answer = staff_client("admin_a").post(f"/api/fees/accounts/{ACCOUNT}/notices", json=body)
    assert answer.status_code == 403
    too_much = {**body, "amount_fen": FEE_FEN}
    answer = staff_client("clerk_a").post(f"/api/fees/accounts/{ACCOUNT}/notices", json=too_much)
    assert answer.status_code == 422
    assert answer.json()["error"]["message_zh"] == "减交后的金额须低于原金额"
    answer = staff_client("clerk_a").post(f"/api/fees/accounts/{ACCOUNT}/notices", json=body)
    assert answer.status_code == 201
    assert answer.json()["balances"]["outstanding_fen"] == 100_000


def test_mediation_halves_the_fee(app, ctx, fees_world, staff_client) -> None:
    from datetime import date

    filed = filed_case(fees_world)
    file_case(app, ctx, filed)
    close_case(app, ctx, filed, "mediation", date(2026, 12, 20))
    account = staff_client("clerk_a").get("/api/fees/lookup", params={"q": NUMBER}).json()
    assert account["status"] == "closed" and account["outcome"] == "mediation"
    # 2,769.14 / 2 = 1,384.57 yuan.
    assert account["notices"][-1]["amount_fen"] == 138_457
    assert account["notices"][-1]["reason_text"] == "调解结案，案件受理费减半"
    assert account["balances"]["outstanding_fen"] == 138_457


def test_a_simplified_case_is_charged_half_at_filing(app, ctx, fees_world, staff_client) -> None:
    file_case(app, ctx, filed_case(fees_world, procedure="simplified"))
    account = staff_client("clerk_a").get("/api/fees/lookup", params={"q": NUMBER}).json()
    assert account["amount_fen"] == 138_457


def test_a_divorce_without_property_is_charged_per_case(app, ctx, fees_world, staff_client) -> None:
    file_case(app, ctx, filed_case(fees_world, cause_code="C14", cause="离婚纠纷", claim_fen=None))
    account = staff_client("clerk_a").get("/api/fees/lookup", params={"q": NUMBER}).json()
    assert (account["fee_kind"], account["amount_fen"]) == ("divorce", 5_000)


def test_a_bank_transfer_recorded_at_the_counter(app, ctx, fees_world, staff_client) -> None:
    file_case(app, ctx, filed_case(fees_world))
    body = {
        "amount_fen": FEE_FEN,
        "channel": "bank_transfer",
        "reference": "ICBC20261128000123",
        "payer_name": "陈明",
    }
    clerk = staff_client("clerk_a").post(f"/api/fees/accounts/{ACCOUNT}/payments", json=body)
    assert clerk.status_code == 403
    finance = staff_client("finance_a")
    answer = finance.post(f"/api/fees/accounts/{ACCOUNT}/payments", json=body)
    assert answer.status_code == 201, answer.text
    account = answer.json()
    assert account["balances"]["outstanding_fen"] == 0
    assert [(o["channel"], o["booked_by"]) for o in account["orders"]] == [
        ("bank_transfer", "counter")
    ]
    twice = finance.post(f"/api/fees/accounts/{ACCOUNT}/payments", json=body)
    assert twice.status_code == 409
    assert twice.json()["error"]["message_zh"] == "流水号 ICBC20261128000123 的缴费已经登记过"
    run(app)  # the receipt: sealed PDF and SMS to the payer
    texts = [
        m["text"] for m in sms_sent(ctx) if m["to"] == PLAINTIFF_PHONE and "票据号" in m["text"]
    ]
    assert len(texts) == 1 and "银行转账流水号ICBC20261128000123" in texts[0]
    account = finance.get(f"/api/fees/accounts/{ACCOUNT}").json()
    assert [r["ready"] for r in account["receipts"]] == [True]


def test_an_unpaid_notice_is_overdue_after_its_deadline(
    app, ctx, clock, fees_world, staff_client
) -> None:
    from datetime import timedelta

    file_case(app, ctx, filed_case(fees_world))
    assert staff_client("clerk_a").get(f"/api/fees/accounts/{ACCOUNT}").json()["overdue"] is False
    clock.advance(timedelta(days=7))  # 2026-12-05 16:00 Beijing: the last day
    assert staff_client("clerk_a").get(f"/api/fees/accounts/{ACCOUNT}").json()["overdue"] is False
    clock.advance(timedelta(days=1))
    listed = staff_client("clerk_a").get("/api/fees/accounts").json()["items"]
    assert [(a["deadline"], a["overdue"]) for a in listed] == [("2026-12-05", True)]
