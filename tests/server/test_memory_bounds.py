"""Memory bounds (issue 14): revision history stored as changes within a budget, read in pages;
every list paged with one shape; the migration converts existing history."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from hearing_server.db import upgrade_engine
from hearing_server.models import Case, Hearing, TranscriptRevision
from hearing_server.paging import MAX_LIMIT, encode_cursor
from hearing_server.transcript.model import Field, Revision
from hearing_server.transcript.store import SqlUpdateStore
from tests.server.conftest import START, login
from tests.server.live_client import party_cookie

_n = iter(range(1, 10**6))


def _revision(
    hearing_id: int, segment: str, before: str, after: str, author: str = "user-1"
) -> Revision:
    return Revision(hearing_id, segment, Field.TEXT, before, after, author, "陈晓", START, next(_n))


def _edits(hearing_id: int, count: int) -> list[tuple[Revision, str, str]]:
    """A note typed character by character, with a second segment edited in between."""
    note, other, out = "", "被告答辩", []
    for n in range(count):
        if n % 7 == 3:
            after = other + "，"
            out.append((_revision(hearing_id, "seg-2", other, after, "user-2"), other, after))
            other = after
        else:
            after = note + "证词"[n % 2]
            out.append((_revision(hearing_id, "seg-1", note, after), note, after))
            note = after
    return out


def _walk(store: SqlUpdateStore, hearing_id: int, limit: int, **kw: Any) -> list[Any]:
    got, after = [], 0
    while page := store.revision_page(hearing_id, after_id=after, limit=limit, **kw):
        got += page
        after = page[-1].id
    return got


def test_history_is_stored_as_changes_and_read_back_whole_page_by_page(ctx, world) -> None:
    store = SqlUpdateStore(ctx.session_factory)
    edits = _edits(world.hearing_a, 400)
    for start in range(0, len(edits), 50):
        store.append(world.hearing_a, [], [r for r, _, _ in edits[start : start + 50]])
    # An edit made without a revision (the chain breaks): read back right all the same.
    store.append(world.hearing_a, [], [_revision(world.hearing_a, "seg-1", "改过的", "改过的。")])
    expected = [(b, a) for _, b, a in edits] + [("改过的", "改过的。")]
    read = _walk(store, world.hearing_a, 37)
    assert [(r.before, r.after) for r in read] == expected
    assert [r.author for r in read[:5]] == ["user-1", "user-1", "user-1", "user-2", "user-1"]
    one = _walk(store, world.hearing_a, 11, segment_id="seg-2")
    assert [(r.before, r.after) for r in one] == [
        (b, a) for r, b, a in edits if r.segment_id == "seg-2"
    ]
    with ctx.session_factory() as session:
        stored = session.scalar(
            select(
                func.sum(
                    func.length(TranscriptRevision.removed)
                    + func.length(TranscriptRevision.inserted)
                    + func.coalesce(func.length(TranscriptRevision.base), 0)
                )
            )
        )
    copies = sum(len(b) + len(a) for b, a in expected)
    assert copies > 90_000 and stored < copies / 20


def test_over_the_budget_revisions_keep_who_when_and_where_not_the_text(ctx, world) -> None:
    store = SqlUpdateStore(ctx.session_factory, revision_budget_bytes=100)
    edits = _edits(world.hearing_a, 60)
    for revision, _, _ in edits:
        store.append(world.hearing_a, [], [revision])
    read = _walk(store, world.hearing_a, 50)
    assert len(read) == len(edits)  # the audit of who edited is whole
    kept = [n for n, r in enumerate(read) if r.detail]
    assert 10 < len(kept) < 50 and kept == list(range(len(kept)))  # the first ones, in full
    assert [(r.before, r.after) for r in read if r.detail] == [
        (b, a) for _, b, a in edits[: len(kept)]
    ]
    last = read[-1]
    assert (last.before, last.after, last.after_chars) == (None, None, len(edits[-1][2]))
    assert last.author == edits[-1][0].author and last.seq == edits[-1][0].seq
    with ctx.session_factory() as session:
        spent = session.scalar(select(func.max(TranscriptRevision.spent_bytes)))
    assert spent is not None and spent <= 100


def test_the_migration_converts_existing_revisions(ctx, world) -> None:
    engine = ctx.engine
    upgrade_engine(engine, "0009_broadcast", downgrade=True)
    texts = ["", "原告", "原告陈述", "原告陈述。", "被告陈述。"]
    rows = [
        {"id": 10 + n, "h": world.hearing_a, "seq": n + 1, "s": "seg-1", "b": b, "a": a}
        for n, (b, a) in enumerate(itertools.pairwise(texts))
    ] + [{"id": 20, "h": world.hearing_a2, "seq": 1, "s": "seg-9", "b": "甲", "a": "乙"}]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO transcript_revisions (id, hearing_id, seq, segment_id, field, before,"
                " after, author_key, author_name, created_at) VALUES (:id, :h, :seq, :s, 'text',"
                " :b, :a, 'user-1', '陈晓', :at)"
            ),
            [{**row, "at": START} for row in rows],
        )
    upgrade_engine(engine)
    store = SqlUpdateStore(ctx.session_factory)
    read = store.revision_page(world.hearing_a, after_id=0, limit=10)
    assert [(r.id, r.before, r.after) for r in read] == [
        (row["id"], row["b"], row["a"]) for row in rows[:4]
    ]
    (other,) = store.revision_page(world.hearing_a2, after_id=0, limit=10)
    assert (other.before, other.after, other.author_name) == ("甲", "乙", "陈晓")
    # New revisions continue the ids and the chain.
    store.append(
        world.hearing_a, [], [_revision(world.hearing_a, "seg-1", "被告陈述。", "被告陈述完毕。")]
    )
    last = store.revision_page(world.hearing_a, after_id=13, limit=10)
    assert [(r.id > 20, r.before) for r in last] == [(True, "被告陈述。")]
    upgrade_engine(engine, "0009_broadcast", downgrade=True)  # and back: the texts rebuilt
    with engine.connect() as connection:
        back = connection.execute(
            text("SELECT before, after FROM transcript_revisions ORDER BY id")
        ).all()
    assert [tuple(r) for r in back][:4] == [(row["b"], row["a"]) for row in rows[:4]]
    upgrade_engine(engine)


def _follow(client: TestClient, url: str) -> tuple[list[Any], int]:
    items: list[Any] = []
    pages = 0
    next_url: str | None = url
    while next_url is not None:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        page = response.json()
        assert isinstance(page, list)
        items += page
        pages += 1
        next_url = response.links.get("next", {}).get("url")
    return items, pages


def test_a_cursor_walks_a_list_exactly_once_even_while_it_grows(client, ctx, world) -> None:
    with ctx.session_factory() as session:
        court = session.get(Case, world.case_a).court_id
        session.add_all(
            Case(
                court_id=court,
                case_number=f"(2026)粤0104民初{500 + n}号",
                cause_of_action="借款",
                created_at=START,
            )
            for n in range(9)
        )
        case_ids = [c for c in session.scalars(select(Case.id).where(Case.court_id == court))]
        # Hearings at the same time: the id breaks the tie.
        session.add_all(
            Hearing(
                case_id=world.case_a,
                scheduled_at=START + timedelta(days=2),
                duration_minutes=30,
                place="第三法庭",
                status="scheduled",
                version=1,
            )
            for _ in range(5)
        )
        session.commit()
    login(client, "clerk_a")
    cases, pages = _follow(client, "/api/cases?limit=4")
    assert [c["id"] for c in cases] == sorted(case_ids) and pages == 3
    hearings, _ = _follow(client, "/api/hearings?limit=2")
    everything = client.get("/api/hearings", params={"limit": MAX_LIMIT}).json()
    assert [h["id"] for h in hearings] == [h["id"] for h in everything] and len(everything) == 7
    # A case added between two pages is seen once, at the end.
    first = client.get("/api/cases?limit=5")
    with ctx.session_factory() as session:
        session.add(
            Case(
                court_id=court,
                case_number="(2026)粤0104民初999号",
                cause_of_action="借款",
                created_at=START,
            )
        )
        session.commit()
    rest, _ = _follow(client, first.links["next"]["url"])
    walked = [c["id"] for c in first.json() + rest]
    assert len(walked) == len(set(walked)) == len(case_ids) + 1


def test_limits_and_cursors_are_checked(client, world) -> None:
    login(client, "clerk_a")
    for query, reason in [
        ("limit=0", "field_out_of_range"),
        (f"limit={MAX_LIMIT + 1}", "field_out_of_range"),
        ("cursor=%21%21", "bad_cursor"),
        (f"cursor={encode_cursor(('x', 1))}", "bad_cursor"),
    ]:
        response = client.get(f"/api/cases?{query}")
        assert response.status_code == 422 and response.json()["error"]["reason"] == reason


def test_every_list_the_api_answers_is_paged(app) -> None:
    """A new route that answers a JSON array must take ``limit`` and ``cursor`` (this module)."""
    unpaged = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            schema = (
                operation["responses"]
                .get("200", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            names = {p["name"] for p in operation.get("parameters", [])}
            if schema.get("type") == "array" and not {"limit", "cursor"} <= names:
                unpaged.append(f"{method.upper()} {path}")
    # What is left answers a fixed-size list: one entry per configured model or participant, the
    # catalogue of material types (data), and a party's own case (a party's link names one case).
    assert sorted(unpaged) == [
        "GET /api/dossier/material-types",
        "GET /api/dossier/my/cases",
        "GET /api/hearings/{hearing_id}/notices/preview",
        "GET /api/hearings/{hearing_id}/retranscription/models",
    ]


def test_a_party_reads_a_long_history_in_pages(
    ctx, world, make_client: Callable[[], TestClient], code_sender
) -> None:
    store = SqlUpdateStore(ctx.session_factory)
    edits = _edits(world.hearing_a, 230)
    store.append(world.hearing_a, [], [r for r, _, _ in edits])
    party = make_client()
    party.headers["cookie"] = party_cookie(make_client, code_sender, world.plaintiff_a)
    history, pages = _follow(party, f"/api/hearings/{world.hearing_a}/transcript/revisions")
    assert pages == 5  # 50 a page by default
    assert [(r["before"], r["after"]) for r in history] == [(b, a) for _, b, a in edits]
    assert history[0]["detail"] is True and history[0]["before_chars"] == 0
