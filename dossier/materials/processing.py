"""Conversion, text and indexing of a material version as durable work (queue
:data:`QUEUE` of the platform's job queue), so a restart loses nothing.

An upload writes its rows (``status`` ``processing``) and a job (key ``material-version-<id>``)
in one transaction. The job makes the PDF (LibreOffice for Office files, the scan wrapped),
reads the text (text layer, else OCR), indexes it and marks the version ``ready``; a file that
cannot be converted is marked ``failed`` with the reason (the job is done: trying again would
fail again). Other errors (a full disk, the database gone) are retried by the queue. A job run
twice finds its version ready and only re-indexes it.

Versions that came another way (the hearing's signed transcript, by event) and were never
indexed are found by :func:`enqueue_unindexed`, which the worker loop runs now and then.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.context import DossierContext
from dossier.materials.convert import ConversionError, image_to_pdf, office_to_pdf, pdf_text
from dossier.materials.inspect import MEDIA_TYPES
from dossier.materials.search import index_version
from dossier.materials.tables import Material, MaterialVersion
from dossier.settings import DossierSettings
from tingshen_platform.jobs import Job, work_one
from tingshen_platform.services import BodyLimit

__all__ = [
    "QUEUE",
    "enqueue",
    "enqueue_unindexed",
    "material_body_limits",
    "process",
    "run_due",
    "worker_running",
]

logger = logging.getLogger(__name__)

QUEUE = "dossier-materials"
LEASE = timedelta(minutes=10)
SWEEP_BATCH = 100
FORM_OVERHEAD_BYTES = 1 << 20
KINDS = {media: kind for kind, media in MEDIA_TYPES.items()}


def enqueue(ctx: DossierContext, session: Session, version_id: int) -> int:
    """The version's job, in the caller's transaction."""
    return ctx.host.jobs.enqueue(
        QUEUE,
        {"version_id": version_id},
        key=f"material-version-{version_id}",
        connection=session.connection(),
    )


def enqueue_unindexed(ctx: DossierContext) -> int:
    with ctx.session_factory() as session:
        ids = session.scalars(
            select(MaterialVersion.id)
            .where(MaterialVersion.indexed_at.is_(None), MaterialVersion.status != "failed")
            .order_by(MaterialVersion.id)
            .limit(SWEEP_BATCH)
        ).all()
        for version_id in ids:
            enqueue(ctx, session, version_id)
        session.commit()
    return len(ids)


def process(ctx: DossierContext, version_id: int) -> str:
    """Do a version's work; its new status."""
    with ctx.session_factory() as session:
        version = session.get(MaterialVersion, version_id)
        if version is None:
            return "missing"
        material = session.get(Material, version.material_id)
        assert material is not None
        if version.status == "ready" and version.text is not None:
            index_version(session, version, material.case_id, ctx.clock())
            session.commit()
            return "ready"
        try:
            _convert_and_read(ctx, version, material.case_id)
        except ConversionError as exc:
            logger.info("material version %d: %s", version.id, exc)
            version.status = "failed"
            version.processing_error = str(exc)[:500]
            session.commit()
            return "failed"
        index_version(session, version, material.case_id, ctx.clock())
        version.status = "ready"
        version.processing_error = None
        session.commit()
        return "ready"


def _convert_and_read(ctx: DossierContext, version: MaterialVersion, case_id: int) -> None:
    settings = ctx.settings
    with tempfile.TemporaryDirectory(prefix="dossier-material-") as work:
        workdir = Path(work)
        images: list[Path] | None = None
        if version.pdf_blob_key is None:
            original = workdir / "original"
            with ctx.files.open(version.blob_key) as source, original.open("wb") as target:
                while chunk := source.read(1 << 20):
                    target.write(chunk)
            kind = KINDS.get(version.media_type, "")
            if kind in ("jpeg", "png", "tiff"):
                pdf, images = image_to_pdf(original, workdir)
            elif kind and kind != "pdf":
                pdf = office_to_pdf(original, kind, workdir, soffice=settings.libreoffice)
            else:
                raise ConversionError(f"no conversion for {version.media_type}")
            digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
            key = f"cases/{case_id}/files/{digest}"
            with pdf.open("rb") as f:
                ctx.files.put(key, f)
            version.pdf_blob_key = key
        else:
            pdf = workdir / "document.pdf"
            with ctx.files.open(version.pdf_blob_key) as source, pdf.open("wb") as target:
                while chunk := source.read(1 << 20):
                    target.write(chunk)
        read = pdf_text(
            pdf,
            tesseract=settings.tesseract,
            languages=settings.ocr_languages,
            page_images=images,
        )
        version.page_count = read.page_count
        version.text = read.text
        version.ocr_pages = read.ocr_pages


def material_body_limits(settings: DossierSettings) -> list[BodyLimit]:
    """The upload routes' request limit: the largest file plus room for the form around it."""
    limit = settings.max_upload_bytes + FORM_OVERHEAD_BYTES
    return [
        BodyLimit("POST", r"/api/dossier/cases/\d+/materials", limit),
        BodyLimit("POST", r"/api/dossier/cases/\d+/materials/\d+/versions", limit),
    ]


def _handler(ctx: DossierContext) -> dict[str, Callable[[Job], None]]:
    def handle(job: Job) -> None:
        process(ctx, int(job.payload["version_id"]))

    return {QUEUE: handle}


def run_due(ctx: DossierContext) -> int:
    """Run every due job of the queue here and now (tests, a command); how many ran."""
    handlers = _handler(ctx)
    ran = 0
    owner = f"dossier-materials@{ctx.host.node}"
    while work_one(ctx.host.jobs, handlers, owner, lease=LEASE) is not None:
        ran += 1
    return ran


@contextlib.asynccontextmanager
async def worker_running(ctx: DossierContext, *, poll_s: float) -> AsyncIterator[None]:
    """The service's worker loop: due jobs, and now and then versions never indexed."""
    stop = asyncio.Event()

    async def loop() -> None:
        rounds = 0
        while not stop.is_set():
            try:
                if rounds % 60 == 0:
                    await asyncio.to_thread(enqueue_unindexed, ctx)
                await asyncio.to_thread(run_due, ctx)
            except Exception:
                logger.exception("dossier material jobs failed")
            rounds += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_s)

    task = asyncio.get_running_loop().create_task(loop(), name="dossier-materials")
    try:
        yield
    finally:
        stop.set()
        await task
