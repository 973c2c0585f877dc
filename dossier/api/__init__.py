"""The dossier's routers (one per resource), all under ``/api/dossier/``."""

from __future__ import annotations

from fastapi import APIRouter

from dossier.api import cases, filing, material_files, materials, search

ROUTERS: tuple[APIRouter, ...] = (
    cases.router,
    filing.router,
    materials.router,
    material_files.router,
    search.router,
)
