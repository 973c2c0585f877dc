"""Parts of the browser ``kill -9`` test that are not about audio.

- :class:`ServeChild`: ``tingshen serve --demo`` (:func:`tests.serve_process.start_serve`) as a
  child process that can be stopped with any signal and started again on the same data directory
  and port. A thread reads its output (so that a full pipe never blocks the server) and keeps it
  for a failure's message.
- :data:`PEER_LOG_JS`: a page probe (``add_init_script``, so no web file carries a test hook)
  noting every ``RTCPeerConnection`` the page makes and each of its connection states with
  ``Date.now()``: how and when the page reconnected. A page reload would empty it.
- :func:`poll`: wait for a condition (a file, the durable index) with a deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests.serve_process import start_serve

_T = TypeVar("_T")

PEER_LOG_JS = """
(() => {
  const log = [];
  window.__e2ePeers = log;
  const Native = window.RTCPeerConnection;
  let count = 0;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      const id = ++count;
      log.push({ at: Date.now(), id, state: "new" });
      this.addEventListener("connectionstatechange", () => {
        log.push({ at: Date.now(), id, state: this.connectionState });
      });
    }
  };
})();
"""


class ServeChild:
    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port
        self.lines: list[str] = []
        self.passwords: dict[str, str] = {}
        self._proc: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server; returns once it accepts requests."""
        started = start_serve(
            self.data, self.port, env={"TINGSHEN_NOTICE_DISPATCH_ENABLED": "false"}
        )
        self._proc = started.proc
        self.lines += started.lines
        self.passwords = self.passwords or started.passwords  # printed on the first start only
        self._reader = threading.Thread(target=self._read, args=(started.proc,), daemon=True)
        self._reader.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append(line)

    def stop(self, sig: signal.Signals) -> None:
        """Send ``sig`` and wait for the process to end (no-op when it is not running)."""
        proc, reader = self._proc, self._reader
        if proc is None or reader is None:
            return
        self._proc = self._reader = None
        os.kill(proc.pid, sig)
        proc.wait(timeout=60)
        reader.join(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()

    def tail(self, lines: int = 40) -> str:
        return "".join(self.lines[-lines:])


def poll(
    probe: Callable[[], _T | None], what: str, explain: Callable[[], str], *, deadline_s: float
) -> _T:
    """Call ``probe`` every 50 ms until it returns a value; fail with ``what`` and ``explain()``
    after ``deadline_s``."""
    deadline = time.monotonic() + deadline_s
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {deadline_s:.0f} s\n{explain()}")
        time.sleep(0.05)
