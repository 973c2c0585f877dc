"""The JSON WeChat Pay answers and notifies, built from the simulator's records. Pure.

Field names and shapes as in the API reference (Native 查询订单, 申请退款/查询单笔退款, 支付/退款
通知的 resource 明文, 下载平台证书); amounts in fen, times RFC 3339 in Beijing time.
"""

from __future__ import annotations

from typing import Any

from fees.wechatpay.bill import BEIJING
from fees.wechatpay.crypto import encrypt_resource, load_certificate
from fees.wechatpay.simulator.keys import SimulatorKeys
from fees.wechatpay.simulator.store import Order, Refund

__all__ = [
    "STATE_DESC",
    "certificates_answer",
    "code_url",
    "order_answer",
    "payment_resource",
    "refund_answer",
    "refund_resource",
]

STATE_DESC = {
    "SUCCESS": "支付成功",
    "NOTPAY": "订单未支付",
    "CLOSED": "订单已关闭",
    "REFUND": "转入退款",
}
RECEIVED_ACCOUNT = "支付用户零钱"


def code_url(token: str) -> str:
    return f"weixin://wxpay/bizpayurl?pr={token}"


def order_answer(order: Order, state: str) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "appid": order.appid,
        "mchid": order.mchid,
        "out_trade_no": order.out_trade_no,
        "trade_type": "NATIVE",
        "trade_state": state,
        "trade_state_desc": STATE_DESC.get(state, state),
        "attach": order.attach or "",
        "amount": {"total": order.total_fen, "currency": order.currency},
    }
    if order.transaction_id is not None:
        answer["transaction_id"] = order.transaction_id
        answer["bank_type"] = "OTHERS"
        answer["success_time"] = order.success_time
        answer["payer"] = {"openid": order.payer_openid}
        answer["amount"].update(payer_total=order.total_fen, payer_currency="CNY")
    return answer


def payment_resource(paid: Order, *, extra_fen: int = 0) -> dict[str, Any]:
    """A payment notification's plaintext; ``extra_fen`` misstates the amount (a fault)."""
    total = paid.total_fen + extra_fen
    return {
        "mchid": paid.mchid,
        "appid": paid.appid,
        "out_trade_no": paid.out_trade_no,
        "transaction_id": paid.transaction_id,
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "attach": paid.attach or "",
        "success_time": paid.success_time,
        "payer": {"openid": paid.payer_openid},
        "amount": {
            "total": total,
            "payer_total": total,
            "currency": "CNY",
            "payer_currency": "CNY",
        },
    }


def refund_answer(refund: Refund) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "refund_id": refund.refund_id,
        "out_refund_no": refund.out_refund_no,
        "transaction_id": refund.transaction_id,
        "out_trade_no": refund.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": RECEIVED_ACCOUNT,
        "create_time": refund.create_time,
        "status": refund.status,
        "amount": {
            "total": refund.total_fen,
            "refund": refund.refund_fen,
            "payer_total": refund.total_fen,
            "payer_refund": refund.refund_fen,
            "settlement_refund": refund.refund_fen,
            "settlement_total": refund.total_fen,
            "discount_refund": 0,
            "currency": "CNY",
        },
    }
    if refund.success_time is not None:
        answer["success_time"] = refund.success_time
    return answer


def refund_resource(refund: Refund, mchid: str) -> dict[str, Any]:
    """A refund notification's plaintext."""
    resource: dict[str, Any] = {
        "mchid": mchid,
        "out_trade_no": refund.out_trade_no,
        "transaction_id": refund.transaction_id,
        "out_refund_no": refund.out_refund_no,
        "refund_id": refund.refund_id,
        "refund_status": refund.status,
        "user_received_account": RECEIVED_ACCOUNT,
        "amount": {
            "total": refund.total_fen,
            "refund": refund.refund_fen,
            "payer_total": refund.total_fen,
            "payer_refund": refund.refund_fen,
        },
    }
    if refund.success_time is not None:
        resource["success_time"] = refund.success_time
    return resource


def certificates_answer(keys: SimulatorKeys) -> dict[str, Any]:
    """``GET /v3/certificates``: the platform certificate, encrypted with the APIv3 key."""
    certificate = load_certificate(keys.platform_cert_pem)

    def stamp(moment: Any) -> str:
        return str(moment.astimezone(BEIJING).replace(microsecond=0).isoformat())

    sealed = encrypt_resource(keys.apiv3_key, keys.platform_cert_pem, associated_data="certificate")
    return {
        "data": [
            {
                "serial_no": keys.platform_serial,
                "effective_time": stamp(certificate.not_valid_before_utc),
                "expire_time": stamp(certificate.not_valid_after_utc),
                "encrypt_certificate": sealed,
            }
        ]
    }
