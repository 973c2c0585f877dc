"""Connectors to other agencies' address databases: one signed POST per look-up, a timeout, a
bounded answer checked for its signature and its shape.

The protocol (the simulators in :mod:`addresses.simulator` serve it)::

    POST /v1/address-query   {"request_id", "case_number", "purpose", "name", "id_number"}
    200 {"request_id", "records": [{"address", "postal_code", "kind", "observed_on"}]}

Every way an agency can fail ends in an :class:`Outcome` with a status, never an exception:
``ok``, ``timeout`` (no answer in time: it hung or is down), ``refused`` (it refused our
signature or the request), ``garbage`` (an answer not signed by it, not JSON, the wrong shape,
too large, for another request), ``error`` (it answered 5xx, or the connection failed).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import date

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from addresses.found import KINDS, Found
from addresses.signing import ANSWER_SIGNATURE, NONCE, SignatureError, sign_request, verify_answer

__all__ = ["CONNECTORS", "QUERY_PATH", "Connector", "Found", "Outcome", "query"]

QUERY_PATH = "/v1/address-query"


@dataclass(frozen=True, slots=True)
class Connector:
    name: str
    label_zh: str
    label_en: str
    url: str
    key: bytes
    client_id: str


CONNECTORS: dict[str, tuple[str, str]] = {
    "migrant": ("流动人口登记信息系统", "Migrant-population registry"),
    "postal": ("邮政地址库", "Postal address database"),
}
"""The connectors the service knows, by name: (Chinese label, English label)."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    address: str = Field(min_length=4, max_length=300)
    postal_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    kind: str = Field(pattern="^(" + "|".join(KINDS) + ")$")
    observed_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    request_id: str
    records: list[_Record] = Field(max_length=50)


@dataclass(frozen=True, slots=True)
class Outcome:
    source: str
    status: str
    took_ms: int
    detail: str = ""
    """What went wrong, for the clerk (never the ID number)."""
    found: list[Found] = field(default_factory=list)


async def query(
    client: httpx.AsyncClient,
    connector: Connector,
    *,
    name: str,
    id_number: str,
    case_number: str,
    timeout_s: float,
    max_bytes: int,
) -> Outcome:
    started = time.monotonic()

    def done(status: str, detail: str = "", found: list[Found] | None = None) -> Outcome:
        took = int((time.monotonic() - started) * 1000)
        return Outcome(connector.name, status, took, detail, found or [])

    request_id = uuid.uuid4().hex
    body = json.dumps(
        {"request_id": request_id, "case_number": case_number, "purpose": "judicial_service",
         "name": name, "id_number": id_number},
        ensure_ascii=False,
    ).encode("utf-8")  # fmt: skip
    headers = sign_request(connector.key, connector.client_id, QUERY_PATH, body, time.time())
    headers["Content-Type"] = "application/json"
    url = connector.url.rstrip("/") + QUERY_PATH
    try:
        async with asyncio.timeout(timeout_s):  # the whole exchange, however slowly it trickles
            status, raw, signature = await _fetch(client, url, body, headers, max_bytes)
    except (httpx.TimeoutException, TimeoutError):
        return done("timeout", f"no answer within {timeout_s:g} s")
    except _TooLargeError:
        return done("garbage", "answer too large")
    except httpx.HTTPError as exc:
        return done("error", type(exc).__name__)
    if status in (401, 403):
        return done("refused", f"HTTP {status}")
    if status >= 500:
        return done("error", f"HTTP {status}")
    if status != 200:
        return done("refused", f"HTTP {status}")
    try:
        verify_answer(connector.key, headers[NONCE], raw, signature)
        parsed = _Answer.model_validate_json(raw)
    except SignatureError:
        return done("garbage", "answer not signed by the agency")
    except ValidationError as exc:
        return done("garbage", f"answer of the wrong shape ({exc.error_count()} errors)")
    if parsed.request_id != request_id:
        return done("garbage", "answer to another request")
    try:
        found = [
            Found(connector.name, r.address.strip(), r.postal_code, r.kind,
                  date.fromisoformat(r.observed_on))
            for r in parsed.records
        ]  # fmt: skip
    except ValueError:
        return done("garbage", "a record's date is not a date")
    return done("ok", found=found)


class _TooLargeError(Exception):
    pass


async def _fetch(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], max_bytes: int
) -> tuple[int, bytes, str | None]:
    async with client.stream("POST", url, content=body, headers=headers) as answer:
        raw = bytearray()
        async for chunk in answer.aiter_bytes():
            raw += chunk
            if len(raw) > max_bytes:
                raise _TooLargeError
        return answer.status_code, bytes(raw), answer.headers.get(ANSWER_SIGNATURE)
