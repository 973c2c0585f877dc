"""Property-based fuzzing of every API operation with Schemathesis, as every kind of caller.

Each operation of the app's OpenAPI schema gets generated requests (valid ones, and invalid ones
that break the schema) from an anonymous caller, a party who joined through an invitation, the
judge, the clerk and the recorder of court A, and the clerk of court B. Path ids are drawn from
the seeded world's real records as often as from the generator, so requests reach the routes'
logic and not only their 404s. Checks: no answer is a 5xx, and every answer matches the schema
its operation declares (error answers included: ``hearing_server.errors.ERROR_RESPONSES``).

The run is deterministic (``derandomize``) and bounded: ``TINGSHEN_FUZZ_EXAMPLES`` examples per
operation, mode and caller (default 4). More, for a longer search:

    TINGSHEN_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest -q tests/server/test_fuzz_api.py
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.server.conftest import World, invite, join_as, login

EXAMPLES = int(os.environ.get("TINGSHEN_FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, response_schema_conformance]
ROLES = ["anonymous", "party", "judge_a", "clerk_a", "recorder_a", "clerk_b"]
# Ending one's own session would leave the rest of the run anonymous (the anonymous run has them).
SESSION_ENDING = {("POST", "/api/auth/logout"), ("POST", "/api/join/logout")}


def _real_ids(world: World) -> dict[str, list[int]]:
    return {
        "hearing_id": [world.hearing_a, world.hearing_a2],
        "case_id": [world.case_a, world.case_a2, world.case_b],
        "participant_id": [world.plaintiff_a, world.defendant_a, world.plaintiff_a2],
    }


def _caller(
    role: str, make_client: Callable[[], TestClient], world: World, sender: Any
) -> TestClient:
    clerk = make_client()
    login(clerk, "clerk_a")
    if role == "clerk_a":
        return clerk
    client = make_client()
    if role == "party":
        join_as(client, invite(clerk, world.plaintiff_a), sender, world.plaintiff_a)
    elif role != "anonymous":
        login(client, role)
    return client


def _send(client: TestClient, case: Any) -> Any:
    """The case's request through the app's own test client (the caller's cookies)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    request: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": kwargs.get("headers") or None,
        "params": kwargs.get("params") or None,
    }
    if "json" in kwargs:
        request["content"] = json.dumps(kwargs["json"]).encode()
        request["headers"] = {"content-type": "application/json", **(request["headers"] or {})}
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        request["content"] = data if isinstance(data, bytes) else str(data).encode()
    return client.request(**request)


def _fuzz(operation: Any, client: TestClient, ids: dict[str, list[int]], mode: Any) -> None:
    names = [name for name in ids if name in operation.path_parameters]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), picks=st.data())
    def run(case: Any, picks: st.DataObject) -> None:
        for name in names:  # a real record's id half of the time
            choice = picks.draw(st.sampled_from([None, *ids[name]]), label=name)
            if choice is not None and case.path_parameters is not None:
                case.path_parameters[name] = choice
        response = _send(client, case)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize("role", ROLES)
def test_no_server_errors_and_no_answer_off_schema(
    role: str, app: FastAPI, make_client, world: World, code_sender
):
    client = _caller(role, make_client, world, code_sender)
    schema = schemathesis.openapi.from_dict(app.openapi())
    ids = _real_ids(world)
    failures: list[str] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the app's own schema is valid
        operation = result.ok()
        if role != "anonymous" and (operation.method.upper(), operation.path) in SESSION_ENDING:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                t0 = time.perf_counter()
                _fuzz(operation, client, ids, mode)
                if os.environ.get("FUZZ_TIMES"):
                    print(
                        f"{time.perf_counter() - t0:6.2f} {operation.method} {operation.path} {mode.value}"
                    )
            except Unsatisfiable:  # nothing of this operation can be made invalid
                continue
            except Exception as exc:  # every failing operation is reported, not only the first
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"
                )
    assert not failures, "\n\n".join(failures)


def _unbounded(schema: dict[str, Any], where: str, components: dict[str, Any]) -> list[str]:
    """Fields of a request schema without an upper bound (string length, number, list length)."""
    if "$ref" in schema:
        model = components[schema["$ref"].rsplit("/", 1)[1]]
        return [
            problem
            for name, field in model.get("properties", {}).items()
            for problem in _unbounded(field, f"{where}.{name}", components)
        ]
    found = [
        problem
        for option in schema.get("anyOf", []) + schema.get("allOf", [])
        for problem in _unbounded(option, where, components)
    ]
    kind = schema.get("type")
    closed = "enum" in schema or "const" in schema or schema.get("format") == "date-time"
    if kind == "string" and not closed and "maxLength" not in schema:
        found.append(f"{where}: string without maxLength")
    if kind == "integer" and "maximum" not in schema and "exclusiveMaximum" not in schema:
        found.append(f"{where}: integer without maximum")
    if kind == "array":
        if "maxItems" not in schema:
            found.append(f"{where}: list without maxItems")
        found += _unbounded(schema.get("items", {}), f"{where}[]", components)
    return found


def test_every_request_field_is_bounded(app: FastAPI):
    """Every body field and query parameter has an upper bound. (Ids in paths are bounded for
    every route at once by hearing_server.id_bounds; path strings by the URL's length.)"""
    spec = app.openapi()
    components = spec["components"]["schemas"]
    found: list[str] = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    found += _unbounded(
                        parameter["schema"], f"{where} ?{parameter['name']}", components
                    )
            for content in (operation.get("requestBody") or {}).get("content", {}).values():
                found += _unbounded(content["schema"], f"{where} body", components)
    assert found == []


def test_control_characters_and_far_dates_are_refused_with_a_reason(client, world: World):
    login(client, "clerk_a")
    participants = f"/api/hearings/{world.hearing_a}/participants"
    answer = client.post(
        participants, json={"display_name": "书记员\u202e陈晓", "court_role": "witness"}
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["reason"], error["params"]) == (
        "field_control_characters",
        {"field": "display_name"},
    )
    assert "U+202E" in error["message"]
    assert (
        client.get(
            f"/api/hearings/{world.hearing_a}/notices/preview", params={"place": "第三\x00法庭"}
        ).json()["error"]["reason"]
        == "field_control_characters"
    )
    far = client.post(
        f"/api/hearings/{world.hearing_a}/reschedule",
        json={"scheduled_at": "9999-12-31T23:59:00+00:00"},
    )
    assert far.status_code == 422
    assert far.json()["error"]["reason"] == "field_out_of_range"
    fine = client.post(
        participants, json={"display_name": "陈晓", "court_role": "witness", "notify": False}
    )
    assert fine.status_code == 201, fine.text
