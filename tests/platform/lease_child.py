"""A process for the cross-process races of leases and counters.

``python -m tests.platform.lease_child URL MODE OWNER``: prints ``ready``, waits for a line on
stdin (the start signal, so that every child races at once), then

- ``lease``: tries to take lease ``race`` for a minute; prints ``won TOKEN`` or ``lost``;
- ``counter``: hits counter ``race`` 50 times with a limit of 100 per year; prints how many
  were allowed.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from tingshen_platform.counters import Counters
from tingshen_platform.db import make_engine
from tingshen_platform.leases import Leases

HITS = 50
LIMIT = 100
# Long, so that no window boundary falls inside the test (windows are aligned to the epoch).
WINDOW = timedelta(days=365)


def main() -> None:
    url, mode, owner = sys.argv[1:4]
    engine = make_engine(url)
    leases, counters = Leases(engine), Counters(engine)
    with engine.connect():  # connect before the start signal: the race is on the statements
        pass
    print("ready", flush=True)
    sys.stdin.readline()
    if mode == "lease":
        lease = leases.acquire("race", owner, timedelta(minutes=1))
        print(f"won {lease.token}" if lease is not None else "lost", flush=True)
    elif mode == "counter":
        allowed = sum(counters.hit("race", LIMIT, WINDOW) for _ in range(HITS))
        print(allowed, flush=True)
    engine.dispose()


if __name__ == "__main__":
    main()
