"""The dossier's routers (one per resource), all under ``/api/dossier/``."""

from __future__ import annotations

from fastapi import APIRouter

from dossier.api import cases, register, stats

ROUTERS: tuple[APIRouter, ...] = (
    cases.router,
    register.router,
    stats.router,
)
