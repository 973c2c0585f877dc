"""The payer's phone, simulated: the page WeChat shows after scanning a Native ``code_url``.

Small mobile HTML in Chinese: the merchant, what is paid for, the amount, and 确认支付 / 取消.
Confirming pays the order (the notification goes out as for a real payment); cancelling leaves
it unpaid, as a payer who closes WeChat would.
"""

from __future__ import annotations

from html import escape

from fees.wechatpay.simulator.store import Order

__all__ = ["render_result", "render_wallet"]

_STYLE = """
body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;
background:#ededed}
main{max-width:420px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:8px;padding:24px 16px;text-align:center}
.merchant{color:#555;font-size:15px}.what{color:#333;margin:8px 0 16px}
.amount{font-size:40px;font-weight:600;margin:8px 0 24px}
button{display:block;width:100%;padding:12px;margin-top:12px;font-size:17px;border:0;border-radius:6px}
.pay{background:#07c160;color:#fff}.cancel{background:#f2f2f2;color:#07c160}
.note{color:#888;font-size:13px;margin-top:16px}
"""


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _page(title: str, inner: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f'<body><main><div class="card">{inner}</div>'
        '<p class="note">微信支付模拟器（测试环境，不会产生真实扣款）</p></main></body></html>'
    )


def render_wallet(order: Order, merchant_name: str, state: str) -> str:
    head = (
        f'<div class="merchant">{escape(merchant_name)}</div>'
        f'<div class="what">{escape(order.description)}</div>'
        f'<div class="amount">¥{_yuan(order.total_fen)}</div>'
    )
    if state != "NOTPAY":
        text = {"SUCCESS": "该订单已支付", "REFUND": "该订单已支付", "CLOSED": "订单已关闭"}
        return _page("微信支付", head + f"<p>{text.get(state, state)}</p>")
    token = escape(order.token)
    hidden = f'<input type="hidden" name="pr" value="{token}">'
    form = (
        f'<form method="post" action="/sim/wallet/confirm">{hidden}'
        '<button class="pay" type="submit">确认支付</button></form>'
        f'<form method="post" action="/sim/wallet/cancel">{hidden}'
        '<button class="cancel" type="submit">取消</button></form>'
    )
    return _page("微信支付", head + form)


def render_result(order: Order, merchant_name: str, paid: bool) -> str:
    text = "支付成功" if paid else "已取消支付"
    return _page(
        text,
        f'<div class="merchant">{escape(merchant_name)}</div>'
        f'<div class="amount">¥{_yuan(order.total_fen)}</div><p>{text}</p>',
    )
