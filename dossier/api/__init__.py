"""The dossier's routers (one per resource), all under ``/api/dossier/``."""

from __future__ import annotations

from fastapi import APIRouter

from dossier.api import (
    archive,
    audit_log,
    cases,
    comments,
    filing,
    grants,
    material_files,
    materials,
    my,
    publications,
    register,
    search,
    stats,
)

ROUTERS: tuple[APIRouter, ...] = (
    cases.router,
    filing.router,
    materials.router,
    material_files.router,
    search.router,
    publications.router,
    my.router,
    grants.router,
    comments.router,
    audit_log.router,
    archive.router,
    register.router,
    stats.router,
)
