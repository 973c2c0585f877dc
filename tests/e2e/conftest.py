"""Browser tests run inside a private network namespace (DESIGN.md §8).

Each module has a *runner* (``test_*in_private_network_namespace``) that re-executes the module
with ``unshare -n`` and asserts the outcome, and *inner* tests that drive Chromium. Outside a
namespace the inner tests are deselected (the runner runs them); inside, the runners are. So
``make test`` reports each browser test once, as passed or failed, never as a skip. The runners
of a run share one inner session (``batch.py``), started when collection ends.
"""

from __future__ import annotations

import pytest

from tests.e2e import batch
from tests.e2e.harness import inside_namespace

RUNNER_MARK = "in_private_network_namespace"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    inside = inside_namespace()
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        if "tests/e2e/" not in item.nodeid.replace("\\", "/"):
            keep.append(item)
            continue
        is_runner = RUNNER_MARK in item.name
        (drop if is_runner == inside else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    if not inside and batch.mode() == "background":
        # The batch runs while the outer session does the rest; its runners wait at the end:
        # tests that do not measure, then the shared batch's runners, then the tests that run a
        # real model (they measure recognition, which a busy CPU degrades, so they come once the
        # shared batch is done), then the RUN_ALONE batch's runners, then runners not batched.
        runners = [item for item in items if RUNNER_MARK in item.name]
        others = [item for item in items if RUNNER_MARK not in item.name]
        model = [item for item in others if item.get_closest_marker("model") is not None]
        plain = [item for item in others if item.get_closest_marker("model") is None]

        def group(item: pytest.Item) -> int:
            if not batch.batchable(item.path):
                return 2
            return 1 if batch.module_key(item.path) in batch.RUN_ALONE else 0

        def runner_order(item: pytest.Item) -> tuple[int, tuple[int, str]]:
            return (group(item), batch.order_key(batch.module_key(item.path)))

        ordered = sorted(runners, key=runner_order)
        shared = [item for item in ordered if group(item) == 0]
        items[:] = plain + shared + model + [item for item in ordered if group(item) > 0]


def pytest_collection_finish(session: pytest.Session) -> None:
    if inside_namespace() or session.config.option.collectonly:
        return
    runners = [item.path for item in session.items if RUNNER_MARK in item.name]
    batch.plan(runners)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not inside_namespace():
        batch.stop()
