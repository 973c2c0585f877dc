"""Name what changed between a signed revision and the file as it is now.

pyHanko's difference analysis decides *whether* the updates after a signature are allowed (only
later signatures and their appearances are); this module says *what* they changed, in the words a
judge understands: a page's text, a page added or removed, an annotation laid over the page, the
record binding. It compares the two revisions' objects through pyHanko's historical resolver, so
it sees what a viewer shows, not bytes; a signature taken out of its field is named as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.binding import BindingError, RecordBinding, binding_from_root
from signing.verify_report import ProblemCode

__all__ = ["describe_changes"]


def _pages(node: Any) -> Iterator[generic.DictionaryObject]:
    node = node.get_object()
    if node.get("/Type") == "/Pages" or "/Kids" in node:
        for kid in node.get("/Kids", ()):
            yield from _pages(kid)
    else:
        yield node


def _content(page: generic.DictionaryObject) -> bytes:
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object()
    streams = contents if isinstance(contents, generic.ArrayObject) else [contents]
    return b"\n".join(stream.get_object().data for stream in streams)


def _is_signature_widget(annotation: generic.DictionaryObject) -> bool:
    if annotation.get("/Subtype") != "/Widget":
        return False
    node: Any = annotation
    while node is not None:
        if node.get("/FT") == "/Sig":
            return True
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return False


def _foreign_annotations(page: generic.DictionaryObject) -> int:
    annotations = page.get("/Annots")
    if annotations is None:
        return 0
    return sum(1 for a in annotations.get_object() if not _is_signature_widget(a.get_object()))


def _signed_fields(root: generic.DictionaryObject) -> set[str]:
    """Names of the signature fields that hold a signature in this revision."""
    names: set[str] = set()

    def walk(node: Any, prefix: str) -> None:
        node = node.get_object()
        name = prefix + str(node.get("/T", ""))
        if node.get("/FT") == "/Sig" and "/V" in node:
            names.add(name)
        for kid in node.get("/Kids", ()):
            walk(kid, name + "." if name else "")

    form = root.get("/AcroForm")
    for field in form.get_object().get("/Fields", ()) if form is not None else ():
        walk(field, "")
    return names


def _binding(root: generic.DictionaryObject) -> RecordBinding | None:
    try:
        return binding_from_root(root)
    except BindingError:
        return None


def describe_changes(reader: PdfFileReader, signed_revision: int) -> list[tuple[ProblemCode, str]]:
    """Changes from ``signed_revision`` to the latest revision, as (code, detail) pairs."""
    latest = reader.xrefs.total_revisions - 1
    if signed_revision >= latest:
        return []
    old_root = reader.get_historical_resolver(signed_revision).root
    new_root = reader.root
    changes: list[tuple[ProblemCode, str]] = []
    old_pages = list(_pages(old_root["/Pages"]))
    new_pages = list(_pages(new_root["/Pages"]))
    if len(old_pages) != len(new_pages):
        changes.append(
            (ProblemCode.PAGES_CHANGED, f"{len(old_pages)} pages became {len(new_pages)}")
        )
    for number, (old, new) in enumerate(zip(old_pages, new_pages, strict=False), start=1):
        if _content(old) != _content(new):
            changes.append((ProblemCode.TEXT_CHANGED, f"page {number}"))
        if _foreign_annotations(new) > _foreign_annotations(old):
            changes.append((ProblemCode.ANNOTATION_ADDED, f"page {number}"))
    for name in sorted(_signed_fields(old_root) - _signed_fields(new_root)):
        changes.append((ProblemCode.SIGNATURE_REMOVED, f"field {name}"))
    if _binding(old_root) != _binding(new_root):
        changes.append((ProblemCode.BINDING_CHANGED, "record binding replaced"))
    return changes
