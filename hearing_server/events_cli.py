"""``tingshen events …``: the events a consumer gave up on, and replaying one.

    tingshen events dead [--consumer NAME] [--limit 100] [--data-dir DIR]
    tingshen events retry CONSUMER EVENT_ID [--data-dir DIR]

A consumer parks an event as dead after its handler failed on it ``max_attempts`` times
(``tingshen_platform.events.consumer``); later events flow meanwhile. ``dead`` lists them (the
consumer, the event's position in the outbox, type, attempts, last error, when it was parked);
``retry`` sends one round again once the cause is fixed: the consumer (in the running server or
side-service process) handles it at its next poll. ``EVENT_ID`` is the position ``dead`` shows
or the event's UUID. Both work on a running server; the database is the configured one
(``TINGSHEN_DATABASE_URL``, else the SQLite file in the data directory), never migrated here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tingshen_platform.events import DeadEvent

events_app = typer.Typer(
    name="events",
    help="Events a consumer gave up on (dead), and replaying them.",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path | None, typer.Option(help="Data directory (default: TINGSHEN_DATA_DIR or .data).")
]
_ERROR_COLUMN_CHARS = 60
_HEADER = ("consumer", "event", "type", "attempts", "last error", "dead since (UTC)")


@contextmanager
def _database(data_dir: Path | None) -> Iterator[Engine]:
    """The configured database; one line and exit status 2 when it cannot be read (not migrated
    to this version, or not there)."""
    from sqlalchemy.exc import DBAPIError

    from hearing_server.db import engine_from_settings
    from hearing_server.settings import Settings

    settings = Settings(data_dir=data_dir) if data_dir is not None else Settings()
    engine = engine_from_settings(settings)
    try:
        yield engine
    except DBAPIError as exc:
        typer.echo(
            f"cannot read the event failures ({type(exc.orig).__name__}): is the database "
            "migrated to this version? (tingshen serve migrates it at start)",
            err=True,
        )
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _rows(dead: list[DeadEvent]) -> list[tuple[str, ...]]:
    return [
        (
            d.consumer,
            str(d.id),
            d.type,
            str(d.attempts),
            _one_line(f"{d.last_error_type}: {d.last_error}", _ERROR_COLUMN_CHARS),
            d.dead_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        )
        for d in dead
    ]


def format_table(dead: list[DeadEvent]) -> str:
    rows = [_HEADER, *_rows(dead)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


@events_app.command("dead")
def list_dead(
    consumer: Annotated[str | None, typer.Option(help="Only this consumer's.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 100,
    data_dir: DataDir = None,
) -> None:
    """Events a consumer parked as dead, newest first."""
    from tingshen_platform.events import dead_events

    with _database(data_dir) as engine:
        dead = dead_events(engine, consumer, limit=limit)
    if not dead:
        typer.echo("no dead events" + (f" of {consumer}" if consumer else ""))
        return
    typer.echo(format_table(dead))
    typer.echo("\nReplay one after the fix: tingshen events retry CONSUMER EVENT_ID")


@events_app.command("retry")
def retry(
    consumer: Annotated[str, typer.Argument(help="The consumer, e.g. dossier.cases.")],
    event_id: Annotated[
        str, typer.Argument(help="The event's position (as listed by `dead`) or its UUID.")
    ],
    data_dir: DataDir = None,
) -> None:
    """Handle a dead event again, at the consumer's next poll (exit 1: not dead there)."""
    from tingshen_platform.events import retry_dead

    key: int | str = int(event_id) if event_id.isdigit() else event_id
    with _database(data_dir) as engine:
        done = retry_dead(engine, consumer, key, now=datetime.now(UTC))
    if not done:
        typer.echo(f"event {event_id} is not dead for consumer {consumer}", err=True)
        raise typer.Exit(1)
    typer.echo(f"event {event_id} goes to {consumer} again at its next poll")
