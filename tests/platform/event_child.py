"""A consumer process for the event tests: ``python -m tests.platform.event_child URL NAME DIE_AT``.

It handles ``case.filed`` events by recording an effect row in the handler's transaction; with
``DIE_AT`` > 0 it kills itself (SIGKILL) inside the handler of that many-th event, mid-batch."""

from __future__ import annotations

import os
import signal
import sys

from sqlalchemy import Connection, text

from tingshen_platform.db import make_engine
from tingshen_platform.events import Event, EventConsumer


def main() -> None:
    url, name, die_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    engine = make_engine(url)
    seen = 0

    def handle(connection: Connection, event: Event) -> None:
        nonlocal seen
        seen += 1
        connection.execute(
            text("INSERT INTO effects VALUES (:e, :c)"), {"e": event.event_id, "c": name}
        )
        if seen == die_at:
            os.kill(os.getpid(), signal.SIGKILL)

    consumer = EventConsumer(engine, name, handle, types={"case.filed"})
    while consumer.poll_once():
        pass
    engine.dispose()


if __name__ == "__main__":
    main()
