"""``tingshen verify FILE.pdf``: check a signed transcript without the court's server.

    tingshen verify 笔录.pdf --root court-root.pem --recording mixed.flac=./mixed.flac [--json]

Exit codes: 0 the record verifies, 1 it does not (the report says why), 2 usage error (missing
file, no trust root, unreadable certificate). The trust root is the court's root certificate:
``--root`` (repeatable; a PEM file may hold several) or ``root.pem`` in the court CA directory
(``--ca-dir``, or ``TINGSHEN_CA_DIR``). Recordings are hashed here and compared with the
digests the signatures bind; a recording is named as in the binding (``NAME=FILE``) or by its
file name. A bound recording not given is reported "not checked" and does not make the record
invalid; one given that differs does.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from cryptography import x509
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:  # pyHanko loads on use, not when ``tingshen serve`` starts
    from signing.verify_report import VerificationReport

__all__ = ["app", "verify"]

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
COURT_TIME_ZONE = ZoneInfo("Asia/Shanghai")  # as signing.appearance shows times

#: By :class:`signing.verify_report.RecordingStatus` value (a StrEnum: its members look up here).
RECORDING_WORDS = {
    "matches": "matches",
    "differs": "DIFFERS from the binding",
    "not_checked": "not checked (no file given)",
    "not_bound": "given, but the record binds no recording of this name",
}

app = typer.Typer(add_completion=False, help="Verify signed hearing transcripts.")


def _usage(message: str) -> typer.Exit:
    typer.echo(f"tingshen verify: error: {message}", err=True)
    return typer.Exit(code=EXIT_USAGE)


def _roots(roots: list[Path], ca_dir: Path | None) -> list[x509.Certificate]:
    paths = list(roots) or ([ca_dir / "root.pem"] if ca_dir is not None else [])
    if not paths:
        raise _usage("no trust root: pass --root ROOT.pem or --ca-dir (TINGSHEN_CA_DIR)")
    certificates: list[x509.Certificate] = []
    for path in paths:
        try:
            certificates.extend(x509.load_pem_x509_certificates(path.read_bytes()))
        except (OSError, ValueError) as exc:
            raise _usage(f"cannot read a certificate from {path}: {exc}") from None
    return certificates


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _recordings(specs: list[str]) -> dict[str, str] | None:
    if not specs:
        return None
    result: dict[str, str] = {}
    for spec in specs:
        name, separator, file = spec.partition("=")
        path = Path(file if separator else spec)
        try:
            result[name if separator else path.name] = _sha256_file(path)
        except OSError as exc:
            raise _usage(f"cannot read recording {path}: {exc}") from None
    return result


def _time(value: object) -> str:
    if not isinstance(value, datetime):
        return "-"
    return value.astimezone(COURT_TIME_ZONE).strftime("%Y-%m-%d %H:%M:%S %z")


def print_report(report: VerificationReport, console: Console) -> None:
    """The human-readable report: signers, binding, problems, verdict."""
    table = Table(title="Signatures (in signing order)", show_lines=False)
    for column in ("#", "field", "role", "name", "signed", "timestamp (TSA)", "checks"):
        table.add_column(column)
    for s in report.signers:
        checks = (
            "ok" if (s.intact and s.signature_valid and s.trusted and s.timestamp_ok) else "FAIL"
        )
        table.add_row(
            str(s.index), s.field_name, s.role, s.name, _time(s.signing_time),
            f"{_time(s.timestamp_time)}\n{s.tsa or '-'}",
            f"{checks}; after it: {s.modification_level}" + ("; locks" if s.locks_document else ""),
        )  # fmt: skip
    console.print(table)
    if report.binding is not None:
        b = report.binding
        console.print(
            f"Record: case {b.case_number}, hearing {b.hearing_id}, transcript version "
            f"{b.transcript_version}, transcript SHA-256 {b.transcript_sha256}"
        )
        statuses: dict[str, str] = {c.name: c.status for c in report.recording_checks}
        for recording in b.recordings:
            status = statuses.get(recording.name, "not_checked")
            console.print(
                f"  recording {recording.name}  {recording.sha256}  {RECORDING_WORDS[status]}"
            )
        for check in report.recording_checks:
            if check.status == "not_bound":
                words = RECORDING_WORDS[check.status]
                console.print(f"  [red]recording {escape(check.name)}: {words}[/red]")
    if report.signers:
        console.print("Chain of signature 1: " + " <- ".join(report.signers[0].chain))
    for problem in report.problems:
        console.print(
            f"[red]problem[/red] {escape(f'[{problem.code.value}]')} {escape(problem.message)}"
        )
    unchecked = [c.name for c in report.recording_checks if c.status == "not_checked"]
    if report.valid:
        console.print(
            f"[bold green]VALID[/bold green]: {len(report.signers)} signatures,"
            " nothing changed after them"
        )
        if unchecked:
            console.print(
                f"Not checked (no file given): {', '.join(unchecked)}; pass"
                " --recording NAME=FILE to check them too"
            )
    else:
        console.print(f"[bold red]INVALID[/bold red]: {len(report.problems)} problem(s)")


@app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="The signed transcript PDF.")],
    root: Annotated[
        list[Path] | None, typer.Option("--root", help="Trust root certificate PEM (repeatable).")
    ] = None,
    ca_dir: Annotated[
        Path | None,
        typer.Option("--ca-dir", envvar="TINGSHEN_CA_DIR", help="Court CA directory (root.pem)."),
    ] = None,
    recording: Annotated[
        list[str] | None,
        typer.Option(
            "--recording", help="NAME=FILE (or FILE) of a hearing recording (repeatable)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Verify a signed hearing transcript: signers, timestamps, chain, changes, recordings."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise _usage(f"cannot read {file}: {exc}") from None
    from signing.verify import verify_pdf

    report = verify_pdf(data, _roots(root or [], ca_dir), recordings=_recordings(recording or []))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        # piped output (files, CI logs) gets a wide table instead of rich's 80 columns
        print_report(report, Console(highlight=False, width=None if sys.stdout.isatty() else 160))
    raise typer.Exit(code=EXIT_VALID if report.valid else EXIT_INVALID)
