"""Verify signed transcripts for anyone, without letting one file stall the server.

:func:`signing.verify.verify_pdf` parses whatever it is given with pyHanko. A court transcript
verifies in about 0.3 s, but the upload endpoint is public: a crafted PDF (deep object nesting,
huge streams, a signature over gigabytes of byte range) could keep a parser busy for minutes, and a
thread cannot be stopped once it runs. So each verification runs in a *worker process*
(:class:`VerificationPool`): when it overruns its time limit the process is killed and replaced,
and the request gets a clear error instead of a hung server. Worker processes are started with
``spawn`` (forking a threaded server is unsafe) on first use, and reused.

:func:`report_json` is the JSON the HTTP API and the ``/verify`` page share (docs: the closing
contract of issue 6). Each bound recording carries its ``check``: ``matches``, ``differs`` or
``not_checked`` (no file was supplied: not a problem, and not "altered"). Problem codes are
stable (the page translates them); messages are English for people and logs of the caller,
never written to our log (nothing of an uploaded file is).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import queue
import resource
import threading
from collections.abc import Callable, Mapping
from multiprocessing.pool import Pool
from typing import TYPE_CHECKING, Any

from hearing_server.errors import InvalidInputError, ServiceUnavailableError

if TYPE_CHECKING:
    from signing.verify_report import VerificationReport

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "TooComplexError",
    "VerificationPool",
    "VerificationTimeoutError",
    "report_json",
    "verify_to_json",
]

#: A court transcript with five signatures verifies in 0.3-0.8 s once a worker is warm (its
#: first task also pays the process start and imports, 1.5-7 s on a loaded 2-core machine). A
#: crafted 50 MB file whose trailer points into junk kept pyHanko busy for 300 s.
DEFAULT_TIMEOUT_S = 30.0
#: Address space of a worker: imports take ~0.5 GiB of it; a 50 MB PDF parses well within the rest.
DEFAULT_MEMORY_LIMIT_BYTES = 3 * 1024**3
#: Problem codes that mean "the document was changed after this signature".
CHANGE_CODES = frozenset({
    "changed_after_signature", "text_changed", "pages_changed", "annotation_added",
    "signature_removed", "binding_changed",
})  # fmt: skip


class VerificationTimeoutError(InvalidInputError):
    """The file did not verify within the limit: malformed or pathological, not a court record."""

    code = "verification_timeout"


class TooComplexError(InvalidInputError):
    """The file's verification hit the worker's memory limit."""

    code = "too_complex"


def report_json(report: VerificationReport) -> dict[str, Any]:
    """The contract's report: verdict, each signature with its own problems, binding, problems."""
    problems = [
        {"code": p.code.value, "message": p.message, "signature": p.signature}
        for p in report.problems
    ]
    signatures = []
    for signer in report.signers:
        own = [p for p in problems if p["signature"] == signer.index]
        signatures.append({
            "index": signer.index,
            "field": signer.field_name,
            "signer_name": signer.name,
            "role": signer.role,
            "subject": signer.subject,
            "signing_time": _iso(signer.signing_time),
            "timestamp_time": _iso(signer.timestamp_time),
            "tsa": signer.tsa,
            "chain": list(signer.chain),
            "intact": signer.intact,
            "signature_valid": signer.signature_valid,
            "trusted": signer.trusted,
            "timestamp_ok": signer.timestamp_ok,
            "changed_after": any(p["code"] in CHANGE_CODES for p in own),
            "covers_whole_file": signer.covers_whole_file,
            "problems": [{"code": p["code"], "message": p["message"]} for p in own],
        })  # fmt: skip
    binding = report.binding
    checks = {c.name: c.status.value for c in report.recording_checks}
    return {
        "valid": report.valid,
        "signatures": signatures,
        "problems": problems,
        "unsigned_fields": list(report.unsigned_fields),
        "binding": None
        if binding is None
        else {
            "hearing_id": binding.hearing_id,
            "case_number": binding.case_number,
            "transcript_version": binding.transcript_version,
            "transcript_sha256": binding.transcript_sha256,
            "recordings": [
                {
                    "name": r.name,
                    "sha256": r.sha256,
                    "duration_ms": r.duration_ms,
                    "check": checks.get(r.name, "not_checked"),
                }
                for r in binding.recordings
            ],
        },
        # supplied under a name the binding does not have (each also a recording_mismatch)
        "recordings_not_bound": [
            c.name for c in report.recording_checks if c.status == "not_bound"
        ],
    }


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def verify_to_json(
    pdf: bytes, roots_pem: bytes, recordings: Mapping[str, str] | None
) -> dict[str, Any]:
    """Runs in a worker process (a module-level function, so it pickles by name)."""
    from cryptography import x509

    from signing.verify import verify_pdf

    roots = x509.load_pem_x509_certificates(roots_pem)
    return report_json(verify_pdf(pdf, roots, recordings=recordings))


def _init_worker(memory_limit_bytes: int | None) -> None:
    """Bound the worker's memory (a crafted file must not exhaust the server's), and silence
    pyHanko, which logs its difference analysis (object numbers, paths of the uploaded file)
    with tracebacks: the report carries what matters, and nothing of the file is logged."""
    if memory_limit_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


VerifyFunction = Callable[[bytes, bytes, Mapping[str, str] | None], dict[str, Any]]


class VerificationPool:
    """``workers`` single-process pools; a request holds one for its run and kills it on overrun.

    One process per slot (not one shared pool) so that killing an overrunning verification never
    takes another request's work with it. Waiting for a free slot is bounded by ``timeout_s``
    too; a request that cannot get one gets 503 (busy), not an ever-growing queue. The waiting
    happens in a worker thread (:meth:`verify` is awaitable), with thread-safe queues only, so
    the pool does not belong to any one event loop.
    """

    def __init__(
        self,
        *,
        workers: int = 2,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        function: VerifyFunction = verify_to_json,
        memory_limit_bytes: int | None = DEFAULT_MEMORY_LIMIT_BYTES,
    ) -> None:
        self.timeout_s = timeout_s
        self._memory_limit_bytes = memory_limit_bytes
        self._function = function
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[Pool | None] = queue.Queue()
        for _ in range(workers):
            self._idle.put_nowait(None)  # a slot whose process starts on first use
        self._lock = threading.Lock()
        self._running: set[Pool] = set()
        self._closed = False

    async def verify(
        self, pdf: bytes, roots_pem: bytes, recordings: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The report JSON; raises :class:`VerificationTimeoutError`, or 503 when busy."""
        return await asyncio.to_thread(self.verify_blocking, pdf, roots_pem, recordings)

    def verify_blocking(
        self, pdf: bytes, roots_pem: bytes, recordings: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        try:
            pool = self._idle.get(timeout=self.timeout_s)
        except queue.Empty:
            raise ServiceUnavailableError("verification is busy; please try again") from None
        try:
            if pool is None:
                pool = self._start()
            args = (pdf, roots_pem, dict(recordings) if recordings is not None else None)
            pending = pool.apply_async(self._function, args)
            try:
                result: dict[str, Any] = pending.get(self.timeout_s)
            except multiprocessing.TimeoutError:
                self._kill(pool)
                pool = None
                raise VerificationTimeoutError(
                    f"the file could not be verified within {self.timeout_s:g} s"
                ) from None
            except MemoryError:
                raise TooComplexError("the file needs too much memory to verify") from None
        finally:
            self._idle.put_nowait(pool)
        return result

    def _start(self) -> Pool:
        with self._lock:
            if self._closed:
                raise ServiceUnavailableError("the server is shutting down")
            pool = self._context.Pool(
                processes=1,
                initializer=_init_worker,
                initargs=(self._memory_limit_bytes,),
                maxtasksperchild=100,
            )
            self._running.add(pool)
        return pool

    def _kill(self, pool: Pool) -> None:
        with self._lock:
            self._running.discard(pool)
        pool.terminate()
        pool.join()

    def close(self) -> None:
        """Kill every worker (at shutdown; a verification still running is abandoned)."""
        with self._lock:
            self._closed = True
            pools = list(self._running)
        for pool in pools:
            self._kill(pool)
