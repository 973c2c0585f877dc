"""The portal's errors, each with an English and a Chinese message; HTTP status in one place
(:mod:`portal.http_errors`).

::

    PortalError
    ├── NotAuthenticatedError  401  no portal session
    ├── ForbiddenError         403  a role that may not do this
    ├── NotFoundError          404  no such record, or one the caller may not know of
    ├── ConflictError          409  the state does not allow it
    ├── InvalidInputError      422  well-formed but against a rule (a wrong check digit)
    ├── RateLimitedError       429  too many attempts
    └── ProviderError          503  SMS or identity verification did not answer
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "InvalidInputError",
    "NotAuthenticatedError",
    "NotFoundError",
    "PortalError",
    "ProviderError",
    "RateLimitedError",
]


class PortalError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, en: str, zh: str, *, reason: str, **params: Any) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh
        self.reason = reason
        self.params = params


class NotAuthenticatedError(PortalError):
    status_code = 401
    code = "not_authenticated"


class ForbiddenError(PortalError):
    status_code = 403
    code = "forbidden"


class NotFoundError(PortalError):
    status_code = 404
    code = "not_found"


class ConflictError(PortalError):
    status_code = 409
    code = "conflict"


class InvalidInputError(PortalError):
    status_code = 422
    code = "invalid_input"


class RateLimitedError(PortalError):
    status_code = 429
    code = "rate_limited"


class ProviderError(PortalError):
    status_code = 503
    code = "provider_unavailable"
