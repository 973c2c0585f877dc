"""Fonts in the e-volume's PDFs: which are used without their program, Ghostscript to embed
them in an uploaded material, and the tidying of the pages reportlab makes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf

__all__ = [
    "FontEmbeddingError",
    "drop_idle_fonts",
    "embed_fonts",
    "tidy_generated",
    "unembedded_fonts",
]

GS_TIMEOUT_S = 300


class FontEmbeddingError(RuntimeError):
    """Ghostscript is missing or could not rewrite the file."""


def _font_embedded(font: pikepdf.Dictionary) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, pikepdf.Array) or len(descendants) == 0:
            return False
        descendant = descendants[0]
        descriptor = descendant.get("/FontDescriptor")
    else:
        descriptor = font.get("/FontDescriptor")
    if not isinstance(descriptor, pikepdf.Dictionary):
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _resources_of(obj: pikepdf.Object) -> pikepdf.Dictionary | None:
    resources = (
        obj.get("/Resources") if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream) else None
    )
    return resources if isinstance(resources, pikepdf.Dictionary) else None


SHOW_TEXT = frozenset({"Tj", "TJ", "'", '"'})


def _fonts_showing_text(holder: pikepdf.Object) -> set[str] | None:
    """The resource names of the fonts that ``holder``'s content shows text in (a font set by
    ``Tf`` and then used by ``Tj``, ``TJ``, ``'`` or ``"``); ``None`` if the content cannot be
    read (then every listed font counts)."""
    content: pikepdf.Object | pikepdf.Page = (
        pikepdf.Page(holder) if holder.get("/Type") == "/Page" else holder
    )
    current: str | None = None
    used: set[str] = set()
    try:
        instructions = pikepdf.parse_content_stream(content)
    except pikepdf.PdfError:
        return None
    for instruction in instructions:
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue
        operator = str(instruction.operator)
        if operator == "Tf" and instruction.operands:
            current = str(instruction.operands[0])
        elif operator in SHOW_TEXT and current is not None:
            used.add(current)
    return used


def unembedded_fonts(pdf: pikepdf.Pdf, *, annotations: bool = True) -> list[str]:
    """The base names of the fonts used to show text without their program (in pages, form
    XObjects and, with ``annotations``, annotation appearances), each once, in the order found.
    A font only listed in the resources, or only selected (reportlab's initial Helvetica), is
    not used for rendering, which is what PDF/A asks to be embedded."""
    found: list[str] = []
    seen: set[tuple[int, int]] = set()

    def visit(holder: pikepdf.Object) -> None:
        if holder.is_indirect:
            if holder.objgen in seen:
                return
            seen.add(holder.objgen)
        resources = _resources_of(holder)
        if resources is None:
            return
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary):
            shown = _fonts_showing_text(holder)
            for key, font in fonts.items():
                if shown is not None and key not in shown:
                    continue
                if isinstance(font, pikepdf.Dictionary) and not _font_embedded(font):
                    name = str(font.get("/BaseFont", "?")).lstrip("/")
                    if name not in found:
                        found.append(name)
        xobjects = resources.get("/XObject")
        if isinstance(xobjects, pikepdf.Dictionary):
            for _key, xobject in xobjects.items():
                if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
                    visit(xobject)

    for page in pdf.pages:
        visit(page.obj)
        for annot in page.obj.get("/Annots", pikepdf.Array()) if annotations else ():
            appearance = annot.get("/AP") if isinstance(annot, pikepdf.Dictionary) else None
            normal = appearance.get("/N") if isinstance(appearance, pikepdf.Dictionary) else None
            if isinstance(normal, pikepdf.Stream):
                visit(normal)
            elif isinstance(normal, pikepdf.Dictionary):
                for _state, stream in normal.items():
                    visit(stream)
    return found


def _drop_idle(pdf: pikepdf.Pdf, holder: pikepdf.Object, seen: set[tuple[int, int]]) -> int:
    if holder.is_indirect:
        if holder.objgen in seen:
            return 0
        seen.add(holder.objgen)
    resources = _resources_of(holder)
    if resources is None:
        return 0
    dropped = 0
    xobjects = resources.get("/XObject")
    if isinstance(xobjects, pikepdf.Dictionary):
        for _key, xobject in xobjects.items():
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
                dropped += _drop_idle(pdf, xobject, seen)
    fonts = resources.get("/Font")
    shown = _fonts_showing_text(holder) if isinstance(fonts, pikepdf.Dictionary) else None
    if not isinstance(fonts, pikepdf.Dictionary) or shown is None:
        return dropped
    idle = {
        str(key)
        for key, font in fonts.items()
        if key not in shown and isinstance(font, pikepdf.Dictionary) and not _font_embedded(font)
    }
    if not idle:
        return dropped
    is_page = holder.get("/Type") == "/Page"
    content = pikepdf.Page(holder) if is_page else holder
    kept = [
        instruction
        for instruction in pikepdf.parse_content_stream(content)
        if not (
            isinstance(instruction, pikepdf.ContentStreamInstruction)
            and str(instruction.operator) == "Tf"
            and instruction.operands
            and str(instruction.operands[0]) in idle
        )
    ]
    data = pikepdf.unparse_content_stream(kept)
    if is_page:
        holder.Contents = pdf.make_stream(data)
    else:
        holder.write(data)
    # resources may be shared (reportlab shares them among pages): this holder gets its own
    resource_keys: set[str] = resources.keys()
    font_keys: set[str] = fonts.keys()
    own = pikepdf.Dictionary({key: resources[key] for key in resource_keys})
    own["/Font"] = pikepdf.Dictionary({key: fonts[key] for key in font_keys if key not in idle})
    holder.Resources = own
    return dropped + len(idle)


def drop_idle_fonts(pdf: pikepdf.Pdf) -> int:
    """Remove the fonts without their program that a page or form XObject selects but never
    shows text in (reportlab's initial Helvetica, ``BT /F1 12 Tf … ET`` on every page of a
    transcript): their ``Tf`` operators and their resource entries. No text is drawn in such a
    font, so nothing on the page changes, and no unembedded font is left for PDF/A to refuse.
    Annotations are not visited (the volume flattens them first). How many were dropped."""
    seen: set[tuple[int, int]] = set()
    return sum(_drop_idle(pdf, page.obj, seen) for page in pdf.pages)


def embed_fonts(source: Path, target: Path) -> None:
    """Rewrite ``source`` into ``target`` with every font embedded (Ghostscript ``pdfwrite``:
    substitutes from its own font set for fonts the file does not carry)."""
    gs = shutil.which("gs")
    if gs is None:
        raise FontEmbeddingError("ghostscript (gs) is not installed")
    command = [
        gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite",
        "-dPDFSETTINGS=/prepress", "-dEmbedAllFonts=true", "-dSubsetFonts=true",
        "-dCompatibilityLevel=1.7", "-dAutoRotatePages=/None",
        f"-sOutputFile={target}", "-c", "<< /NeverEmbed [ ] >> setdistillerparams",
        "-f", str(source),
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=GS_TIMEOUT_S)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        raise FontEmbeddingError(f"ghostscript failed on {source.name}") from error


def tidy_generated(pdf: pikepdf.Pdf) -> None:
    """For the pages reportlab made (sheets, page-number overlays): drop the page transition
    it writes (``/Trans``, nothing in an archive) and the font resources the content does not
    use (reportlab lists Helvetica, not embedded, on every page)."""
    for page in pdf.pages:
        if "/Trans" in page.obj:
            del page.obj["/Trans"]
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(resources, pikepdf.Dictionary) or not isinstance(
            fonts, pikepdf.Dictionary
        ):
            continue
        used = {
            str(instruction.operands[0])
            for instruction in pikepdf.parse_content_stream(page, "Tf")
            if isinstance(instruction, pikepdf.ContentStreamInstruction) and instruction.operands
        }
        # reportlab shares one font dictionary among its pages: each page gets its own
        font_keys: set[str] = fonts.keys()
        resource_keys: set[str] = resources.keys()
        kept = pikepdf.Dictionary({key: fonts[key] for key in font_keys if key in used})
        own = pikepdf.Dictionary({key: resources[key] for key in resource_keys})
        own["/Font"] = kept
        page.obj["/Resources"] = own
