"""Fault injection for tests (``POST /sim/faults``), pure bookkeeping.

A fault plan applies to the next payment (or refund, or API call) when it names no order, or to
the order ``out_trade_no`` names. Its parts are consumed separately, where they act:

- delivery faults, taken when the payment (or refund) notification is made:
  ``duplicate`` (N copies sent at once), ``delay_s`` (before the first attempt), ``drop`` (never
  sent: only a query finds the payment), ``forge`` (a signature that does not verify),
  ``wrong_amount`` (the notification states one fen more than the order), ``stale`` (signed with
  a timestamp an hour old), ``replay`` (after delivery, the same request sent once more);
- ``pay_immediately``: the order is paid as it is created, so the notification may arrive
  before the merchant has even stored the answer;
- ``fail_refund``: the refund ends ``ABNORMAL`` (notified ``REFUND.ABNORMAL``);
- ``timeout_once`` (an API name, as the client's method: ``create_native_order``,
  ``query_order``, ``close_order``, ``create_refund``, ``query_refund``, ``trade_bill``,
  ``certificates``): the next such call is carried out but answered only after ``timeout_s``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

__all__ = ["API_NAMES", "DeliveryFaults", "FaultBook", "FaultPlan"]

API_NAMES = frozenset(
    {
        "create_native_order",
        "query_order",
        "close_order",
        "create_refund",
        "query_refund",
        "trade_bill",
        "certificates",
    }
)


@dataclass(frozen=True, slots=True)
class DeliveryFaults:
    duplicate: int = 1
    delay_s: float = 0.0
    drop: bool = False
    forge: bool = False
    wrong_amount: bool = False
    stale: bool = False
    replay: bool = False

    def any(self) -> bool:
        return self != DeliveryFaults()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> DeliveryFaults:
        return DeliveryFaults(**data)


_DELIVERY = tuple(field.name for field in fields(DeliveryFaults))


@dataclass(frozen=True, slots=True)
class FaultPlan:
    out_trade_no: str | None = None
    delivery: DeliveryFaults = DeliveryFaults()
    pay_immediately: bool = False
    fail_refund: bool = False
    timeout_once: str | None = None
    timeout_s: float = 30.0

    @staticmethod
    def from_dict(data: dict[str, Any]) -> FaultPlan:
        delivery = {key: data[key] for key in _DELIVERY if key in data}
        rest = {key: value for key, value in data.items() if key not in _DELIVERY}
        return FaultPlan(delivery=DeliveryFaults(**delivery), **rest)


class FaultBook:
    """Plans waiting to act, oldest first. Each ``take_*`` removes what it used."""

    def __init__(self) -> None:
        self._plans: list[FaultPlan] = []

    def add(self, plan: FaultPlan) -> None:
        self._plans.append(plan)

    def clear(self) -> None:
        self._plans.clear()

    def pending(self) -> list[FaultPlan]:
        return list(self._plans)

    def _find(self, out_trade_no: str | None, wanted: str) -> int | None:
        def has(plan: FaultPlan) -> bool:
            if wanted == "delivery":
                return plan.delivery.any()
            return bool(getattr(plan, wanted))

        for keyed in (True, False):
            for index, plan in enumerate(self._plans):
                if not has(plan):
                    continue
                if keyed and out_trade_no is not None and plan.out_trade_no == out_trade_no:
                    return index
                if not keyed and plan.out_trade_no is None:
                    return index
        return None

    def _consume(self, index: int, **cleared: Any) -> None:
        plan = self._plans[index]
        left = replace(plan, **cleared)
        if (
            left.delivery.any()
            or left.pay_immediately
            or left.fail_refund
            or left.timeout_once is not None
        ):
            self._plans[index] = left
        else:
            del self._plans[index]

    def take_delivery(self, out_trade_no: str) -> DeliveryFaults:
        index = self._find(out_trade_no, "delivery")
        if index is None:
            return DeliveryFaults()
        faults = self._plans[index].delivery
        self._consume(index, delivery=DeliveryFaults())
        return faults

    def take_pay_immediately(self, out_trade_no: str) -> bool:
        index = self._find(out_trade_no, "pay_immediately")
        if index is None:
            return False
        self._consume(index, pay_immediately=False)
        return True

    def take_fail_refund(self, out_trade_no: str) -> bool:
        index = self._find(out_trade_no, "fail_refund")
        if index is None:
            return False
        self._consume(index, fail_refund=False)
        return True

    def take_timeout(self, api: str, out_trade_no: str | None) -> float | None:
        """The delay before answering this call, if a plan asks for one."""
        for keyed in (True, False):
            for index, plan in enumerate(self._plans):
                if plan.timeout_once != api:
                    continue
                if (keyed and out_trade_no is not None and plan.out_trade_no == out_trade_no) or (
                    not keyed and plan.out_trade_no is None
                ):
                    self._consume(index, timeout_once=None)
                    return plan.timeout_s
        return None
