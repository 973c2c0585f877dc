"""How a case's audit trail reads to people (the page ``/dossier/audit.html`` and its CSV).

- Every action the dossier records (:data:`ACTIONS`, action string -> its Chinese name; the page
  has the same names and the English ones in ``web/static/i18n/dossier-audit.js`` as
  ``aud_a_<action with dots as underscores>``).
- Who did it: role and name (:func:`person_zh`), never an id.
- The row's details as labelled :class:`Fact` s: names, dates, numbers and coded values (a ground,
  an outcome, a purpose …) that the page translates and :func:`details_zh` writes in Chinese for
  the CSV. Internal ids in the recorded details (material, publication, borrowing ids) are left
  out; the material a row is about is shown by its title (:func:`material_id_of`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dossier.archive.rules import load_rules as archive_rules
from dossier.register.actions import OUTCOMES

__all__ = [
    "ACTIONS",
    "CODES",
    "DETAIL_LABELS",
    "ROLES",
    "Fact",
    "action_zh",
    "details_zh",
    "facts",
    "material_id_of",
    "person_zh",
]

ACTIONS: dict[str, str] = {
    "case.filed": "立案",
    "case.closed": "结案",
    "court_code.set": "设置法院代字",
    "time_limit.extension": "延长审限",
    "time_limit.suspension": "扣除审限期间",
    "time_limit.resumption": "恢复计算审限",
    "material.added": "添加材料",
    "material.version_added": "更正材料",
    "materials.listed": "查看材料列表",
    "material.viewed": "查看材料",
    "material.downloaded": "下载材料",
    "material.not_filed_archived": "材料未归入（已归档）",
    "publication.created": "公开",
    "publication.withdrawn": "撤回公开",
    "grant.created": "授权",
    "grant.revoked": "撤销授权",
    "comment.added": "评论",
    "archive.arranged": "整理归档",
    "archive.submitted": "提交归档",
    "archive.evolume_read": "查阅电子档案",
    "archive.borrow_requested": "申请调阅",
    "archive.borrow_approved": "批准调阅",
    "archive.borrow_refused": "拒绝调阅",
    "archive.fixity_checked": "档案完整性检查",
    "audit.read": "查看审计记录",
    "audit.exported": "导出审计记录",
}
"""Every action string the dossier records, in the order the page's filter lists them."""

ROLES: dict[str, str] = {
    "presiding_judge": "审判长",
    "judge": "审判员",
    "clerk": "书记员",
    "recorder": "记录员",
    "court_admin": "法院管理员",
    "filing_clerk": "立案庭工作人员",
    "finance": "财务人员",
    "plaintiff": "原告",
    "defendant": "被告",
    "third_party": "第三人",
    "agent": "诉讼代理人",
    "witness": "证人",
    "observer": "旁听",
    "interpreter": "翻译",
    "court_staff": "法院工作人员",
}
"""As the pages name roles (``roleLabel`` in ``web/static/i18n.js``)."""

SYSTEM_ZH = "系统"

DETAIL_LABELS: dict[str, str] = {
    "case_number": "案号",
    "parties": "当事人数",
    "outcome": "结案方式",
    "closed_on": "结案日期",
    "months": "延长月数",
    "approver": "批准",
    "ground": "事由",
    "on_date": "自",
    "until": "至",
    "version": "版本",
    "form": "形式",
    "source": "来源",
    "sha256": "SHA-256",
    "count": "材料数",
    "party": "当事人",
    "user": "人员",
    "purpose": "用途",
    "review_body": "评议组织",
    "ends_on": "截止日期",
    "page": "页码",
    "retention": "保管期限",
    "archive_number": "档号",
    "pages": "页数",
    "items": "件数",
    "copy": "调阅",
    "days": "天数",
    "fixity": "结果",
    "problems": "异常文件数",
    "event": "事件",
    "before": "原代字",
    "after": "新代字",
    "filter_person": "筛选人员",
    "filter_action": "筛选操作",
}

CODES: dict[str, dict[str, str]] = {
    "outcome": OUTCOMES,
    "ground": {
        "announcement": "公告期间",
        "appraisal": "鉴定期间",
        "jurisdiction": "管辖异议或争议期间",
        "suspension": "中止诉讼期间",
        "settlement": "和解期间",
        "higher_court": "管辖权异议处理期间",
        "other": "其他不计入审限的期间",
    },
    "approver": {"president": "本院院长", "higher_court": "上级人民法院"},
    "form": {"original": "原件", "pdf": "PDF"},
    "source": {"upload": "上传", "hearing": "庭审自动归入", "system": "系统生成"},
    "purpose": {"read": "阅卷", "review": "评卷"},
    "review_body": {"collegial_panel": "合议庭", "committee": "审判委员会"},
    "retention": {code: r.label for code, r in archive_rules().retentions.items()},
    "copy": {"watermarked": "加水印副本"},
    "fixity": {"ok": "通过", "failed": "未通过"},
    "filter_action": ACTIONS,
}
"""Coded values: fact key -> code -> Chinese (the page: the same words from its dictionary)."""

Kind = Literal["text", "code", "date", "person"]


@dataclass(frozen=True, slots=True)
class Fact:
    key: str
    """One of :data:`DETAIL_LABELS`."""
    value: str
    kind: Kind = "text"
    """``code``: a key of ``CODES[key]``; ``date``: an ISO date; ``person``: a name, with
    :attr:`role`."""
    role: str | None = None


def action_zh(action: str) -> str:
    return ACTIONS.get(action, action)


def person_zh(kind: str, role: str | None, name: str) -> str:
    """``审判员 王法官``, ``原告 张伟``, ``系统``."""
    if kind == "system":
        return SYSTEM_ZH
    return f"{ROLES.get(role or '', role or '')} {name}".strip()


def material_id_of(
    entity: str | None, entity_id: int | None, details: Mapping[str, Any]
) -> int | None:
    """The material a row is about (its own entity, or the one a publication or comment names)."""
    if entity == "material":
        return entity_id
    found = details.get("material_id")
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def _text(value: object) -> str | None:
    if value is None or value == "" or isinstance(value, (dict, list)):
        return None
    return str(value)


def facts(details: Mapping[str, Any]) -> list[Fact]:
    """The details of a row as people read them, in a fixed order; what is not listed here
    (ids, the material's title, the event's id) is left out."""
    d = details
    out: list[Fact] = []

    def add(key: str, value: object, kind: Kind = "text", role: object = None) -> None:
        text = _text(value)
        if text is None:
            return
        if kind == "code" and text not in CODES[key]:
            kind = "text"
        out.append(Fact(key, text, kind, role if isinstance(role, str) and role else None))

    add("case_number", d.get("case_number"))
    add("parties", d.get("parties"))
    add("outcome", d.get("outcome"), "code")
    add("closed_on", d.get("closed_on"), "date")
    add("months", d.get("months"))
    add("approver", d.get("approver"), "code")
    add("ground", d.get("ground"), "code")
    add("on_date", d.get("on_date"), "date")
    add("until", d.get("until"), "date")
    add("source", d.get("source"), "code")
    add("version", d.get("version"))
    add("form", d.get("form", d.get("format")), "code")
    if isinstance(d.get("materials"), list):
        add("count", len(d["materials"]))
    add("party", d.get("party"), "person", d.get("party_role"))
    add("user", d.get("user"), "person", d.get("user_role"))
    add("purpose", d.get("purpose"), "code")
    add("review_body", d.get("review_body"), "code")
    add("ends_on", d.get("ends_on"), "date")
    add("page", d.get("page"))
    add("archive_number", d.get("archive_number"))
    add("retention", d.get("retention"), "code")
    add("pages", d.get("pages"))
    add("items", d.get("items"))
    if d.get("watermarked") is True:
        add("copy", "watermarked", "code")
    add("days", d.get("days"))
    if isinstance(d.get("ok"), bool):
        add("fixity", "ok" if d["ok"] else "failed", "code")
    if isinstance(d.get("problems"), list) and d["problems"]:
        add("problems", len(d["problems"]))
    add("event", d.get("type"))
    add("before", d.get("before"))
    add("after", d.get("after"))
    sha = _text(d.get("sha256") or d.get("evolume_sha256"))
    add("sha256", sha[:16] + "…" if sha and len(sha) > 16 else sha)
    add("filter_person", d.get("person"))
    add("filter_action", d.get("action"), "code")
    return out


def _fact_zh(fact: Fact) -> str:
    if fact.kind == "code":
        value = CODES[fact.key].get(fact.value, fact.value)
    elif fact.kind == "person":
        value = person_zh("staff", fact.role, fact.value)
    else:
        value = fact.value
    return f"{DETAIL_LABELS.get(fact.key, fact.key)}：{value}"


def details_zh(found: Sequence[Fact]) -> str:
    """``版本：2；形式：PDF`` (the CSV's 详情)."""
    return "；".join(_fact_zh(f) for f in found)
