"""Timestamped HMAC requests (tingshen_platform/signed_requests.py): the wire format the courier,
the SMS provider and the party portal rely on, the domain that keeps one purpose's signature from
serving another, the freshness window both ways, and one refusal for whatever is wrong."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from tingshen_platform.signed_requests import SignatureError, check, sign, timestamp_of

KEY = b"a key shared by two services, long enough"
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
BODY = '{"case_number": "(2026)粤0104民初123号"}'.encode()


def test_the_signature_is_the_hmac_of_domain_timestamp_dot_body() -> None:
    timestamp = timestamp_of(NOW)
    assert timestamp == "1795852800"
    expected = hmac.new(KEY, b"party-links.1795852800." + BODY, hashlib.sha256).hexdigest()
    assert sign(KEY, "party-links.", timestamp, BODY) == expected
    assert (
        sign(KEY, "", timestamp, BODY)
        == hmac.new(KEY, b"1795852800." + BODY, hashlib.sha256).hexdigest()
    )


def test_a_good_fresh_signature_holds_in_either_case_and_within_the_window() -> None:
    timestamp = timestamp_of(NOW)
    signature = sign(KEY, "caller.", timestamp, b"abc")
    check(KEY, "caller.", timestamp, signature, b"abc", NOW, 300)
    check(KEY, "caller.", timestamp, signature.upper(), b"abc", NOW, 300)
    check(KEY, "caller.", timestamp, signature, b"abc", NOW + timedelta(seconds=300), 300)
    check(KEY, "caller.", timestamp, signature, b"abc", NOW - timedelta(seconds=300), 300)
    check(KEY, "caller.", timestamp, signature, b"abc", NOW.replace(tzinfo=None), 300)  # naive: UTC


@pytest.mark.parametrize(
    ("domain", "timestamp", "signature", "body", "now"),
    [
        ("party-links.", None, None, b"abc", NOW),  # another purpose's signature
        ("caller.", None, None, b"abd", NOW),  # another body
        ("caller.", None, "0" * 64, b"abc", NOW),  # forged
        ("caller.", None, "", b"abc", NOW),  # missing
        ("caller.", None, "é" * 64, b"abc", NOW),  # not even hex (latin-1 from a header)
        ("caller.", "", None, b"abc", NOW),  # no timestamp
        ("caller.", "17958528OO", None, b"abc", NOW),  # not a number
        ("caller.", "١٧٩٥٨٥٢٨٠٠", None, b"abc", NOW),  # digits, not ASCII ones
        ("caller.", "9" * 13, None, b"abc", NOW),  # absurdly long
        ("caller.", None, None, b"abc", NOW + timedelta(seconds=301)),  # stale
        ("caller.", None, None, b"abc", NOW - timedelta(seconds=301)),  # from the future
    ],
)
def test_anything_wrong_is_one_refusal(
    domain: str, timestamp: str | None, signature: str | None, body: bytes, now: datetime
) -> None:
    sent = timestamp_of(NOW) if timestamp is None else timestamp
    good = sign(KEY, "caller.", sent, b"abc")
    with pytest.raises(SignatureError):
        check(KEY, domain, sent, good if signature is None else signature, body, now, 300)


def test_another_key_is_refused() -> None:
    timestamp = timestamp_of(NOW)
    signature = sign(b"another key", "caller.", timestamp, b"abc")
    with pytest.raises(SignatureError, match="does not match"):
        check(KEY, "caller.", timestamp, signature, b"abc", NOW, 300)
