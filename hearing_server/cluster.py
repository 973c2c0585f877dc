"""Several ``tingshen serve`` processes behind HAProxy on one machine (``tingshen cluster``,
``make cluster``); the README says how to spread them over several machines.

    config = haproxy_config(Frontend("127.0.0.1", 8000), [Node("p1", "127.0.0.1", 8101), …])
    with Cluster(plan) as cluster: cluster.wait()

Each process trusts the proxy's ``X-Forwarded-For`` (``--trusted-proxy``: the address the proxy
connects from), and only the proxy's, so rate limits and the audit see the real client.
The processes share the database (PostgreSQL), Redis (fan-out between them) and the data
directory (secret key, court CA, recordings). The proxy balances requests round robin and checks
``/healthz`` every second; a request whose query names a node (``?node=p2``: a hearing's media
goes to the process that owns it, see :mod:`hearing_server.live.ownership`) goes to that node
while it is up, and to any other when it is down.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

__all__ = [
    "Cluster",
    "ClusterPlan",
    "Frontend",
    "Node",
    "haproxy_config",
    "prepare",
    "proxy_address",
]

#: How long a process may take to start (the first start loads nothing heavy: models load lazily).
START_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class Frontend:
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def haproxy_config(frontend: Frontend, nodes: list[Node]) -> str:
    """The proxy's configuration (pure). WebSockets are tunnelled for up to an hour of silence;
    a failed connection is retried on another process (``option redispatch``)."""
    lines = [
        "global",
        "    maxconn 8000",
        "defaults",
        "    mode http",
        "    option redispatch",
        "    retries 3",
        "    option forwardfor",
        "    timeout connect 2s",
        "    timeout client 1h",
        "    timeout server 1h",
        "    timeout tunnel 1h",
        "    timeout http-request 10s",
        "frontend tingshen",
        f"    bind {frontend.host}:{frontend.port}",
        # The edge: what a client claims about its address and scheme is dropped; the
        # processes trust this proxy's X-Forwarded-For (``option forwardfor``) alone.
        "    http-request del-header X-Forwarded-For",
        "    http-request del-header Forwarded",
        "    http-request set-header X-Forwarded-Proto http",
        "    default_backend servers",
        "backend servers",
        "    balance roundrobin",
        "    option httpchk GET /healthz",
        "    http-check expect status 200",
        "    default-server check inter 1s fastinter 500ms fall 2 rise 2",
    ]
    lines += [f"    server {n.name} {n.host}:{n.port}" for n in nodes]
    lines += [f"    use-server {n.name} if {{ urlp(node) -m str {n.name} }}" for n in nodes]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class ClusterPlan:
    frontend: Frontend
    nodes: list[Node]
    data_dir: Path
    database_url: str
    redis_url: str
    extra_env: dict[str, str] = field(default_factory=dict)
    serve_args: tuple[str, ...] = ()


class Cluster:
    """Starts the processes and the proxy; stops them on exit. ``kill(name)`` is ``kill -9``."""

    def __init__(self, plan: ClusterPlan) -> None:
        self.plan = plan
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.proxy: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.plan.frontend.host}:{self.plan.frontend.port}"

    def env(self, node: Node) -> dict[str, str]:
        plan = self.plan
        return {
            **os.environ,
            "TINGSHEN_DATA_DIR": str(plan.data_dir),
            "TINGSHEN_DATABASE_URL": plan.database_url,
            "TINGSHEN_REDIS_URL": plan.redis_url,
            "TINGSHEN_NODE_NAME": node.name,
            "TINGSHEN_PUBLIC_BASE_URL": self.url,
            **plan.extra_env,
        }

    def start_node(self, node: Node) -> None:
        command = [
            *_tingshen(),
            "serve",
            "--host", node.host,
            "--port", str(node.port),
            "--trusted-proxy", proxy_address(node.host),
            *self.plan.serve_args,
        ]  # fmt: skip
        with (self.plan.data_dir / f"{node.name}.log").open("ab") as log:
            self.processes[node.name] = subprocess.Popen(
                command, env=self.env(node), stdout=log, stderr=subprocess.STDOUT
            )
        _wait_healthy(node, self.processes[node.name])

    def start(self) -> None:
        self.plan.data_dir.mkdir(parents=True, exist_ok=True)
        for node in self.plan.nodes:
            self.start_node(node)
        config = self.plan.data_dir / "haproxy.cfg"
        config.write_text(haproxy_config(self.plan.frontend, self.plan.nodes), encoding="utf-8")
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        with (self.plan.data_dir / "haproxy.log").open("ab") as log:
            self.proxy = subprocess.Popen(
                [haproxy, "-f", str(config), "-db"], stdout=log, stderr=subprocess.STDOUT
            )
        _wait_healthy(Node("proxy", self.plan.frontend.host, self.plan.frontend.port), self.proxy)

    def wait(self) -> None:
        """Until Ctrl-C or the proxy ends."""
        assert self.proxy is not None
        with contextlib.suppress(KeyboardInterrupt):
            self.proxy.wait()

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.kill()
        process.wait()

    def stop(self) -> None:
        everything = [*self.processes.values(), *([self.proxy] if self.proxy else [])]
        for process in everything:
            if process.poll() is None:
                process.terminate()
        for process in everything:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def prepare(database_url: str, data_dir: Path, *, public_base_url: str, demo: bool = False) -> None:
    """Before the processes start: the database exists and is migrated (once, not by every
    process at the same moment), and the demo data is there when asked for."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from hearing_server.demo import COURT_NAME, print_seed, seed_demo
    from hearing_server.services import build_context
    from hearing_server.settings import Settings

    url = make_url(database_url)
    if url.get_backend_name() == "postgresql" and url.database:
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                exists = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
                ).first()
                if exists is None:
                    connection.execute(text(f'CREATE DATABASE "{url.database}"'))
        finally:
            admin.dispose()
    settings = Settings(
        data_dir=data_dir, database_url=database_url, public_base_url=public_base_url
    )
    if demo:
        settings = settings.model_copy(update={"court_name": COURT_NAME})
    context = build_context(settings)
    try:
        if demo:
            print_seed(settings, seed_demo(context))
    finally:
        context.engine.dispose()


def proxy_address(node_host: str) -> str:
    """The address the proxy's connections to a process on ``node_host`` come from (this
    machine): that address itself, loopback for a wildcard; a name is looked up."""
    try:
        address = ipaddress.ip_address(node_host)
    except ValueError:
        return socket.gethostbyname(node_host)
    if address.is_unspecified:
        return "::1" if address.version == 6 else "127.0.0.1"
    return str(address)


def _tingshen() -> list[str]:
    return [sys.executable, "-c", "from hearing_server.cli import main; main()"]


def _wait_healthy(node: Node, process: subprocess.Popen[bytes]) -> None:
    """Poll ``/healthz`` until it answers 200 (a launcher waiting for a server to come up)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{node.name} exited with {process.returncode} while starting")
        try:
            with urllib.request.urlopen(f"{node.url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{node.name} did not become healthy within {START_TIMEOUT_S:.0f} s")
