"""The hearing's join link and signing link of a party, asked of the hearing server over HTTP.

The hearing server gives them to no other service but through its service route
``POST /api/service/party-links`` (this portal never imports it): the body is the case number
and the party's verified identity (the real name the identity provider checked, the mobile
number confirmed by SMS code, the ID number), signed with ``X-Tingshen-Timestamp`` and
``X-Tingshen-Signature`` (hex HMAC-SHA256 of ``"party-links.<timestamp>.<body>"``) under the key
both are given (``TINGSHEN_PORTAL_HEARING_LINKS_KEY`` here, ``TINGSHEN_PARTY_LINKS_KEY`` there).
Without the key nothing is asked. A link still asks for the one-time code sent to the
participant's phone: it is not a login.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

__all__ = ["HearingLinks", "PartyIdentity", "sign_party_links"]

logger = logging.getLogger(__name__)
PATH = "/api/service/party-links"
_DOMAIN = b"party-links."


def sign_party_links(key: bytes, body: bytes, now: datetime) -> dict[str, str]:
    """The headers of a signed request with ``body``."""
    timestamp = str(int(now.timestamp()))
    mac = hmac.new(key, _DOMAIN + timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {
        "content-type": "application/json",
        "x-tingshen-timestamp": timestamp,
        "x-tingshen-signature": mac,
    }


@dataclass(frozen=True, slots=True)
class PartyIdentity:
    name: str
    phone: str
    id_number: str


@dataclass(frozen=True, slots=True)
class HearingLinks:
    """The client: the hearing server's base URL and the shared key; ``transport`` for tests
    (the real app over ASGI)."""

    base_url: str
    key: bytes
    timeout_s: float = 5.0
    transport: httpx.AsyncBaseTransport | None = None

    async def _ask(
        self, client: httpx.AsyncClient, case_number: str, who: PartyIdentity, now: datetime
    ) -> list[dict[str, Any]]:
        body = json.dumps(
            {"case_number": case_number, "name": who.name, "phone": who.phone,
             "id_number": who.id_number}, ensure_ascii=False,
        ).encode()  # fmt: skip
        answer = await client.post(
            PATH, content=body, headers=sign_party_links(self.key, body, now)
        )
        answer.raise_for_status()
        hearings: list[dict[str, Any]] = answer.json()["hearings"]
        return hearings

    async def of(
        self, case_numbers: list[str], who: PartyIdentity, now: datetime
    ) -> list[dict[str, Any]] | None:
        """The party's hearings of these cases with their links; ``None`` when the hearing
        server could not be asked (down, slow, refused)."""
        if not case_numbers:
            return []
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=self.timeout_s, transport=self.transport
        ) as client:
            try:
                answers = await asyncio.gather(
                    *(self._ask(client, number, who, now) for number in case_numbers)
                )
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                logger.warning("the hearing server's party links could not be had: %s", exc)
                return None
        return [hearing for answer in answers for hearing in answer]
