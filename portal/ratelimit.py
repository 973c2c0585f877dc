"""Rate limits kept in the database (so that every process of a cluster counts the same hits):
``hit(bucket, limit, window)`` records one attempt and refuses past ``limit`` in ``window``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.errors import RateLimitedError
from portal.tables import PortalRateHit

__all__ = ["hit"]


def hit(session: Session, bucket: str, *, limit: int, window: timedelta, now: datetime) -> None:
    """Count one attempt in ``bucket`` (committed at once, so that a refused request still
    counts); raise :class:`RateLimitedError` if there were already ``limit`` in ``window``."""
    since = now - window
    session.execute(delete(PortalRateHit).where(PortalRateHit.bucket == bucket,
                                               PortalRateHit.at <= since))  # fmt: skip
    count = session.scalar(
        select(func.count(PortalRateHit.id)).where(
            PortalRateHit.bucket == bucket, PortalRateHit.at > since
        )
    )
    if (count or 0) >= limit:
        session.commit()
        raise RateLimitedError(
            "too many attempts: try again later",
            "操作过于频繁，请稍后再试",
            reason="portal_rate_limited",
            retry_s=int(window.total_seconds()),
        )
    session.add(PortalRateHit(bucket=bucket, at=now))
    session.commit()
