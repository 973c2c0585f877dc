"""The dossier's routers (one per resource), all under ``/api/dossier/``."""

from __future__ import annotations

from fastapi import APIRouter

from dossier.api import audit_log, cases, comments, grants, my, publications

ROUTERS: tuple[APIRouter, ...] = (
    cases.router,
    publications.router,
    my.router,
    grants.router,
    comments.router,
    audit_log.router,
)
