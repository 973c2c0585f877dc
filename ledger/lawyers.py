"""Who a lawyer is: a party-portal account with a practising licence number (issue 17's portal).
The ledger never reads the portal's tables; it asks the portal's ``GET /api/portal/me`` with the
caller's portal cookie, as a side service asks the hearing server who staff are
(:class:`tingshen_platform.identity.HttpIdentity`). One contract, two implementations: over
HTTP to a portal elsewhere (``TINGSHEN_LEDGER_PORTAL_URL``), or through the same process's app
(the portal loaded beside the ledger, the default), without a socket.

Which cases a lawyer may apply in is the ledger's rule: the filing (``case.filed``) recorded him
with that licence number (:func:`ledger.orders.lawyer_in_case`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import httpx

from ledger.orders import Lawyer

__all__ = ["PORTAL_COOKIE", "Lawyers", "PortalLawyers"]

PORTAL_COOKIE = "tingshen_portal"


class Lawyers(Protocol):
    async def who(self, cookies: Mapping[str, str]) -> Lawyer | None: ...


class PortalLawyers:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    @classmethod
    def over_http(cls, base_url: str) -> PortalLawyers:
        return cls(httpx.AsyncClient(base_url=base_url, timeout=5.0))

    @classmethod
    def in_process(cls, app: object) -> PortalLawyers:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        return cls(httpx.AsyncClient(transport=transport, base_url="http://portal.internal"))

    async def who(self, cookies: Mapping[str, str]) -> Lawyer | None:
        cookie = cookies.get(PORTAL_COOKIE)
        if not cookie:
            return None
        answer = await self._client.get(
            "/api/portal/me", headers={"cookie": f"{PORTAL_COOKIE}={cookie}"}
        )
        if answer.status_code != 200:
            return None
        body = answer.json()
        licence = body.get("licence_number")
        if body.get("kind") != "lawyer" or not licence:
            return None
        return Lawyer(name=str(body["name"]), licence_number=str(licence))

    async def aclose(self) -> None:
        await self._client.aclose()
