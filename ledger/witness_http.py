"""The witness's HTTP face: ``POST /add-checkpoint`` (C2SP tlog-witness) over a
:class:`ledger.witness.Witness`; a request body is at most 64 KiB."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ledger.witness import Witness

__all__ = ["MAX_BODY_BYTES", "create_witness_app"]

MAX_BODY_BYTES = 64 * 1024


def create_witness_app(witness: Witness) -> Starlette:
    async def add_checkpoint(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return PlainTextResponse("request.too_large\n", status_code=413)
        try:
            text = body.decode()
        except UnicodeDecodeError:
            return PlainTextResponse("request.malformed: not UTF-8\n", status_code=400)
        answer = await run_in_threadpool(witness.add_checkpoint, text)  # it fsyncs
        return Response(answer.body, status_code=answer.status, media_type=answer.content_type)

    return Starlette(routes=[Route("/add-checkpoint", add_checkpoint, methods=["POST"])])
