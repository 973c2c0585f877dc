"""What the order workflow's actions, routes and jobs share (one per service)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import Engine

from ledger.log.cosign import Quorum
from ledger.log.note import NoteSigner, NoteVerifier
from ledger.settings import LedgerSettings
from ledger.writer import LogWriter
from tingshen_platform.blobs import BlobStore
from tingshen_platform.jobs import JobQueue

__all__ = ["Actor", "OrderContext"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who took a step, as people read it (``法官 张三``, ``律师 王五``, ``中国银行 李四``)."""

    role: str
    name: str

    def label(self) -> str:
        return f"{self.role} {self.name}"


@dataclass(frozen=True, slots=True)
class OrderContext:
    engine: Engine
    writer: LogWriter
    court: NoteSigner
    """This court's entry key: every step it takes is a leaf it signs."""
    court_name: str
    settings: LedgerSettings
    clock: Callable[[], datetime]
    files: BlobStore
    """Where the orders' PDFs and the institutions' files go (the host's exchange store, which
    the dossier reads)."""
    seal: Callable[[bytes, str], bytes] | None
    public_url: str
    witness: Callable[[], int]
    """Checkpoint the log and ask the witnesses to cosign; the checkpoint's size."""
    quorum: Quorum | None
    jobs: JobQueue | None = None
    """Where telling the parties is queued (:mod:`ledger.order_tell`)."""

    @property
    def log_key(self) -> NoteVerifier:
        return self.writer.log_key

    def now(self) -> datetime:
        return self.clock()

    def verify_url(self, number: str, token: str) -> str:
        """The QR code's link: the public verify page, the order's number and token in the
        fragment (never sent to a server's log by the browser)."""
        base = self.public_url.rstrip("/")
        return f"{base}/ledger/verify.html#n={quote(number, safe='')}&t={token}"
