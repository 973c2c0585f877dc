"""The simulator's state: orders, refunds and notifications, kept as append-only JSON lines.

Each change appends the record's whole new version (``{"type": "order", "data": {...}}``) and
flushes it to disk; on start the file is replayed, the last version of each record winning. So a
restart (or a ``kill -9`` between two lines) keeps every acknowledged change, which is what a
test of the merchant's recovery needs: a payment the simulator accepted is never forgotten.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["Notification", "Order", "Refund", "Store"]


@dataclass(frozen=True, slots=True)
class Order:
    out_trade_no: str
    appid: str
    mchid: str
    description: str
    total_fen: int
    currency: str
    notify_url: str
    time_expire: str | None
    attach: str | None
    token: str
    """The ``pr`` of the code URL: what the payer's phone scans."""
    created_at: str
    trade_state: str = "NOTPAY"
    transaction_id: str | None = None
    success_time: str | None = None
    payer_openid: str | None = None
    refunded_fen: int = 0


@dataclass(frozen=True, slots=True)
class Refund:
    out_refund_no: str
    refund_id: str
    out_trade_no: str
    transaction_id: str
    refund_fen: int
    total_fen: int
    reason: str
    notify_url: str | None
    create_time: str
    status: str = "PROCESSING"
    success_time: str | None = None
    fail: bool = False


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    event_type: str
    key: str
    """The ``out_trade_no`` (payment) or ``out_refund_no`` (refund) it is about."""
    notify_url: str
    body: str
    """The JSON envelope, fixed at creation: every retry sends the same body."""
    create_time: str
    faults: dict[str, Any]
    status: str = "pending"
    """``pending``, ``delivered``, ``failed`` (retries exhausted) or ``dropped`` (a fault)."""
    attempts: int = 0


_TYPES: dict[str, type[Order] | type[Refund] | type[Notification]] = {
    "order": Order,
    "refund": Refund,
    "notification": Notification,
}


class Store:
    def __init__(self, path: Path) -> None:
        self._path = path
        self.orders: dict[str, Order] = {}
        self.refunds: dict[str, Refund] = {}
        self.notifications: dict[str, Notification] = {}
        self.tokens: dict[str, str] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    self._apply(_TYPES[record["type"]](**record["data"]))
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")

    def close(self) -> None:
        self._file.close()

    def _apply(self, record: Order | Refund | Notification) -> None:
        if isinstance(record, Order):
            self.orders[record.out_trade_no] = record
            self.tokens[record.token] = record.out_trade_no
        elif isinstance(record, Refund):
            self.refunds[record.out_refund_no] = record
        else:
            self.notifications[record.id] = record

    def put(self, record: Order | Refund | Notification) -> None:
        kind = next(name for name, cls in _TYPES.items() if isinstance(record, cls))
        line = json.dumps({"type": kind, "data": asdict(record)}, ensure_ascii=False)
        self._file.write(line + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._apply(record)

    def order_by_token(self, token: str) -> Order | None:
        out_trade_no = self.tokens.get(token)
        return None if out_trade_no is None else self.orders.get(out_trade_no)
