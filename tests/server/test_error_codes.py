"""Every error the server can answer has a text in each language of the pages.

The pages translate ``reason`` (else ``code``) and ``params`` of an error body with the
dictionary of ``web/static/i18n.js`` (its parts under ``web/static/i18n/``); this walks every
error class, handler code, precise reason, validation problem and request field, and asks the
real dictionary (loaded with Node, through its own ``t()``) for each.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import hearing_server
from hearing_server.errors import FIELD_PROBLEMS, HANDLER_CODES, REASONS, ServerError
from tests.server.conftest import invite, login

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
PACKAGE = Path(hearing_server.__file__).resolve().parent

# Asks the page's dictionary (i18n.js with its parts) which keys it knows, per language.
_NODE = """
const [url, keysJson] = process.argv.slice(1);
let current = "zh-CN";
globalThis.localStorage = { getItem: () => current, setItem: () => {} };
const { t } = await import(url);
const out = {};
for (const language of ["zh-CN", "en"]) {
  current = language;
  out[language] = JSON.parse(keysJson).filter((key) => t(key) === key);
}
console.log(JSON.stringify(out));
"""


def _missing_keys(keys: list[str]) -> dict[str, list[str]]:
    node = shutil.which("node")
    assert node, "Node.js runs the page dictionary for this test"
    url = (STATIC / "i18n.js").as_uri()
    result = subprocess.run(
        [node, "--input-type=module", "-e", _NODE, url, json.dumps(keys)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    missing: dict[str, list[str]] = json.loads(result.stdout)
    return missing


def _error_classes() -> set[type[ServerError]]:
    import hearing_server.app  # noqa: F401  (imports every module that defines an error)

    found: set[type[ServerError]] = set()
    todo: list[type[ServerError]] = [ServerError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def _reasons_raised_in_source() -> set[str]:
    """Every literal ``X.because("reason", ...)`` in the server package."""
    used: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "because"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                used.add(str(node.args[0].value))
    return used


def _request_fields(app: Any) -> set[str]:
    """Names of every request body field and query parameter of the API."""
    spec = app.openapi()
    schemas = spec.get("components", {}).get("schemas", {})
    fields: set[str] = set()

    def collect(schema: dict[str, Any]) -> None:
        if "$ref" in schema:
            fields.update(schemas[schema["$ref"].rsplit("/", 1)[1]].get("properties", {}))
        for option in schema.get("anyOf", []):
            collect(option)

    for operations in spec["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody")
            for content in (body or {}).get("content", {}).values():
                collect(content["schema"])
            fields.update(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
    return fields


def test_every_reason_raised_is_registered():
    assert _reasons_raised_in_source() <= set(REASONS)


def test_every_error_has_zh_and_en_text(app):
    codes = {cls.code for cls in _error_classes()} | set(HANDLER_CODES)
    keys = [f"err_{code}" for code in sorted(codes)]
    keys += [f"err_{reason}" for reason in sorted(REASONS)]
    keys += [f"err_field_{problem}" for problem in sorted(FIELD_PROBLEMS)]
    keys += [f"err_f_{field}" for field in sorted(_request_fields(app))]
    keys += ["err_generic", "err_f_unnamed"]
    keys += [f"err_action_{a}" for a in ("reschedule", "cancel", "open", "close")]
    assert len(keys) > 80
    assert _missing_keys(keys) == {"zh-CN": [], "en": []}


def test_a_validation_error_names_field_and_problem(client, world):
    login(client, "clerk_a")
    response = client.post(
        f"/api/hearings/{world.hearing_a}/participants",
        json={"display_name": "李娜", "court_role": "defendant", "phone": "12-34"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["reason"], error["params"]) == (
        "invalid_request",
        "field_format",
        {"field": "phone"},
    )
    missing = client.post(f"/api/cases/{world.case_a}/hearings", json={"place": "第一法庭"})
    assert missing.json()["error"]["reason"] == "field_required"
    assert missing.json()["error"]["params"]["field"] in {"scheduled_at", "duration_minutes"}


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_every_reason_has_an_english_message(reason):
    params = {"seconds": 1, "left": 1, "status": "closed", "action": "open"}
    params |= {"hearing_id": 1, "version": 2, "notice_id": 3, "kind": "sign_request"}
    params |= {"limit_bytes": 1024, "most": 300}
    error = ServerError.because(reason, **params)
    assert error.reason == reason and "{" not in error.message


def test_precise_reason_reaches_the_body(client, world):
    login(client, "clerk_a")
    token = invite(client, world.plaintiff_a)
    response = client.post(f"/api/join/{token}/verify", json={"code": "123456"})
    assert response.status_code == 410
    assert response.json()["error"]["reason"] == "no_code_pending"


def test_every_verification_problem_has_zh_and_en_text():
    from signing.verify_report import ProblemCode

    keys = [f"vf_p_{code.value}" for code in ProblemCode]
    assert _missing_keys(keys) == {"zh-CN": [], "en": []}
