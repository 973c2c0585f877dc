"""Invitation tokens never reach the logs: the filter tingshen serve puts on uvicorn's handlers."""

from __future__ import annotations

import logging

import pytest

from hearing_server.log_redaction import (
    REDACTED,
    TokenRedactingFilter,
    install_on_uvicorn_loggers,
    redact,
    uvicorn_log_config,
)

TOKEN = "djEuMy40LjUuMTc2NDMyMDAwMA.q1w2e3r4t5y6u7i8o9p0"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /join/{TOKEN} HTTP/1.1", f"GET /join/{REDACTED} HTTP/1.1"),
        (f"GET /api/join/{TOKEN}", f"GET /api/join/{REDACTED}"),
        (f"POST /api/join/{TOKEN}/code", f"POST /api/join/{REDACTED}/code"),
        (f"POST /api/join/{TOKEN}/verify?x=1", f"POST /api/join/{REDACTED}/verify?x=1"),
        (f"GET /join.html?t={TOKEN}&lang=en", f"GET /join.html?t={REDACTED}&lang=en"),
        ("GET /api/join/me HTTP/1.1", "GET /api/join/me HTTP/1.1"),
        ("POST /api/join/logout", "POST /api/join/logout"),
        ("GET /room/3?h=3", "GET /room/3?h=3"),
        (f"GET /sign/{TOKEN} HTTP/1.1", f"GET /sign/{REDACTED} HTTP/1.1"),
        (f"GET /api/sign-links/{TOKEN}", f"GET /api/sign-links/{REDACTED}"),
        (f"POST /api/sign-links/{TOKEN}/verify", f"POST /api/sign-links/{REDACTED}/verify"),
        ("GET /sign/7 HTTP/1.1", "GET /sign/7 HTTP/1.1"),
        ("GET /api/hearings/7/closing/document.pdf", "GET /api/hearings/7/closing/document.pdf"),
    ],
)
def test_redact(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_filter_rewrites_uvicorn_access_records() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/api/join/{TOKEN}/code", "1.1", 202),
        None,
    )
    assert TokenRedactingFilter().filter(record)
    assert TOKEN not in record.getMessage()
    assert f"/api/join/{REDACTED}/code" in record.getMessage()


def test_uvicorn_config_filters_every_handler() -> None:
    config = uvicorn_log_config()
    assert config["filters"]["redact_tokens"]["()"] is TokenRedactingFilter
    assert all("redact_tokens" in h["filters"] for h in config["handlers"].values())


def test_install_on_uvicorn_loggers_is_idempotent() -> None:
    logger = logging.getLogger("uvicorn.access")
    before = list(logger.filters)
    try:
        install_on_uvicorn_loggers()
        install_on_uvicorn_loggers()
        added = [f for f in logger.filters if isinstance(f, TokenRedactingFilter)]
        assert len(added) == 1
        record = logger.makeRecord(
            "uvicorn.access", logging.INFO, __file__, 1, "%s", (f"/join/{TOKEN}",), None
        )
        assert logger.filter(record) and record.getMessage() == f"/join/{REDACTED}"
    finally:
        logger.filters[:] = before
        logging.getLogger("uvicorn.error").filters[:] = [
            f
            for f in logging.getLogger("uvicorn.error").filters
            if not isinstance(f, TokenRedactingFilter)
        ]
