"""Who is calling: the identity seam between the hearing server (which owns accounts, sessions
and invitations) and the side services (which authorise per case and role, but never read the
hearing server's tables).

A side service asks :class:`Identity` who a request's cookies belong to and gets a
:class:`StaffPrincipal` (a judge, clerk, filing clerk, recorder or court administrator of one
court) or a :class:`PartyPrincipal` (a participant of one hearing of one case, through an
invitation or signing link), or ``None``. Two implementations, one contract (as pyHanko's
timestamp clients):

- in ``tingshen serve`` the hearing server passes its own (it reads its sessions in process);
- a side service running alone uses :class:`HttpIdentity`, which asks the hearing server's
  ``GET /api/auth/me``, ``GET /api/join/me`` and ``GET /api/staff`` with the caller's cookies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import httpx

__all__ = [
    "PARTY_COOKIE",
    "STAFF_COOKIE",
    "HttpIdentity",
    "Identity",
    "PartyPrincipal",
    "Principal",
    "StaffPrincipal",
]

STAFF_COOKIE = "tingshen_staff"
PARTY_COOKIE = "tingshen_party"


@dataclass(frozen=True, slots=True)
class StaffPrincipal:
    user_id: int
    username: str
    display_name: str
    role: str
    """``judge``, ``clerk``, ``filing_clerk``, ``recorder`` or ``court_admin``."""
    court_id: int
    court_name: str


@dataclass(frozen=True, slots=True)
class PartyPrincipal:
    participant_id: int
    hearing_id: int
    case_id: int
    """The hearing server's case id."""
    case_number: str
    court_id: int
    display_name: str
    court_role: str
    """``plaintiff``, ``defendant``, ``agent`` …"""
    case_party_ref: str | None
    """The dossier's party this participant was invited as (``None``: added by hand)."""


Principal = StaffPrincipal | PartyPrincipal


@runtime_checkable
class Identity(Protocol):
    async def who(self, cookies: Mapping[str, str]) -> Principal | None:
        """The staff member of a staff session cookie, else the party of a party cookie."""
        ...

    async def staff_of_court(
        self, court_id: int, cookies: Mapping[str, str]
    ) -> list[StaffPrincipal]:
        """The court's active staff (whom a case can be assigned to), asked for by a staff
        member of that court (``cookies``: theirs)."""
        ...


class HttpIdentity:
    """Asks the hearing server at ``base_url`` (a side service running in its own process)."""

    def __init__(self, base_url: str, *, transport: httpx.AsyncBaseTransport | None = None):
        self._client = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=5.0)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def who(self, cookies: Mapping[str, str]) -> Principal | None:
        staff_cookie = cookies.get(STAFF_COOKIE)
        if staff_cookie:
            answer = await self._client.get(
                "/api/auth/me", headers={"cookie": f"{STAFF_COOKIE}={staff_cookie}"}
            )
            if answer.status_code == 200:
                return _staff(answer.json())
        party_cookie = cookies.get(PARTY_COOKIE)
        if party_cookie:
            answer = await self._client.get(
                "/api/join/me", headers={"cookie": f"{PARTY_COOKIE}={party_cookie}"}
            )
            if answer.status_code == 200:
                body = answer.json()
                return PartyPrincipal(
                    participant_id=int(body["participant_id"]),
                    hearing_id=int(body["hearing_id"]),
                    case_id=int(body["case_id"]),
                    case_number=str(body["case_number"]),
                    court_id=int(body["court_id"]),
                    display_name=str(body["display_name"]),
                    court_role=str(body["court_role"]),
                    case_party_ref=body.get("case_party_ref"),
                )
        return None

    async def staff_of_court(
        self, court_id: int, cookies: Mapping[str, str]
    ) -> list[StaffPrincipal]:
        staff_cookie = cookies.get(STAFF_COOKIE, "")
        answer = await self._client.get(
            "/api/staff", headers={"cookie": f"{STAFF_COOKIE}={staff_cookie}"}
        )
        answer.raise_for_status()
        return [row for row in map(_staff, answer.json()["items"]) if row.court_id == court_id]


def _staff(body: Mapping[str, object]) -> StaffPrincipal:
    return StaffPrincipal(
        user_id=int(str(body["id"])),
        username=str(body["username"]),
        display_name=str(body["display_name"]),
        role=str(body["role"]),
        court_id=int(str(body["court_id"])),
        court_name=str(body["court_name"]),
    )
