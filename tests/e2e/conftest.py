"""Browser tests run inside a private network namespace (DESIGN.md §8).

Each module has a *runner* (``test_*in_private_network_namespace``) that re-executes the module
with ``unshare -n`` and asserts the outcome, and *inner* tests that drive Chromium. Outside a
namespace the inner tests are deselected (the runner runs them); inside, the runners are. So
``make test`` reports each browser test once, as passed or failed, never as a skip.
"""

from __future__ import annotations

import pytest

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
