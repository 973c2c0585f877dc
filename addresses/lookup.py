"""A look-up: asked (audited and committed before any agency is asked), every configured agency
queried at once with its timeout, then the outcomes and the ranked addresses written in one
transaction. A look-up refused (a malformed ID number, a closed case, a limit reached) asks no
one and writes nothing, and one for a number other than the party's as filed is refused and
audited (``lookup_refused``); one that some agencies failed keeps what the others found
(``partial``).

Logs carry the look-up's id and each agency's status, never the ID number."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from addresses.access import case_for
from addresses.audit import SYSTEM, record, staff_actor
from addresses.connectors import Outcome, query
from addresses.context import AddressesContext
from addresses.errors import (
    ConflictError,
    InvalidInputError,
    NoConnectorError,
    NotFoundError,
    RateLimitedError,
)
from addresses.idnumber import IdNumberError, id_hash, id_tail, parse_id_number
from addresses.ranking import rank
from addresses.tables import AddressLookup, AddressParty, AddressResult, AddressSource
from tingshen_platform.identity import StaffPrincipal

__all__ = ["Asked", "run_lookup", "settle_abandoned"]

log = logging.getLogger("addresses.lookup")


@dataclass(frozen=True, slots=True)
class Asked:
    lookup_id: int
    case_number: str
    party_name: str


def _ask(
    ctx: AddressesContext, staff: StaffPrincipal, case_id: int, party_ref: str, id_number: str,
    reason: str,
) -> Asked:  # fmt: skip
    with ctx.session_factory() as session:
        case = case_for(session, staff, case_id)
        if case.closed_on is not None:
            raise ConflictError(
                "the case is closed", "本案已结案，不能再查询当事人地址", reason="addr_case_closed"
            )
        party = session.scalars(
            select(AddressParty).where(
                AddressParty.dossier_case_id == case_id, AddressParty.party_ref == party_ref
            )
        ).first()
        if party is None:
            raise NotFoundError(
                "no such party", "本案没有这个当事人", reason="addr_party_not_found"
            )
        if not ctx.connectors:
            raise NoConnectorError(
                "no agency's address service is configured",
                "尚未接入任何外部地址数据库，请联系技术人员",
                reason="addr_no_connector",
            )
        _limit(ctx, staff, case_id, party_ref)  # before the number's check: a wrong one counts
        assert ctx.id_key is not None  # with a connector there is a key (load_connectors)
        hashed = id_hash(ctx.id_key, id_number)
        if party.id_hash is not None and party.id_hash != hashed:
            record(session, staff_actor(staff), "lookup_refused", at=ctx.now(), case_id=case_id,
                   details={"party": party.name, "id_tail": id_tail(id_number), "reason": reason,
                            "refusal": "id_not_filed"})  # fmt: skip
            session.commit()
            raise InvalidInputError(
                "the ID number is not the one filed for this party",
                f"身份证号码与立案登记的该当事人身份证号码（尾号{party.id_tail}）不一致，请核对",
                reason="addr_id_not_filed", id_tail=party.id_tail,
            )  # fmt: skip
        now = ctx.now()
        lookup = AddressLookup(
            dossier_case_id=case_id, party_ref=party_ref, party_name=party.name,
            id_hash=hashed, id_tail=id_tail(id_number), reason=reason,
            requested_by_id=staff.user_id, requested_by=staff.display_name,
            requested_role=staff.role, requested_at=now, status="running", finished_at=None,
        )  # fmt: skip
        session.add(lookup)
        session.flush()
        record(session, staff_actor(staff), "lookup_asked", at=now, case_id=case_id,
               lookup_id=lookup.id,
               details={"party": party.name, "id_tail": lookup.id_tail, "reason": reason,
                        "sources": [c.name for c in ctx.connectors]})  # fmt: skip
        session.commit()
        return Asked(lookup.id, case.case_number, party.name)


def _limit(ctx: AddressesContext, staff: StaffPrincipal, case_id: int, party_ref: str) -> None:
    settings = ctx.settings
    if not ctx.counters.hit(
        f"addresses:staff:{staff.user_id}", settings.per_staff_per_hour, timedelta(hours=1)
    ):
        raise RateLimitedError(
            f"at most {settings.per_staff_per_hour} look-ups per hour",
            f"每小时最多查询{settings.per_staff_per_hour}次，请稍后再试",
            reason="addr_staff_limit", retry_after_s=600,
        )  # fmt: skip
    if not ctx.counters.hit(
        f"addresses:party:{case_id}:{party_ref}", settings.per_party_per_day, timedelta(days=1)
    ):
        raise RateLimitedError(
            f"at most {settings.per_party_per_day} look-ups of one party per day",
            f"同一当事人每日最多查询{settings.per_party_per_day}次，请使用已有的查询结果",
            reason="addr_party_limit", retry_after_s=3600,
        )  # fmt: skip


def _finish(ctx: AddressesContext, asked: Asked, outcomes: list[Outcome]) -> None:
    found = [f for outcome in outcomes for f in outcome.found]
    ranked = rank(found, ctx.today())
    answered = sum(o.status == "ok" for o in outcomes)
    status = "done" if answered == len(outcomes) else "partial" if answered else "failed"
    with ctx.session_factory.begin() as session:
        lookup = session.get(AddressLookup, asked.lookup_id)
        assert lookup is not None
        for o in outcomes:
            session.add(
                AddressSource(lookup_id=lookup.id, source=o.source, status=o.status,
                              detail=o.detail[:300], took_ms=o.took_ms, records=len(o.found))
            )  # fmt: skip
        for position, r in enumerate(ranked, start=1):
            session.add(
                AddressResult(
                    lookup_id=lookup.id, rank=position, address=r.address,
                    postal_code=r.postal_code, score=r.score, latest_on=r.latest_on,
                    records=[{"source": f.source, "kind": f.kind, "address": f.address,
                              "observed_on": f.observed_on.isoformat()} for f in r.records],
                )
            )  # fmt: skip
        lookup.status, lookup.finished_at = status, ctx.now()
        record(session, SYSTEM, "lookup_finished", at=ctx.now(),
               case_id=lookup.dossier_case_id, lookup_id=lookup.id,
               details={"status": status, "addresses": len(ranked),
                        "sources": {o.source: o.status for o in outcomes}})  # fmt: skip
    log.info(
        "address look-up %s: %s (%s)",
        asked.lookup_id, status, ", ".join(f"{o.source}={o.status}" for o in outcomes),
    )  # fmt: skip


async def run_lookup(
    ctx: AddressesContext, staff: StaffPrincipal, case_id: int, party_ref: str,
    id_number_text: str, reason: str,
) -> int:  # fmt: skip
    """The look-up's id, once every agency answered or timed out and all is recorded."""
    try:
        id_number = parse_id_number(id_number_text)
    except IdNumberError as exc:
        raise InvalidInputError(str(exc), exc.zh, reason="addr_id_number") from None
    asked = await run_in_threadpool(_ask, ctx, staff, case_id, party_ref, id_number, reason)
    settings = ctx.settings
    async with httpx.AsyncClient(transport=ctx.transport, trust_env=False) as client:
        outcomes = await asyncio.gather(
            *(
                query(client, connector, name=asked.party_name, id_number=id_number,
                      case_number=asked.case_number, timeout_s=settings.timeout_s,
                      max_bytes=settings.max_answer_bytes)
                for connector in ctx.connectors
            )
        )  # fmt: skip
    await run_in_threadpool(_finish, ctx, asked, list(outcomes))
    return asked.lookup_id


def settle_abandoned(ctx: AddressesContext) -> int:
    """Look-ups still ``running`` long after any agency could have answered (their process
    stopped between asking and writing the answers) become ``failed``, audited; how many. Run
    when the service starts; "long" is ten timeouts, so a look-up another process of a cluster
    is still making is left alone."""
    horizon = ctx.now() - timedelta(seconds=10 * ctx.settings.timeout_s)
    with ctx.session_factory.begin() as session:
        stale = session.scalars(
            select(AddressLookup).where(
                AddressLookup.status == "running", AddressLookup.requested_at < horizon
            )
        ).all()
        for lookup in stale:
            lookup.status, lookup.finished_at = "failed", ctx.now()
            record(session, SYSTEM, "lookup_abandoned", at=ctx.now(),
                   case_id=lookup.dossier_case_id, lookup_id=lookup.id)  # fmt: skip
    return len(stale)
