"""Every reason the dossier can answer has its text in both languages of the pages, and every
reason raised in its source is registered (dossier/errors.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dossier
from dossier.errors import REASONS, DossierError
from tests.server.test_error_codes import _missing_keys

PACKAGE = Path(dossier.__file__).resolve().parent


def test_every_reason_raised_is_registered() -> None:
    raised: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        raised |= set(re.findall(r"\.because\(\s*\"([a-z_]+)\"", path.read_text("utf-8")))
    assert raised <= set(REASONS)


def test_every_reason_has_zh_and_en_text() -> None:
    keys = [f"err_{reason}" for reason in sorted(REASONS)]
    assert _missing_keys(keys) == {"zh-CN": [], "en": []}


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_every_reason_has_an_english_message(reason: str) -> None:
    params = {name: 1 for name in re.findall(r"{([a-z_]+)}", REASONS[reason])}
    error = DossierError.because(reason, **params)
    assert error.reason == reason and "{" not in error.message
