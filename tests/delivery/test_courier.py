"""The courier's signed callbacks and the local simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from delivery.courier import CallbackError, CourierUnavailableError, Letter, parse_callback
from delivery.courier.local import LocalCourier

KEY = b"k" * 32
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def _courier(tmp_path: Path) -> LocalCourier:
    return LocalCourier(tmp_path, KEY, lambda: NOW)


def _parse(body: bytes, headers: dict[str, str], *, key: bytes = KEY, now: datetime = NOW):
    return parse_callback(key, body, headers["x-courier-timestamp"],
                          headers["x-courier-signature"], now=now, window_s=300)  # fmt: skip


def test_a_signed_callback_is_read(tmp_path: Path) -> None:
    courier = _courier(tmp_path)
    waybill = courier.post(Letter("delivery-1", "李强", "广州市天河区体育西路1号", None, "通知书"))
    assert waybill == "100000000001"
    assert courier.post(Letter("delivery-1", "李强", "x", None, "y")) == waybill  # same reference
    event = _parse(*courier.track(waybill, "returned", "查无此人"))
    assert (event.waybill, event.status, event.note) == (waybill, "returned", "查无此人")


def test_a_wrong_key_a_changed_body_or_an_old_timestamp_is_refused(tmp_path: Path) -> None:
    courier = _courier(tmp_path)
    waybill = courier.post(Letter("delivery-1", "李强", "广州市", None, "通知书"))
    body, headers = courier.track(waybill, "delivered")
    with pytest.raises(CallbackError, match="signature"):
        _parse(body, headers, key=b"x" * 32)
    with pytest.raises(CallbackError, match="signature"):
        _parse(body.replace(b"delivered", b"returned!"), headers)
    with pytest.raises(CallbackError, match="window"):
        _parse(body, headers, now=NOW + timedelta(minutes=6))
    with pytest.raises(CallbackError, match="timestamp"):
        _parse(body, {**headers, "x-courier-timestamp": "soon"})


def test_a_signed_body_that_is_not_a_tracking_event_is_refused() -> None:
    import hashlib
    import hmac

    body = b'{"waybill": "1", "status": "exploded"}'
    timestamp = str(int(NOW.timestamp()))
    mac = hmac.new(KEY, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    with pytest.raises(CallbackError, match="not a tracking event"):
        _parse(body, {"x-courier-timestamp": timestamp, "x-courier-signature": mac})


def test_an_outage_refuses_letters_until_it_ends(tmp_path: Path) -> None:
    courier = _courier(tmp_path)
    courier.set_down(True)
    with pytest.raises(CourierUnavailableError):
        courier.post(Letter("delivery-2", "李强", "广州市", None, "通知书"))
    courier.set_down(False)
    assert courier.post(Letter("delivery-2", "李强", "广州市", None, "通知书"))
