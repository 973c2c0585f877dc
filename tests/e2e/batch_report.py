"""The inner session's reporter for :mod:`tests.e2e.batch` (loaded with ``-p``): one JSON line
per collected module, per collection error and per test phase, written to the pipe whose file
descriptor ``TINGSHEN_E2E_REPORT_FD`` names."""

from __future__ import annotations

import json
import os
from typing import IO

import pytest

from tests.e2e.batch import REPORT_FD_ENV

_out: IO[str] | None = None


def _send(message: dict[str, object]) -> None:
    global _out
    if _out is None:
        fd = int(os.environ[REPORT_FD_ENV])
        os.set_inheritable(fd, False)  # Chromium and ffmpeg must not hold the pipe open
        _out = os.fdopen(fd, "w", encoding="utf-8", buffering=1)
    _out.write(json.dumps(message, ensure_ascii=False) + "\n")


def pytest_collection_finish(session: pytest.Session) -> None:
    _send({"collected": [item.nodeid for item in session.items]})


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _send({"collect_error": report.nodeid, "longrepr": str(report.longrepr)[-6000:]})


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    longrepr = str(report.longrepr)[-6000:] if report.failed else ""
    _send({"nodeid": report.nodeid, "when": report.when, "outcome": report.outcome,
           "longrepr": longrepr})  # fmt: skip


def pytest_sessionfinish() -> None:
    if _out is not None:
        _out.close()
