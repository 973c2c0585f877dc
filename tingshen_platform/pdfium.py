"""One lock for PDFium in the whole process.

PDFium (``pypdfium2``) is not thread-safe: two threads inside it at once (two page renders of a
party's file review, an upload checked while a job converts another) abort the process. Every
service of a process (the hearing server's evidence, the dossier's materials, the portal's
reading pages) runs PDFium only while holding :data:`PDFIUM`; a re-entrant lock, so a helper that
takes it may call another that does.
"""

from __future__ import annotations

import threading

__all__ = ["PDFIUM"]

PDFIUM = threading.RLock()
