"""Which process runs a live hearing: the first to be asked; the others name it; when its lease
runs out another takes over, and the old owner, renewing too late, ends its session there."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearing_server.errors import OwnedElsewhereError
from hearing_server.live.ownership import HearingOwnership
from tests.platform.conftest import Clock
from tingshen_platform.db import make_engine, upgrade_platform
from tingshen_platform.leases import Leases


async def test_one_process_runs_a_hearing_and_another_takes_over_when_it_is_gone(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'leases.db'}")
    upgrade_platform(engine)
    clock = Clock()
    try:
        p1 = HearingOwnership(Leases(engine, clock), "p1")
        p2 = HearingOwnership(Leases(engine, clock), "p2")
        p1.claim(7)
        p1.claim(7)  # again: still ours
        with pytest.raises(OwnedElsewhereError) as refused:
            p2.claim(7)
        assert refused.value.owner == "p1"
        p2.claim(8)  # another hearing: free
        assert p1.owns(7) and not p1.owns(8) and p2.owns(8)

        clock.advance(seconds=7)  # p1 stalled (or died) past its lease
        p2.claim(7)
        lost: list[int] = []

        async def on_lost(hearing_id: int) -> None:
            lost.append(hearing_id)

        await p1.renew_all(on_lost)  # p1 wakes up: its lease is gone
        assert lost == [7] and not p1.owns(7)
        with pytest.raises(OwnedElsewhereError) as refused:
            p1.claim(7)
        assert refused.value.owner == "p2"

        p2.release(7)  # the hearing closed on p2: free at once
        p1.claim(7)
        assert p1.owns(7)
    finally:
        engine.dispose()


def test_alone_a_process_runs_every_hearing() -> None:
    alone = HearingOwnership(None, "local")
    alone.claim(7)
    assert alone.owns(7) and alone.owns(8) and not alone.clustered
