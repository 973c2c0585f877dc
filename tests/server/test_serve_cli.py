"""``tingshen serve --demo``, as ``make run`` starts it: demo links work against the live server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from hearing_server.log_redaction import REDACTED
from tests.serve_process import free_port

STARTUP_TIMEOUT_S = 60


def test_serve_demo_prints_working_links(tmp_path: Path) -> None:
    port = free_port()
    script = Path(sys.executable).parent / "tingshen"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("TINGSHEN_PUBLIC_BASE_URL", None)
    proc = subprocess.Popen(
        [str(script), "serve", "--demo", "--data-dir", str(tmp_path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # reads until the server says it is up (or exits)
            lines.append(line)
            if "Uvicorn running" in line:
                break
        output = "".join(lines)
        assert "Uvicorn running" in output, output
        assert "judge:" in output and "clerk:" in output
        join = next(line.split()[1] for line in lines if line.strip().startswith("原告:"))
        assert join.startswith(f"http://127.0.0.1:{port}/")
        token = join.rstrip("/").rsplit("/", 1)[-1].split("t=")[-1]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=STARTUP_TIMEOUT_S) as c:
            summary = c.get(f"/api/join/{token}")
            assert summary.status_code == 200, summary.text
            assert summary.json()["participant_name"] == "张伟"
            assert c.get("/api/auth/me").status_code == 401
            assert c.get(f"/join.html?t={token}").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=STARTUP_TIMEOUT_S)
        if proc.stdout is not None:
            log = proc.stdout.read()  # the access log of the requests above
            proc.stdout.close()
    assert f"/api/join/{REDACTED} HTTP/1.1" in log, log
    assert "/join.html?t=" in log and token not in log, log
