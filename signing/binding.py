"""The record binding: which transcript version and which recordings a signed transcript stands for.

A court transcript is evidence together with the hearing's recordings. The binding is a canonical
JSON document (sorted keys, no insignificant whitespace, UTF-8) naming the hearing, the case, the
transcript version, the SHA-256 of the transcript PDF as rendered (the file's first revision),
and each recording's file name, SHA-256 and duration. It is embedded in the PDF *before the first
signature* as an associated file of the document (``/AF`` with ``/AFRelationship /Data`` and the
``/EmbeddedFiles`` name tree), and printed on the signature page, so every signature's byte range
covers it: changing a recording digest later is an incremental update that verification names.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from signing.errors import SigningError

__all__ = [
    "BINDING_FILE_NAME",
    "BindingError",
    "RecordBinding",
    "RecordingDigest",
    "binding_from_root",
    "canonical_json",
    "embed_binding",
    "parse_binding",
    "read_binding",
    "sha256_hex",
]

BINDING_FILE_NAME = "tingshen-record-binding.json"
FORMAT = "tingshen.record-binding/1"


class BindingError(SigningError, ValueError):
    """The PDF has no readable record binding, or it is malformed."""


@dataclass(frozen=True)
class RecordingDigest:
    name: str
    sha256: str  # lowercase hex
    duration_ms: int


@dataclass(frozen=True)
class RecordBinding:
    hearing_id: str
    case_number: str
    transcript_version: int
    transcript_sha256: str  # lowercase hex of the transcript PDF as rendered (first revision)
    recordings: tuple[RecordingDigest, ...]

    def recording_digests(self) -> dict[str, str]:
        return {recording.name: recording.sha256 for recording in self.recordings}


def canonical_json(binding: RecordBinding) -> bytes:
    """The bytes that are embedded and signed; recordings sorted by name so order cannot vary."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "hearing_id": binding.hearing_id,
        "case_number": binding.case_number,
        "transcript_version": binding.transcript_version,
        "transcript_sha256": binding.transcript_sha256,
        "recordings": [
            {"name": r.name, "sha256": r.sha256, "duration_ms": r.duration_ms}
            for r in sorted(binding.recordings, key=lambda r: r.name)
        ],
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def parse_binding(data: bytes) -> RecordBinding:
    try:
        document = json.loads(data.decode("utf-8"))
        if document.get("format") != FORMAT:
            raise BindingError(f"unknown record binding format {document.get('format')!r}")
        binding = RecordBinding(
            hearing_id=str(document["hearing_id"]),
            case_number=str(document["case_number"]),
            transcript_version=int(document["transcript_version"]),
            transcript_sha256=str(document["transcript_sha256"]),
            recordings=tuple(
                RecordingDigest(str(r["name"]), str(r["sha256"]), int(r["duration_ms"]))
                for r in document["recordings"]
            ),
        )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, BindingError):
            raise
        raise BindingError(f"malformed record binding: {exc}") from exc
    if canonical_json(binding) != data:
        raise BindingError("record binding is not in canonical form")
    return binding


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def embed_binding(writer: BasePdfFileWriter, binding: RecordBinding) -> None:
    """Add the binding as the document's associated data file (makes the output PDF 2.0)."""
    data = canonical_json(binding)
    stream = embed.EmbeddedFileObject.from_file_data(
        writer,
        data=data,
        mime_type="application/json",
        params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True),
    )
    spec = embed.FileSpec(
        file_spec_string=BINDING_FILE_NAME,
        file_name=BINDING_FILE_NAME,
        embedded_data=stream,
        description="Tingshen record binding: transcript version and recording SHA-256 digests",
        af_relationship=generic.pdf_name("/Data"),
    )
    embed.embed_file(writer, spec)


def _names(tree: generic.DictionaryObject) -> Iterable[tuple[str, generic.PdfObject]]:
    names = tree.get("/Names")
    if names is not None:
        values = list(names.get_object())
        for index in range(0, len(values) - 1, 2):
            yield str(values[index].get_object()), values[index + 1]
    for kid in tree.get("/Kids", ()):
        yield from _names(kid.get_object())


def binding_from_root(root: generic.DictionaryObject) -> RecordBinding:
    """The binding in the document catalogue ``root`` (of any revision)."""
    try:
        tree = root["/Names"]["/EmbeddedFiles"].get_object()
        for name, spec in _names(tree):
            if name == BINDING_FILE_NAME:
                stream = spec.get_object()["/EF"]["/F"].get_object()  # type: ignore[no-untyped-call]
                return parse_binding(stream.data)
    except BindingError:
        raise
    except Exception as exc:  # a damaged PDF can fail anywhere inside the parser
        raise BindingError(f"record binding unreadable: {exc}") from exc
    raise BindingError("no record binding embedded")


def read_binding(pdf: bytes) -> RecordBinding:
    """The binding embedded in the latest revision of ``pdf``."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    except Exception as exc:
        raise BindingError(f"not a readable PDF: {exc}") from exc
    return binding_from_root(reader.root)
