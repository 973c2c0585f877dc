"""A log writer that appends until it is killed: ``python -m tests.ledger.append_forever URL``.
It prints ``appended <size>`` after each committed batch (the kill -9 test waits on these)."""

from __future__ import annotations

import random
import sys

from ledger.writer import LogWriter
from tests.ledger.conftest import COURTS, LOG_KEY, ORIGIN, make_entry
from tingshen_platform.db import make_engine

CHECKPOINT_EVERY = 3


def main(url: str) -> None:
    writer = LogWriter(make_engine(url), LOG_KEY, ORIGIN, checkpoint_every=CHECKPOINT_EVERY)
    courts = list(COURTS)
    n = writer.tree.size
    while True:
        batch = [make_entry(courts[(n + i) % 2], n + i) for i in range(random.randint(1, 4))]
        writer.append_many(batch)
        n = writer.tree.size
        print(f"appended {n}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
