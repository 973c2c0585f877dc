"""``tingshen_platform.fonts.find_cjk_font``, the one font finder the fee documents (and the
transcript and dossier PDFs) use: the configured file first, then ``TINGSHEN_PDF_FONT``, then
the system's and the packaged one; a typed error when there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from tingshen_platform import fonts
from tingshen_platform.fonts import FontNotFoundError, find_cjk_font


def test_the_configured_font_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configured, from_env = tmp_path / "court.ttf", tmp_path / "env.ttf"
    configured.write_bytes(b"x")
    from_env.write_bytes(b"x")
    monkeypatch.setenv("TINGSHEN_PDF_FONT", str(from_env))
    assert find_cjk_font(configured) == configured
    assert find_cjk_font() == from_env
    assert find_cjk_font(tmp_path / "missing.ttf") == from_env


def test_the_packaged_font_is_the_last_resort(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TINGSHEN_PDF_FONT", raising=False)
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", ())
    found = find_cjk_font()
    assert found.name == "wqy-microhei.ttc" and found.is_file()


def test_no_font_at_all_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TINGSHEN_PDF_FONT", raising=False)
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", ())
    monkeypatch.setattr(fonts, "_packaged", lambda: None)
    with pytest.raises(FontNotFoundError, match="TINGSHEN_PDF_FONT"):
        find_cjk_font()


def test_the_services_share_it() -> None:
    from dossier.publish import pdf as dossier_pdf
    from hearing_server.transcript import pdf as transcript_pdf

    assert dossier_pdf.find_cjk_font is find_cjk_font
    assert transcript_pdf.find_cjk_font is find_cjk_font
    assert transcript_pdf.FontNotFoundError is FontNotFoundError
