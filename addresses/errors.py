"""The address service's errors, each with an English and a Chinese message, and their HTTP
status (:mod:`addresses.http_errors` maps them)::

    AddressesError                    base; never raised itself
    ├── NotAuthenticatedError   401   no staff session
    ├── ForbiddenError          403   a party, or a role that may not look addresses up
    ├── NotFoundError           404   no such case or look-up, or one the caller may not know of
    ├── ConflictError           409   the case is closed, or the result is not usable
    ├── InvalidInputError       422   well-formed but against a rule (a wrong check digit)
    ├── RateLimitedError        429   too many look-ups (per staff member, per party)
    └── NoConnectorError        503   no agency's connector is configured
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AddressesError",
    "ConflictError",
    "ForbiddenError",
    "InvalidInputError",
    "NoConnectorError",
    "NotAuthenticatedError",
    "NotFoundError",
    "RateLimitedError",
]


class AddressesError(Exception):
    code: ClassVar[str] = "addresses_error"
    status_code: ClassVar[int] = 500

    def __init__(self, en: str, zh: str, *, reason: str | None = None, **params: Any) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh
        self.reason = reason or self.code
        self.params = params


class NotAuthenticatedError(AddressesError):
    code = "not_authenticated"
    status_code = 401


class ForbiddenError(AddressesError):
    code = "forbidden"
    status_code = 403


class NotFoundError(AddressesError):
    code = "not_found"
    status_code = 404


class ConflictError(AddressesError):
    code = "conflict"
    status_code = 409


class InvalidInputError(AddressesError):
    code = "invalid_input"
    status_code = 422


class RateLimitedError(AddressesError):
    code = "rate_limited"
    status_code = 429


class NoConnectorError(AddressesError):
    code = "no_connector"
    status_code = 503
