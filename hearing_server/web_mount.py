"""Serve the browser front-end (``web/static/``) at ``/``; invitation links ``/join/{token}``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

import web

STATIC_DIR = Path(web.__file__).resolve().parent / "static"


def mount_web(app: FastAPI) -> None:
    """Add the front-end after the API routes (the mount at ``/`` must come last)."""

    @app.get("/join/{token}", include_in_schema=False)
    def join_page(token: str) -> FileResponse:
        # The page reads the token from its own path; the API checks it.
        return FileResponse(STATIC_DIR / "join.html")

    @app.get("/room/{hearing_id}", include_in_schema=False)
    def room_page(hearing_id: int) -> FileResponse:
        return FileResponse(STATIC_DIR / "room.html")

    @app.get("/transcript/{hearing_id}", include_in_schema=False)
    def transcript_page(hearing_id: int) -> FileResponse:
        return FileResponse(STATIC_DIR / "editor.html")

    @app.get("/sign/{ref}", include_in_schema=False)
    def sign_page(ref: str) -> FileResponse:
        # /sign/<hearing id>: the signing page; /sign/<token>: a signing link (its code first)
        return FileResponse(STATIC_DIR / ("sign.html" if ref.isdigit() else "sign-link.html"))

    @app.get("/watch/{token}", include_in_schema=False)
    def watch_page(token: str) -> FileResponse:
        # The public broadcast (庭审公开); the page reads the token from its path.
        return FileResponse(STATIC_DIR / "watch.html")

    @app.get("/verify", include_in_schema=False)
    def verify_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "verify.html")

    @app.get("/login", include_in_schema=False)
    def login_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "login.html")

    @app.get("/dashboard", include_in_schema=False)
    def dashboard_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "dashboard.html")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/dashboard.html")

    # html=True: a folder serves its index.html; an unknown path keeps the API's JSON 404.
    app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="web")
