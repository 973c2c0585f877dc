"""Amounts in Chinese capital numerals (大写金额), as a notice or receipt prints them.

    fen_to_capital(276914) == "人民币贰仟柒佰陆拾玖元壹角肆分"

The rules of the 支付结算办法 (附件一《正确填写票据和结算凭证的基本规定》), one reading where
they allow two:

- 人民币 leads; the digits are 零壹贰叁肆伍陆柒捌玖, the units 拾佰仟, 万 and 亿 by groups of
  four digits (万亿 above), and 壹拾 is written in full (壹拾元, never 拾元).
- One 零 stands for any run of zeros *inside* the yuan (壹万零伍元: 10,005), including a run
  across a group (壹亿零伍万: 100,050,000); zeros at the end of the yuan are not written.
- Where the yuan end in zeros and 角 follows, the rules allow 零 or none: none is written
  (壹仟陆佰捌拾元叁角贰分, not …元零叁角贰分).
- 角 zero but 分 not: 零 after 元 (叁佰贰拾伍元零肆分).
- 整 after 元 or 角 when there are no 分 (壹元整, 壹角整); never after 分.
- Less than a yuan: only 角 and 分 (壹分, 伍角整); nothing at all is 零元整.
"""

from __future__ import annotations

__all__ = ["MAX_CAPITAL_FEN", "fen_to_capital"]

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")
MAX_CAPITAL_FEN = 10 ** (4 * len(GROUPS)) * 100 - 1
"""The largest amount written: 9999万亿… yuan and 99 fen."""


def _group(value: int) -> str:
    """A group of four digits (1–9999), zeros inside it as one 零, trailing zeros dropped."""
    out: list[str] = []
    zero_pending = False
    for place in range(3, -1, -1):
        digit = value // 10**place % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(DIGITS[digit] + PLACES[place])
    return "".join(out)


def _yuan(yuan: int) -> str:
    """The whole yuan (≥ 1) in capitals, without 元."""
    groups: list[int] = []
    while yuan:
        yuan, group = divmod(yuan, 10_000)
        groups.append(group)
    out: list[str] = []
    zero_pending = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or group < 1000):
            out.append("零")
        out.append(_group(group) + GROUPS[index])
        zero_pending = False
    return "".join(out)


def fen_to_capital(fen: int) -> str:
    """``fen`` (≥ 0) in capital numerals with the 人民币 prefix; ``ValueError`` for a negative
    amount or one above :data:`MAX_CAPITAL_FEN`."""
    if fen < 0:
        raise ValueError(f"an amount in capitals cannot be negative: {fen} fen")
    if fen > MAX_CAPITAL_FEN:
        raise ValueError(f"amount too large to write in capitals: {fen} fen")
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if fen == 0:
        return "人民币零元整"
    out = ["人民币"]
    if yuan:
        out.append(_yuan(yuan) + "元")
    if jiao:
        out.append(DIGITS[jiao] + "角")
    elif yuan and fen_digit:
        out.append("零")
    if fen_digit:
        out.append(DIGITS[fen_digit] + "分")
    else:
        out.append("整")
    return "".join(out)
