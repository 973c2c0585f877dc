"""The simulator's app: ``POST /v1/address-query`` as an agency serves it, ``GET /sim/health``,
``POST /sim/faults`` (``none``, ``hang``: never answers; ``garbage``: a signed answer that is not
JSON; ``unsigned``: a well-formed answer without the agency's signature; ``wrong_shape``: signed
JSON of another shape; ``error``: 500; ``huge``: a signed answer larger than any real one).

It refuses (401) a request without a valid signature, outside the timestamp window, or with a
nonce it has seen; it answers records only where name and ID number both match. It logs the
look-up's request id and how many records it gave, never the ID number."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from addresses.signing import ANSWER_SIGNATURE, SignatureError, answer_signature, verify_request

__all__ = ["FAULTS", "make_app"]

FAULTS = ("none", "hang", "garbage", "unsigned", "wrong_shape", "error", "huge")
log = logging.getLogger("addresses.simulator")


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str = Field(min_length=8, max_length=64)
    case_number: str = Field(max_length=100)
    purpose: str = Field(max_length=64)
    name: str = Field(min_length=1, max_length=200)
    id_number: str = Field(min_length=18, max_length=18)


class _Fault(BaseModel):
    mode: str = Field(pattern="^(" + "|".join(FAULTS) + ")$")


def make_app(data_file: Path, keys: dict[str, bytes], window_s: int = 300) -> FastAPI:
    data: dict[str, Any] = json.loads(data_file.read_text("utf-8"))
    people: dict[str, Any] = data["people"]
    seen: dict[str, float] = {}
    state = {"mode": "none"}
    app = FastAPI(title=data.get("agency", "address simulator"))

    @app.get("/sim/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "mode": state["mode"]}

    @app.post("/sim/faults")
    def faults(fault: _Fault) -> dict[str, str]:
        state["mode"] = fault.mode
        return {"mode": fault.mode}

    @app.post("/v1/address-query")
    async def address_query(request: Request) -> Response:
        body = await request.body()
        now = time.time()
        try:
            key_id, nonce = verify_request(
                keys, request.headers, request.url.path, body, now, window_s
            )
        except SignatureError as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        for old in [n for n, at in seen.items() if at < now - 2 * window_s]:
            del seen[old]
        if nonce in seen:
            return JSONResponse({"error": "nonce replayed"}, status_code=401)
        seen[nonce] = now
        try:
            asked = _Query.model_validate_json(body)
        except ValidationError:
            return JSONResponse({"error": "bad query"}, status_code=400)
        mode, key = state["mode"], keys[key_id]
        if mode == "hang":
            await asyncio.sleep(3600)
        if mode == "error":
            return JSONResponse({"error": "internal"}, status_code=500)
        person = people.get(asked.id_number)
        records = person["records"] if person and person["name"] == asked.name else []
        answer: Any = {"request_id": asked.request_id, "records": records}
        if mode == "wrong_shape":
            answer = {"request_id": asked.request_id, "records": "see attachment"}
        if mode == "huge":
            answer = {"request_id": asked.request_id, "records": [], "pad": "x" * 2_000_000}
        out = b"<html>Service Unavailable" if mode == "garbage" else json.dumps(
            answer, ensure_ascii=False).encode("utf-8")  # fmt: skip
        log.info("query %s: %d records", asked.request_id, len(records))
        headers = (
            {} if mode == "unsigned" else {ANSWER_SIGNATURE: answer_signature(key, nonce, out)}
        )
        return Response(out, media_type="application/json", headers=headers)

    return app
