"""The text of hearing notices and of the one-time code message (pure; no I/O).

zh-CN is the default; ``en`` is available. Times are stored in UTC and shown in court time,
Asia/Shanghai (UTC+8, no daylight saving).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

Locale = Literal["zh-CN", "en"]
# China has had no daylight saving since 1991: a fixed offset avoids depending on tzdata.
COURT_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
_WEEKDAYS_ZH = "一二三四五六日"


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What a hearing notice says; a snapshot taken when the scheduling change was made."""

    kind: str  # scheduled | rescheduled | cancelled | sign_request
    court_name: str
    case_number: str
    cause_of_action: str
    recipient_name: str
    role_zh: str
    role_en: str
    scheduled_at: datetime
    duration_minutes: int
    place: str
    previous_scheduled_at: datetime | None = None
    sign_link: str | None = None
    """``sign_request``: the signing link (``/sign/<token>``, set at send time), else the page."""

    def to_payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "court_name": self.court_name,
            "case_number": self.case_number,
            "cause_of_action": self.cause_of_action,
            "recipient_name": self.recipient_name,
            "role_zh": self.role_zh,
            "role_en": self.role_en,
            "scheduled_at": self.scheduled_at.isoformat(),
            "duration_minutes": self.duration_minutes,
            "place": self.place,
            "previous_scheduled_at": (
                self.previous_scheduled_at.isoformat() if self.previous_scheduled_at else None
            ),
            "sign_link": self.sign_link,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> NoticeFacts:
        previous = payload.get("previous_scheduled_at")
        return cls(
            kind=str(payload["kind"]),
            court_name=str(payload["court_name"]),
            case_number=str(payload["case_number"]),
            cause_of_action=str(payload["cause_of_action"]),
            recipient_name=str(payload["recipient_name"]),
            role_zh=str(payload["role_zh"]),
            role_en=str(payload["role_en"]),
            scheduled_at=datetime.fromisoformat(str(payload["scheduled_at"])),
            duration_minutes=int(payload["duration_minutes"]),
            place=str(payload["place"]),
            previous_scheduled_at=datetime.fromisoformat(str(previous)) if previous else None,
            sign_link=str(payload["sign_link"]) if payload.get("sign_link") else None,
        )


@dataclass(frozen=True, slots=True)
class RenderedNotice:
    subject: str
    body: str  # e-mail body (plain text)
    sms: str  # short form for SMS


def format_time(when: datetime, locale: Locale) -> str:
    local = when.astimezone(COURT_TZ)
    if locale == "en":
        return local.strftime("%Y-%m-%d %H:%M") + " (Beijing time, UTC+8)"
    weekday = _WEEKDAYS_ZH[local.weekday()]
    return f"{local.year}年{local.month}月{local.day}日（星期{weekday}）{local:%H:%M}（北京时间）"


def render_notice(facts: NoticeFacts, *, locale: Locale, join_link: str | None) -> RenderedNotice:
    if facts.kind == "sign_request":
        return _render_sign_request(facts, locale, join_link)
    if locale == "en":
        return _render_en(facts, join_link)
    return _render_zh(facts, join_link)


def _render_zh(f: NoticeFacts, link: str | None) -> RenderedNotice:
    when = format_time(f.scheduled_at, "zh-CN")
    title = {
        "scheduled": "开庭通知",
        "rescheduled": "开庭时间变更通知",
        "cancelled": "取消开庭通知",
    }[f.kind]
    subject = f"【{f.court_name}】{title}：{f.case_number}"
    lines = [f"{f.recipient_name}（{f.role_zh}）：", ""]
    if f.kind == "cancelled":
        lines.append(f"{f.case_number}（{f.cause_of_action}）原定于{when}的在线庭审已取消。")
        lines.append("新的开庭时间将另行通知。")
        sms = f"【{f.court_name}】{f.case_number}原定于{when}的在线庭审已取消，另行通知。"
    else:
        if f.kind == "rescheduled" and f.previous_scheduled_at is not None:
            before = format_time(f.previous_scheduled_at, "zh-CN")
            lines.append(f"{f.case_number}（{f.cause_of_action}）的开庭时间已由{before}变更。")
        else:
            lines.append(f"{f.case_number}（{f.cause_of_action}）定于以下时间在线开庭：")
        lines += [
            "",
            f"案号：{f.case_number}",
            f"案由：{f.cause_of_action}",
            f"开庭时间：{when}，预计{f.duration_minutes}分钟",
            f"地点：{f.place}（在线庭审）",
        ]
        if link:
            lines += ["", f"参加庭审链接：{link}", "请提前15分钟进入，并准备好摄像头和麦克风。"]
            lines.append("进入时系统会向您的手机发送验证码。请勿将链接转发他人。")
        sms = f"【{f.court_name}】{title}：{f.case_number}，{when}，{f.place}。"
        sms += f"参加链接：{link}" if link else ""
    lines += ["", f.court_name]
    return RenderedNotice(subject=subject, body="\n".join(lines) + "\n", sms=sms)


def _render_en(f: NoticeFacts, link: str | None) -> RenderedNotice:
    when = format_time(f.scheduled_at, "en")
    title = {
        "scheduled": "Notice of hearing",
        "rescheduled": "Hearing rescheduled",
        "cancelled": "Hearing cancelled",
    }[f.kind]
    subject = f"[{f.court_name}] {title}: {f.case_number}"
    lines = [f"Dear {f.recipient_name} ({f.role_en}),", ""]
    if f.kind == "cancelled":
        lines.append(f"The online hearing of {f.case_number} ({f.cause_of_action}) set for {when}")
        lines.append("has been cancelled. A new date will be notified.")
        sms = f"[{f.court_name}] Hearing {f.case_number} at {when} is cancelled."
    else:
        if f.kind == "rescheduled" and f.previous_scheduled_at is not None:
            before = format_time(f.previous_scheduled_at, "en")
            lines.append(f"The hearing of {f.case_number} has been moved from {before}.")
        else:
            lines.append(f"An online hearing of {f.case_number} has been scheduled.")
        lines += [
            "",
            f"Case number: {f.case_number}",
            f"Cause of action: {f.cause_of_action}",
            f"Time: {when}, about {f.duration_minutes} minutes",
            f"Place: {f.place} (online hearing)",
        ]
        if link:
            lines += ["", f"Join link: {link}", "Please join 15 minutes early with camera and mic."]
            lines.append("A code will be sent to your phone when you join. Do not share the link.")
        sms = f"[{f.court_name}] {title}: {f.case_number}, {when}, {f.place}."
        sms += f" Join: {link}" if link else ""
    lines += ["", f.court_name]
    return RenderedNotice(subject=subject, body="\n".join(lines) + "\n", sms=sms)


def _render_sign_request(f: NoticeFacts, locale: Locale, link: str | None) -> RenderedNotice:
    """Asks a participant to read the frozen record and sign it (or object) online."""
    page = f.sign_link or ""
    if locale == "en":
        subject = f"[{f.court_name}] Please read and sign the hearing record: {f.case_number}"
        lines = [
            f"Dear {f.recipient_name} ({f.role_en}),",
            "",
            f"The record of the hearing of {f.case_number} ({f.cause_of_action}) is ready.",
            "Please read it and sign it online; you may also raise an objection or a correction.",
        ]
        if link:
            lines += ["", f"Confirm your identity: {link}", "A code will be sent to your phone."]
            lines += ["", f"Signing page: {page}", "", f.court_name]
        else:
            lines += ["", f"Signing link: {page}"]
            lines.append("A code will be sent to your phone when you open it. Do not share it.")
            lines += ["", f.court_name]
        sms = f"[{f.court_name}] Please read and sign the record of {f.case_number}: "
        sms += link or page
        return RenderedNotice(subject=subject, body="\n".join(lines) + "\n", sms=sms)
    subject = f"【{f.court_name}】庭审笔录签名通知：{f.case_number}"
    lines = [
        f"{f.recipient_name}（{f.role_zh}）：",
        "",
        f"{f.case_number}（{f.cause_of_action}）的庭审笔录已制作完成。",
        "请在线阅读笔录并签名；如有遗漏或差错，可以申请补正或提出异议。",
    ]
    if link:
        lines += ["", f"身份验证链接：{link}"]
        lines.append("进入时系统会向您的手机发送验证码。请勿将链接转发他人。")
        lines += ["", f"签名页面：{page}", "", f.court_name]
    else:
        lines += ["", f"签名链接：{page}"]
        lines.append("打开链接后系统会向您的手机发送验证码。请勿将链接转发他人。")
        lines += ["", f.court_name]
    sms = f"【{f.court_name}】{f.case_number}庭审笔录已完成，请阅读并签名：{link or page}"
    return RenderedNotice(subject=subject, body="\n".join(lines) + "\n", sms=sms)


def render_code_sms(code: str, *, hearing_label: str, locale: Locale) -> str:
    if locale == "en":
        return f"Your Tingshen code for {hearing_label} is {code}. Valid 10 minutes; do not share."
    return f"您参加{hearing_label}在线庭审的验证码为{code}，10分钟内有效，请勿告知他人。"
