"""``tingshen keys …`` and ``tingshen audit verify``: key rotation and the audit chain's check.

    tingshen keys rotate-passphrase --which seal|tsa|ca [--data-dir DIR]
    tingshen keys rotate-link-key [--data-dir DIR] [--yes]
    tingshen keys rotate-session-secret [--data-dir DIR] [--yes]
    tingshen audit verify [--data-dir DIR]

Run them on a **stopped** server's data dir (every process of a cluster stopped): the server reads
its keys when it starts, so a running one would go on signing links with the old key. Settings
come from ``TINGSHEN_*`` as for ``tingshen serve``. Secrets never come from the command line
(where ``ps`` and shell history would show them): the current one is the configured setting (or
the development file), the new one comes from ``TINGSHEN_NEW_PASSPHRASE`` /
``TINGSHEN_NEW_LINK_KEY`` / ``TINGSHEN_NEW_SECRET_KEY`` or a hidden prompt; in development a new
key is generated into its file. Nothing prints a key or passphrase.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, ParamSpec, TypeVar

import typer

if TYPE_CHECKING:
    from hearing_server.settings import Settings
    from signing.ca import KeyGroup

keys_app = typer.Typer(
    name="keys",
    help="Rotate the CA key passphrases, the link key and the session secret (server stopped).",
    no_args_is_help=True,
)
audit_app = typer.Typer(name="audit", help="The audit trail.", no_args_is_help=True)

DataDir = Annotated[
    Path | None, typer.Option(help="Data directory (default: TINGSHEN_DATA_DIR or .data).")
]
Yes = Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")]
MIN_KEY_CHARS = 32
P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def _refusals() -> Iterator[None]:
    """A refusal (missing setting, wrong passphrase, no CA) is one line on stderr, exit 1."""
    from hearing_server.errors import ServerError
    from signing.errors import SigningError

    try:
        yield
    except (ServerError, SigningError) as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from None


def _plain_errors(command: Callable[P, R]) -> Callable[P, R]:
    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with _refusals():
            return command(*args, **kwargs)

    return run


def _settings(data_dir: Path | None) -> Settings:
    from hearing_server.settings import Settings

    return Settings(data_dir=data_dir) if data_dir is not None else Settings()


def _new_secret(env_name: str, what: str, *, min_chars: int) -> str:
    value = os.environ.get(env_name)
    if value is None:
        value = typer.prompt(f"New {what}", hide_input=True, confirmation_prompt=True)
    if len(value) < min_chars:
        raise typer.BadParameter(f"the new {what} must have at least {min_chars} characters")
    return value


@keys_app.command("rotate-passphrase")
@_plain_errors
def rotate_passphrase(
    which: Annotated[
        Literal["seal", "tsa", "ca"],
        typer.Option("--which", help="seal, tsa or ca (the CA's root and issuing keys)."),
    ],
    data_dir: DataDir = None,
) -> None:
    """Re-encrypt one key group under a new passphrase; the other keys are not touched."""
    from hearing_server.errors import ConfigurationError
    from hearing_server.key_passphrases import (
        ENV_NAMES,
        Resolved,
        ca_directory,
        passphrase_file,
        resolve_passphrase,
    )
    from hearing_server.settings import write_key_file
    from signing.key_rotation import rotate_passphrase as rotate

    settings = _settings(data_dir)
    directory = ca_directory(settings)
    if not (directory / "root.pem").exists():
        raise typer.BadParameter(f"no court CA in {directory}")
    try:
        current = resolve_passphrase(settings, which, generate=False)
    except ConfigurationError:  # not configured here: ask (never from the command line)
        typed = typer.prompt(f"Current {which} passphrase", hide_input=True)
        current = Resolved(typed.encode("utf-8"), "setting")
    development = settings.environment == "development"
    pins: list[KeyGroup] = []
    if which == "ca":  # a group still on the CA passphrase keeps the old one, apart from the CA's
        others: tuple[KeyGroup, ...] = ("tsa", "seal")
        for other in others:
            if resolve_passphrase(settings, other, generate=False).source == "ca":
                if development:
                    write_key_file(passphrase_file(settings, other), current.value.decode())
                else:
                    pins.append(other)
    if development and current.source != "setting":
        new = secrets.token_urlsafe(32)
    else:
        new = _new_secret("TINGSHEN_NEW_PASSPHRASE", f"{which} passphrase", min_chars=8)
    rotated = rotate(directory, which, current.value, new.encode("utf-8"))
    names = ", ".join(path.name for path in rotated)
    _record_passphrase_rotation(settings, which, [path.name for path in rotated])
    typer.echo(f"Re-encrypted {names} under a new passphrase; the other keys were not touched.")
    if development and current.source != "setting":
        write_key_file(passphrase_file(settings, which), new)
        typer.echo(f"development: the new passphrase is in {passphrase_file(settings, which)}.")
    else:
        typer.echo(f"Set {ENV_NAMES[which]} to the new passphrase before starting the server.")
    for other in pins:
        typer.echo(
            f"The {other} key still uses the previous CA passphrase: set {ENV_NAMES[other]} to "
            f"it (then rotate it: tingshen keys rotate-passphrase --which {other})."
        )


def _record_passphrase_rotation(settings: Settings, group: str, files: list[str]) -> None:
    from hearing_server.db import make_session_factory, upgrade
    from hearing_server.key_rotation import record_passphrase_rotation
    from hearing_server.security import utc_now

    engine = upgrade(settings)
    try:
        with make_session_factory(engine)() as session:
            record_passphrase_rotation(session, group=group, files=files, now=utc_now())
    finally:
        engine.dispose()


@keys_app.command("rotate-link-key")
@_plain_errors
def rotate_link_key(data_dir: DataDir = None, yes: Yes = False) -> None:
    """New invitation-link key; every outstanding join and signing link is withdrawn."""
    from hearing_server.db import make_session_factory, upgrade
    from hearing_server.key_rotation import withdraw_all_links
    from hearing_server.security import utc_now
    from hearing_server.settings import LINK_KEY_FILE_NAME, resolve_link_key, write_key_file

    settings = _settings(data_dir)
    old = resolve_link_key(settings)
    if not yes:
        typer.confirm(
            "Every join and signing link sent so far stops working and must be sent again. "
            "Continue?",
            abort=True,
        )
    path = settings.data_dir / LINK_KEY_FILE_NAME
    if settings.environment == "development" and settings.link_key is None:
        write_key_file(path, secrets.token_urlsafe(48))
        typer.echo(f"development: the new link key is in {path}.")
    else:
        new = _new_secret("TINGSHEN_NEW_LINK_KEY", "link key", min_chars=MIN_KEY_CHARS)
        if new.encode("utf-8") == old:
            raise typer.BadParameter("the new link key is the old one")
        typer.echo("Set TINGSHEN_LINK_KEY to the new key before starting the server.")
    engine = upgrade(settings)  # the schema this version writes (the audit chain)
    try:
        with make_session_factory(engine)() as session:
            withdrawn = withdraw_all_links(session, now=utc_now())
    finally:
        engine.dispose()
    typer.echo(
        f"Withdrew {withdrawn.total} outstanding link(s): {withdrawn.join} join, "
        f"{withdrawn.sign} signing, in {len(withdrawn.per_hearing)} hearing(s)."
    )
    for hearing_id, count in sorted(withdrawn.per_hearing.items()):
        typer.echo(f"  hearing {hearing_id}: {count}")
    if withdrawn.total:
        typer.echo(
            "Send them again: re-issue each party's invitation (participants page), and send "
            "signing reminders (each carries a fresh signing link)."
        )


@keys_app.command("rotate-session-secret")
@_plain_errors
def rotate_session_secret(data_dir: DataDir = None, yes: Yes = False) -> None:
    """New session secret; everyone is logged out and pending one-time codes expire."""
    from hearing_server.db import make_session_factory, upgrade
    from hearing_server.key_rotation import end_all_sessions
    from hearing_server.security import utc_now
    from hearing_server.settings import (
        LINK_KEY_FILE_NAME,
        SECRET_FILE_NAME,
        resolve_secret_key,
        write_key_file,
    )

    settings = _settings(data_dir)
    old = resolve_secret_key(settings)
    if not yes:
        typer.confirm("Everyone (staff and parties) is logged out. Continue?", abort=True)
    development = settings.environment == "development"
    link_path = settings.data_dir / LINK_KEY_FILE_NAME
    links_on_secret = settings.link_key is None and not (development and link_path.exists())
    if development and settings.secret_key is None:
        if links_on_secret:  # links already sent keep working: they get the old secret as key
            write_key_file(link_path, old.decode("ascii"))
        write_key_file(settings.data_dir / SECRET_FILE_NAME, secrets.token_urlsafe(48))
        typer.echo(f"development: the new secret is in {settings.data_dir / SECRET_FILE_NAME}.")
    else:
        new = _new_secret("TINGSHEN_NEW_SECRET_KEY", "session secret", min_chars=MIN_KEY_CHARS)
        if new.encode("utf-8") == old:
            raise typer.BadParameter("the new session secret is the old one")
        typer.echo("Set TINGSHEN_SECRET_KEY to the new secret before starting the server.")
        if links_on_secret:
            typer.echo(
                "Links are signed with the session secret (TINGSHEN_LINK_KEY unset): set "
                "TINGSHEN_LINK_KEY to the previous secret to keep them working."
            )
    engine = upgrade(settings)
    try:
        with make_session_factory(engine)() as session:
            ended = end_all_sessions(session, now=utc_now())
    finally:
        engine.dispose()
    typer.echo(
        f"Everyone is logged out: {ended.staff} staff and {ended.participants} party session(s) "
        f"ended; {ended.codes_expired} pending one-time code(s) expired (ask for a new one)."
    )


@audit_app.command("verify")
@_plain_errors
def audit_verify(data_dir: DataDir = None) -> None:
    """Check the audit trail's hash chain; names the first broken row (exit status 1)."""
    from sqlalchemy.exc import DBAPIError

    from hearing_server import audit
    from hearing_server.db import engine_from_settings, make_session_factory

    settings = _settings(data_dir)
    engine = engine_from_settings(settings)  # read only: no migration here
    try:
        with make_session_factory(engine)() as session:
            report = audit.verify(session)
    except DBAPIError as exc:
        typer.echo(
            f"cannot read the audit chain ({type(exc.orig).__name__}): is the database migrated "
            "to this version? (tingshen serve migrates it at start)",
            err=True,
        )
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    broken = report.broken
    if broken is None:
        typer.echo(
            f"audit chain intact: {report.rows} row(s); head {report.head_seq} {report.head_hash}"
        )
        return
    if broken.id is None:
        typer.echo(f"audit chain broken: {broken.problem}", err=True)
    else:
        at = broken.at.isoformat() if broken.at is not None else "?"
        typer.echo(
            f"audit chain broken at row id={broken.id} (place {broken.seq}, at {at}, "
            f"action {broken.action}): {broken.problem}",
            err=True,
        )
    raise typer.Exit(1)
