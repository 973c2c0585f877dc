"""``GET /healthz``: is this process serving, and can it reach its database (the proxy's check).

200 ``{"status": "ok", "node": "p1"}``; 503 when the database does not answer, so the proxy
sends no new requests here until it does.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hearing_server.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz", include_in_schema=False)
def health(services: ServicesDep) -> JSONResponse:
    try:
        with services.context.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "database unreachable", "node": services.node}, 503)
    return JSONResponse({"status": "ok", "node": services.node})
