"""The ledger's pages hold nothing the site's Content-Security-Policy refuses (no inline script,
style or event handler), as ``tests/server/test_browser_headers.py`` asks of ``web/static``."""

from __future__ import annotations

from pathlib import Path

from tests.server.test_browser_headers import HANDLER_ATTRIBUTE, INLINE_SCRIPT, STYLE_ATTRIBUTE

LEDGER_STATIC = Path(__file__).resolve().parents[2] / "ledger" / "static"


def test_no_ledger_page_has_inline_script_or_style() -> None:
    checked = 0
    for path in sorted(LEDGER_STATIC.glob("*")):
        if path.suffix not in {".html", ".js"}:
            continue
        text = path.read_text(encoding="utf-8")
        checked += 1
        assert not STYLE_ATTRIBUTE.search(text), path.name
        if path.suffix == ".html":
            assert not INLINE_SCRIPT.search(text), path.name
            assert not HANDLER_ATTRIBUTE.search(text), path.name
    assert checked == 6
