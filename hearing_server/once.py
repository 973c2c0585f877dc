"""Start-up and periodic work that one process of a cluster does at a time.

    once = cluster_once(leases, node)     # leases None: this process is the cluster
    ran = await once("recording-retention", apply)   # False: another process is at it now

Recovery at start-up (unfinished closings, recordings to finalise) and the daily retention round
are idempotent, so a process that starts later may do them again; what must not happen is two
processes doing them at the same moment over the same files
(:func:`tingshen_platform.leases.run_once_per_cluster`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from tingshen_platform.leases import Leases, run_once_per_cluster

__all__ = ["Once", "cluster_once", "here"]

Once = Callable[[str, Callable[[], object]], Coroutine[Any, Any, bool]]


def cluster_once(leases: Leases | None, node: str) -> Once:
    async def once(name: str, work: Callable[[], object]) -> bool:
        return await run_once_per_cluster(leases, name, node, work)

    return once


here: Once = cluster_once(None, "local")
"""One process: just do it (in a thread)."""
