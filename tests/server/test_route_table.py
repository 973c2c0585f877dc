"""The route table (``tests/server/route_table.py``) is complete, and every route answers every
actor as its line says, on SQLite and (when configured) PostgreSQL.

One app and one world per database (module scope): court A with hearing A (open) and A2, court B
with a case and a hearing of its own; one browser per actor of :data:`route_table.ACTORS`. Each
route is called as every actor with the real ids of hearing A's records; staff of court B and the
party of hearing A2 are also called with ids that exist nowhere, and must get the very same answer
(status, code, reason, message up to the id they sent): a refusal does not reveal whether another
court's or another hearing's record exists.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Mount, Route
from starlette.websockets import WebSocketDisconnect

from dossier.models import DossierCase
from hearing_server.accounts import RECORD_SCOPE
from hearing_server.app import create_app
from hearing_server.context import ServerContext
from hearing_server.deps import PARTICIPANT_COOKIE, STAFF_COOKIE
from hearing_server.events import publish_case_created
from hearing_server.models import (
    Case,
    Hearing,
    Participant,
    ParticipantSession,
    StaffRole,
    StaffSession,
    StaffUser,
)
from hearing_server.notify import RecordingCodeSender
from hearing_server.security import PasswordHashing, new_session_token, token_hash
from hearing_server.settings import Settings
from hearing_server.sign_links import add_sign_link, sign_link_token
from tests.server import route_table as rt
from tests.server.conftest import (
    PG_URL,
    FakeClock,
    World,
    invite,
    join_as,
    postgres_schema,
    seed_world,
)
from tests.server.live_fakes import FakeStreams

STAFF_USERS = {
    rt.JUDGE: "judge_a",
    rt.CLERK: "clerk_a",
    rt.RECORDER: "recorder_a",
    rt.ADMIN: "admin_a",
    rt.OTHER_COURT: "clerk_b",
}


# ---------------------------------------------------------------- the table is complete


def app_routes(app: FastAPI) -> set[str]:
    """``METHOD path`` of every route of the app (``WS``: a WebSocket; ``MOUNT``: a mount),
    routers included into routers too (FastAPI's :func:`iter_route_contexts` flattens them)."""
    keys: set[str] = set()
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path
        if isinstance(route, APIWebSocketRoute):
            keys.add(f"WS {path}")
        elif isinstance(route, Mount):
            keys.add(f"MOUNT {path or '/'}")
        elif isinstance(route, APIRoute | Route):
            keys.update(f"{m} {path}" for m in context.methods or () if m != "HEAD")
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return keys


def test_every_route_has_exactly_one_line(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"))  # as ``tingshen serve`` builds it
    lines = [line.key for line in rt.LINES]
    routes = app_routes(app)
    twice = sorted({key for key in lines if lines.count(key) > 1})
    missing = sorted(routes - set(lines))
    stale = sorted(set(lines) - routes)
    assert not missing, f"routes with no line in tests/server/route_table.py: {missing}"
    assert not stale, f"lines of route_table.py that name no route: {stale}"
    assert not twice, f"routes with two lines: {twice}"
    unsaid = [
        line.key
        for line in rt.LINES
        if any(400 <= s < 1000 for s in (line.ok, *line.ok_for.values())) and not line.says
    ]
    assert not unsaid, f"lines whose 4xx ok does not say what it refuses: {unsaid}"


def test_the_completeness_check_sees_a_side_service_router() -> None:
    """A side service's router, included into an app (nested too), brings routes to classify."""
    side, nested = APIRouter(prefix="/api/fees"), APIRouter(prefix="/ws")
    side.add_api_route("/{fee_id}", lambda fee_id: None, methods=["PATCH"])
    nested.add_api_websocket_route("/fees/{fee_id}", lambda websocket: None)
    side.include_router(nested)
    app = FastAPI()
    app.include_router(side)
    assert app_routes(app) - {line.key for line in rt.LINES} == {
        "PATCH /api/fees/{fee_id}",
        "WS /api/fees/ws/fees/{fee_id}",
    }


# ---------------------------------------------------------------- one world per database


@dataclass
class Table:
    ids: dict[str, Any]
    """World key -> id (or token) of a record: :data:`route_table.DEFAULT_IDS` and ``ids``."""
    browsers: dict[str, TestClient]
    """One per actor, with its session cookie."""
    fresh_session: Callable[[str], TestClient]
    """A browser with a new session of the actor (for logout)."""


def _mint_staff(ctx: ServerContext, username: str) -> str:
    token = new_session_token()
    with ctx.session_factory() as s:
        user = s.scalars(select(StaffUser).where(StaffUser.username == username)).one()
        now = ctx.clock()
        s.add(StaffSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                           expires_at=now + ctx.session_ttl))  # fmt: skip
        s.commit()
    return token


def _mint_party(ctx: ServerContext, participant_id: int, scope: str) -> str:
    token = new_session_token()
    with ctx.session_factory() as s:
        now = ctx.clock()
        s.add(ParticipantSession(token_hash=token_hash(token), participant_id=participant_id,
                                 created_at=now, expires_at=now + timedelta(hours=2),
                                 scope=scope))  # fmt: skip
        s.commit()
    return token


def _extend_world(ctx: ServerContext, world: World) -> dict[str, Any]:
    """Court A's administrator, court B's hearing, a signing link and the public viewing link of
    hearing A."""
    with ctx.session_factory() as s:
        case_a, case_b = s.get(Case, world.case_a), s.get(Case, world.case_b)
        assert case_a is not None and case_b is not None
        s.add(StaffUser(court_id=case_a.court_id, username="admin_a", display_name="admin_a",
                        role=StaffRole.COURT_ADMIN, password_hash="x", active=True))  # fmt: skip
        hearing_a = s.get(Hearing, world.hearing_a)
        assert hearing_a is not None
        hearing_b = Hearing(case_id=case_b.id, scheduled_at=hearing_a.scheduled_at,
                            duration_minutes=60, place="第一法庭", status=hearing_a.status,
                            version=1)  # fmt: skip
        s.add(hearing_b)
        s.flush()
        defendant = s.get(Participant, world.defendant_a)
        assert defendant is not None
        link = add_sign_link(s, ctx, participant=defendant, hearing=hearing_a)
        hearing_a.public_token = "route-table-watch-token"
        for case in (case_a, case_b):  # the dossier learns of them (as of any case entered)
            publish_case_created(s, case, at=ctx.clock())
        s.commit()
        return {
            "hearing_b": hearing_b.id,
            "sign_token": sign_link_token(ctx.link_key, link, world.hearing_a),
            "watch_token": hearing_a.public_token,
        }


def _side_service_records(app: FastAPI, ids: dict[str, Any]) -> dict[str, Any]:
    """The side services' records of the world: the dossier's cases A and B (it learnt of them
    from the hearing server's ``case.created``)."""
    for service in app.state.side_services:
        service.poll_events()
    with app.state.services.context.session_factory() as s:
        numbers = {key: s.get(Case, ids[key]).case_number for key in ("case_a", "case_b")}
    with app.state.dossier.session_factory() as s:
        dossier_ids = {n: i for n, i in s.execute(select(DossierCase.case_number, DossierCase.id))}
    records = {f"dossier_{key}": dossier_ids[number] for key, number in numbers.items()}
    records.update(_dossier_materials_records(app, records))
    records.update(_dossier_publish_records(app, records))
    _dossier_archive_records(app, records)
    _dossier_register_records(app, records)
    records.update(_fees_records(app, records))
    records.update(_delivery_records(app, records))
    records.update(_addresses_records(app, records))
    return records


def _addresses_records(app: FastAPI, ids: dict[str, Any]) -> dict[str, Any]:
    """A finished look-up with no address found in each fee case (the address service learnt of
    them from the same ``case.filed``; it has no agency configured, so a new look-up is 503)."""
    from addresses.tables import AddressLookup

    ctx = app.state.addresses
    found: dict[str, Any] = {"address_rank": 1}
    with ctx.session_factory() as s:
        for key in ("case_a", "case_b"):
            case_id = ids[f"dossier_{key}"]
            lookup = AddressLookup(
                dossier_case_id=case_id, party_ref="p-1", party_name="陈明", id_hash="0" * 64,
                id_tail="002X", reason="核实送达地址", requested_by_id=1, requested_by="系统",
                requested_role="clerk", requested_at=ctx.now(), status="failed",
                finished_at=ctx.now(),
            )  # fmt: skip
            s.add(lookup)
            s.flush()
            found[f"address_case_{key[-1]}"] = case_id
            found[f"address_lookup_{key[-1]}"] = lookup.id
        s.commit()
    return found


def _delivery_records(app: FastAPI, ids: dict[str, Any]) -> dict[str, Any]:
    """A letter posted to party p-1 of each fee case (the delivery service learnt of them from
    the same ``case.filed``), sent and waiting for the courier: nothing to hand over, nothing to
    serve again, no proof yet."""
    from delivery.tables import Attempt, DeliveryCase, Document, Service

    ctx = app.state.delivery
    now = ctx.now()
    found: dict[str, Any] = {"delivery_party": "p-1"}
    with ctx.session_factory() as s:
        for key in ("case_a", "case_b"):
            case = s.scalars(
                select(DeliveryCase).where(DeliveryCase.dossier_case_id == ids[f"dossier_{key}"])
            ).one()
            document = Document(
                case_id=case.id, title="应诉通知书", kind="notice", blob_key="delivery/none.pdf",
                sha256="0" * 64, media_type="application/pdf", size_bytes=1, created_at=now,
                created_by="系统",
            )  # fmt: skip
            s.add(document)
            s.flush()
            service = Service(
                case_id=case.id, document_id=document.id, party_ref="p-1", recipient_name="陈明",
                recipient_role="plaintiff", state="sent", channels=["post"], created_at=now,
                created_by="系统", sent_at=now, served_event=True, needs_attention=False,
            )  # fmt: skip
            s.add(service)
            s.flush()
            s.add(Attempt(service_id=service.id, channel="post", address="广州市越秀区北京路1号",
                          state="sent", waybill=f"1000000009{len(found)}", created_at=now,
                          sent_at=now))  # fmt: skip
            found[f"delivery_service_{key[-1]}"] = service.id
        s.commit()
    return found


def _fees_records(app: FastAPI, ids: dict[str, Any]) -> dict[str, Any]:
    """The fee service's accounts of cases filed in courts A and B (``case.filed``), their
    payers with no phone on file (so that no code is ever sent), and court A's payment link."""
    from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
    from fees.tables import FeeAccount
    from tingshen_platform.events import publish

    ctx = app.state.services.context
    with app.state.dossier.session_factory() as s:
        cases = {key: s.get(DossierCase, ids[f"dossier_{key}"]) for key in ("case_a", "case_b")}
    with ctx.engine.begin() as connection:
        for key, case in cases.items():
            filed = CaseFiled(
                dossier_case_id=case.id, court_id=case.court_id, court_name=case.court_name,
                case_number=rt.FEE_CASE_NUMBERS[key], cause_of_action="民间借贷纠纷",
                cause_code="C103-3", procedure="ordinary", claim_amount_fen=1_000_000,
                judge_user_id=None, clerk_user_id=None, filed_on=ctx.clock().date(),
                filed_at=ctx.clock(),
                parties=[FiledParty(party_ref="p-1", role="plaintiff", kind="person", name="陈明")],
            )  # fmt: skip
            publish(connection, CASE_FILED, filed, occurred_at=ctx.clock())
    for service in app.state.side_services:
        service.poll_events()
    with app.state.fees.session_factory() as s:
        accounts = {a.case_number: a for a in s.scalars(select(FeeAccount))}
        a, b = (accounts[rt.FEE_CASE_NUMBERS[key]] for key in ("case_a", "case_b"))
        return {"fee_account_a": a.id, "fee_account_b": b.id, "pay_token": a.pay_token}


def _dossier_materials_records(app: FastAPI, ids: dict[str, Any]) -> dict[str, Any]:
    """Court A's judge and clerk assigned to dossier case A, and a PDF material in it (indexed:
    "借条" finds it)."""
    from dossier.materials import processing
    from dossier.materials.store import Author, NewFile, add_material
    from hearing_server.models import StaffUser
    from tests.dossier.material_files import text_pdf

    with app.state.services.context.session_factory() as s:
        staff = {name: id_ for name, id_ in s.execute(select(StaffUser.username, StaffUser.id))}
    dossier = app.state.dossier
    with dossier.session_factory() as s:
        case = s.get(DossierCase, ids["dossier_case_a"])
        case.judge_user_id, case.judge_name = staff["judge_a"], "judge_a"
        case.clerk_user_id, case.clerk_name = staff["clerk_a"], "clerk_a"
        new = NewFile("借条.pdf", "application/pdf", text_pdf(["借条：今借到人民币壹万元"]))
        author = Author(staff["clerk_a"], "clerk_a")
        material = add_material(
            s, dossier.files, case=case, volume="main", material_type="evidence",
            title="借条", source="upload", new=new, author=author, at=dossier.clock(),
        )  # fmt: skip
        s.commit()
        material_id = material.id
    processing.enqueue_unindexed(dossier)
    processing.run_due(dossier)
    return {"dossier_material_a": material_id, "dossier_form": "original"}


def _dossier_publish_records(app: FastAPI, ids: dict[str, Any]) -> dict[str, Any]:
    """Publishing (d15-publish): case A assigned to judge_a and clerk_a, its dossier parties as
    in hearing A (张伟, 李娜), a one-page material published to 张伟, and a material of court B."""
    from dossier.materials.store import Author, NewFile, add_material
    from dossier.models import DossierParty
    from dossier.publish.pdf import text_pdf
    from dossier.publish.tables import Publication

    dossier = app.state.dossier
    with app.state.services.context.session_factory() as s:
        staff = {u.username: u for u in s.scalars(select(StaffUser))}
    made: dict[str, Any] = {"dossier_none": rt.MISSING}
    with dossier.session_factory() as s:
        now = dossier.clock()
        case_a = s.get(DossierCase, ids["dossier_case_a"])
        case_a.judge_user_id, case_a.judge_name = staff["judge_a"].id, "judge_a"
        case_a.clerk_user_id, case_a.clerk_name = staff["clerk_a"].id, "clerk_a"
        plaintiff = DossierParty(case_id=case_a.id, role="plaintiff", kind="person", name="张伟")
        s.add_all([plaintiff, DossierParty(case_id=case_a.id, role="defendant", kind="person",
                                           name="李娜")])  # fmt: skip
        for key, case_id in (("a", case_a.id), ("b", ids["dossier_case_b"])):
            case = s.get(DossierCase, case_id)
            pdf = text_pdf("证据", [], "证据内容")
            material = add_material(
                s, dossier.files, case=case, volume="main", material_type="evidence",
                title="证据", source="upload", author=Author(None, "书记员"), at=now,
                new=NewFile("证据.pdf", "application/pdf", pdf, page_count=1),
            )  # fmt: skip
            made[f"dossier_material_{key}"] = material.id
        s.flush()
        s.add(Publication(case_id=case_a.id, material_id=made["dossier_material_a"],
                          party_id=plaintiff.id, version=1, published_at=now,
                          published_by_id=staff["judge_a"].id, published_by_name="judge_a"))  # fmt: skip
        s.commit()
    return made


def _dossier_archive_records(app: FastAPI, ids: dict[str, Any]) -> None:
    """The archive's lines: case A's judge and clerk are judge_a and clerk_a."""
    staff = {}
    with app.state.services.context.session_factory() as s:
        for username in ("judge_a", "clerk_a"):
            user = s.scalars(select(StaffUser).where(StaffUser.username == username)).one()
            staff[username] = (user.id, user.display_name)
    with app.state.dossier.session_factory() as s:
        case = s.get(DossierCase, ids["dossier_case_a"])
        case.judge_user_id, case.judge_name = staff["judge_a"]
        case.clerk_user_id, case.clerk_name = staff["clerk_a"]


def _dossier_register_records(app: FastAPI, ids: dict[str, Any]) -> None:
    """The register: court A's judge and clerk are the judge and clerk of dossier case A (an
    imported case has none), so that they may close it and record its time-limit events."""
    with app.state.services.context.session_factory() as s:
        users = {u.username: u for u in s.scalars(select(StaffUser))}
    with app.state.dossier.session_factory() as s:
        case = s.get(DossierCase, ids["dossier_case_a"])
        judge, clerk = users["judge_a"], users["clerk_a"]
        case.judge_user_id, case.judge_name = judge.id, judge.display_name
        case.clerk_user_id, case.clerk_name = clerk.id, clerk.display_name
        s.commit()


def _court_b_records(clerk_b: TestClient, hearing_b: int) -> dict[str, int]:
    """Court B's party (with the notice of the hearing) and an invitation, made by its clerk."""
    added = clerk_b.post(
        f"/api/hearings/{hearing_b}/participants",
        json={"display_name": "赵敏", "court_role": "plaintiff", "phone": "13800000009"},
    )
    assert added.status_code == 201, added.text
    party_b = added.json()["id"]
    invitation = clerk_b.post(f"/api/participants/{party_b}/invitation")
    assert invitation.status_code == 201, invitation.text
    notices = clerk_b.get(f"/api/hearings/{hearing_b}/notices")
    assert notices.status_code == 200 and notices.json(), notices.text
    return {
        "party_b": party_b,
        "invitation_b": invitation.json()["invitation_id"],
        "notice_b": notices.json()[0]["id"],
    }


SETTINGS: dict[str, Any] = {
    "session_ttl_minutes": 600,
    # Notices stay pending (a background sender would make "retry" answer 202 or 409 by timing).
    "notice_dispatch_enabled": False,
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def table(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Table]:
    data_dir = tmp_path_factory.mktemp("route_table") / "data"
    if request.param == "sqlite":
        yield from _table(Settings(data_dir=data_dir, **SETTINGS))
        return
    with postgres_schema() as url:
        yield from _table(Settings(data_dir=data_dir, database_url=url, **SETTINGS))


def _hearing_a_records(clerk: TestClient, hearing_a: int) -> dict[str, Any]:
    """A witness (its invitation, its notice), two join links (one with a code pending, one
    without) and an evidence file of hearing A, made by its clerk."""

    def add(name: str, phone: str) -> int:
        added = clerk.post(
            f"/api/hearings/{hearing_a}/participants",
            json={"display_name": name, "court_role": "witness", "phone": phone},
        )
        assert added.status_code == 201, added.text
        return int(added.json()["id"])

    witness = add("孙七", "13800000007")
    created = clerk.post(f"/api/participants/{witness}/invitation")
    assert created.status_code == 201, created.text
    notices = clerk.get(f"/api/hearings/{hearing_a}/notices").json()
    upload = clerk.post(
        f"/api/hearings/{hearing_a}/evidence",
        params={"filename": "借条.png"},
        content=base64.b64decode(rt.PNG_1PX),
        headers={"Content-Type": "image/png"},
    )
    assert upload.status_code == 201, upload.text
    return {
        "witness_a": witness,
        "invitation_a": created.json()["invitation_id"],
        "notice_a": next(n["id"] for n in notices if n["participant_id"] == witness),
        "join_token": invite(clerk, add("周八", "13800000008")),
        "idle_join_token": invite(clerk, add("吴九", "13800000006")),
        "material_a": upload.json()["id"],
    }


def _table(settings: Settings) -> Iterator[Table]:
    sender = RecordingCodeSender()
    app = create_app(
        settings,
        clock=FakeClock(),
        code_sender=sender,
        passwords=PasswordHashing(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)),
        stream_factory=FakeStreams(),
    )
    ctx = app.state.services.context
    public = urlsplit(settings.public_base_url)
    origin = f"{public.scheme}://{public.netloc}"
    first = TestClient(app)
    first.headers["Origin"] = origin
    first.__enter__()
    try:

        def new_browser(cookie: str | None = None, token: str | None = None) -> TestClient:
            browser = TestClient(app)
            browser.portal = first.portal
            # As a page of the site sends it (an Origin check refuses the others' requests).
            browser.headers["Origin"] = origin
            if cookie is not None and token is not None:
                browser.cookies.set(cookie, token)
            return browser

        world = seed_world(ctx)
        ids: dict[str, Any] = {**vars(world), **_extend_world(ctx, world)}
        ids.update(_side_service_records(app, ids))
        browsers = {rt.ANON: first}
        for actor, username in STAFF_USERS.items():
            browsers[actor] = new_browser(STAFF_COOKIE, _mint_staff(ctx, username))
        clerk = browsers[rt.CLERK]
        ids.update(_hearing_a_records(clerk, world.hearing_a))
        ids.update(_court_b_records(browsers[rt.OTHER_COURT], ids["hearing_b"]))
        browsers[rt.PARTY] = new_browser()
        join_as(browsers[rt.PARTY], invite(clerk, world.plaintiff_a), sender, world.plaintiff_a)
        browsers[rt.OTHER_PARTY] = new_browser()
        other = invite(clerk, world.plaintiff_a2)
        join_as(browsers[rt.OTHER_PARTY], other, sender, world.plaintiff_a2)
        signer = _mint_party(ctx, world.defendant_a, RECORD_SCOPE)
        browsers[rt.SIGNER] = new_browser(PARTICIPANT_COOKIE, signer)
        for hearing in (world.hearing_a, world.hearing_a2):
            opened = clerk.post(f"/api/hearings/{hearing}/open")
            assert opened.status_code == 200, opened.text
        for hearing in (world.hearing_a, world.hearing_a2):  # identity checks are allowed
            staged = browsers[rt.JUDGE].post(
                f"/api/hearings/{hearing}/stage", json={"stage": "identity"}
            )
            assert staged.status_code == 200, staged.text

        def fresh_session(actor: str) -> TestClient:
            if actor in STAFF_USERS:
                return new_browser(STAFF_COOKIE, _mint_staff(ctx, STAFF_USERS[actor]))
            party = {rt.PARTY: world.plaintiff_a, rt.OTHER_PARTY: world.plaintiff_a2,
                     rt.SIGNER: world.defendant_a}.get(actor)  # fmt: skip
            if party is None:
                return new_browser()
            scope = RECORD_SCOPE if actor == rt.SIGNER else "hearing"
            return new_browser(PARTICIPANT_COOKIE, _mint_party(ctx, party, scope))

        yield Table(ids, browsers, fresh_session)
    finally:
        first.__exit__(None, None, None)
        ctx.engine.dispose()


# ---------------------------------------------------------------- calling a route


@dataclass(frozen=True)
class Answer:
    status: int
    code: str | None = None
    reason: str | None = None
    message: str | None = None

    def normalised(self, sent: list[int]) -> Answer:
        """The answer with the ids the caller sent replaced (they may be echoed back)."""
        message = self.message
        for value in sent:
            message = re.sub(rf"\b{value}\b", "<id>", message) if message else message
        return Answer(self.status, self.code, self.reason, message)


PARAM = re.compile(r"\{(\w+)\}")


Side = str
"""Which records a path names: ``real`` (court A's, hearing A's), ``missing`` (ids no record
has), ``other`` (court B's records of the same kinds, :data:`route_table.OTHER_SIDE`),
``cross`` (hearing A2 with hearing A's sub-records, :data:`route_table.OTHER_HEARING`) and
``cross-missing`` (hearing A2 with sub-record ids no record has)."""


def _path(line: rt.Line, ids: dict[str, Any], side: Side = "real") -> tuple[str, list[int]]:
    """The line's path with its parameters filled in, and the record ids it names."""
    sent: list[int] = []

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        key = line.ids.get(name, rt.DEFAULT_IDS.get(name))
        if key is None:
            if name not in rt.LITERALS:
                raise AssertionError(
                    f"{line.key}: where does {{{name}}} come from? Name a world key with"
                    f" ids={{{name!r}: ...}} on the line, or add it to DEFAULT_IDS or LITERALS"
                )
            return str(rt.LITERALS[name])
        real = ids[key]
        if not isinstance(real, int):
            return str(real)
        if side.startswith("cross"):
            parent = rt.OTHER_HEARING.get(key)
            chosen = ids[parent] if parent else real if side == "cross" else rt.MISSING
        else:
            chosen = {"real": real, "missing": rt.MISSING}.get(side) or ids[rt.OTHER_SIDE[key]]
        sent.append(chosen)
        return str(chosen)

    path = PARAM.sub(value, line.call or line.path)
    refs = line.body.values() if isinstance(line.body, dict) else ()
    sent += [_body({"ref": ref}, "", ids, side)["ref"] for ref in refs if isinstance(ref, rt.Ref)]
    return path, sent


def _records(line: rt.Line, ids: dict[str, Any]) -> list[str]:
    """World keys of the records the line's path names."""
    keys = [line.ids.get(n, rt.DEFAULT_IDS.get(n)) for n in PARAM.findall(line.path)]
    return [key for key in keys if key is not None and isinstance(ids[key], int)]


def _has_other_side(line: rt.Line, ids: dict[str, Any]) -> bool:
    named = _records(line, ids)
    return bool(named) and all(key in rt.OTHER_SIDE for key in named)


def _has_sub_records(line: rt.Line, ids: dict[str, Any]) -> bool:
    named = _records(line, ids)
    refs = isinstance(line.body, dict) and any(isinstance(v, rt.Ref) for v in line.body.values())
    return any(key in rt.OTHER_HEARING for key in named) and (len(named) > 1 or refs)


def _answer(response: Any) -> Answer:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if not isinstance(error, dict):
        return Answer(response.status_code)
    return Answer(response.status_code, error.get("code"), error.get("reason"), error["message"])


def _body(body: Any, actor: str, ids: dict[str, Any], side: Side) -> Any:
    """The line's JSON body; ``{actor}`` in a string value is the caller (a name of their own),
    a :class:`route_table.Ref` the record's id (hearing A's also under ``cross``; else none)."""
    if not isinstance(body, dict):
        return body

    def value(v: Any) -> Any:
        if isinstance(v, rt.Ref):
            return ids[v.key] if side in ("real", "cross") else rt.MISSING
        return v.format(actor=actor) if isinstance(v, str) else v

    return {k: value(v) for k, v in body.items()}


def _call(
    browser: TestClient,
    line: rt.Line,
    path: str,
    actor: str,
    ids: dict[str, Any],
    side: Side = "real",
) -> Answer:
    if line.method == "WS":
        try:
            with browser.websocket_connect(path) as socket:
                message = socket.receive()
        except WebSocketDisconnect as exc:
            return Answer(exc.code, message=exc.reason or None)
        if message["type"] == "websocket.close":
            return Answer(message["code"], message=message.get("reason") or None)
        return Answer(rt.ACCEPTED)
    method = "GET" if line.method == "MOUNT" else line.method
    response = browser.request(
        method,
        path,
        json=_body(line.body, actor, ids, side),
        params=dict(line.query) or None,
        content=line.content,
        follow_redirects=False,
    )
    return _answer(response)


def _expected(line: rt.Line, actor: str) -> tuple[int, str | None]:
    if actor in line.allow:
        return line.ok_for.get(actor, line.ok), None
    status, code = rt.refusal(line, actor)
    return (rt.WS_REFUSED, None) if line.method == "WS" else (status, code)


@pytest.mark.parametrize("line", rt.LINES, ids=[line.key for line in rt.LINES])
def test_route_answers_every_actor(table: Table, line: rt.Line) -> None:
    for actor, method, template in line.before:
        scene = rt.Line(method, template, rt.NOBODY)
        set_up = _call(table.browsers[actor], scene, _path(scene, table.ids)[0], actor, table.ids)
        assert set_up.status < 500, f"{line.key}: setting the scene: {set_up}"
    wrong: list[str] = []
    for actor in rt.ACTORS:
        browser = table.fresh_session(actor) if line.fresh else table.browsers[actor]
        path, sent = _path(line, table.ids)
        got = _call(browser, line, path, actor, table.ids)
        status, code = _expected(line, actor)
        if got.status != status or (code is not None and got.code != code):
            wrong.append(f"{actor}: expected {status} {code or ''}, got {got}")
            continue
        says = (line.says,) if isinstance(line.says, str) else line.says
        if (
            actor in line.allow
            and 400 <= status < 1000
            and not any(part in (got.message or "") for part in says)
        ):
            wrong.append(f"{actor}: expected the refusal to say {line.says!r}, got {got}")
        if actor in line.allow or not sent or actor not in (rt.OTHER_COURT, rt.OTHER_PARTY):
            continue
        # A refusal for another court's (another hearing's) real record = one for no record.
        missing_path, missing_sent = _path(line, table.ids, "missing")
        nothing = _call(browser, line, missing_path, actor, table.ids, "missing")
        if got.normalised(sent) != nothing.normalised(missing_sent):
            wrong.append(f"{actor}: real ids {got} but no such ids {nothing}: a leak")
    if line.allow != rt.EVERYONE and rt.CLERK in line.allow and _has_other_side(line, table.ids):
        # Court A's clerk, asking for court B's records: refused, as for records that do not exist.
        other_path, other_sent = _path(line, table.ids, "other")
        other = _call(table.browsers[rt.CLERK], line, other_path, rt.CLERK, table.ids, "other")
        missing_path, missing_sent = _path(line, table.ids, "missing")
        nothing = _call(
            table.browsers[rt.CLERK], line, missing_path, rt.CLERK, table.ids, "missing"
        )
        if other.normalised(other_sent) != nothing.normalised(missing_sent):
            wrong.append(f"clerk on court B's records: {other} but no such ids {nothing}: a leak")
        if other.status in (200, 201, 202, 204, rt.ACCEPTED):
            wrong.append(f"clerk on court B's records: {other}, not refused")
    if _has_sub_records(line, table.ids):
        # Hearing A's participant or evidence under hearing A2's path: as for none at all.
        actor = next(a for a in rt.ACTORS if a in line.allow and a in rt.STAFF)
        cross_path, cross_sent = _path(line, table.ids, "cross")
        cross = _call(table.browsers[actor], line, cross_path, actor, table.ids, "cross")
        missing_path, missing_sent = _path(line, table.ids, "cross-missing")
        nothing = _call(
            table.browsers[actor], line, missing_path, actor, table.ids, "cross-missing"
        )
        if cross.normalised(cross_sent) != nothing.normalised(missing_sent):
            wrong.append(f"{actor} on another hearing's sub-record: {cross} but none {nothing}")
        if cross.status != 404:
            wrong.append(f"{actor} on another hearing's sub-record: {cross}, not 404")
    assert not wrong, f"{line.key}:\n  " + "\n  ".join(wrong)
