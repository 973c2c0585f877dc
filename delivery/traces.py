"""Service traces (留痕): the clerk attaches a call recording exported from the court's recording
phones, with a note, to a service (and one of its attempts) (:func:`attach_trace`); a job
(queue ``delivery.trace``) transcribes it offline with the project's own ASR (``asr.offline``,
loaded once per process, on first use) so that traces can be searched; every step is audited.
A recording that cannot be decoded fails its transcription (the recording and note are kept)."""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from delivery.audit import SYSTEM, Actor, record
from delivery.context import DeliveryContext
from delivery.errors import InvalidInputError
from delivery.tables import Attempt, DeliveryCase, Service, Trace
from tingshen_platform.jobs import Job, PermanentJobError

__all__ = ["TRACE_QUEUE", "AsrTranscriber", "Transcriber", "attach_trace", "trace_handler"]

TRACE_QUEUE = "delivery.trace"
AUDIO_TYPES = {"audio/wav", "audio/x-wav", "audio/mpeg", "audio/mp4", "audio/amr", "audio/ogg"}


class Transcriber(Protocol):
    def transcribe(self, path: Path) -> tuple[str, str]:
        """The language and the text of the recording at ``path``; raises ``ValueError`` for
        audio that cannot be decoded."""
        ...


class AsrTranscriber:
    """``asr.offline`` with ``model``, loaded on first use (once per process)."""

    def __init__(self, model: str, language: str | None) -> None:
        self.model = model
        self.language = language
        self._engine: Any = None
        self._lock = threading.Lock()

    def transcribe(self, path: Path) -> tuple[str, str]:
        from asr.errors import AudioDecodeError
        from asr.offline import load_engine, transcribe_file

        with self._lock:
            if self._engine is None:
                self._engine = load_engine(self.model)[1]
            try:
                language, segments = transcribe_file(self._engine, path, language=self.language)
            except AudioDecodeError as exc:
                raise ValueError(str(exc)) from exc
        joiner = "" if language in ("zh", "yue", "ja") else " "
        return language, joiner.join(s.text for s in segments).strip()


def attach_trace(
    session: Session,
    ctx: DeliveryContext,
    service: Service,
    attempt_id: int | None,
    note: str,
    data: bytes,
    media_type: str,
    actor: Actor,
) -> Trace:
    if attempt_id is not None:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None or attempt.service_id != service.id:
            raise InvalidInputError(
                "no such attempt of this service", "该送达没有这次送达尝试", reason="attempt"
            )
    if media_type not in AUDIO_TYPES or not data:
        raise InvalidInputError(
            "the recording must be audio (WAV, MP3, M4A, AMR, OGG)",
            "录音须为音频文件（WAV、MP3、M4A、AMR、OGG）",
            reason="recording",
        )
    case = session.get(DeliveryCase, service.case_id)
    assert case is not None
    digest = hashlib.sha256(data).hexdigest()
    key = f"traces/{case.dossier_case_id}/service-{service.id}-{digest[:16]}"
    ctx.files.put(key, data)
    trace = Trace(
        service_id=service.id,
        attempt_id=attempt_id,
        note=note,
        blob_key=key,
        sha256=digest,
        media_type=media_type,
        size_bytes=len(data),
        uploaded_at=ctx.now(),
        uploaded_by=actor[1],
        transcript_state="queued",
    )
    session.add(trace)
    session.flush()
    ctx.host.jobs.enqueue(
        TRACE_QUEUE,
        {"trace_id": trace.id},
        key=f"trace:{trace.id}",
        connection=session.connection(),
    )
    record(
        session,
        actor,
        "trace.attached",
        at=ctx.now(),
        case_id=case.id,
        service_id=service.id,
        details={"trace": trace.id, "attempt": attempt_id, "sha256": digest},
    )
    return trace


def trace_handler(
    ctx: DeliveryContext, transcriber: Callable[[], Transcriber]
) -> Callable[[Job], None]:
    def handle(job: Job) -> None:
        with ctx.session_factory() as session:
            trace = session.get(Trace, int(job.payload["trace_id"]))
            if trace is None or trace.transcript_state != "queued":
                return
            service = session.get(Service, trace.service_id)
            assert service is not None
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "call"
                path.write_bytes(ctx.files.get(trace.blob_key))
                try:
                    language, text = transcriber().transcribe(path)
                except ValueError as exc:
                    trace.transcript_state = "failed"
                    record(
                        session,
                        SYSTEM,
                        "trace.transcript_failed",
                        at=ctx.now(),
                        case_id=service.case_id,
                        service_id=service.id,
                        details={"trace": trace.id, "error": str(exc)[:300]},
                    )
                    session.commit()
                    raise PermanentJobError(str(exc)) from exc
            trace.transcript, trace.language, trace.transcript_state = text, language, "done"
            record(
                session,
                SYSTEM,
                "trace.transcribed",
                at=ctx.now(),
                case_id=service.case_id,
                service_id=service.id,
                details={"trace": trace.id, "chars": len(text)},
            )
            session.commit()

    return handle
