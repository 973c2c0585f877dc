"""The hearing's join link and signing link of a party, asked of the hearing server over HTTP.

The hearing server gives them to no other service but through its service route
``POST /api/service/party-links`` (this portal never imports it): the body is the case number
and the party's verified identity (the real name the identity provider checked, the mobile
number confirmed by SMS code, the ID number), signed with ``X-Tingshen-Timestamp`` and
``X-Tingshen-Signature`` (hex HMAC-SHA256 of ``"party-links.<timestamp>.<body>"``) under the key
both are given (``TINGSHEN_PORTAL_HEARING_LINKS_KEY`` here, ``TINGSHEN_PARTY_LINKS_KEY`` there;
:mod:`tingshen_platform.signed_requests` signs). Each request also names the party it is for,
so that the hearing server's per-caller rate limit counts each party apart rather than the whole
portal as one caller: ``X-Tingshen-Caller``, an opaque digest of the party (a keyed digest of its
verified identity: no personal data, the same for each of the party's requests), and
``X-Tingshen-Caller-Signature``, the hex HMAC-SHA256 of ``"caller.<timestamp>.<caller>"`` under
the same key (checked before the body is read). Without the key nothing is asked. A link still
asks for the one-time code sent to the participant's phone: it is not a login.

Each hearing of the answer is checked against :class:`portal.schemas.PartyHearingIn` (the
hearing, the party's role, the links, and where the party's signature on the frozen record
stands: ``signature``, ``signed_at``) and only those fields reach the page; an answer that does
not fit is no answer (the page says the hearings cannot be had).
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

from portal.schemas import PartyHearingIn
from tingshen_platform import signed_requests

__all__ = ["HearingLinks", "PartyIdentity", "caller_of", "sign_party_links"]

logger = logging.getLogger(__name__)
PATH = "/api/service/party-links"
_DOMAIN = "party-links."
_CALLER_DOMAIN = "caller."
_CALLER_ID_DOMAIN = b"party-caller."


def sign_party_links(
    key: bytes, body: bytes, now: datetime, *, caller: str | None = None
) -> dict[str, str]:
    """The headers of a signed request with ``body``; with ``caller`` (:func:`caller_of`),
    naming the party it is asked for."""
    timestamp = signed_requests.timestamp_of(now)
    headers = {
        "content-type": "application/json",
        "x-tingshen-timestamp": timestamp,
        "x-tingshen-signature": signed_requests.sign(key, _DOMAIN, timestamp, body),
    }
    if caller is not None:
        headers["x-tingshen-caller"] = caller
        headers["x-tingshen-caller-signature"] = signed_requests.sign(
            key, _CALLER_DOMAIN, timestamp, caller.encode()
        )
    return headers


@dataclass(frozen=True, slots=True)
class PartyIdentity:
    name: str
    phone: str
    id_number: str


def caller_of(key: bytes, who: PartyIdentity) -> str:
    """The party as the hearing server's rate limit knows it: 32 hex digits, a digest of its
    verified identity keyed with the shared key (an unkeyed digest of an ID number or a mobile
    number could be reversed by trying them all)."""
    identity = json.dumps([who.name, who.phone, who.id_number], ensure_ascii=False).encode()
    return hmac.new(key, _CALLER_ID_DOMAIN + identity, hashlib.sha256).hexdigest()[:32]


class HearingLinks:
    """The client: the hearing server's base URL and the shared key; ``transport`` for tests
    (the real app over ASGI). One HTTP client (its connection pool, its TLS context: making one
    costs about 20 ms of the event loop) serves every party's request; the service closes it
    with :meth:`aclose` when it stops."""

    def __init__(
        self,
        base_url: str,
        key: bytes,
        timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.key = key
        self.timeout_s = timeout_s
        self.transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _shared_client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:  # a client lives in one event loop
            self._client = httpx.AsyncClient(
                base_url=self.base_url, timeout=self.timeout_s, transport=self.transport
            )
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        client, self._client, self._loop = self._client, None, None
        if client is not None:
            await client.aclose()

    async def _ask(
        self, client: httpx.AsyncClient, case_number: str, who: PartyIdentity, now: datetime
    ) -> list[dict[str, Any]]:
        body = json.dumps(
            {"case_number": case_number, "name": who.name, "phone": who.phone,
             "id_number": who.id_number}, ensure_ascii=False,
        ).encode()  # fmt: skip
        headers = sign_party_links(self.key, body, now, caller=caller_of(self.key, who))
        answer = await client.post(PATH, content=body, headers=headers)
        answer.raise_for_status()
        return [
            PartyHearingIn.model_validate(hearing).model_dump(mode="json")
            for hearing in answer.json()["hearings"]
        ]

    async def of(
        self, case_numbers: list[str], who: PartyIdentity, now: datetime
    ) -> list[dict[str, Any]] | None:
        """The party's hearings of these cases with their links; ``None`` when the hearing
        server could not be asked (down, slow, refused)."""
        if not case_numbers:
            return []
        client = self._shared_client()
        try:
            answers = await asyncio.gather(
                *(self._ask(client, number, who, now) for number in case_numbers)
            )
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            logger.warning("the hearing server's party links could not be had: %s", exc)
            return None
        return [hearing for answer in answers for hearing in answer]
