"""The local SMS provider's delivery receipts (状态报告), sent as the real provider sends them.

The local provider (development, tests, demonstrations) writes every SMS to
``<data dir>/sms/messages.jsonl`` and reaches no phone. :class:`LocalSmsReceipts` plays its
network's side: for each message of the delivery service (reference ``delivery-<attempt>``)
written since its last round, a receipt signed under the receipts' shared key
(:func:`delivery.sms_receipts.sign_receipt`) and posted to the server's own receipt route
(``POST /api/delivery/sms/receipt``), which checks it like any provider's: ``delivered`` for a
good number, ``undeliverable`` (空号) for one of the configured dead numbers
(``TINGSHEN_DELIVERY_SMS_DEAD_NUMBERS``). The receipt's id is the message's reference, so a
message sent again (a retried job) gets the same receipt, and the route counts it once.

How far it has read is kept in its own file beside the outbox; a round stops at the first
receipt the server did not take (down, 5xx) and tries it again in the next. A receipt the server
refuses (4xx) is logged and not sent again. Only in development (``sms_receipts_simulated``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx

from delivery.sms_receipts import SmsReceipt, attempt_id_of, sign_receipt

__all__ = ["RECEIPT_PATH", "LocalSmsReceipts", "http_poster"]

logger = logging.getLogger(__name__)

RECEIPT_PATH = "/api/delivery/sms/receipt"
DEAD_NUMBER_ERROR = "空号（本地模拟）"
Poster = Callable[[bytes, dict[str, str]], int]
"""Posts a signed receipt (body, headers); the HTTP status, ``0`` when the server was not
reached."""


def http_poster(base_url: str, timeout_s: float = 5.0) -> Poster:
    def post(body: bytes, headers: dict[str, str]) -> int:
        try:
            answer = httpx.post(
                base_url.rstrip("/") + RECEIPT_PATH, content=body, headers=headers,
                timeout=timeout_s,
            )  # fmt: skip
        except httpx.HTTPError as exc:
            logger.warning("the SMS receipt could not be posted: %s", exc)
            return 0
        return answer.status_code

    return post


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


class LocalSmsReceipts:
    def __init__(
        self,
        outbox: Path,
        key: bytes,
        clock: Callable[[], datetime],
        post: Poster,
        dead_numbers: frozenset[str] = frozenset(),
    ) -> None:
        self.outbox = outbox
        self._state = outbox.with_name("delivery-receipts.json")
        self._key = key
        self._clock = clock
        self._post = post
        self._dead = frozenset(_digits(n) for n in dead_numbers)

    def _read_from(self) -> int:
        if not self._state.exists():
            return 0
        return int(json.loads(self._state.read_text("utf-8"))["lines"])

    def _save(self, lines: int) -> None:
        temporary = self._state.with_suffix(".tmp")
        temporary.write_text(json.dumps({"lines": lines}), "utf-8")
        temporary.replace(self._state)

    def _complete_lines(self) -> list[str]:
        if not self.outbox.exists():
            return []
        text = self.outbox.read_text("utf-8")
        lines = text.split("\n")
        return lines[:-1]  # the last piece: "" after a final newline, or a line being written

    def receipt_of(self, message: dict[str, str]) -> SmsReceipt | None:
        """The receipt of one recorded message (``None``: not the delivery service's)."""
        reference = str(message.get("reference", ""))
        if attempt_id_of(reference) is None:
            return None
        dead = _digits(str(message.get("to", ""))) in self._dead
        return SmsReceipt(
            receipt_id=f"local-{reference}", reference=reference,
            status="undeliverable" if dead else "delivered", at=self._clock(),
            error=DEAD_NUMBER_ERROR if dead else "",
        )  # fmt: skip

    def send_due(self) -> int:
        """One round: the receipts of the messages written since the last; how many the server
        took."""
        lines = self._complete_lines()
        start = done = self._read_from()
        taken = 0
        for line in lines[start:]:
            receipt = self.receipt_of(json.loads(line)) if line.strip() else None
            if receipt is not None:
                body, headers = sign_receipt(self._key, receipt, self._clock())
                status = self._post(body, headers)
                if status == 0 or status >= 500:
                    break
                if status >= 400:
                    logger.warning("SMS receipt %s refused: %s", receipt.reference, status)
                else:
                    taken += 1
            done += 1
        if done != start:
            self._save(done)
        return taken
