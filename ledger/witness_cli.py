"""``tingshen witness``: an independent witness process (its own key, its own state file).

    tingshen witness init --state STATE.json --origin ORIGIN --log-key VKEY
    tingshen witness serve --state STATE.json --key KEY_FILE [--host 127.0.0.1] [--port 8790]

``serve`` answers C2SP tlog-witness ``POST /add-checkpoint`` (:mod:`ledger.witness`) and holds
a lock on the state file, so two processes never witness from the same state.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from filelock import FileLock, Timeout

from ledger.log.errors import LogError
from ledger.log.note import NoteSigner, NoteVerifier
from ledger.witness import Witness, init_state
from ledger.witness_http import create_witness_app

__all__ = ["app"]

EXIT_ERROR = 2

app = typer.Typer(
    name="witness",
    help="A witness (见证方) that cosigns a log's checkpoints it finds consistent.",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"tingshen: error: {message}", err=True)
    return typer.Exit(code=EXIT_ERROR)


@app.command()
def init(
    state: Annotated[Path, typer.Option(help="New state file of this witness.")],
    origin: Annotated[str, typer.Option(help="The log's origin line.")],
    log_key: Annotated[str, typer.Option(help="The log's verifier key (name+hash+key).")],
) -> None:
    """Start witnessing a log from nothing (size 0)."""
    try:
        init_state(state, origin, NoteVerifier.parse(log_key))
    except (FileExistsError, LogError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"witnessing {origin} from size 0 ({state})")


@app.command()
def serve(
    state: Annotated[Path, typer.Option(help="This witness's state file (see init).")],
    key: Annotated[Path, typer.Option(help="File with the witness's private key (keygen).")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8790,
) -> None:
    """Answer add-checkpoint requests until stopped."""
    try:
        signer = NoteSigner.parse(key.read_text(encoding="ascii").strip())
        lock = FileLock(str(state) + ".lock")
        lock.acquire(timeout=0)
    except (OSError, LogError) as exc:
        raise _fail(str(exc)) from None
    except Timeout:
        raise _fail(f"another witness process uses {state}") from None
    try:
        witness = Witness(signer, state, lambda: int(time.time()))
        listening = socket.create_server((host, port))  # bound before the line below is printed
        typer.echo(f"witness {signer.name} of {witness.state.origin} at size {witness.state.size}")
        config = uvicorn.Config(create_witness_app(witness), log_level="warning")
        uvicorn.Server(config).run(sockets=[listening])
    finally:
        lock.release()
