"""Assembling the e-volume's pages from prepared files in a ``qpdf`` process (the Debian package
``qpdf``'s command line): ``qpdf --empty --pages FILE… -- OUT``.

Copying pages from other PDFs inside the server (pikepdf's ``pages.extend`` from many files, then
``save``) keeps the copied stream data in the server's memory until the volume is written: about
the size of the images copied (+162–240 MB for 300 scanned pages, docs/benchmarks.md §16). In a
child process that memory is the child's, given back when it ends: the server stays flat; the
machine holds it for the seconds qpdf runs (its peak is measured, not assumed, in §16).
Arguments go through a file (``@FILE``, one a line), so a volume of many items never meets the
command line's length limit. Stream data is copied as it is (``--decode-level=none``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

__all__ = ["QPDF_TIMEOUT_S", "AssemblyError", "assemble_pages"]

QPDF_TIMEOUT_S = 900
"""Far above what 163 MB of scans takes (seconds): a qpdf that hangs is stopped."""
QPDF_WARNINGS = 3
"""qpdf's exit status when it succeeded with warnings (a damaged input it could repair)."""


class AssemblyError(RuntimeError):
    """qpdf is missing, failed or timed out: the volume is not written."""


def assemble_pages(files: Sequence[Path], out: Path, work: Path) -> str:
    """Write every page of ``files``, in order, to ``out``; qpdf's warnings (empty if none)."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        raise AssemblyError("qpdf is not installed (Debian package qpdf)")
    args = work / "assemble.args"
    lines = ["--empty", "--decode-level=none", "--pages", *map(str, files), "--", str(out)]
    args.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        done = subprocess.run(
            [qpdf, f"@{args}"], capture_output=True, timeout=QPDF_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise AssemblyError(f"qpdf did not finish in {QPDF_TIMEOUT_S} s") from error
    said = done.stderr.decode("utf-8", errors="replace").strip()
    if done.returncode not in (0, QPDF_WARNINGS):
        raise AssemblyError(f"qpdf failed ({done.returncode}): {said[:500]}")
    return said if done.returncode == QPDF_WARNINGS else ""
