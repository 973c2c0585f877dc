"""Property-based fuzzing of every API operation with Schemathesis, as every kind of caller.

Each operation of the app's OpenAPI schema gets generated requests (valid ones, and invalid ones
that break the schema) from an anonymous caller, a party who joined through an invitation, the
judge, the clerk, the recorder and the court admin of court A, and the clerk of court B. Path ids
are drawn from the seeded world's real records as often as from the generator, so requests
reach the routes' logic and not only their 404s. Checks: no answer is a 5xx, and every answer matches the schema
its operation declares (error answers included: ``hearing_server.errors.ERROR_RESPONSES``).

The run is deterministic (``derandomize``) and bounded: ``TINGSHEN_FUZZ_EXAMPLES`` examples per
operation, mode and caller (default 4; about a minute on SQLite). More, for a longer search:

    TINGSHEN_FUZZ_EXAMPLES=100 .venv/bin/python -m pytest -q --timeout=0 tests/server/test_fuzz_api.py
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select

from hearing_server.context import ServerContext
from hearing_server.models import StaffRole, StaffUser
from tests.server.conftest import PG_URL, World, invite, join_as, login

EXAMPLES = int(os.environ.get("TINGSHEN_FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, response_schema_conformance]
ROLES = ["anonymous", "party", "judge_a", "clerk_a", "recorder_a", "admin_a", "clerk_b"]
# Ending one's own session would leave the rest of the run anonymous (the anonymous run has them).
NEGATIVE_ROLES = {"anonymous", "party", "clerk_a"}
SESSION_ENDING = {("POST", "/api/auth/logout"), ("POST", "/api/join/logout")}


def _real_ids(world: World) -> dict[str, list[int]]:
    return {
        "hearing_id": [world.hearing_a, world.hearing_a2],
        "case_id": [world.case_a, world.case_a2, world.case_b],
        "participant_id": [world.plaintiff_a, world.defendant_a, world.plaintiff_a2],
    }


def _callers(
    make_client: Callable[[], TestClient], world: World, sender: Any, ctx: ServerContext
) -> dict[str, TestClient]:
    """A client (its own cookies) per caller of :data:`ROLES`, on one running app."""
    with ctx.session_factory() as session:  # the world has no court admin
        clerk = session.scalars(select(StaffUser).where(StaffUser.username == "clerk_a")).one()
        session.add(
            StaffUser(
                court_id=clerk.court_id,
                username="admin_a",
                display_name="admin_a",
                role=StaffRole.COURT_ADMIN,
                password_hash=clerk.password_hash,
                active=True,
            )
        )
        session.commit()
    callers = {role: make_client() for role in ROLES}
    for role in ROLES:
        if role not in ("anonymous", "party"):
            login(callers[role], role)
    token = invite(callers["clerk_a"], world.plaintiff_a)
    join_as(callers["party"], token, sender, world.plaintiff_a)
    return callers


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


def _negatable(spec: dict[str, Any], operation: Any) -> bool:
    """Whether the operation has anything an invalid request can break (a body, a query
    parameter, a number in its path): a path of strings only has no invalid value."""
    definition = spec["paths"][operation.path][operation.method.lower()]
    parameters = definition.get("parameters", [])
    return "requestBody" in definition or any(
        p["in"] == "query" or p["schema"].get("type") == "integer" for p in parameters
    )


# SQLite only in `make test` (the suite's time budget; the route table and the other tests of
# this file cover PostgreSQL); TINGSHEN_FUZZ_POSTGRESQL=1 adds PostgreSQL (README, "API fuzzing").
FUZZ_DATABASES = (
    ["sqlite", "postgresql"]
    if PG_URL and os.environ.get("TINGSHEN_FUZZ_POSTGRESQL")
    else ["sqlite"]
)


@pytest.mark.parametrize("settings", FUZZ_DATABASES, indirect=True)
def test_no_server_errors_and_no_answer_off_schema(
    app: FastAPI,
    make_client,
    world: World,
    code_sender,
    ctx: ServerContext,
    monkeypatch: pytest.MonkeyPatch,
):
    """Every operation as every caller: valid requests, and invalid ones from the callers whose
    requests get past authentication furthest (anonymous routes, a party, the clerk)."""
    # Configured as in production (unset, the portal's party-links route answers 503 by design)
    monkeypatch.setattr(ctx.settings, "party_links_key", SecretStr("fuzz-" + "k" * 40))
    callers = _callers(make_client, world, code_sender, ctx)
    spec = app.openapi()
    schema = schemathesis.openapi.from_dict(spec)
    ids = _real_ids(world)
    failures: list[str] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the app's own schema is valid
        operation = result.ok()
        for role, client in callers.items():
            if role != "anonymous" and (operation.method.upper(), operation.path) in SESSION_ENDING:
                continue
            modes = [GenerationMode.POSITIVE]
            if role in NEGATIVE_ROLES and _negatable(spec, operation):
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                try:
                    _fuzz(operation, client, ids, mode)
                except Unsatisfiable:  # nothing of this operation can be made invalid
                    continue
                except Exception as exc:  # every failing operation is reported, not the first only
                    where = f"{operation.method.upper()} {operation.path}"
                    failures.append(f"{where} as {role} ({mode.value}): {exc}")
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


@pytest.mark.parametrize(
    "hearing_id",
    ["-99999999999999999", "+1_000_000_000_000", "99999999999.0", "%209999999999999%20"],
)
def test_ids_the_routes_read_as_numbers_beyond_the_columns_are_not_found(client, world, hearing_id):
    """Found by the fuzzer: pydantic reads these as ints; they reached SQLite and raised
    ``OverflowError: Python int too large to convert to SQLite INTEGER`` (a 500)."""
    login(client, "clerk_a")
    answer = client.get(f"/api/hearings/{hearing_id}/transcript/revisions")
    assert answer.status_code == 404, answer.text
    assert "ids are whole numbers" in answer.json()["error"]["message"]


@pytest.mark.parametrize("fmt", ["txt", "json", "srt", "vtt", "pdf"])
def test_every_export_format_answers_what_its_schema_says(app: FastAPI, client, world: World, fmt):
    """Found by the fuzzer: the JSON export was declared as a binary file."""
    login(client, "clerk_a")
    schema = schemathesis.openapi.from_dict(app.openapi())
    operation = schema["/api/hearings/{hearing_id}/transcript.{fmt}"]["GET"]
    case = operation.Case(path_parameters={"hearing_id": world.hearing_a, "fmt": fmt})
    response = _send(client, case)
    assert response.status_code == 200
    case.validate_response(response, checks=CHECKS)
