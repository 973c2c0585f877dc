"""A case's audit trail (``/api/dossier/cases/{id}/audit``, ``…/audit.csv``, the page
``/dossier/audit.html``): who may read it (the court's administrators and the case's judge; anyone
else the answer for a case that does not exist), people by role and name and materials by title,
keyset pages newest first, the filters, the CSV, reading it audited; and every action the dossier
records has its Chinese words (the CSV) and the page's, in both languages."""

from __future__ import annotations

import ast
import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from dossier import audit_trail
from dossier.api import audit_log
from dossier.audit import record
from dossier.audit_trail import ACTIONS, CODES, DETAIL_LABELS, ROLES, details_zh, facts
from dossier.models import AuditRow
from dossier.register.schemas import TimeLimitEventIn
from hearing_server.notify import RecordingCodeSender
from tests.dossier.conftest import DossierWorld, dossier_context
from tests.dossier.publish_world import PublishWorld, add_pdf_material, publish_world, staff_id
from tests.server.conftest import START, invite, join_as
from tingshen_platform.identity import StaffPrincipal

ROOT = Path(__file__).resolve().parents[2]
NO_SUCH = 987_654_321


@pytest.fixture
def pw(app: FastAPI, dossier_world: DossierWorld) -> PublishWorld:
    return publish_world(app, dossier_world)


def _trail(pw: PublishWorld, suffix: str = "") -> str:
    return f"/api/dossier/cases/{pw.dossier.case_a}/audit{suffix}"


def _next(answer: Any) -> str | None:
    link = answer.headers.get("link")
    return link[1 : link.index(">")] if link else None


def _activity(
    app: FastAPI,
    pw: PublishWorld,
    staff_client: Callable[[str], TestClient],
    make_client: Callable[[], TestClient],
    code_sender: RecordingCodeSender,
) -> None:
    """The judge publishes 起诉状 to 张伟 and downloads 证据目录; the administrator grants 孙强 a
    review; 张伟 lists and reads what was published to him; 孙强 comments."""
    judge, admin = staff_client("judge_a"), staff_client("admin_a")
    case = pw.dossier.case_a
    published = judge.post(
        f"/api/dossier/cases/{case}/publications",
        json={"material_ids": [pw.complaint], "party_refs": [pw.plaintiff_ref]},
    )
    assert published.status_code == 201, published.text
    original = f"/api/dossier/cases/{case}/materials/{pw.evidence}/versions/1/original"
    assert judge.get(original).status_code == 200
    judge2_id, _ = staff_id(app, "judge2_a")
    granted = admin.post(
        f"/api/dossier/cases/{case}/grants",
        json={"user_id": judge2_id, "purpose": "review", "review_body": "collegial_panel",
              "ends_on": "2026-12-05"},
    )  # fmt: skip
    assert granted.status_code == 201, granted.text
    party = make_client()
    plaintiff = pw.dossier.hearing.plaintiff_a
    join_as(party, invite(staff_client("clerk_a"), plaintiff), code_sender, plaintiff)
    assert party.get(f"/api/dossier/my/cases/{case}/materials").status_code == 200
    pdf = party.get(f"/api/dossier/my/cases/{case}/materials/{pw.complaint}/pdf")
    assert pdf.status_code == 200
    comment = staff_client("judge2_a").post(
        f"/api/dossier/materials/{pw.complaint}/comments", json={"body": "请核对金额。", "page": 1}
    )
    assert comment.status_code == 201, comment.text


def test_the_trail_names_people_by_role_and_name_and_materials_by_title(
    app: FastAPI,
    pw: PublishWorld,
    staff_client: Callable[[str], TestClient],
    make_client: Callable[[], TestClient],
    code_sender: RecordingCodeSender,
) -> None:
    _activity(app, pw, staff_client, make_client, code_sender)
    answer = staff_client("admin_a").get(_trail(pw))
    assert answer.status_code == 200, answer.text
    rows = answer.json()
    seen = [(r["action"], r["actor_kind"], r["actor_role"], r["actor_name"], r["material_title"])
            for r in rows]  # fmt: skip
    # Newest first (the fake clock stands still: the order they were written).
    assert seen == [
        ("comment.added", "staff", "judge", "孙强", "起诉状"),
        ("material.downloaded", "party", "plaintiff", "张伟", "起诉状"),
        ("materials.listed", "party", "plaintiff", "张伟", None),
        ("grant.created", "staff", "court_admin", "赵敏", None),
        ("material.downloaded", "staff", "judge", "judge_a", "证据目录"),
        ("publication.created", "staff", "judge", "judge_a", "起诉状"),
    ]
    by_action = {r["action"]: r["details"] for r in rows}
    assert by_action["grant.created"] == [
        {"key": "user", "value": "孙强", "kind": "person", "role": "judge"},
        {"key": "purpose", "value": "review", "kind": "code", "role": None},
        {"key": "review_body", "value": "collegial_panel", "kind": "code", "role": None},
        {"key": "ends_on", "value": "2026-12-05", "kind": "date", "role": None},
    ]
    assert {"key": "party", "value": "张伟", "kind": "person", "role": "plaintiff"} in by_action[
        "publication.created"
    ]
    assert {"key": "count", "value": "1", "kind": "text", "role": None} in by_action[
        "materials.listed"
    ]
    # Never an internal id: no id field, and no detail that is one.
    for r in rows:
        assert not [k for k in r if k.endswith("id")], r
        assert not [d for d in r["details"] if d["key"].endswith("id")], r


def test_who_may_read_the_trail(
    app: FastAPI,
    pw: PublishWorld,
    staff_client: Callable[[str], TestClient],
    make_client: Callable[[], TestClient],
    code_sender: RecordingCodeSender,
) -> None:
    admin = staff_client("admin_a")
    nothing = admin.get(f"/api/dossier/cases/{NO_SUCH}/audit")
    assert nothing.status_code == 404
    assert nothing.json()["error"]["reason"] == "dossier_case_not_found"
    nothing_csv = admin.get(f"/api/dossier/cases/{NO_SUCH}/audit.csv")
    assert (nothing_csv.status_code, nothing_csv.json()) == (404, nothing.json())
    summary = f"/api/dossier/cases/{pw.dossier.case_a}/summary"
    for username in ("admin_a", "judge_a"):
        browser = staff_client(username)
        assert browser.get(_trail(pw)).status_code == 200, username
        assert browser.get(_trail(pw, ".csv")).status_code == 200, username
        assert browser.get(summary).json()["may_read_audit"] is True, username
    # The case's clerk and a judge with a review grant read the dossier, not who read it; a
    # recorder, staff of another court, a party: all as for a case that does not exist.
    judge2_id, _ = staff_id(app, "judge2_a")
    admin.post(f"/api/dossier/cases/{pw.dossier.case_a}/grants",
               json={"user_id": judge2_id, "purpose": "read", "ends_on": "2026-12-05"})  # fmt: skip
    party = make_client()
    plaintiff = pw.dossier.hearing.plaintiff_a
    join_as(party, invite(staff_client("clerk_a"), plaintiff), code_sender, plaintiff)
    refused = {
        name: staff_client(name) for name in ("clerk_a", "judge2_a", "recorder_a", "clerk_b")
    }
    refused["party"] = party
    for name, browser in refused.items():
        for suffix in ("", ".csv"):
            answer = browser.get(_trail(pw, suffix))
            assert (answer.status_code, answer.json()) == (404, nothing.json()), (name, suffix)
    for name in ("clerk_a", "judge2_a", "recorder_a"):
        assert refused[name].get(summary).json()["may_read_audit"] is False, name
    assert make_client().get(_trail(pw)).status_code == 401
    # Refusals read nothing, so they record nothing.
    with dossier_context(app).session_factory() as s:
        read = select(AuditRow.actor_name).where(AuditRow.action == "audit.read")
        readers = set(s.scalars(read))
    assert readers == {"赵敏", "judge_a"}


def _rows(
    app: FastAPI, case_id: int, spec: list[tuple[int, str, str]], material: int | None = None
) -> None:
    """Rows written straight into the trail: (minutes after START, who, action), about
    ``material`` if given."""
    ctx = dossier_context(app)
    with ctx.session_factory() as s:
        for minutes, name, action in spec:
            who = StaffPrincipal(1, "j", name, "judge", 1, "示范法院")
            entity = "material" if material is not None else None
            record(s, who, action, at=START + timedelta(minutes=minutes), case_id=case_id,
                   entity=entity, entity_id=material)  # fmt: skip
        s.commit()


def test_pages_come_newest_first_and_follow_the_link(
    app: FastAPI, pw: PublishWorld, staff_client: Callable[[str], TestClient]
) -> None:
    # Written out of time order, and with ties: the trail is ordered by time, then by id.
    spec = [(m, f"人{i}", "material.viewed") for i, m in enumerate([5, 1, 3, 3, 9, 0, 3, 7])]
    _rows(app, pw.dossier.case_a, spec)
    expected = [name for _, name in sorted(((m, i), f"人{i}") for i, (m, _, _) in enumerate(spec))]
    expected.reverse()  # newest first; among equal times the later written first
    admin = staff_client("admin_a")
    seen: list[str] = []
    url: str | None = _trail(pw) + "?action=material.viewed&limit=3"
    pages = 0
    while url:
        answer = admin.get(url)
        assert answer.status_code == 200, answer.text
        seen += [r["actor_name"] for r in answer.json()]
        url = _next(answer)
        assert url is None or "action=material.viewed" in url
        pages += 1
    assert (seen, pages) == (expected, 3)
    # Each page read was recorded, newest first, with the filter; none entered the pages above.
    reads = admin.get(_trail(pw), params={"action": "audit.read"}).json()
    assert len(reads) == 3
    assert reads[0]["details"] == [
        {"key": "filter_action", "value": "material.viewed", "kind": "code", "role": None}
    ]
    assert admin.get(_trail(pw), params={"cursor": "bm90IGEga2V5"}).status_code == 422
    assert admin.get(_trail(pw), params={"limit": 101}).status_code == 422
    assert admin.get(_trail(pw), params={"action": "DROP TABLE"}).status_code == 422


def test_filters_by_person_and_action(
    app: FastAPI, pw: PublishWorld, staff_client: Callable[[str], TestClient]
) -> None:
    _rows(app, pw.dossier.case_a, [(1, "王小明", "material.viewed"), (2, "王大明", "material.downloaded"),
                                   (3, "李四", "material.viewed"), (4, "100%_王", "material.viewed")])  # fmt: skip
    with dossier_context(app).session_factory() as s:
        record(
            s,
            None,
            "material.added",
            at=START,
            case_id=pw.dossier.case_a,
            details={"source": "hearing"},
        )
        s.commit()
    judge = staff_client("judge_a")

    def names(**params: str) -> list[str]:
        answer = judge.get(_trail(pw), params=params)
        assert answer.status_code == 200, answer.text
        return [r["actor_name"] for r in answer.json() if r["action"] != "audit.read"]

    assert names(person="王") == ["100%_王", "王大明", "王小明"]
    assert names(person="王", action="material.viewed") == ["100%_王", "王小明"]
    assert names(person="%_") == ["100%_王"]  # LIKE's wildcards are the user's characters
    assert names(person="系统") == names(person="system") == ["system"]
    assert names(action="material.downloaded") == ["王大明"]
    assert names(action="grant.revoked") == []
    assert names(person="nobody") == []
    system = judge.get(_trail(pw), params={"action": "material.added"}).json()
    assert system[0]["details"] == [
        {"key": "source", "value": "hearing", "kind": "code", "role": None}
    ]


def test_the_csv_is_the_filtered_trail_in_chinese(
    app: FastAPI,
    pw: PublishWorld,
    staff_client: Callable[[str], TestClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audit_log, "CSV_BATCH", 2)  # several pages of rows, none lost
    judge = staff_client("judge_a")
    judge.post(f"/api/dossier/cases/{pw.dossier.case_a}/publications",
               json={"material_ids": [pw.complaint], "party_refs": [pw.plaintiff_ref]})  # fmt: skip
    formula = add_pdf_material(app, pw.dossier.case_a, "=SUM(1,2)")
    _rows(app, pw.dossier.case_a, [(60, "=HYPERLINK(1)", "material.viewed")], formula)
    _rows(app, pw.dossier.case_a, [(i, f"人{i}", "material.downloaded") for i in range(1, 6)])
    admin = staff_client("admin_a")
    answer = admin.get(_trail(pw, ".csv"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.content.startswith(b"\xef\xbb\xbf")
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%E5%AE%A1%E8%AE%A1%E8%AE%B0%E5%BD%95" in disposition  # 审计记录
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0] == ["时间（北京时间）", "人员", "操作", "材料", "详情"]
    body = table[1:]
    assert len(body) == 7  # the export's own row is not in it
    # 09:00 UTC is 17:00 in Beijing; a title that looks like a formula is not one.
    assert body[0] == ["2026-11-28 17:00:00", "审判员 =HYPERLINK(1)", "查看材料", "'=SUM(1,2)", ""]
    assert [r[1] for r in body[1:6]] == [f"审判员 人{i}" for i in range(5, 0, -1)]
    assert body[1][2] == "下载材料"
    published = body[6]
    assert published[:4] == ["2026-11-28 16:00:00", "审判员 judge_a", "公开", "起诉状"]
    assert published[4] == "版本：1；当事人：原告 张伟"
    # Filtered, and the export recorded with its filter.
    only = admin.get(_trail(pw, ".csv"), params={"action": "publication.created"})
    rows = list(csv.reader(io.StringIO(only.content.decode("utf-8-sig"))))[1:]
    assert [r[2] for r in rows] == ["公开"]
    exports = admin.get(_trail(pw), params={"action": "audit.exported"}).json()
    assert [(e["actor_name"], e["details"]) for e in exports] == [
        (
            "赵敏",
            [
                {
                    "key": "filter_action",
                    "value": "publication.created",
                    "kind": "code",
                    "role": None,
                }
            ],
        ),
        ("赵敏", []),
    ]
    # The reading of the JSON trail appears in the next CSV.
    again = admin.get(_trail(pw, ".csv"), params={"action": "audit.read"})
    rows = list(csv.reader(io.StringIO(again.content.decode("utf-8-sig"))))[1:]
    assert rows[0][1:] == ["法院管理员 赵敏", "查看审计记录", "", "筛选操作：导出审计记录"]


def test_details_in_chinese_leave_ids_out() -> None:
    grant = {"user": "孙强", "user_role": "judge", "purpose": "review",
             "review_body": "collegial_panel", "ends_on": "2026-12-05"}  # fmt: skip
    assert (
        details_zh(facts(grant))
        == "人员：审判员 孙强；用途：评卷；评议组织：合议庭；截止日期：2026-12-05"
    )
    assert facts({"material_id": 5, "publication_id": 7, "borrowing_id": 3, "title": "x"}) == []
    suspension = {"months": None, "approver": None, "ground": "appraisal",
                  "on_date": "2026-11-01", "until": None}  # fmt: skip
    assert details_zh(facts(suspension)) == "事由：鉴定期间；自：2026-11-01"
    read = {"watermarked": True, "borrowing_id": 4}
    assert details_zh(facts(read)) == "调阅：加水印副本"
    fixity = {"ok": False, "problems": ["a", "b"]}
    assert details_zh(facts(fixity)) == "结果：未通过；异常文件数：2"
    # An unknown code is shown as it is, not dropped.
    assert details_zh(facts({"ground": "flood"})) == "事由：flood"


# ------------------------------------------------------------------ every action has its words

ACTION_RE = re.compile(r"^[a-z_]+\.[a-z_]+$")
EXPANSIONS = {
    "time_limit.": set(get_args(TimeLimitEventIn.model_fields["kind"].annotation)),
    # dossier/archive/borrowing.py: ``borrowing.status = "approved" if approve else "refused"``
    "archive.borrow_": {"approved", "refused"},
}


def _callee(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def recorded_actions() -> set[str]:
    """Every action string the dossier passes to ``audit.record`` (its third argument): a
    literal; an f-string (expanded by :data:`EXPANSIONS`); or a variable, for which every
    action-like literal of that module counts."""
    found: set[str] = set()
    for path in sorted((ROOT / "dossier").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        literals = {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and ACTION_RE.match(n.value)
        }
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and _callee(call.func) == "record"):
                continue
            if path.name == "audit.py" or len(call.args) < 3:
                continue
            arg = call.args[2]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                head = arg.values[0]
                assert isinstance(head, ast.Constant) and head.value in EXPANSIONS, path
                found |= {f"{head.value}{tail}" for tail in EXPANSIONS[head.value]}
            else:
                assert isinstance(arg, ast.Name), (path, ast.dump(arg))
                assert literals, path
                found |= literals
    return found


def test_every_recorded_action_has_chinese_words() -> None:
    actions = recorded_actions()
    assert {"material.viewed", "archive.borrow_refused", "time_limit.resumption"} <= actions
    assert actions == set(ACTIONS), (actions - set(ACTIONS), set(ACTIONS) - actions)


def _dictionary(path: Path) -> dict[str, dict[str, str]]:
    text = path.read_text("utf-8")
    zh, en = text.split("\n  en: {", 1)
    pair = re.compile(r'^\s+([A-Za-z0-9_]+): "((?:[^"\\]|\\.)*)",$', re.M)
    return {"zh-CN": dict(pair.findall(zh)), "en": dict(pair.findall(en))}


def test_the_page_has_the_same_words_and_english_ones() -> None:
    i18n = ROOT / "web" / "static" / "i18n"
    words: dict[str, dict[str, str]] = {"zh-CN": {}, "en": {}}
    for name in ("dossier-audit.js", "dossier-register.js", "dossier-publish.js"):
        for code, part in _dictionary(i18n / name).items():
            words[code].update(part)
    zh, en = words["zh-CN"], words["en"]
    for action, text in ACTIONS.items():
        key = "aud_a_" + action.replace(".", "_")
        assert (zh.get(key), bool(en.get(key))) == (text, True), action
    for detail, text in DETAIL_LABELS.items():
        assert (zh.get(f"aud_d_{detail}"), bool(en.get(f"aud_d_{detail}"))) == (text, True)
    prefixes = {"outcome": "reg_oc_", "ground": "reg_g_", "approver": "reg_tl_",
                "purpose": "dpub_grants_purpose_", "review_body": "dpub_grants_body_"}  # fmt: skip
    for detail, codes in CODES.items():
        if detail == "filter_action":
            continue  # the actions, above
        prefix = prefixes.get(detail, f"aud_v_{detail}_")
        for code, text in codes.items():
            assert (zh.get(prefix + code), bool(en.get(prefix + code))) == (text, True), (
                prefix + code
            )
    # The page (dossier/static/audit.js) lists the same actions in the same order, and names roles
    # as web/static/i18n.js does.
    page = (ROOT / "dossier" / "static" / "audit.js").read_text("utf-8")
    listed = re.search(r"const ACTIONS = \[(.*?)\];", page, re.S)
    assert listed is not None
    assert re.findall(r'"([a-z_.]+)"', listed.group(1)) == list(ACTIONS)
    base = (ROOT / "web" / "static" / "i18n.js").read_text("utf-8")
    roles = dict(re.findall(r'^\s+([a-z_]+): \["([^"]+)", "[^"]+"\],$', base, re.M))
    assert roles == ROLES
    assert audit_trail.person_zh("system", None, "system") == "系统"
