"""The order workflow's routes (JSON; errors ``{"error": {code, reason, message, message_zh}}``).

Lawyers (a portal account with a licence number, :mod:`ledger.lawyers`)::

    GET  /api/ledger/my/cases                     cases he is lawyer of record in
    GET  /api/ledger/my/orders                    his own applications and orders
    POST /api/ledger/my/orders                    apply (201)
    GET  /api/ledger/my/orders/{order_id}/pdf     the sealed order

The case's judge (a staff session, ``tingshen_platform.identity``)::

    GET  /api/ledger/judge/orders                 applications in his cases
    POST /api/ledger/judge/orders/{order_id}/decision   approve (as asked or narrowed) / reject
    POST /api/ledger/judge/orders/{order_id}/revoke
    GET  /api/ledger/judge/orders/{order_id}/pdf

Anyone with an order's number and QR token (rate-limited per address)::

    POST /api/ledger/public/verify                the order's state with its proofs (a leaf)
    POST /api/ledger/public/respond               the institution's answer (multipart)
    GET  /api/ledger/trust                        the keys a verifier trusts
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from ledger.order_context import OrderContext
from ledger.order_public import Upload, respond, verify
from ledger.order_rules import MAX_VALID_DAYS, Scope
from ledger.order_tables import cases, orders
from ledger.orders import (
    Judge,
    Lawyer,
    OrderError,
    apply,
    decide,
    judge_of,
    lawyer_in_case,
    not_found,
    order_row,
    revoke,
    view,
)
from ledger.store import court_keys
from tingshen_platform.identity import StaffPrincipal

__all__ = ["MAX_UPLOAD_BYTES", "router"]

router = APIRouter(prefix="/api/ledger", tags=["ledger"])
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
FILES_SCHEMA = {
    "maxItems": MAX_FILES,
    "items": {"type": "string", "format": "binary", "maxLength": MAX_UPLOAD_BYTES},
}
"""The uploads' bounds in the API schema (the route enforces them)."""
NO_FILES: list[UploadFile] = []
Text = Annotated[str, Field(min_length=1, max_length=2000)]


def _ctx(request: Request) -> OrderContext:
    ctx = request.app.state.ledger_orders
    assert isinstance(ctx, OrderContext)
    return ctx


async def _lawyer(request: Request) -> Lawyer:
    found = await request.app.state.ledger_lawyers.who(request.cookies)
    if found is None:
        raise OrderError(401, "not_authenticated", "请以律师身份登录诉讼服务平台",
                         "Sign in to the portal as a lawyer")  # fmt: skip
    assert isinstance(found, Lawyer)
    return found


async def _judge(request: Request) -> Judge:
    who = await request.app.state.ledger_identity.who(request.cookies)
    if not isinstance(who, StaffPrincipal):
        raise OrderError(401, "not_authenticated", "请先登录", "Sign in first")
    if who.role != "judge":
        raise OrderError(403, "forbidden", "只有承办法官可以处理调查令", "Judges only")
    return Judge(who.user_id, who.display_name, who.court_id)


Ctx = Annotated[OrderContext, Depends(_ctx)]
LawyerDep = Annotated[Lawyer, Depends(_lawyer)]
JudgeDep = Annotated[Judge, Depends(_judge)]


class ApplyIn(BaseModel):
    dossier_case_id: int = Field(ge=1, le=2**31 - 1)
    institution_kind: Literal["bank", "registry", "company"]
    institution_name: Text
    items: list[Text] = Field(min_length=1, max_length=20)
    reason: Text
    valid_days: int = Field(ge=1, le=MAX_VALID_DAYS)


class DecisionIn(BaseModel):
    approve: bool
    reason: Text
    items: list[Text] | None = Field(default=None, min_length=1, max_length=20)
    valid_days: int | None = Field(default=None, ge=1, le=MAX_VALID_DAYS)


class RevokeIn(BaseModel):
    reason: Text


class VerifyIn(BaseModel):
    number: str = Field(min_length=1, max_length=100)
    token: str = Field(min_length=1, max_length=100)
    since: int | None = Field(default=None, ge=1, le=2**53)


def _limited(request: Request) -> None:
    address = request.client.host if request.client else "-"
    if not request.app.state.ledger_limit.allow(address):
        raise OrderError(429, "rate_limited", "核验过于频繁，请稍后再试", "Too many requests")


@router.get("/my/cases")
def my_cases(ctx: Ctx, lawyer: LawyerDep) -> dict[str, Any]:
    with ctx.engine.connect() as connection:
        rows = connection.execute(select(cases).order_by(cases.c.id)).all()
        mine = [r for r in rows if lawyer_in_case(connection, r.id, lawyer)]
    return {"lawyer": lawyer.name, "items": [
        {"dossier_case_id": r.dossier_case_id, "case_number": r.case_number,
         "court": r.court_name, "cause": r.cause} for r in mine
    ]}  # fmt: skip


@router.get("/my/orders")
def my_orders(ctx: Ctx, lawyer: LawyerDep) -> dict[str, Any]:
    with ctx.engine.connect() as connection:
        rows = connection.execute(
            select(orders).where(orders.c.lawyer_licence == lawyer.licence_number)
            .order_by(orders.c.id.desc())
        ).all()  # fmt: skip
    return {"lawyer": lawyer.name, "items": [view(ctx, r) for r in rows]}


@router.post("/my/orders", status_code=201)
async def apply_for(body: ApplyIn, ctx: Ctx, lawyer: LawyerDep) -> dict[str, Any]:
    scope = Scope(body.institution_kind, body.institution_name, tuple(body.items), body.reason,
                  body.valid_days)  # fmt: skip
    order_id = await run_in_threadpool(apply, ctx, body.dossier_case_id, lawyer, scope)
    with ctx.engine.connect() as connection:
        return view(ctx, order_row(connection, order_id))


def _pdf(ctx: OrderContext, row: Any) -> Response:
    if row.pdf_key is None:
        raise OrderError(404, "order.no_pdf", "该调查令尚未签发", "Not issued yet")
    data = ctx.files.get(row.pdf_key)
    name = f"order-{row.id}.pdf"
    return Response(data, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.get("/my/orders/{order_id}/pdf")
def my_pdf(order_id: int, ctx: Ctx, lawyer: LawyerDep) -> Response:
    with ctx.engine.connect() as connection:
        row = order_row(connection, order_id)
    if row.lawyer_licence != lawyer.licence_number:
        raise not_found()
    return _pdf(ctx, row)


@router.get("/judge/orders")
def judge_orders(ctx: Ctx, judge: JudgeDep) -> dict[str, Any]:
    with ctx.engine.connect() as connection:
        rows = connection.execute(
            select(orders).join(cases, cases.c.id == orders.c.case_id)
            .where(cases.c.judge_user_id == judge.user_id, cases.c.court_id == judge.court_id)
            .order_by(orders.c.id.desc())
        ).all()  # fmt: skip
    return {"judge": judge.name, "items": [view(ctx, r) for r in rows]}


@router.post("/judge/orders/{order_id}/decision")
async def decision(order_id: int, body: DecisionIn, ctx: Ctx, judge: JudgeDep) -> dict[str, Any]:
    row = await run_in_threadpool(judge_of, ctx, order_id, judge)
    scope = None
    if body.approve and (body.items is not None or body.valid_days is not None):
        applied = Scope.from_dict(json.loads(row.applied_json))
        scope = Scope(applied.institution_kind, applied.institution_name,
                      tuple(body.items or applied.items), applied.reason,
                      body.valid_days or applied.valid_days)  # fmt: skip
    outcome = await run_in_threadpool(
        lambda: decide(ctx, order_id, judge, approve=body.approve, reason=body.reason, scope=scope)
    )
    with ctx.engine.connect() as connection:
        return {"decision": outcome, "order": view(ctx, order_row(connection, order_id))}


@router.post("/judge/orders/{order_id}/revoke")
async def revoke_order(order_id: int, body: RevokeIn, ctx: Ctx, judge: JudgeDep) -> dict[str, Any]:
    await run_in_threadpool(revoke, ctx, order_id, judge, body.reason)
    with ctx.engine.connect() as connection:
        return view(ctx, order_row(connection, order_id))


@router.get("/judge/orders/{order_id}/pdf")
def judge_pdf(order_id: int, ctx: Ctx, judge: JudgeDep) -> Response:
    return _pdf(ctx, judge_of(ctx, order_id, judge))


@router.post("/public/verify")
async def public_verify(body: VerifyIn, request: Request, ctx: Ctx) -> dict[str, Any]:
    _limited(request)
    return await run_in_threadpool(verify, ctx, body.number, body.token, "二维码核验", body.since)


@router.post("/public/respond", status_code=201)
async def public_respond(
    request: Request,
    ctx: Ctx,
    number: Annotated[str, Form(min_length=1, max_length=100)],
    token: Annotated[str, Form(min_length=1, max_length=100)],
    outcome: Annotated[Literal["provided", "refused"], Form()],
    responder: Annotated[str, Form(min_length=1, max_length=200)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    files: Annotated[list[UploadFile], File(json_schema_extra=FILES_SCHEMA)] = NO_FILES,
) -> dict[str, Any]:
    _limited(request)
    if len(files) > MAX_FILES:
        raise OrderError(413, "too_many_files", "文件过多", f"At most {MAX_FILES} files")
    uploads = []
    for upload in files:
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise OrderError(413, "too_large", "文件过大", "File too large")
        kind = upload.content_type or "application/octet-stream"
        uploads.append(Upload(upload.filename or "file", kind, data))
    idx = await run_in_threadpool(
        lambda: respond(
            ctx, number, token, outcome=outcome, responder=responder, reason=reason, files=uploads
        )
    )
    return {"leaf_index": idx}


@router.get("/trust")
def trust(ctx: Ctx) -> dict[str, Any]:
    with ctx.engine.connect() as connection:
        courts = court_keys(connection)
    return {
        "origin": ctx.settings.origin,
        "log_key": ctx.log_key.vkey(),
        "court_keys": sorted(k.vkey() for k in courts.values()),
        "witnesses": [w.vkey() for w in ctx.quorum.witnesses] if ctx.quorum else [],
        "quorum": ctx.quorum.threshold if ctx.quorum else 0,
    }
