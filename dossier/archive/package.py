"""The archival package: a BagIt bag (RFC 8493, the ``bagit`` library) with SHA-256 and SHA-512
manifests, made read-only, and its fixity check.

    archive/<archive number>/
        bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-*.txt
        data/evolume.pdf                 the sealed e-volume
        data/materials/<item>-original-<name>, data/materials/<item>-pdf.pdf
        data/metadata.json               case, parties, items, checksums, who and when

The bag is built in a staging directory beside it and renamed into place, so a package exists
whole or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import bagit

__all__ = ["PackageFile", "fixity_problems", "make_package"]

CHECKSUMS = ["sha256", "sha512"]


@dataclass(frozen=True, slots=True)
class PackageFile:
    path: str
    """Inside ``data/`` (``materials/3-original-起诉状.docx``)."""
    open: Callable[[], BinaryIO]


def _read_only(root: Path) -> None:
    for directory, _dirs, files in os.walk(root):
        for name in files:
            os.chmod(Path(directory) / name, stat.S_IRUSR | stat.S_IRGRP)
        os.chmod(directory, stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)


def make_package(
    root: Path,
    name: str,
    files: Iterable[PackageFile],
    metadata: dict[str, Any],
    bag_info: dict[str, str],
) -> Path:
    """Write the bag ``root/name`` (refused if it exists); its directory."""
    final = root / name
    if final.exists():
        raise FileExistsError(str(final))
    staging = root / f".staging-{name}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        for item in files:
            target = staging / item.path
            target.parent.mkdir(parents=True, exist_ok=True)
            with item.open() as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
        (staging / "metadata.json").write_text(
            json.dumps(metadata, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
        )
        bagit.make_bag(str(staging), bag_info, processes=1, checksums=CHECKSUMS)
        for path in staging.rglob("*"):
            if path.is_file():
                with path.open("rb") as handle:
                    os.fsync(handle.fileno())
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _read_only(final)
    return final


def fixity_problems(directory: Path) -> list[dict[str, str]]:
    """Re-hash every file of the bag: ``[]`` when it is whole, else one entry per problem
    (``path`` relative to the bag, ``problem``)."""
    if not directory.is_dir():
        return [{"path": "", "problem": "package missing"}]
    try:
        bag = bagit.Bag(str(directory))
        bag.validate(processes=1)
    except bagit.BagValidationError as error:
        found: list[dict[str, str]] = []
        for detail in error.details or []:
            path = str(getattr(detail, "path", ""))
            if isinstance(detail, bagit.ChecksumMismatch):
                problem = f"{detail.algorithm} differs"
            elif isinstance(detail, bagit.FileMissing):
                problem = "file missing"
            elif isinstance(detail, bagit.UnexpectedFile):
                problem = "unexpected file"
            else:
                problem = str(detail)
            found.append({"path": path, "problem": problem})
        # bagit reports in the order of its own sets: sorted, the same damage reads the same.
        found.sort(key=lambda item: (item["path"], item["problem"]))
        return found or [{"path": "", "problem": str(error.message)}]
    except bagit.BagError as error:
        return [{"path": "", "problem": str(error)}]
    return []
