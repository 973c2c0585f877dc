"""One private network namespace for all the browser-test modules of a run.

Each browser module has a runner that re-executes the module inside ``unshare -n`` (see
``conftest.py``). Re-executing every module on its own costs a fresh interpreter, its imports and a
Chromium start per module; on 2 cores that is minutes of a ``make test``. Instead, when the outer
session has collected its tests, :func:`plan` starts *one* inner pytest over every selected module
whose runner calls :func:`tests.e2e.harness.run_module_in_namespace`, in the background, while the
outer session goes on with the other tests; the few modules that measure what a loaded machine
loses (:data:`RUN_ALONE`) get a second inner session, run last with nothing beside it. Each runner then waits for its own module's outcome
(:meth:`Batch.outcome`), which the inner session reports test by test through a pipe
(:mod:`tests.e2e.batch_report`), and asserts it as before: passed, with the expected count.

``TINGSHEN_E2E_BATCH=lazy`` starts the batch when the first runner asks (no overlap with the other
tests); ``off`` re-executes each module on its own, as before.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.e2e.harness import NETNS_ENV, REPO_ROOT, namespace_command, namespace_unavailable

MODE_ENV = "TINGSHEN_E2E_BATCH"
REPORT_FD_ENV = "TINGSHEN_E2E_REPORT_FD"
RUNNER_CALL = "run_module_in_namespace("
# Modules that stress the CPU themselves, kill processes on a deadline or measure what a loaded
# machine loses: a batch of their own, run last, once nothing else runs (see :func:`plan`).
RUN_ALONE = (
    "tests/e2e/test_cluster_browser.py",
    "tests/e2e/test_recording_crash_browser.py",
    "tests/e2e/test_room_issue13.py",
    "tests/e2e/test_recording_under_load.py",
    "tests/e2e/test_room_repeats.py",
)


def mode() -> str:
    value = os.environ.get(MODE_ENV, "background")
    if value not in ("background", "lazy", "off"):
        raise ValueError(f"{MODE_ENV} must be background, lazy or off, not {value!r}")
    return value


def module_key(path: str | Path) -> str:
    """``tests/e2e/test_x.py`` for a path or a node id's file part."""
    resolved = (REPO_ROOT / Path(str(path).split("::")[0])).resolve()
    return resolved.relative_to(REPO_ROOT).as_posix()


def order_key(module: str) -> tuple[int, str]:
    """The batches' order: by name, :data:`RUN_ALONE` at the end in its own order."""
    return (RUN_ALONE.index(module) + 1 if module in RUN_ALONE else 0, module)


def batchable(path: Path) -> bool:
    """A module whose runner re-executes the whole module (not a chosen test with its own argv)."""
    return RUNNER_CALL in path.read_text(encoding="utf-8")


@dataclass
class ModuleResult:
    collected: list[str] = field(default_factory=list)
    finished: set[str] = field(default_factory=set)
    passed: int = 0
    problems: list[str] = field(default_factory=list)


class Batch:
    """The background inner session and what it has reported so far."""

    def __init__(self, modules: Sequence[str]) -> None:
        self.modules = list(modules)
        self._results: dict[str, ModuleResult] = {m: ModuleResult() for m in modules}
        self._collected = False
        self._exit: int | None = None
        self._changed = threading.Condition()
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the session
            prefix="tingshen-e2e-batch-", suffix=".log", delete=False
        )
        self._started = False
        self._process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        """End the inner session if it still runs (the outer one stopped early: ``-x``, Ctrl-C)."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        read_fd, write_fd = os.pipe()
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        argv += ["-p", "tests.e2e.batch_report", *self.modules]
        env = {**os.environ, NETNS_ENV: "1", REPORT_FD_ENV: str(write_fd)}
        process = subprocess.Popen(
            namespace_command(argv),
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
        self._process = process
        os.close(write_fd)
        reader = os.fdopen(read_fd, "r", encoding="utf-8")
        threading.Thread(target=self._follow, args=(process, reader), daemon=True).start()

    def _follow(self, process: subprocess.Popen[bytes], reader: IO[str]) -> None:
        with reader:
            for line in reader:
                self._take(json.loads(line))
        code = process.wait()
        with self._changed:
            self._exit = code
            self._changed.notify_all()

    def _take(self, message: dict[str, object]) -> None:
        with self._changed:
            if "collected" in message:
                for nodeid in message["collected"]:  # type: ignore[attr-defined]
                    self._result(str(nodeid)).collected.append(str(nodeid))
                self._collected = True
            elif "collect_error" in message:
                result = self._result(str(message["collect_error"]))
                result.problems.append(f"collection failed:\n{message['longrepr']}")
            else:
                nodeid, when = str(message["nodeid"]), str(message["when"])
                result = self._result(nodeid)
                if message["outcome"] == "failed":
                    result.problems.append(f"{nodeid} ({when}):\n{message['longrepr']}")
                elif message["outcome"] == "passed" and when == "call":
                    result.passed += 1
                if when == "teardown":
                    result.finished.add(nodeid)
            self._changed.notify_all()

    def _result(self, nodeid: str) -> ModuleResult:
        return self._results.setdefault(module_key(nodeid), ModuleResult())

    def _done(self, module: str) -> bool:
        if self._exit is not None:
            return True
        if not self._collected:
            return False
        result = self._results[module]
        return not result.collected or set(result.collected) <= result.finished

    def outcome(self, module: str, *, timeout_s: float) -> tuple[int, list[str]]:
        """How many of ``module``'s tests passed and what failed, once it has finished (or the
        batch has ended); a problem if that takes more than ``timeout_s`` of this wait."""
        self.start()
        module = module_key(module)
        with self._changed:
            if not self._changed.wait_for(lambda: self._done(module), timeout=timeout_s):
                return 0, [f"no outcome for {module} after {timeout_s:.0f} s\n{self.tail()}"]
            result = self._results[module]
            problems = list(result.problems)
            if not set(result.collected) <= result.finished or not result.collected:
                problems.append(f"the batch ended (exit {self._exit}) before {module} finished")
            if problems:
                problems.append(self.tail())
            return result.passed, problems

    def tail(self, chars: int = 4000) -> str:
        text = Path(self._log.name).read_text(encoding="utf-8", errors="replace")
        return f"--- the batch's output ({self._log.name}), last part ---\n{text[-chars:]}"


_batches: list[Batch] = []


def plan(selected_modules: Sequence[Path]) -> None:
    """Called once the outer session has its tests: a batch of the selected runners' modules
    (started now in ``background`` mode) and a second one of the :data:`RUN_ALONE` modules,
    started when its first runner asks, which the outer session places last: by then the first
    batch and every other test are done, and those modules have the machine to themselves."""
    _batches.clear()
    if mode() == "off" or namespace_unavailable() is not None:
        return
    modules = sorted({module_key(p) for p in selected_modules if batchable(p)}, key=order_key)
    shared = [m for m in modules if m not in RUN_ALONE]
    alone = [m for m in modules if m in RUN_ALONE]
    for group in (shared, alone):
        if group:
            _batches.append(Batch(group))
    if shared and mode() == "background":
        _batches[0].start()


def batched(module: str | Path) -> Batch | None:
    """The batch that runs ``module``, if one does."""
    key = module_key(module)
    return next((b for b in _batches if key in b.modules), None)


def stop() -> None:
    for each in _batches:
        each.stop()
