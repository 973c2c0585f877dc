"""Errors of the fee computation and of the fee service, each with an English and a Chinese
message.

::

    FeesError                   base; never raised itself
    ├── ScheduleDataError       a fee schedule file is broken (a gap between tiers, an unknown
    │                           reference, a missing article): a bug of the data, found on load
    ├── FeeInputError           the request cannot be computed (an amount that is not yuan, an
    │                           unknown kind, a halving ground that does not apply)
    ├── FeeSettingError         a court's setting is outside the range the law allows
    └── FeesServiceError        the service's own, each with its HTTP status:
        ├── NotAuthenticatedError 401  no staff session, no valid payment link
        ├── ForbiddenError     403  a role that may not do this
        ├── NotFoundError      404  no such account, or one the caller may not know of
        ├── ConflictError      409  the state does not allow it (paid, closed, already decided)
        ├── InvalidInputError  422  well-formed but against a rule (a wrong check digit)
        └── ProviderUnavailableError 503  the payment provider did not answer (try again)

The mappings to the outside: :mod:`fees.cli` (one line on stderr, exit status 2) and
:mod:`fees.http_errors` (422 for input, 500 for data and settings, a service error's status).
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ConflictError",
    "FeeInputError",
    "FeeSettingError",
    "FeesError",
    "FeesServiceError",
    "ForbiddenError",
    "InvalidInputError",
    "NotAuthenticatedError",
    "NotFoundError",
    "ProviderUnavailableError",
    "ScheduleDataError",
]


class FeesError(Exception):
    """``str(error)`` is the English message; ``error.zh`` the Chinese one."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh if zh is not None else en

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class ScheduleDataError(FeesError):
    """A schedule file that must not be used (it is rejected whole)."""


class FeeInputError(FeesError):
    """A request that cannot be computed as asked."""


class FeeSettingError(FeesError):
    """A court's choice outside the range of its article."""


class FeesServiceError(FeesError):
    code: ClassVar[str] = "fees_error"
    status_code: ClassVar[int] = 500

    def __init__(self, en: str, zh: str, *, reason: str | None = None, **params: Any) -> None:
        super().__init__(en, zh)
        self.reason = reason or self.code
        self.params = params


class NotAuthenticatedError(FeesServiceError):
    code = "not_authenticated"
    status_code = 401


class ForbiddenError(FeesServiceError):
    code = "forbidden"
    status_code = 403


class NotFoundError(FeesServiceError):
    code = "not_found"
    status_code = 404


class ConflictError(FeesServiceError):
    code = "conflict"
    status_code = 409


class InvalidInputError(FeesServiceError):
    code = "invalid_input"
    status_code = 422


class ProviderUnavailableError(FeesServiceError):
    code = "provider_unavailable"
    status_code = 503
