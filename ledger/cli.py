"""``tingshen ledger``: keys, the audit of a stored log, receipts checked offline.

    tingshen ledger keygen NAME --out KEY_FILE        a new Ed25519 note key (log, court, witness)
    tingshen ledger audit --database-url URL --origin ORIGIN --log-key VKEY
    tingshen ledger verify-receipt RECEIPT.json --origin ORIGIN --log-key VKEY
        --court-key VKEY… --witness-key VKEY… --quorum 2 [--later CHECKPOINT --proof PROOF]
    tingshen ledger verify ORDER.pdf --trust TRUST.json --root ROOT.pem [--checkpoint LATER.json]

``verify`` checks an investigation order's PDF offline (:mod:`ledger.order_verify`): its seal
against the court's root (``GET /api/court/root.pem``), its record against its leaf, its leaf's
inclusion in a cosigned checkpoint, with the keys of ``TRUST.json`` (``GET /api/ledger/trust``),
and, given a later state of the log (the ``ledger`` part of ``POST /api/ledger/public/verify``'s
answer, or the whole answer), consistency and whether the order was revoked since. It prints
one line per check and exits 1 if any failed.

``keygen`` writes the private key (C2SP ``PRIVATE+KEY+…`` form) to a new 0600 file and prints
the verifier key to publish. ``verify-receipt`` checks a receipt offline (:mod:`ledger.receipt`)
and prints the step, or the reason it fails (exit status 1). ``audit`` recomputes every leaf and
checkpoint of the stored log and names each finding (:mod:`ledger.audit`); exit status 1 if
there is any. The ``tingshen``
script loads this module by name (``hearing_server.cli``). Errors are one line on stderr and
exit status 2, here only.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Annotated

import typer

from ledger.audit import audit_log
from ledger.keys import write_private_key
from ledger.log.cosign import Quorum
from ledger.log.errors import LogError
from ledger.log.note import NoteSigner, NoteVerifier
from ledger.receipt import Receipt, verify_receipt
from tingshen_platform.db import make_engine

__all__ = ["app"]

EXIT_ERROR = 2

app = typer.Typer(
    name="ledger",
    help="The investigation-order ledger (调查令存证账本): keys, audit of the stored log.",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"tingshen: error: {message}", err=True)
    return typer.Exit(code=EXIT_ERROR)


@app.command()
def keygen(
    name: Annotated[str, typer.Argument(help="Key name: the log's, court's or witness's name.")],
    out: Annotated[Path, typer.Option(help="New file for the private key (0600).")],
) -> None:
    """Make an Ed25519 note key; print its verifier key (name+hash+key) to publish."""
    try:
        signer = NoteSigner.generate(name)
        write_private_key(out, signer)
    except FileExistsError:
        raise _fail(f"{out} exists; a key is never overwritten") from None
    except LogError as exc:
        raise _fail(exc.detail) from None
    typer.echo(signer.verifier().vkey())


@app.command()
def audit(
    database_url: Annotated[str, typer.Option(help="SQLAlchemy URL of the platform's database.")],
    origin: Annotated[str, typer.Option(help="The log's origin line.")],
    log_key: Annotated[str, typer.Option(help="The log's verifier key (name+hash+key).")],
) -> None:
    """Recompute the stored log; name every changed, removed, moved or rolled-back leaf."""
    try:
        verifier = NoteVerifier.parse(log_key)
    except LogError as exc:
        raise _fail(exc.detail) from None
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            findings = audit_log(connection, verifier, origin)
    finally:
        engine.dispose()
    for finding in findings:
        typer.echo(f"{finding.reason}\t{finding.index}\t{finding.detail}")
    if findings:
        raise typer.Exit(code=1)
    typer.echo("ok: every leaf, court signature and checkpoint holds")


@app.command("verify-receipt")
def verify_receipt_command(
    receipt: Annotated[Path, typer.Argument(help="The receipt (JSON).")],
    origin: Annotated[str, typer.Option(help="The log's origin line.")],
    log_key: Annotated[str, typer.Option(help="The log's verifier key.")],
    court_key: Annotated[list[str], typer.Option(help="A court's entry key (repeatable).")],
    witness_key: Annotated[list[str], typer.Option(help="A witness's key (repeatable).")],
    quorum: Annotated[int, typer.Option(min=1, help="Cosignatures needed.")] = 2,
    later: Annotated[
        Path | None, typer.Option(help="A later signed checkpoint, to check it still holds.")
    ] = None,
    proof: Annotated[
        Path | None, typer.Option(help="The consistency proof to it: base64 lines.")
    ] = None,
) -> None:
    """Check a receipt offline: log signature, witnesses, court signature, inclusion."""
    try:
        courts = {k.name: k for k in map(NoteVerifier.parse, court_key)}
        witnesses = Quorum(tuple(map(NoteVerifier.parse, witness_key)), quorum)
        newer = None
        if later is not None:
            lines = proof.read_text(encoding="ascii").split() if proof is not None else []
            hashes = [base64.b64decode(line, validate=True) for line in lines]
            newer = (later.read_text(encoding="utf-8"), hashes)
        parsed = Receipt.from_json(receipt.read_text(encoding="utf-8"))
    except (OSError, ValueError, binascii.Error, LogError) as exc:
        raise _fail(str(exc)) from None
    try:
        verified = verify_receipt(
            parsed,
            log_key=NoteVerifier.parse(log_key),
            origin=origin,
            court_keys=courts,
            quorum=witnesses,
            later=newer,
        )
    except LogError as exc:
        typer.echo(f"FAILED {exc.reason}: {exc.detail}")
        raise typer.Exit(code=1) from None
    entry = verified.entry
    typer.echo(
        f"ok: {entry.kind} {entry.subject} by {entry.court} at {entry.at:%Y-%m-%d %H:%M:%S}Z, "
        f"leaf {parsed.index} of {verified.checkpoint.size}, "
        f"witnessed by {', '.join(verified.witnesses)}"
    )


@app.command("verify")
def verify_order(
    pdf: Annotated[Path, typer.Argument(help="The investigation order (PDF).")],
    trust: Annotated[Path, typer.Option(help="The court's ledger keys (GET /api/ledger/trust).")],
    root: Annotated[Path, typer.Option(help="The court's root certificate (PEM).")],
    checkpoint: Annotated[
        Path | None, typer.Option(help="A later state of the log (JSON), to check revocation.")
    ] = None,
) -> None:
    """Check an order's PDF offline: seal, record, inclusion, witnesses, later state."""
    from datetime import UTC, datetime

    from cryptography import x509

    from ledger.order_verify import Trust, verify_order_pdf

    try:
        roots = x509.load_pem_x509_certificates(root.read_bytes())
        trusted = Trust.from_json(trust.read_text(encoding="utf-8"), roots)
        later = None
        if checkpoint is not None:
            raw = json.loads(checkpoint.read_text(encoding="utf-8"))
            later = raw.get("ledger", raw)
        data = pdf.read_bytes()
    except (OSError, ValueError, KeyError, LogError) as exc:
        raise _fail(str(exc)) from None
    checks = verify_order_pdf(data, trusted, now=datetime.now(UTC), later=later)
    for check in checks:
        mark = "ok    " if check.ok else "FAILED"
        shown = check.detail if check.ok else f"{check.reason}: {check.detail}"
        typer.echo(f"{mark} {check.name}: {shown}")
    if not all(check.ok for check in checks):
        raise typer.Exit(code=1)
