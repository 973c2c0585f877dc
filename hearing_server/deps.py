"""FastAPI dependencies as ``Annotated`` aliases: the services, the DB session, who is asking,
and the one admission of a WebSocket to a hearing.

``create_app`` keeps the :class:`~hearing_server.services.Services` container on ``app.state``;
:func:`get_services` is the only reader of ``app.state``, and every other dependency here is a
typed part of it. Routers take these aliases and nothing from the request's app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Request, WebSocket
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from hearing_server.access import require_staff_role
from hearing_server.accounts import participant_for_token, staff_for_token
from hearing_server.closing.service import ClosingService
from hearing_server.closing.store import DocumentStore
from hearing_server.context import ServerContext
from hearing_server.court_pki import CourtPki
from hearing_server.errors import (
    ForbiddenError,
    NotAuthenticatedError,
    NotFoundError,
    RemovedError,
    ServerError,
    websocket_close,
)
from hearing_server.evidence.access import Who
from hearing_server.evidence.files import EvidenceStore
from hearing_server.live.admission import REMOVED_MESSAGE, Admitted, admit
from hearing_server.live.registry import LiveRegistry
from hearing_server.models import Participant, StaffRole, StaffUser
from hearing_server.rate_limit import TsaLimits
from hearing_server.retranscribe.worker import RetranscriptionWorker
from hearing_server.revocation import Revocations, SocketPrincipal, socket_principal
from hearing_server.security import LoginRateLimiter
from hearing_server.services import Services
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.verification import VerificationPool
from recordings import LocalDirStore
from tingshen_platform.blobs import LocalBlobStore

STAFF_COOKIE = "tingshen_staff"
PARTICIPANT_COOKIE = "tingshen_party"

T = TypeVar("T")

# ---------------------------------------------------------------- the services


def get_services(connection: HTTPConnection) -> Services:
    """The app's services (an ``HTTPConnection``: the same for HTTP requests and WebSockets)."""
    services = connection.app.state.services
    assert isinstance(services, Services)
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_context(services: ServicesDep) -> ServerContext:
    return services.context


ContextDep = Annotated[ServerContext, Depends(get_context)]


def get_live(services: ServicesDep) -> LiveRegistry:
    return services.live


LiveDep = Annotated[LiveRegistry, Depends(get_live)]


def get_documents(services: ServicesDep) -> DocumentRooms:
    return services.documents


DocumentsDep = Annotated[DocumentRooms, Depends(get_documents)]


def get_evidence(ctx: ContextDep) -> EvidenceStore:
    """Evidence files of every hearing (on the platform's blob store, under the data dir)."""
    return EvidenceStore(LocalBlobStore(ctx.settings.data_dir / "evidence"))


EvidenceDep = Annotated[EvidenceStore, Depends(get_evidence)]


def get_recordings(services: ServicesDep) -> LocalDirStore | None:
    return services.recordings


RecordingsDep = Annotated[LocalDirStore | None, Depends(get_recordings)]
"""None: recording is switched off on this server."""


def get_retranscription(services: ServicesDep) -> RetranscriptionWorker:
    return services.retranscription


RetranscriptionDep = Annotated[RetranscriptionWorker, Depends(get_retranscription)]


def get_case_files(services: ServicesDep) -> DocumentStore:
    return services.case_files


CaseFilesDep = Annotated[DocumentStore, Depends(get_case_files)]


def get_closing(services: ServicesDep) -> ClosingService | None:
    return services.closing


ClosingDep = Annotated[ClosingService | None, Depends(get_closing)]
"""None: signing is switched off on this server."""


def get_pki(services: ServicesDep) -> CourtPki:
    if services.pki is None:
        raise NotFoundError("signing is switched off on this server")
    return services.pki


PkiDep = Annotated[CourtPki, Depends(get_pki)]
"""The court PKI; a server with signing switched off answers 404."""


def get_verification(services: ServicesDep) -> VerificationPool:
    return services.verification


VerificationDep = Annotated[VerificationPool, Depends(get_verification)]


def get_verify_limiter(services: ServicesDep) -> LoginRateLimiter:
    return services.verify_limiter


VerifyLimiterDep = Annotated[LoginRateLimiter, Depends(get_verify_limiter)]


def get_tsa_limits(services: ServicesDep) -> TsaLimits:
    return services.tsa_limits


TsaLimitsDep = Annotated[TsaLimits, Depends(get_tsa_limits)]


def get_revocations(services: ServicesDep) -> Revocations:
    return services.revocations


RevocationsDep = Annotated[Revocations, Depends(get_revocations)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    with ctx.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

# ---------------------------------------------------------------- who is asking


def _not_removed(participant: Participant | None) -> Participant | None:
    """Checked on every request: a participant the judge removed reads nothing of the hearing
    (its summary, participants, documents) until readmitted (403 ``removed``)."""
    if participant is not None and participant.removed_at is not None:
        raise RemovedError(REMOVED_MESSAGE)
    return participant


def get_current_staff(request: Request, session: SessionDep, ctx: ContextDep) -> StaffUser:
    staff = staff_for_token(session, ctx, request.cookies.get(STAFF_COOKIE))
    if staff is not None:
        return staff
    cookie = request.cookies.get(PARTICIPANT_COOKIE)
    if participant_for_token(session, ctx, cookie, record_scope_ok=True) is not None:
        raise ForbiddenError("this action is for court staff only")
    raise NotAuthenticatedError("please log in (session missing or expired)")


CurrentStaff = Annotated[StaffUser, Depends(get_current_staff)]


def get_current_participant(request: Request, session: SessionDep, ctx: ContextDep) -> Participant:
    participant = participant_for_token(session, ctx, request.cookies.get(PARTICIPANT_COOKIE))
    if participant is None:
        raise NotAuthenticatedError("please join through your invitation link again")
    _not_removed(participant)
    return participant


CurrentParticipant = Annotated[Participant, Depends(get_current_participant)]


def get_optional_participant(
    request: Request, session: SessionDep, ctx: ContextDep
) -> Participant | None:
    return _not_removed(
        participant_for_token(session, ctx, request.cookies.get(PARTICIPANT_COOKIE))
    )


OptionalParticipant = Annotated[Participant | None, Depends(get_optional_participant)]


def get_record_participant(
    request: Request, session: SessionDep, ctx: ContextDep
) -> Participant | None:
    """Also a session from a signing link (scope ``record``): for the routes that read and sign
    the hearing's record (closing, recordings, verification, the hearing's summary)."""
    cookie = request.cookies.get(PARTICIPANT_COOKIE)
    return _not_removed(participant_for_token(session, ctx, cookie, record_scope_ok=True))


RecordParticipant = Annotated[Participant | None, Depends(get_record_participant)]


def get_optional_staff(request: Request, session: SessionDep, ctx: ContextDep) -> StaffUser | None:
    return staff_for_token(session, ctx, request.cookies.get(STAFF_COOKIE))


OptionalStaff = Annotated[StaffUser | None, Depends(get_optional_staff)]


def get_hearing_caller(
    hearing_id: int, session: SessionDep, staff: OptionalStaff, participant: OptionalParticipant
) -> Who:
    """The caller admitted to the path's hearing, and as which staff (evidence, screen)."""
    return Who(admit(session, staff, participant, hearing_id), staff)


HearingCaller = Annotated[Who, Depends(get_hearing_caller)]


def require_role(*roles: StaffRole) -> Callable[[StaffUser], StaffUser]:
    """A dependency admitting only staff with one of ``roles``."""

    def dependency(staff: CurrentStaff) -> StaffUser:
        require_staff_role(staff, roles, "do this")
        return staff

    return dependency


ClerkStaff = Annotated[StaffUser, Depends(require_role(StaffRole.CLERK))]
SchedulingStaff = Annotated[StaffUser, Depends(require_role(StaffRole.JUDGE, StaffRole.CLERK))]
JudgeStaff = Annotated[StaffUser, Depends(require_role(StaffRole.JUDGE))]


def client_ip(request: Request) -> str:
    """The client's address, for rate limits and the audit: the peer's, or the one a trusted
    proxy (``settings.trusted_proxies``, nobody else) forwarded (set by the proxy-headers
    middleware that ``create_app`` installs)."""
    return request.client.host if request.client else "unknown"


# ---------------------------------------------------------------- WebSocket admission


class SocketAdmission:
    """Admits a WebSocket to its hearing, the one way every socket endpoint does it.

        caller = await admission(lambda session, admitted, staff: ...)
        if caller is None:
            return                  # refused: the socket is already closed with its code

    The socket is accepted (a close code needs an accepted socket), the staff or participant
    session cookie is checked and :func:`~hearing_server.live.admission.admit` decides about the
    hearing; ``admit_as`` turns the admission into what the endpoint needs, in the same database
    session (which is closed before the socket is served). A :class:`ServerError` from any of it
    closes the socket with the code :func:`~hearing_server.errors.websocket_close` maps it to.
    ``principal`` is who the admitted socket is, for :class:`~hearing_server.revocation.Revocations`
    (logout, expiry, withdrawn links and removal close it).
    """

    def __init__(self, websocket: WebSocket, hearing_id: int, ctx: ContextDep) -> None:
        self._websocket = websocket
        self._hearing_id = hearing_id
        self._ctx = ctx
        self.principal = SocketPrincipal(frozenset(), None)

    async def __call__(
        self, admit_as: Callable[[Session, Admitted, StaffUser | None], T]
    ) -> T | None:
        websocket, ctx = self._websocket, self._ctx
        await websocket.accept()
        try:
            with ctx.session_factory() as session:
                staff = staff_for_token(session, ctx, websocket.cookies.get(STAFF_COOKIE))
                participant = None
                if staff is None:
                    participant = participant_for_token(
                        session, ctx, websocket.cookies.get(PARTICIPANT_COOKIE)
                    )
                admitted = admit(session, staff, participant, self._hearing_id)
                self.principal = socket_principal(
                    session,
                    staff_token=websocket.cookies.get(STAFF_COOKIE),
                    party_token=websocket.cookies.get(PARTICIPANT_COOKIE),
                    staff_id=staff.id if staff is not None else None,
                )
                return admit_as(session, admitted, staff)
        except ServerError as exc:
            code, reason = websocket_close(exc)
            await websocket.close(code=code, reason=reason)
            return None


SocketAdmissionDep = Annotated[SocketAdmission, Depends(SocketAdmission)]
