"""The pure parts: the ID number's check digit (GB 11643-1999), the ranking's hand-worked
scores, request and answer signatures, and the simulator's refusals (in process)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient

from addresses.connectors import QUERY_PATH
from addresses.found import Found
from addresses.idnumber import IdNumberError, check_digit, id_hash, mask, parse_id_number
from addresses.ranking import normalise, rank
from addresses.signing import (
    ANSWER_SIGNATURE,
    NONCE,
    SIGNATURE,
    SignatureError,
    sign_request,
    verify_answer,
    verify_request,
)
from addresses.simulator.__main__ import DATA_DIR
from addresses.simulator.app import make_app

KEY = bytes(range(32))


def wide(text: str) -> str:
    """The full-width form of ASCII letters and digits (as typed with a Chinese input method)."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    ("first17", "digit"),
    [
        ("11010519491231002", "X"),  # the standard's own example
        ("44052418800101001", "4"),  # GB 11643-1999 appendix
        ("44010619850312451", "8"),  # worked below
    ],
)
def test_check_digits(first17: str, digit: str) -> None:
    assert check_digit(first17) == digit


def test_a_check_digit_worked_by_hand() -> None:
    # 4 4 0 1 0 6 1 9 8 5 0 3 1 2 4 5 1 by 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
    # 28+36+0+5+0+24+2+9+48+15+0+27+10+10+32+20+2 = 268; 268 mod 11 = 4 -> "8"
    assert sum(int(d) * w for d, w in zip("44010619850312451", (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7,
               9, 10, 5, 8, 4, 2), strict=True)) == 268  # fmt: skip
    assert check_digit("44010619850312451") == "8"


def test_id_numbers_are_checked_and_never_echoed() -> None:
    assert parse_id_number(" 11010519491231002x ") == "11010519491231002X"
    for bad in ("11010519491231002Y", "01010519491231002X", "110105194912310021",
                "110105194902300023", "1101051949123100", wide("11010519491231002X"),
                wide("11010519491231002") + "X"):  # fmt: skip
        with pytest.raises(IdNumberError) as refused:
            parse_id_number(bad)
        assert bad not in str(refused.value) and bad not in refused.value.zh
    assert mask("440106198503124518") == "440106********4518"
    assert id_hash(KEY, "440106198503124518") == id_hash(KEY, "440106198503124518")
    assert id_hash(KEY, "440106198503124518") != id_hash(bytes(32), "440106198503124518")


def _found(source: str, address: str, kind: str, on: date, code: str | None = None) -> Found:
    return Found(source, address, code, kind, on)


def test_ranking_worked_by_hand() -> None:
    today = date(2026, 12, 1)
    ranked = rank(
        [
            _found("migrant", "广州市天河区体育西路191号1203室", "residence", date(2026, 11, 1)),
            _found("postal", "广州市天河区体育西路" + wide("191") + "号 1203室", "delivered", date(2026, 6, 1),
                   "510620"),
            _found("postal", "广州市海珠区新港中路397号", "mailing", date(2026, 12, 1)),
            _found("migrant", "长沙市岳麓区麓山南路932号", "registered", date(2018, 1, 1)),
        ],
        today,
    )  # fmt: skip
    # Tianhe: best kind delivered 40; latest 2026-11-01, 30 days -> 30 - 1 = 29; two agencies +20
    # Haizhu: mailing 25 + 30 (today) = 55.  Changsha: registered 15 + 0 = 15.
    assert [(r.score, r.sources) for r in ranked] == [
        (89, ["migrant", "postal"]), (55, ["postal"]), (15, ["migrant"])
    ]  # fmt: skip
    assert ranked[0].postal_code == "510620" and ranked[0].latest_on == date(2026, 11, 1)
    assert ranked[0].address == "广州市天河区体育西路191号1203室"  # the newest record's wording


def test_one_agency_alone_and_ties() -> None:
    today = date(2026, 12, 1)
    alone = rank([_found("migrant", "某市某路1号", "residence", date(2026, 11, 1))], today)
    assert [r.score for r in alone] == [64]  # the module's worked example: 35 + 29
    tie = rank([_found("a", "乙路2号", "mailing", date(2026, 1, 1)),
                _found("a", "甲路1号", "mailing", date(2026, 1, 1))], today)  # fmt: skip
    assert [r.address for r in tie] == [
        "乙路2号",
        "甲路1号",
    ]  # equal: by address (乙 U+4E59 < 甲 U+7532)
    assert rank([], today) == []
    assert (
        normalise(wide("B") + "座 12-03 室，") == normalise("B座1203室")
        and normalise("3号楼") == "3栋"
    )


def test_signatures() -> None:
    body = b'{"a": 1}'
    headers = sign_request(KEY, "court", QUERY_PATH, body, 1_000_000)
    keys = {"court": KEY}
    assert verify_request(keys, headers, QUERY_PATH, body, 1_000_100, 300)[0] == "court"
    wrongs: tuple[Callable[[], object], ...] = (
        lambda: verify_request(keys, headers, QUERY_PATH, b'{"a": 2}', 1_000_000, 300),
        lambda: verify_request(keys, headers, "/other", body, 1_000_000, 300),
        lambda: verify_request(keys, headers, QUERY_PATH, body, 1_000_301, 300),
        lambda: verify_request({"court": bytes(32)}, headers, QUERY_PATH, body, 1_000_000, 300),
        lambda: verify_request(keys, {**headers, SIGNATURE: "x"}, QUERY_PATH, body, 1_000_000, 300),
    )
    for wrong in wrongs:
        with pytest.raises(SignatureError):
            wrong()
    from addresses.signing import answer_signature

    signature = answer_signature(KEY, headers[NONCE], body)
    verify_answer(KEY, headers[NONCE], body, signature)
    with pytest.raises(SignatureError):
        verify_answer(KEY, "0" * 32, body, signature)  # an answer to another request
    with pytest.raises(SignatureError):
        verify_answer(KEY, headers[NONCE], body, None)


def _query(id_number: str, name: str) -> bytes:
    return json.dumps({"request_id": "r" * 16, "case_number": "（2026）粤0104民初1号",
                       "purpose": "judicial_service", "name": name,
                       "id_number": id_number}, ensure_ascii=False).encode()  # fmt: skip


def test_the_simulator_refuses_replays_and_answers_only_name_and_number_together() -> None:
    client = TestClient(make_app(DATA_DIR / "postal.json", {"court": KEY}))
    body = _query("440106198503124518", "王强")
    headers = sign_request(KEY, "court", QUERY_PATH, body, time.time())
    first = client.post(QUERY_PATH, content=body, headers=headers)
    assert first.status_code == 200 and len(first.json()["records"]) == 2
    verify_answer(KEY, headers[NONCE], first.content, first.headers[ANSWER_SIGNATURE])
    assert client.post(QUERY_PATH, content=body, headers=headers).status_code == 401  # replay
    assert client.post(QUERY_PATH, content=body).status_code == 401  # unsigned
    other = _query("440106198503124518", "王小强")
    answer = client.post(QUERY_PATH, content=other,
                         headers=sign_request(KEY, "court", QUERY_PATH, other, time.time()))  # fmt: skip
    assert answer.status_code == 200 and answer.json()["records"] == []
    stale = sign_request(KEY, "court", QUERY_PATH, body, time.time() - 3600)
    assert client.post(QUERY_PATH, content=body, headers=stale).status_code == 401
