"""Keep invitation tokens out of the logs: a ``logging.Filter`` that redacts them in messages.

Invitation links are bearer credentials (``/join/<token>``, ``/api/join/<token>/code``, the
signing links ``/sign/<token>`` and ``/api/sign-links/<token>/code``, or a ``?t=<token>``
query); uvicorn's access log prints request paths. :func:`uvicorn_log_config` returns uvicorn's
logging configuration with :class:`TokenRedactingFilter` on both of its handlers, for
``tingshen serve``; :func:`install_on_uvicorn_loggers` puts it on uvicorn's loggers
(for ``uvicorn --factory hearing_server.app:app_from_environment``, which configures its own).

    redact("GET /api/join/djEuMS4y.abc/code")  ->  "GET /api/join/[redacted]/code"
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

__all__ = [
    "REDACTED",
    "TokenRedactingFilter",
    "install_on_uvicorn_loggers",
    "redact",
    "uvicorn_log_config",
]

REDACTED = "[redacted]"
# The path segment after /join/ (except the API's own words), and token-like query parameters.
_JOIN_PATH = re.compile(r"(/join/)(?!(?:me|logout)(?:[/?#\s\"']|$))[^/?#\s\"']+")
# Signing links (hearing_server.sign_links): /sign/<token> (not /sign/<hearing id>) and the API's
# /api/sign-links/<token>[/code|/verify].
_SIGN_PATH = re.compile(r"(/sign/|/sign-links/)(?!\d+(?:[/?#\s\"']|$))[^/?#\s\"']+")
_TOKEN_QUERY = re.compile(r"([?&](?:t|token|invitation)=)[^&#\s\"']+")


def redact(text: str) -> str:
    text = _SIGN_PATH.sub(rf"\g<1>{REDACTED}", _JOIN_PATH.sub(rf"\g<1>{REDACTED}", text))
    return _TOKEN_QUERY.sub(rf"\g<1>{REDACTED}", text)


def _redact_arg(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class TokenRedactingFilter(logging.Filter):
    """Rewrites the record's message and string arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_arg(arg) for key, arg in record.args.items()}
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration plus the redacting filter on every handler."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": TokenRedactingFilter}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_tokens")
    return config


def install_on_uvicorn_loggers() -> None:
    """Add the filter to uvicorn's loggers (once; a later logging configuration keeps it)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
            logger.addFilter(TokenRedactingFilter())
