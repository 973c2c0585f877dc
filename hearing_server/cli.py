"""The ``tingshen`` console script: the speech commands of ``asr.cli`` plus the hearing server.

    tingshen serve [--host 127.0.0.1] [--port 8000] [--data-dir .data] [--demo]
                   [--trusted-proxy 10.0.0.5 ...]
    tingshen verify FILE.pdf [--root ROOT.pem] [--recording NAME=FILE] [--json]
    tingshen keys rotate-passphrase|rotate-link-key|rotate-session-secret   (server stopped)
    tingshen audit verify
    tingshen events dead | tingshen events retry CONSUMER EVENT_ID   (events a consumer gave up on)
    tingshen fees calc --kind property --amount 1234567.89 [--json]   (side services' commands)
    tingshen ledger keygen|audit · tingshen witness init|serve   (the ledger, issue 18)

Settings come from ``TINGSHEN_*`` environment variables (``hearing_server.settings.Settings``),
read when the command runs; the options here override them.
"""

from __future__ import annotations

import importlib
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from asr import cli as asr_cli
from hearing_server.events_cli import events_app
from hearing_server.keys_cli import audit_app, keys_app
from signing import cli as signing_cli

if TYPE_CHECKING:
    from hearing_server.settings import Settings

app = typer.Typer(
    cls=asr_cli.ErrorMappingGroup,
    name="tingshen",
    help="Tingshen: online court hearings with a live transcript; speech recognition tools.",
    no_args_is_help=True,
    add_completion=False,
)
app.registered_commands.extend(asr_cli.app.registered_commands)
app.registered_groups.extend(asr_cli.app.registered_groups)
app.command("verify")(signing_cli.verify)  # tingshen verify FILE.pdf: signed transcripts
app.add_typer(keys_app)  # tingshen keys rotate-…: key rotation (hearing_server.keys_cli)
app.add_typer(audit_app)  # tingshen audit verify: the audit trail's hash chain
app.add_typer(events_app)  # tingshen events dead / retry: dead events (hearing_server.events_cli)

SIDE_COMMANDS = {"fees": "fees.cli", "ledger": "ledger.cli", "witness": "ledger.witness_cli"}
"""Side services' commands: the ``app`` of each module becomes ``tingshen <command>``. Loaded by
module name, like the services themselves (``tingshen_platform.services``), so that the hearing
server imports none of them (import-linter)."""
for _name, _module in SIDE_COMMANDS.items():
    app.add_typer(importlib.import_module(_module).app, name=_name)


def private_files(data_dir: Path) -> None:
    """From here on, what this process (and its children: ffmpeg, server processes) creates is
    0600 (files) / 0700 (directories), and the data directory itself is closed to others, which
    also covers files an older version left world-readable in it (issue 14)."""
    os.umask(0o077)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (database, secrets, mail, SMS).")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="SQLAlchemy URL; default: SQLite in the data directory.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Speech model name or directory.")] = None,
    stun: Annotated[list[str] | None, typer.Option(help="STUN server URL (repeatable).")] = None,
    turn: Annotated[list[str] | None, typer.Option(help="TURN server URL (repeatable).")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Create demo data and print login and join links.")
    ] = False,
    redis_url: Annotated[
        str | None, typer.Option(help="Redis for fan-out between processes of a cluster.")
    ] = None,
    node_name: Annotated[
        str | None, typer.Option(help="This process's name in a cluster (p1, p2, …).")
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ADDRESS",
            help="Address or network of a reverse proxy whose X-Forwarded-For/-Proto are "
            "believed (repeatable; default TINGSHEN_TRUSTED_PROXIES, else none).",
        ),
    ] = None,
    side_services_only: Annotated[
        bool,
        typer.Option(
            "--side-services-only",
            help="Run only the side services (TINGSHEN_SIDE_SERVICES), asking the hearing "
            "server at --hearing-url who is calling; same database and data directory.",
        ),
    ] = False,
    hearing_url: Annotated[
        str | None,
        typer.Option(help="The hearing server's URL (with --side-services-only)."),
    ] = None,
) -> None:
    """Run the hearing server (or, with --side-services-only, the side services alone)."""
    if side_services_only and hearing_url is None:
        raise typer.BadParameter(
            "--side-services-only needs --hearing-url", param_hint="--hearing-url"
        )
    if side_services_only and demo:
        raise typer.BadParameter("demo data is made by the hearing server", param_hint="--demo")
    import uvicorn

    from hearing_server.app import create_app
    from hearing_server.demo import COURT_NAME, print_seed, seed_demo
    from hearing_server.log_redaction import uvicorn_log_config
    from hearing_server.services import build_context
    from hearing_server.settings import Settings

    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    if model is not None:
        overrides["model"] = model
    if stun:
        overrides["stun_urls"] = stun
    if turn:
        overrides["turn_urls"] = turn
    if redis_url is not None:
        overrides["redis_url"] = redis_url
    if node_name is not None:
        overrides["node_name"] = node_name
    if trusted_proxy:
        overrides["trusted_proxies"] = trusted_proxy
    settings = Settings(**overrides)
    private_files(settings.data_dir)
    if "public_base_url" not in settings.model_fields_set:
        settings = settings.model_copy(update={"public_base_url": f"http://{host}:{port}"})
    if side_services_only:
        assert hearing_url is not None  # checked above
        _serve_side_services(settings, host, port, hearing_url=hearing_url)
        return
    if demo:
        if "court_name" not in settings.model_fields_set:  # the demo court signs its records
            settings = settings.model_copy(update={"court_name": COURT_NAME})
        context = build_context(settings)
        try:
            print_seed(settings, seed_demo(context))
        finally:
            context.engine.dispose()
    # Access-log lines name request paths, and invitation links carry their token in the path.
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        log_config=uvicorn_log_config(),
        proxy_headers=False,  # the app reads them, from settings.trusted_proxies only
        # A frame over the per-socket limit is refused by the protocol (1009) before it is
        # buffered whole; smaller ones over it still close with 4413 (socket_limits.py).
        ws_max_size=settings.ws_max_message_kib * 1024 + 4096,
    )


def _serve_side_services(settings: Settings, host: str, port: int, *, hearing_url: str) -> None:
    import uvicorn

    from hearing_server.log_redaction import uvicorn_log_config
    from hearing_server.side_app import create_side_app

    uvicorn.run(
        create_side_app(settings, hearing_url=hearing_url),
        host=host,
        port=port,
        log_level="info",
        log_config=uvicorn_log_config(),
        proxy_headers=False,
    )


@app.command()
def cluster(
    processes: Annotated[int, typer.Option(min=1, max=16, help="Server processes.")] = 2,
    host: Annotated[str, typer.Option(help="Address of the proxy and the processes.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="The proxy's port.")] = 8000,
    data_dir: Annotated[Path, typer.Option(help="Shared data directory.")] = Path(".data-cluster"),
    database_url: Annotated[
        str, typer.Option(help="PostgreSQL URL shared by the processes (created if missing).")
    ] = "postgresql+psycopg://postgres@127.0.0.1:5432/tingshen_cluster",
    redis_url: Annotated[str, typer.Option(help="Redis shared by the processes.")] = (
        "redis://127.0.0.1:6379/0"
    ),
    demo: Annotated[bool, typer.Option("--demo", help="Create demo data first.")] = False,
) -> None:
    """Run several server processes behind HAProxy (Debian's haproxy) on this machine."""
    from hearing_server.cluster import Cluster, ClusterPlan, Frontend, Node, prepare

    private_files(data_dir)
    nodes = [Node(f"p{n}", host, port + 100 + n) for n in range(1, processes + 1)]
    public = f"http://{host}:{port}"
    prepare(database_url, data_dir, public_base_url=public, demo=demo)
    plan = ClusterPlan(Frontend(host, port), nodes, data_dir.resolve(), database_url, redis_url)

    def stop(_signum: int, _frame: object) -> None:
        raise SystemExit(0)  # leave the with block: the processes and the proxy are stopped

    signal.signal(signal.SIGTERM, stop)
    with Cluster(plan) as running:
        names = ", ".join(f"{n.name} ({n.url})" for n in nodes)
        typer.echo(f"Tingshen cluster: {running.url}  (processes {names}; Ctrl-C stops)")
        running.wait()


def main() -> None:
    """Console-script entry point (``tingshen``)."""
    app()
