"""``tingshen serve --demo`` as a child process, for tests and benchmarks that need a real server
in its own process (``kill -9``, restarts, CPU measured apart from the clients).

    server = start_serve(data_dir, port)        # returns once uvicorn says it is running
    server.passwords["clerk"], server.lines      # demo passwords (first start only), its output
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ServeProcess", "free_port", "start_serve"]

STAFF = ("judge", "clerk", "recorder")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServeProcess:
    proc: subprocess.Popen[str]
    port: int
    lines: list[str]
    """What the server printed until it was up (demo links and passwords)."""
    passwords: dict[str, str]
    """Staff username → password, printed when the demo accounts were created."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_serve(
    data_dir: Path,
    port: int,
    *,
    env: dict[str, str] | None = None,
    demo: bool = True,
    extra_args: Sequence[str] = (),
) -> ServeProcess:
    """``demo=False, extra_args=[...]``: e.g. the side services alone
    (``--side-services-only --hearing-url …``)."""
    script = Path(sys.executable).parent / "tingshen"
    command = [str(script), "serve", *(["--demo"] if demo else []), *extra_args]
    proc = subprocess.Popen(
        [*command, "--data-dir", str(data_dir), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    assert proc.stdout is not None
    lines: list[str] = []
    passwords: dict[str, str] = {}
    for line in proc.stdout:  # reads until the server says it is up (or exits)
        lines.append(line)
        parts = line.split()
        if len(parts) >= 2 and parts[0].rstrip(":") in STAFF and parts[0].endswith(":"):
            passwords[parts[0].rstrip(":")] = parts[1]
        if "Uvicorn running" in line:
            return ServeProcess(proc, port, lines, passwords)
    proc.wait()
    raise AssertionError("the server did not start:\n" + "".join(lines))
