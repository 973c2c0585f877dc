"""The address API (``/api/addresses``): find a case, look a party's addresses up, read a
look-up, use one of its addresses for a postal service, read the case's audit trail."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select

from addresses.access import case_for, lookup_for
from addresses.api.deps import ContextDep, SessionDep, StaffDep
from addresses.api.views import audit_view, case_view, lookup_view
from addresses.audit import record, staff_actor
from addresses.connectors import CONNECTORS
from addresses.errors import ConflictError, NotFoundError
from addresses.lookup import run_lookup
from addresses.tables import AddressCase, AddressResult
from tingshen_platform.bounded import Id, SingleLine

__all__ = ["router"]

router = APIRouter(prefix="/api/addresses", tags=["addresses"])

IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=500),
                   SingleLine]  # fmt: skip


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    party_ref: str = Field(max_length=16, pattern=r"^[a-z]{1,4}-\d{1,10}$")
    id_number: str = Field(min_length=1, max_length=32)
    reason: Reason


class UseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service_id: Id | None = None
    """The delivery service's service whose letter came back (``None``: a new postal service)."""


@router.get("/sources")
def get_sources(staff: StaffDep, ctx: ContextDep) -> dict[str, Any]:
    on = {c.name for c in ctx.connectors}
    return {
        "items": [
            {"name": name, "label_zh": zh, "label_en": en, "configured": name in on}
            for name, (zh, en) in CONNECTORS.items()
        ]
    }


@router.get("/cases")
def find_case(
    staff: StaffDep, session: SessionDep,
    number: Annotated[str, Query(min_length=3, max_length=100)],
) -> dict[str, Any]:  # fmt: skip
    case = session.scalars(
        select(AddressCase).where(
            AddressCase.case_number == number.strip(), AddressCase.court_id == staff.court_id
        )
    ).first()
    if case is None:
        raise NotFoundError("no such case", "没有这个案号的案件", reason="addr_case_not_found")
    return case_view(session, case_for(session, staff, case.dossier_case_id))


@router.get("/cases/{case_id}")
def get_case(case_id: IdPath, staff: StaffDep, session: SessionDep) -> dict[str, Any]:
    return case_view(session, case_for(session, staff, case_id))


@router.get("/cases/{case_id}/audit")
def get_audit(case_id: IdPath, staff: StaffDep, session: SessionDep) -> dict[str, Any]:
    case = case_for(session, staff, case_id)
    return {"items": audit_view(session, case.dossier_case_id)}


@router.post("/cases/{case_id}/lookups", status_code=201)
async def post_lookup(
    case_id: IdPath, body: LookupIn, staff: StaffDep, ctx: ContextDep
) -> dict[str, Any]:
    lookup_id = await run_lookup(ctx, staff, case_id, body.party_ref, body.id_number, body.reason)
    with ctx.session_factory() as session:
        return lookup_view(session, lookup_for(session, staff, lookup_id))


@router.get("/lookups/{lookup_id}")
def get_lookup(lookup_id: IdPath, staff: StaffDep, session: SessionDep) -> dict[str, Any]:
    return lookup_view(session, lookup_for(session, staff, lookup_id))


@router.post("/lookups/{lookup_id}/results/{rank}/use")
def use_result(
    lookup_id: IdPath, rank: IdPath, body: UseIn,
    staff: StaffDep, session: SessionDep, ctx: ContextDep,
) -> dict[str, Any]:  # fmt: skip
    """Record that the clerk chose this address for a postal service, and say how the delivery
    service takes it: the page sends that request (the delivery service authorises it itself)."""
    lookup = lookup_for(session, staff, lookup_id)
    case = session.get(AddressCase, lookup.dossier_case_id)
    assert case is not None
    if case.closed_on is not None:
        raise ConflictError("the case is closed", "本案已结案", reason="addr_case_closed")
    result = session.scalars(
        select(AddressResult).where(
            AddressResult.lookup_id == lookup.id, AddressResult.rank == rank
        )
    ).first()
    if result is None:
        raise NotFoundError(
            "no such address", "这次查询没有这一地址", reason="addr_result_not_found"
        )
    record(session, staff_actor(staff), "address_used", at=ctx.now(),
           case_id=case.dossier_case_id, lookup_id=lookup.id,
           details={"rank": rank, "address": result.address,
                    "service_id": body.service_id})  # fmt: skip
    session.commit()
    postal = result.address
    delivery: dict[str, Any]
    if body.service_id is not None:
        delivery = {"method": "POST", "path": f"/api/delivery/services/{body.service_id}/again",
                    "body": {"channel": "post", "postal_address": postal}}  # fmt: skip
    else:
        query = urlencode(
            {"case": case.dossier_case_id, "party": lookup.party_ref, "address": postal}
        )
        delivery = {"page": f"/delivery/?{query}"}
    return {"address": result.address, "postal_code": result.postal_code,
            "party_ref": lookup.party_ref, "party_name": lookup.party_name,
            "dossier_case_id": case.dossier_case_id, "delivery": delivery}  # fmt: skip
