"""The CJK font every PDF of the project embeds, found in one place.

    font = find_cjk_font(settings.pdf_font)

In order: the configured file, ``TINGSHEN_PDF_FONT``, a system WenQuanYi / AR PL font, then the
WenQuanYi Micro Hei (OFL) that the project depends on (PyPI ``paperang-p2-fonts-cjk``). Only
TrueType (``.ttf``/``.ttc``) will do: reportlab cannot embed a CFF-based ``.otf`` such as Noto
Sans CJK. This module only finds the file; each renderer registers it with its PDF library.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = ["SYSTEM_FONTS", "FontNotFoundError", "find_cjk_font"]

SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)


class FontNotFoundError(RuntimeError):
    """No TrueType CJK font anywhere: the PDF cannot be made."""


def _packaged() -> Path | None:
    try:
        packaged = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
    except ModuleNotFoundError:  # pragma: no cover - a declared dependency
        return None
    return Path(str(packaged))


def find_cjk_font(configured: Path | None = None) -> Path:
    """The TrueType CJK font to embed: ``configured`` (else ``TINGSHEN_PDF_FONT``), a system
    one, or the packaged one. Raises :class:`FontNotFoundError` when none is a file."""
    env = os.environ.get("TINGSHEN_PDF_FONT")
    candidates: list[Path] = [p for p in (configured, Path(env) if env else None) if p]
    candidates.extend(SYSTEM_FONTS)
    packaged = _packaged()
    if packaged is not None:
        candidates.append(packaged)
    for path in candidates:
        if path.is_file():
            return path
    raise FontNotFoundError(
        "no TrueType CJK font: set TINGSHEN_PDF_FONT to a .ttf/.ttc file "
        "(CFF-based .otf fonts such as Noto Sans CJK cannot be embedded by reportlab)"
    )
