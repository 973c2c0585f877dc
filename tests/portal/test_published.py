# ruff: noqa: F811  (the dossier's fixtures are imported by name, then asked for by name)
"""A material the judge publishes in the dossier appears among that party's documents in the
portal (``dossier.material_published``, written with the publication): the dossier and the portal
in one app, the dossier's own publishing route, its own store; the party reads the very bytes
the dossier holds, has nothing to sign for, and a re-delivered event or a second publication
adds nothing; a refused publication announces nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from court_events.dossier import (
    CASE_FILED,
    MATERIAL_PUBLISHED,
    CaseFiled,
    FiledParty,
    MaterialPublished,
)
from dossier.materials.tables import MaterialVersion
from dossier.models import DossierCase
from hearing_server.context import ServerContext
from hearing_server.settings import Settings
from portal.idnumber import check_character
from portal.verifier import LocalRegistryVerifier
from tests.dossier.conftest import DossierWorld, dossier_context, dossier_world  # noqa: F401
from tests.dossier.publish_world import PublishWorld, publish_world
from tests.portal.conftest import PG_URL_PARAMS, portal_context, run
from tests.server.conftest import START, postgres_schema
from tingshen_platform.events import publish
from tingshen_platform.schema import events as events_table


def _person(name: str, serial: str, phone: str) -> tuple[str, str, str]:
    first17 = f"11010519850301{serial}"
    return name, first17 + check_character(first17), phone


ZHANG = _person("张伟", "031", "13800000021")
"""The plaintiff of the dossier's case A (publish_world)."""
LI_NA = _person("李娜", "042", "13800000022")
"""Its defendant."""


@pytest.fixture(params=PG_URL_PARAMS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    def make(database_url: str | None = None) -> Settings:
        return Settings(
            data_dir=tmp_path / "data", database_url=database_url, login_rate_limit=5,
            session_ttl_minutes=60, side_services=["dossier", "portal"],
        )  # fmt: skip

    if request.param == "sqlite":
        yield make()
        return
    with postgres_schema() as url:
        yield make(url)


@pytest.fixture
def pw(app: FastAPI, ctx: ServerContext, dossier_world: DossierWorld) -> PublishWorld:
    """The dossier's case A with its parties and materials; the portal told of the case as the
    dossier's filing tells it (``case.filed``, the parties' refs and ID numbers)."""
    made = publish_world(app, dossier_world)
    with dossier_context(app).session_factory() as s:
        case = s.get(DossierCase, dossier_world.case_a)
        assert case is not None
        number, court_id = case.case_number, case.court_id
    filed = CaseFiled(
        dossier_case_id=dossier_world.case_a, court_id=court_id, court_name="越秀区人民法院",
        case_number=number, cause_of_action="民间借贷纠纷", cause_code="C103-3",
        procedure="ordinary", claim_amount_fen=None, judge_user_id=None, clerk_user_id=None,
        filed_on=START.date(), filed_at=START,
        parties=[
            FiledParty(party_ref=made.plaintiff_ref, role="plaintiff", kind="person",
                       name=ZHANG[0], phone=ZHANG[2], id_number=ZHANG[1]),
            FiledParty(party_ref=made.defendant_ref, role="defendant", kind="person",
                       name=LI_NA[0], phone=LI_NA[2], id_number=LI_NA[1]),
        ],
    )  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, CASE_FILED, filed, occurred_at=ctx.clock())
    verifier = portal_context(app).verifier
    assert isinstance(verifier, LocalRegistryVerifier)
    for name, id_number, _ in (ZHANG, LI_NA):
        verifier.enrol(name, id_number)
    run(app)
    return made


def _published(ctx: ServerContext) -> list[dict[str, object]]:
    with ctx.engine.connect() as connection:
        rows = connection.execute(
            select(events_table.c.payload).where(events_table.c.type == MATERIAL_PUBLISHED.name)
        ).scalars().all()  # fmt: skip
    return [dict(r) for r in rows]


def _publish(judge: TestClient, pw: PublishWorld, materials: list[int], refs: list[str]) -> int:
    answer = judge.post(
        f"/api/dossier/cases/{pw.dossier.case_a}/publications",
        json={"material_ids": materials, "party_refs": refs},
    )
    return answer.status_code


def test_a_published_material_is_among_the_partys_documents(
    app: FastAPI, ctx: ServerContext, pw: PublishWorld, party, staff
) -> None:
    judge = staff("judge_a")
    assert _publish(judge, pw, [pw.complaint], [pw.plaintiff_ref]) == 201
    [event] = _published(ctx)
    assert (event["party_ref"], event["title"]) == (pw.plaintiff_ref, "起诉状")
    run(app)
    zhang, li = party(ZHANG), party(LI_NA)
    [doc] = zhang.get("/api/portal/documents").json()
    assert (doc["title"], doc["source"], doc["service_id"]) == ("起诉状", "published", None)
    with dossier_context(app).session_factory() as s:
        version = s.scalars(
            select(MaterialVersion).where(MaterialVersion.material_id == pw.complaint)
        ).one()
        assert version.pdf_blob_key is not None
        held = dossier_context(app).files.get(version.pdf_blob_key)
    assert doc["sha256"] == hashlib.sha256(held).hexdigest()
    opened = zhang.get(f"/api/portal/documents/{doc['id']}/file")
    assert opened.status_code == 200 and opened.content == held
    signed = zhang.post(f"/api/portal/documents/{doc['id']}/sign")
    assert signed.status_code == 409
    assert signed.json()["error"]["reason"] == "portal_sign_published"
    with ctx.engine.connect() as connection:  # nothing for the delivery service: no service
        types = connection.execute(select(events_table.c.type)).scalars().all()
    assert "portal.document_opened" not in types
    assert li.get("/api/portal/documents").json() == []  # published to the plaintiff only
    assert li.get(f"/api/portal/documents/{doc['id']}/file").status_code == 404
    home = zhang.get("/api/portal/home").json()
    assert [d["title"] for d in home["documents"]] == ["起诉状"]


def test_a_redelivered_event_and_a_second_publication_add_nothing(
    app: FastAPI, ctx: ServerContext, pw: PublishWorld, party, staff
) -> None:
    judge = staff("judge_a")
    assert _publish(judge, pw, [pw.complaint], [pw.plaintiff_ref]) == 201
    assert _publish(judge, pw, [pw.complaint], [pw.plaintiff_ref]) == 201  # already published
    [event] = _published(ctx)
    with ctx.engine.begin() as connection:  # the same event delivered again
        publish(connection, MATERIAL_PUBLISHED, MaterialPublished.model_validate(event),
                occurred_at=ctx.clock())  # fmt: skip
    run(app)
    assert len(party(ZHANG).get("/api/portal/documents").json()) == 1


def test_a_refused_publication_announces_nothing(
    app: FastAPI, ctx: ServerContext, pw: PublishWorld, staff
) -> None:
    judge = staff("judge_a")
    assert _publish(judge, pw, [pw.complaint, pw.deliberation], [pw.plaintiff_ref]) == 422
    assert _published(ctx) == []
    clerk: Callable[..., TestClient] = staff
    assert _publish(clerk("clerk_a"), pw, [pw.complaint], [pw.plaintiff_ref]) in (403, 404)
    assert _published(ctx) == []
