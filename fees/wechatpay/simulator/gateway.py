"""The simulated gateway's operations, apart from HTTP: what WeChat Pay does with each call.

The rules follow the real API where the documents state them:

- ``create_native``: a repeated ``out_trade_no`` with the same parameters answers the same
  ``code_url``; with other parameters ``OUT_TRADE_NO_USED``; a paid order ``ORDERPAID``; a closed
  one ``ORDER_CLOSED``. The merchant and app must be the provisioned ones
  (``APPID_MCHID_NOT_MATCH``).
- An order past ``time_expire`` can no longer be paid and reads ``CLOSED``.
- ``pay`` (the payer's phone) turns ``NOTPAY`` into ``SUCCESS`` once; paying again is a no-op.
- ``create_refund``: a repeated ``out_refund_no`` answers the existing refund. A refund is
  ``PROCESSING`` and completes later (``refund_delay_s`` / ``time_scale``), ``SUCCESS`` or, with
  the ``fail_refund`` fault, ``ABNORMAL``; either way it is notified to its ``notify_url``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
import uuid
from collections.abc import Callable, Coroutine, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fees.wechatpay.bill import BEIJING
from fees.wechatpay.crypto import encrypt_resource
from fees.wechatpay.simulator.answers import (
    code_url,
    order_answer,
    payment_resource,
    refund_answer,
    refund_resource,
)
from fees.wechatpay.simulator.faults import DeliveryFaults, FaultBook
from fees.wechatpay.simulator.keys import SimulatorKeys
from fees.wechatpay.simulator.notifier import Notifier
from fees.wechatpay.simulator.store import Notification, Order, Refund, Store

__all__ = ["Gateway", "GatewayError", "state_path"]


class GatewayError(Exception):
    """An answer of WeChat's error shape: ``status`` and ``{"code": ..., "message": ...}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _digits(count: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(count))


class Gateway:
    def __init__(
        self,
        keys: SimulatorKeys,
        store: Store,
        notifier: Notifier,
        *,
        time_scale: float = 1.0,
        refund_delay_s: float = 5.0,
        clock: Callable[[], float],
    ) -> None:
        self.keys = keys
        self.store = store
        self.notifier = notifier
        self.faults = FaultBook()
        self._time_scale = time_scale
        self._refund_delay_s = refund_delay_s
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------ lifecycle

    def resume(self) -> None:
        """After a restart: pending deliveries go on, processing refunds complete."""
        for notification in self.store.notifications.values():
            if notification.status == "pending":
                self.notifier.send(notification)
        for refund in self.store.refunds.values():
            if refund.status == "PROCESSING":
                self._later(self._complete_refund(refund.out_refund_no))

    async def idle(self) -> None:
        """Until refunds in progress have completed and every notification has ended."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.notifier.idle()

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.notifier.aclose()
        self.store.close()

    def _later(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), BEIJING).replace(microsecond=0)

    # ------------------------------------------------------------ payments

    def create_native(self, payload: Mapping[str, Any]) -> dict[str, str]:
        try:
            amount = payload["amount"]
            total = amount["total"]
            order = Order(
                out_trade_no=str(payload["out_trade_no"]),
                appid=str(payload["appid"]),
                mchid=str(payload["mchid"]),
                description=str(payload["description"]),
                total_fen=total,
                currency=str(amount.get("currency", "CNY")),
                notify_url=str(payload["notify_url"]),
                time_expire=payload.get("time_expire"),
                attach=payload.get("attach"),
                token=secrets.token_urlsafe(12),
                created_at=self.now().isoformat(),
            )
            expiry = order.time_expire
            if expiry is not None and datetime.fromisoformat(expiry).tzinfo is None:
                raise ValueError("time_expire needs its offset (RFC 3339)")
        except (KeyError, TypeError, ValueError) as exc:
            raise GatewayError(400, "PARAM_ERROR", f"参数错误：{exc}") from exc
        if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
            raise GatewayError(400, "PARAM_ERROR", "订单金额必须为正整数（分）")
        if order.currency != "CNY":
            raise GatewayError(400, "PARAM_ERROR", "不支持的币种")
        if (order.mchid, order.appid) != (self.keys.mchid, self.keys.appid):
            raise GatewayError(400, "APPID_MCHID_NOT_MATCH", "AppID和mch_id不匹配")
        existing = self.store.orders.get(order.out_trade_no)
        if existing is not None:
            state = self.state(existing)
            if state in ("SUCCESS", "REFUND"):
                raise GatewayError(400, "ORDERPAID", "该订单已支付")
            if state == "CLOSED":
                raise GatewayError(400, "ORDER_CLOSED", "订单已关闭")
            same = dataclasses.replace(order, token=existing.token, created_at=existing.created_at)
            if same != existing:
                raise GatewayError(400, "OUT_TRADE_NO_USED", "商户订单号重复")
            return {"code_url": code_url(existing.token)}
        self.store.put(order)
        if self.faults.take_pay_immediately(order.out_trade_no):
            self.pay(order.token)
        return {"code_url": code_url(order.token)}

    def state(self, order: Order) -> str:
        """The trade state as a query reads it (an unpaid order past its expiry is CLOSED)."""
        if (
            order.trade_state == "NOTPAY"
            and order.time_expire is not None
            and datetime.fromisoformat(order.time_expire) <= self.now()
        ):
            return "CLOSED"
        return order.trade_state

    def order(self, out_trade_no: str, mchid: str | None = None) -> Order:
        order = self.store.orders.get(out_trade_no)
        if order is None or (mchid is not None and mchid != order.mchid):
            raise GatewayError(404, "ORDER_NOT_EXIST", "订单不存在")
        return order

    def query_order(self, out_trade_no: str, mchid: str) -> dict[str, Any]:
        order = self.order(out_trade_no, mchid)
        return order_answer(order, self.state(order))

    def close_order(self, out_trade_no: str, mchid: str) -> None:
        order = self.order(out_trade_no, mchid)
        if order.trade_state in ("SUCCESS", "REFUND"):
            raise GatewayError(400, "ORDERPAID", "该订单已支付")
        if order.trade_state != "CLOSED":
            self.store.put(dataclasses.replace(order, trade_state="CLOSED"))

    def pay(self, token: str) -> Order:
        """The payer confirms on their phone."""
        order = self.store.order_by_token(token)
        if order is None:
            raise GatewayError(404, "ORDER_NOT_EXIST", "订单不存在")
        state = self.state(order)
        if state in ("SUCCESS", "REFUND"):
            return order
        if state == "CLOSED":
            raise GatewayError(400, "ORDER_CLOSED", "订单已关闭")
        paid = dataclasses.replace(
            order,
            trade_state="SUCCESS",
            transaction_id="4200" + self.now().strftime("%Y%m%d") + _digits(16),
            success_time=self.now().isoformat(),
            payer_openid="oSim" + secrets.token_hex(12),
        )
        self.store.put(paid)
        faults = self.faults.take_delivery(order.out_trade_no)
        resource = payment_resource(paid, extra_fen=1 if faults.wrong_amount else 0)
        self._notify(
            "TRANSACTION.SUCCESS", "支付成功", "transaction", paid.out_trade_no, paid.notify_url,
            resource, faults,
        )  # fmt: skip
        return paid

    def _notify(
        self,
        event_type: str,
        summary: str,
        original_type: str,
        key: str,
        notify_url: str,
        resource: dict[str, Any],
        faults: DeliveryFaults,
    ) -> None:
        plain = json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode()
        sealed = encrypt_resource(self.keys.apiv3_key, plain, associated_data=original_type)
        create_time = self.now().isoformat()
        notification_id = str(uuid.uuid4())
        envelope = {
            "id": notification_id,
            "create_time": create_time,
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": {"original_type": original_type, **sealed},
        }
        notification = Notification(
            id=notification_id,
            event_type=event_type,
            key=key,
            notify_url=notify_url,
            body=json.dumps(envelope, ensure_ascii=False, separators=(",", ":")),
            create_time=create_time,
            faults=faults.as_dict(),
        )
        self.store.put(notification)
        self.notifier.send(notification)

    # ------------------------------------------------------------ refunds

    def create_refund(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        try:
            out_refund_no = str(payload["out_refund_no"])
            amount = payload["amount"]
            refund_fen, total_fen = amount["refund"], amount["total"]
        except (KeyError, TypeError) as exc:
            raise GatewayError(400, "PARAM_ERROR", f"参数错误：{exc}") from exc
        existing = self.store.refunds.get(out_refund_no)
        if existing is not None:
            return refund_answer(existing)
        order = self._refunded_order(payload)
        if order.trade_state not in ("SUCCESS", "REFUND") or order.transaction_id is None:
            raise GatewayError(400, "INVALID_REQUEST", "订单未支付，不能退款")
        if not isinstance(refund_fen, int) or refund_fen <= 0 or total_fen != order.total_fen:
            raise GatewayError(400, "PARAM_ERROR", "退款金额或订单金额错误")
        if order.refunded_fen + refund_fen > order.total_fen:
            raise GatewayError(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
        refund = Refund(
            out_refund_no=out_refund_no,
            refund_id="50" + self.now().strftime("%Y%m%d") + _digits(19),
            out_trade_no=order.out_trade_no,
            transaction_id=order.transaction_id,
            refund_fen=refund_fen,
            total_fen=total_fen,
            reason=str(payload.get("reason", "")),
            notify_url=payload.get("notify_url"),
            create_time=self.now().isoformat(),
            fail=self.faults.take_fail_refund(order.out_trade_no),
        )
        self.store.put(
            dataclasses.replace(
                order, trade_state="REFUND", refunded_fen=order.refunded_fen + refund_fen
            )
        )
        self.store.put(refund)
        self._later(self._complete_refund(out_refund_no))
        return refund_answer(refund)

    def _refunded_order(self, payload: Mapping[str, Any]) -> Order:
        if "out_trade_no" in payload:
            order = self.store.orders.get(str(payload["out_trade_no"]))
        else:
            wanted = payload.get("transaction_id")
            order = next(
                (o for o in self.store.orders.values() if o.transaction_id == wanted), None
            )
        if order is None:
            raise GatewayError(404, "RESOURCE_NOT_EXISTS", "订单不存在")
        return order

    def refund(self, out_refund_no: str) -> Refund:
        refund = self.store.refunds.get(out_refund_no)
        if refund is None:
            raise GatewayError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        return refund

    async def _complete_refund(self, out_refund_no: str) -> None:
        await asyncio.sleep(self._refund_delay_s / self._time_scale)
        refund = self.store.refunds[out_refund_no]
        if refund.status != "PROCESSING":
            return
        if refund.fail:
            done = dataclasses.replace(refund, status="ABNORMAL")
        else:
            done = dataclasses.replace(
                refund, status="SUCCESS", success_time=self.now().isoformat()
            )
        self.store.put(done)
        if done.notify_url:
            resource = refund_resource(done, self.keys.mchid)
            summary = "退款成功" if done.status == "SUCCESS" else "退款异常"
            faults = self.faults.take_delivery(done.out_trade_no)
            self._notify(
                f"REFUND.{done.status}", summary, "refund", done.out_refund_no, done.notify_url,
                resource, faults,
            )  # fmt: skip

    # ------------------------------------------------------------ bills, certificates

    def bill_orders(self, bill_date: date) -> tuple[list[Order], list[Refund]]:
        """The payments that succeeded and the refunds accepted on ``bill_date`` (Beijing)."""

        def on_day(stamp: str | None) -> bool:
            return stamp is not None and datetime.fromisoformat(stamp).date() == bill_date

        paid = [o for o in self.store.orders.values() if on_day(o.success_time)]
        refunds = [r for r in self.store.refunds.values() if on_day(r.create_time)]
        return paid, refunds


def state_path(directory: Path) -> Path:
    return directory / "state.jsonl"
