"""What the address API answers: a case with its parties and look-ups, a look-up with each
agency's outcome and the ranked addresses (people by role and name; ID numbers by their tail)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from addresses.connectors import CONNECTORS
from addresses.tables import (
    AddressAudit,
    AddressCase,
    AddressLookup,
    AddressParty,
    AddressResult,
    AddressSource,
)

__all__ = ["audit_view", "case_view", "lookup_view"]

ROLE_ZH = {"judge": "审判员", "clerk": "书记员"}


def _source(name: str) -> dict[str, str]:
    zh, en = CONNECTORS.get(name, (name, name))
    return {"name": name, "label_zh": zh, "label_en": en}


def _lookup_summary(lookup: AddressLookup) -> dict[str, Any]:
    return {
        "id": lookup.id,
        "party_ref": lookup.party_ref,
        "party_name": lookup.party_name,
        "id_tail": lookup.id_tail,
        "reason": lookup.reason,
        "requested_by": lookup.requested_by,
        "requested_role": lookup.requested_role,
        "requested_role_zh": ROLE_ZH.get(lookup.requested_role, lookup.requested_role),
        "requested_at": lookup.requested_at.isoformat(),
        "status": lookup.status,
        "finished_at": lookup.finished_at.isoformat() if lookup.finished_at else None,
    }


def case_view(session: Session, case: AddressCase) -> dict[str, Any]:
    parties = session.scalars(
        select(AddressParty)
        .where(AddressParty.dossier_case_id == case.dossier_case_id)
        .order_by(AddressParty.id)
    )
    lookups = session.scalars(
        select(AddressLookup)
        .where(AddressLookup.dossier_case_id == case.dossier_case_id)
        .order_by(AddressLookup.id.desc())
        .limit(50)
    )
    return {
        "dossier_case_id": case.dossier_case_id,
        "case_number": case.case_number,
        "cause_of_action": case.cause_of_action,
        "filed_on": case.filed_on.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "parties": [
            {
                "party_ref": p.party_ref,
                "role": p.role,
                "kind": p.kind,
                "name": p.name,
                "filed_id_tail": p.id_tail,
            }
            for p in parties
        ],
        "lookups": [_lookup_summary(lookup) for lookup in lookups],
    }


def lookup_view(session: Session, lookup: AddressLookup) -> dict[str, Any]:
    case = session.get(AddressCase, lookup.dossier_case_id)
    assert case is not None
    sources = session.scalars(
        select(AddressSource).where(AddressSource.lookup_id == lookup.id).order_by(AddressSource.id)
    )
    results = session.scalars(
        select(AddressResult)
        .where(AddressResult.lookup_id == lookup.id)
        .order_by(AddressResult.rank)
    )
    return {
        **_lookup_summary(lookup),
        "dossier_case_id": case.dossier_case_id,
        "case_number": case.case_number,
        "sources": [
            {**_source(s.source), "status": s.status, "detail": s.detail, "took_ms": s.took_ms,
             "records": s.records}
            for s in sources
        ],
        "results": [
            {"rank": r.rank, "address": r.address, "postal_code": r.postal_code,
             "score": r.score, "latest_on": r.latest_on.isoformat(),
             "records": [{**rec, **{"label_zh": _source(rec["source"])["label_zh"],
                                    "label_en": _source(rec["source"])["label_en"]}}
                         for rec in r.records]}
            for r in results
        ],
    }  # fmt: skip


def audit_view(session: Session, case_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(AddressAudit)
        .where(AddressAudit.dossier_case_id == case_id)
        .order_by(AddressAudit.id.desc())
        .limit(500)
    )
    return [
        {"at": a.at.isoformat(), "actor_kind": a.actor_kind, "actor_name": a.actor_name,
         "action": a.action, "lookup_id": a.lookup_id, "details": a.details}
        for a in rows
    ]  # fmt: skip
