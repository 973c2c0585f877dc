"""The hearing server's answer to "who is calling" for the side services it runs in process
(:class:`tingshen_platform.identity.Identity`): it reads its own sessions, as its routes do.
A side service in its own process asks the same over HTTP (``HttpIdentity``)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from sqlalchemy import select

from hearing_server.accounts import participant_session_for_token, staff_for_token
from hearing_server.context import ServerContext
from hearing_server.models import Case, Hearing, StaffUser
from tingshen_platform.identity import (
    PARTY_COOKIE,
    STAFF_COOKIE,
    PartyPrincipal,
    Principal,
    StaffPrincipal,
)

__all__ = ["LocalIdentity", "staff_principal"]


def staff_principal(user: StaffUser) -> StaffPrincipal:
    return StaffPrincipal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        court_id=user.court_id,
        court_name=user.court.name,
    )


class LocalIdentity:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx

    async def who(self, cookies: Mapping[str, str]) -> Principal | None:
        return await asyncio.to_thread(self._who, dict(cookies))

    def _who(self, cookies: dict[str, str]) -> Principal | None:
        with self._ctx.session_factory() as session:
            staff = staff_for_token(session, self._ctx, cookies.get(STAFF_COOKIE))
            if staff is not None:
                return staff_principal(staff)
            row = participant_session_for_token(session, self._ctx, cookies.get(PARTY_COOKIE))
            if row is None or row.participant.removed_at is not None:
                return None
            participant = row.participant
            hearing = session.get(Hearing, participant.hearing_id)
            assert hearing is not None
            case = session.get(Case, hearing.case_id)
            assert case is not None
            return PartyPrincipal(
                participant_id=participant.id,
                hearing_id=hearing.id,
                case_id=case.id,
                case_number=case.case_number,
                court_id=case.court_id,
                display_name=participant.display_name,
                court_role=participant.court_role.value,
                case_party_ref=participant.case_party_ref,
            )

    async def staff_of_court(
        self, court_id: int, cookies: Mapping[str, str]
    ) -> list[StaffPrincipal]:
        return await asyncio.to_thread(self._staff_of_court, court_id)

    def _staff_of_court(self, court_id: int) -> list[StaffPrincipal]:
        with self._ctx.session_factory() as session:
            users = session.scalars(
                select(StaffUser)
                .where(StaffUser.court_id == court_id, StaffUser.active.is_(True))
                .order_by(StaffUser.id)
            )
            return [staff_principal(user) for user in users]
