"""Fixity: every archival package re-hashed (``bagit.Bag.validate``) and, when whole, its
e-volume checked again against the PDF/A-2b it claims; one row per package and
check (:class:`~dossier.archive.tables.ArchiveFixity`). The scheduled round runs on one process
of a cluster at a time (a lease) and only when some package's last check is older than
``fixity_interval_hours``, so a process started later does not repeat it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier import audit
from dossier.archive.package import fixity_problems
from dossier.archive.pdfa_sealed import package_problems
from dossier.archive.submit import archive_root
from dossier.archive.tables import ArchiveFixity, ArchiveVolume
from dossier.context import DossierContext
from dossier.models import DossierCase
from tingshen_platform.identity import StaffPrincipal
from tingshen_platform.leases import Leases, run_once_per_cluster

__all__ = ["fixity_loop", "run_fixity"]

_logger = logging.getLogger(__name__)
WAKE_S = 60.0
"""How often the loop looks whether a round is due."""


def run_fixity(
    ctx: DossierContext, *, court_id: int | None = None, by: StaffPrincipal | None = None
) -> list[ArchiveFixity]:
    """Check every submitted package (of one court, or all); the rows recorded. Hashing runs
    outside any transaction (SQLite's write lock is held only to record each result)."""
    root = archive_root(ctx).parent
    with ctx.session_factory() as session:
        query = select(ArchiveVolume).where(ArchiveVolume.package_dir.is_not(None))
        volumes = [
            (v.id, v.case_id, volume_court(session, v), v.archive_number, v.package_dir)
            for v in session.scalars(query.order_by(ArchiveVolume.id))
        ]
    results: list[ArchiveFixity] = []
    for volume_id, case_id, case_court, number, package_dir in volumes:
        if court_id is not None and case_court != court_id:
            continue
        assert package_dir is not None and number is not None
        problems = fixity_problems(root / package_dir) or package_problems(root / package_dir)
        with ctx.session_factory() as session:
            now = ctx.clock()
            row = ArchiveFixity(
                volume_id=volume_id, court_id=case_court, archive_number=number,
                checked_at=now, ok=not problems, problems=problems,
            )  # fmt: skip
            session.add(row)
            session.flush()
            audit.record(
                session, by, "archive.fixity_checked", at=now, case_id=case_id,
                entity="archive_fixity", entity_id=row.id,
                details={"ok": not problems, "problems": problems[:20]},
            )  # fmt: skip
            session.commit()
        if problems:
            _logger.error("fixity: %s: %s", number, problems[:5])
        results.append(row)
    return results


def volume_court(session: Session, volume: ArchiveVolume) -> int:
    case = session.get(DossierCase, volume.case_id)
    assert case is not None
    return case.court_id


def _due(ctx: DossierContext) -> bool:
    """A round is due when a package was never checked or its last check is older than the
    interval (a check an administrator ran for one court counts for that court's packages)."""
    latest = (
        select(ArchiveVolume.id, func.max(ArchiveFixity.checked_at).label("last"))
        .outerjoin(ArchiveFixity, ArchiveFixity.volume_id == ArchiveVolume.id)
        .where(ArchiveVolume.package_dir.is_not(None))
        .group_by(ArchiveVolume.id)
        .subquery()
    )
    horizon = ctx.clock() - timedelta(hours=ctx.settings.fixity_interval_hours)
    with ctx.session_factory() as session:
        stale = session.scalar(
            select(func.count())
            .select_from(latest)
            .where(latest.c.last.is_(None) | (latest.c.last <= horizon))
        )
    return bool(stale)


def _round(ctx: DossierContext) -> None:
    if _due(ctx):
        run_fixity(ctx)


async def fixity_loop(ctx: DossierContext, stop: asyncio.Event) -> None:
    """The scheduled round, until ``stop``."""
    leases = Leases(ctx.host.engine, ctx.clock)
    while not stop.is_set():
        try:
            await run_once_per_cluster(leases, "dossier-fixity", ctx.host.node, lambda: _round(ctx))
        except Exception:  # a failed round is logged and tried again at the next wake-up
            _logger.exception("fixity round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=WAKE_S)
