"""A consumer process for the event tests:
``python -m tests.platform.event_child URL NAME DIE_AT [FAIL_CASE]``.

It handles ``case.filed`` events by recording an effect row in the handler's transaction; with
``DIE_AT`` > 0 it kills itself (SIGKILL) inside the handler of that many-th event, mid-batch; the
handler raises on the event of case ``FAIL_CASE`` (after writing its effect: rolled back)."""

from __future__ import annotations

import os
import signal
import sys
from datetime import timedelta

from sqlalchemy import Connection, text

from tingshen_platform.db import make_engine
from tingshen_platform.events import Event, EventConsumer


def main() -> None:
    url, name, die_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    fail_case = int(sys.argv[4]) if len(sys.argv) > 4 else None
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
        if event.payload["case_id"] == fail_case:
            raise ValueError(f"case {fail_case} cannot be taken")

    # A failed event waits an hour: the test finishes the retry with a consumer of its own.
    hour = timedelta(hours=1)
    consumer = EventConsumer(
        engine, name, handle, types={"case.filed"}, retry_base=hour, retry_cap=hour
    )
    while consumer.poll_once():
        pass
    engine.dispose()


if __name__ == "__main__":
    main()
