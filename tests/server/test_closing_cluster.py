"""Closing in a cluster: a freeze in progress on one process holds the hearing's closing lease,
and another process's startup recovery leaves it alone (it takes only what a crash left)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import select

from hearing_server.closing.service import closing_lease
from hearing_server.context import ServerContext
from hearing_server.models import StaffUser, TranscriptClosure
from tests.server.conftest import World
from tingshen_platform.leases import Leases


def test_recovery_leaves_a_freeze_another_process_is_writing(
    app: FastAPI, ctx: ServerContext, world: World
) -> None:
    hid = world.hearing_a
    with ctx.session_factory() as session:
        staff = session.scalars(select(StaffUser)).first()
        assert staff is not None
        session.add(
            TranscriptClosure(
                hearing_id=hid, frozen_version=None, frozen_at=ctx.clock(), frozen_by=staff.id,
                transcript_sha256=None, revision=0, pdf_sha256=None, completed_at=None,
            )
        )  # fmt: skip
        session.commit()
    leases = Leases(ctx.engine)
    writing = leases.acquire(closing_lease(hid), "p2", timedelta(seconds=30))
    assert writing is not None
    starting = dataclasses.replace(app.state.services.closing, leases=leases, node="p1")

    starting.recover()  # p1 starts while p2 freezes
    with ctx.session_factory() as session:
        assert session.get(TranscriptClosure, hid) is not None

    leases.release(writing)  # p2 died mid-freeze (its lease ran out): p1 cleans up
    starting.recover()
    with ctx.session_factory() as session:
        assert session.get(TranscriptClosure, hid) is None
