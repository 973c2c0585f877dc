"""The dossier's routers (one per resource), all under ``/api/dossier/``."""

from __future__ import annotations

from fastapi import APIRouter

from dossier.api import archive, cases

ROUTERS: tuple[APIRouter, ...] = (cases.router, archive.router)
