"""The portal's pages (``/portal/``), served from memory.

The pages are a dozen small files that change only with a release: they are read once when the
service is made and answered without a trip to the thread pool. Starlette's ``StaticFiles``
spends four or five such trips on every file (stat, open, read, close); with 200 parties
opening the portal at once those trips, queued behind the API's, made the static page the
slowest request of the home page (docs/benchmarks.md §19). Every answer carries an ``ETag``
(SHA-256 of the bytes), answered ``304`` when a browser sends it back (the server's browser
headers may still say ``no-store``).
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

__all__ = ["Pages"]

INDEX = "index.html"


@dataclass(frozen=True, slots=True)
class _Page:
    body: bytes
    media_type: str
    etag: str


def _media_type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


class Pages:
    """An ASGI app for a mount: ``GET``/``HEAD`` of a file of ``directory`` (``/`` is
    ``index.html``); anything else 404 (a file name not in the directory) or 405."""

    def __init__(self, directory: Path) -> None:
        self._pages: dict[str, _Page] = {}
        for path in sorted(directory.iterdir()):
            if path.is_file():
                body = path.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                self._pages[path.name] = _Page(body, _media_type(path.name), etag)

    def page(self, path: str) -> _Page | None:
        name = path.lstrip("/") or INDEX
        return self._pages.get(name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        response = self.answer(scope)
        await response(scope, receive, send)

    def answer(self, scope: Scope, path: str | None = None) -> Response:
        """The answer to the request of ``scope`` for ``path`` (default: the scope's path
        below the mount)."""
        if scope["method"] not in ("GET", "HEAD"):
            return PlainTextResponse("Method Not Allowed", status_code=405)
        if path is None:
            path, root = scope.get("path", ""), scope.get("root_path", "")
            path = path[len(root) :] if path.startswith(root) else path
        page = self.page(path)
        if page is None:
            return PlainTextResponse("Not Found", status_code=404)
        headers = {"ETag": page.etag, "Cache-Control": "no-cache"}
        asked = dict(scope.get("headers", ())).get(b"if-none-match", b"").decode("latin-1")
        if page.etag in (tag.strip() for tag in asked.split(",")):
            return Response(status_code=304, headers=headers)
        body = b"" if scope["method"] == "HEAD" else page.body
        response = Response(body, media_type=page.media_type, headers=headers)
        if scope["method"] == "HEAD":
            response.headers["content-length"] = str(len(page.body))
        return response
