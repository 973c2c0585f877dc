"""The stages of a hearing (庭审阶段) and the identity documents the clerk checks: data, pure.

    stage_by_code("investigation").zh       # "法庭调查"
    stage_marker_text(stage, at)             # "【法庭调查】 10:32" (court time)
    identity_marker_text("原告", "张三", id_type, "1234", "", at)

Source: 《中华人民共和国民事诉讼法》 第二编 第十二章 第一审普通程序 第三节 “开庭审理” (before the
hearing the clerk checks who is present and announces the court's rules; the presiding judge
checks the parties' identities; then the court investigation with the presentation and
examination of evidence, the court debate, each party's final statement, mediation where the
parties agree, and the judgment) and 《人民法院在线诉讼规则》 (online hearings follow the same
order; identities are checked on camera against an identity document). The judge may return
to an earlier stage (a new fact in the debate reopens the investigation), so the order is the
usual order, not a rule the server enforces.

Marker texts are the transcript's (the 笔录 is in Chinese whatever the reader's language); a
marker row's id says what it marks (``stage-<code>-<serial>``,
``identity-<participant id>-<serial>``, docs/protocol.md), so the room's stage bar can follow
the transcript document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

__all__ = [
    "COURT_TZ",
    "ID_TYPES",
    "STAGES",
    "STAGE_SOURCE",
    "IdType",
    "Stage",
    "id_type_by_code",
    "identity_marker_id",
    "identity_marker_text",
    "stage_by_code",
    "stage_marker_id",
    "stage_marker_text",
]

COURT_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

STAGE_SOURCE = (
    "《中华人民共和国民事诉讼法》第二编第十二章第一审普通程序第三节“开庭审理”；"
    "《人民法院在线诉讼规则》"
)


@dataclass(frozen=True, slots=True)
class Stage:
    code: str
    """Stable ASCII code (no ``-``: it is part of a marker's id)."""
    order: int
    zh: str
    en: str


STAGES: tuple[Stage, ...] = (
    Stage("discipline", 1, "宣布法庭纪律", "Court rules"),
    Stage("identity", 2, "核对身份", "Identity check"),
    Stage("investigation", 3, "法庭调查", "Investigation"),
    Stage("evidence", 4, "举证质证", "Evidence"),
    Stage("debate", 5, "法庭辩论", "Debate"),
    Stage("final_statement", 6, "最后陈述", "Final statements"),
    Stage("mediation", 7, "调解", "Mediation"),
    Stage("judgment", 8, "宣判", "Judgment"),
)

IDENTITY_STAGE = "identity"
"""Identity checks are recorded during this stage."""


@dataclass(frozen=True, slots=True)
class IdType:
    code: str
    zh: str
    en: str


ID_TYPES: tuple[IdType, ...] = (
    IdType("resident_id", "身份证", "Resident ID card"),
    IdType("passport", "护照", "Passport"),
    IdType("hk_macao_permit", "港澳居民来往内地通行证", "Mainland travel permit (HK/Macao)"),
    IdType("taiwan_permit", "台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"),
    IdType("lawyer_license", "律师执业证", "Lawyer's practising certificate"),
    IdType("other", "其他证件", "Other document"),
)


def stage_by_code(code: str) -> Stage | None:
    return next((s for s in STAGES if s.code == code), None)


def id_type_by_code(code: str) -> IdType | None:
    return next((t for t in ID_TYPES if t.code == code), None)


def _clock(at: datetime) -> str:
    return at.astimezone(COURT_TZ).strftime("%H:%M")


def stage_marker_id(stage: Stage, serial: str) -> str:
    return f"stage-{stage.code}-{serial}"


def stage_marker_text(stage: Stage, at: datetime) -> str:
    """``【法庭调查】 10:32``: the stage began at that time of day (court time)."""
    return f"【{stage.zh}】 {_clock(at)}"


def identity_marker_id(participant_id: int, serial: str) -> str:
    return f"identity-{participant_id}-{serial}"


def identity_marker_text(
    role: str, name: str, id_type: IdType, last4: str, note: str, at: datetime
) -> str:
    """``核对当事人身份：原告 张三（身份证 ****1234）已核对 10:35``, and the clerk's note."""
    text = f"核对当事人身份：{role} {name}（{id_type.zh} ****{last4}）已核对 {_clock(at)}"
    return f"{text}（备注：{note}）" if note else text
