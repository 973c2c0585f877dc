"""The log's public face (read-only, no login: checkpoints and proofs are hashes and signatures,
which is what makes the log publicly verifiable; the steps themselves are not served here):

    GET /api/ledger/checkpoint                  the latest checkpoint with its cosignatures
    GET /api/ledger/checkpoints/{size}          a checkpoint of that size
    GET /api/ledger/proof/consistency?old=&new= consistency proof, one base64 hash a line

Notes and proofs are ``text/plain``; errors are the side services' JSON body
``{"error": {"code", "reason", "message", "message_zh", "params"}}``.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import Engine

from ledger.store import checkpoint_at, latest_checkpoint, log_size
from ledger.writer import LogWriter

__all__ = ["router"]

router = APIRouter(prefix="/api/ledger", tags=["ledger"])
MAX_SIZE = 2**53


def _error(status: int, code: str, zh: str, en: str, **params: int) -> JSONResponse:
    body = {
        "error": {"code": code, "reason": code, "message": en, "message_zh": zh, "params": params}
    }
    return JSONResponse(body, status_code=status)


def _engine(request: Request) -> Engine:
    engine = request.app.state.ledger_engine
    assert isinstance(engine, Engine)
    return engine


def _writer(request: Request) -> LogWriter:
    writer = request.app.state.ledger_writer
    assert isinstance(writer, LogWriter)
    return writer


@router.get("/checkpoint")
def latest(request: Request) -> Response:
    with _engine(request).connect() as connection:
        stored = latest_checkpoint(connection)
    if stored is None:
        return _error(404, "not_found", "账本尚无检查点", "The log has no checkpoint yet")
    return PlainTextResponse(stored.render())


@router.get("/checkpoints/{size}")
def at_size(request: Request, size: int) -> Response:
    if not 1 <= size <= MAX_SIZE:
        return _error(422, "invalid", "树的大小应为正整数", "The tree size must be positive")
    with _engine(request).connect() as connection:
        stored = checkpoint_at(connection, size)
    if stored is None:
        return _error(
            404, "not_found", "没有该大小的检查点", "No checkpoint of that size", size=size
        )
    return PlainTextResponse(stored.render())


@router.get("/proof/consistency")
def consistency(
    request: Request,
    old: Annotated[int, Query(ge=1, le=MAX_SIZE)],
    new: Annotated[int, Query(ge=1, le=MAX_SIZE)],
) -> Response:
    with _engine(request).connect() as connection:
        stored_old, stored_new = checkpoint_at(connection, old), checkpoint_at(connection, new)
        size = log_size(connection)
    if old > new:
        return _error(422, "invalid", "旧的大小不能大于新的大小", "old must not exceed new")
    if stored_old is None or stored_new is None or new > size:
        return _error(404, "not_found", "没有该大小的检查点", "No checkpoint of that size")
    proof = _writer(request).consistency_proof(old, new)
    return PlainTextResponse("".join(base64.b64encode(h).decode() + "\n" for h in proof))
