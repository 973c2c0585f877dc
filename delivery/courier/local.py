"""The local courier simulator (development, tests, demonstrations): waybills in a JSON file of
its own directory, numbered like EMS's (``1<11 digits>``); the same reference gets the same
waybill; an outage (a file ``down`` in its directory) refuses letters until it is removed; and
:meth:`LocalCourier.track` makes the signed tracking callback the real courier would send."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from delivery.courier.api import CourierUnavailableError, Letter, TrackingEvent, sign_callback

__all__ = ["LocalCourier"]


class LocalCourier:
    name = "邮政EMS（本地模拟）"

    def __init__(self, folder: Path, key: bytes, clock: Callable[[], datetime]) -> None:
        self.folder = folder
        self._key = key
        self._clock = clock
        self._lock = threading.Lock()
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def _file(self) -> Path:
        return self.folder / "waybills.json"

    def _load(self) -> dict[str, dict[str, str]]:
        return json.loads(self._file.read_text("utf-8")) if self._file.exists() else {}

    def set_down(self, down: bool) -> None:
        flag = self.folder / "down"
        if down:
            flag.touch()
        else:
            flag.unlink(missing_ok=True)

    def post(self, letter: Letter) -> str:
        if (self.folder / "down").exists():
            raise CourierUnavailableError("the courier's service is unavailable (simulated outage)")
        with self._lock:
            waybills = self._load()
            for number, known in waybills.items():
                if known["reference"] == letter.reference:
                    return number
            number = f"1{len(waybills) + 1:011d}"
            waybills[number] = {
                "reference": letter.reference,
                "recipient": letter.recipient,
                "address": letter.address,
                "posted_at": self._clock().isoformat(),
            }
            tmp = self._file.with_suffix(".tmp")
            tmp.write_text(json.dumps(waybills, ensure_ascii=False), "utf-8")
            tmp.replace(self._file)
        return number

    def letters(self) -> dict[str, dict[str, str]]:
        return self._load()

    def track(self, waybill: str, status: str, note: str = "") -> tuple[bytes, dict[str, str]]:
        """The signed callback of a tracking event of ``waybill`` (body, headers)."""
        if waybill not in self._load():
            raise KeyError(f"no such waybill: {waybill}")
        now = self._clock()
        event = TrackingEvent(
            event_id=f"{waybill}-{status}", waybill=waybill, status=status, at=now, note=note
        )
        return sign_callback(self._key, event, now)
