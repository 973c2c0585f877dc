"""A worker process for the platform's race and crash tests.

``python -m tests.platform.worker_child URL OWNER MODE``:

- ``drain``: run jobs of queue ``race`` until none is due; each handler records its effect in
  ``effects`` (job id, owner) through its own connection.
- ``send-and-hang``: take one job of queue ``sms``, "send" it to the fake provider (a row keyed by
  the job's idempotency key; duplicates dropped, every attempt logged), then hang until killed.
"""

from __future__ import annotations

import sys
import threading
from datetime import timedelta

from sqlalchemy import Engine, text

from tingshen_platform.db import make_engine
from tingshen_platform.jobs import Job, JobQueue, work_one

EFFECTS_DDL = "CREATE TABLE IF NOT EXISTS effects (job_id INTEGER NOT NULL, owner TEXT NOT NULL)"
PROVIDER_DDL = (
    "CREATE TABLE IF NOT EXISTS provider_messages (idempotency_key TEXT PRIMARY KEY, body TEXT)"
)
ATTEMPTS_DDL = "CREATE TABLE IF NOT EXISTS provider_attempts (idempotency_key TEXT, owner TEXT)"


def create_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        for ddl in (EFFECTS_DDL, PROVIDER_DDL, ATTEMPTS_DDL):
            connection.execute(text(ddl))


def provider_send(engine: Engine, key: str, body: str, owner: str) -> None:
    """The local SMS provider: like a real gateway it drops a message whose id it has seen."""
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO provider_attempts VALUES (:k, :o)"), {"k": key, "o": owner}
        )
        connection.execute(
            text(
                "INSERT INTO provider_messages VALUES (:k, :b) ON CONFLICT (idempotency_key)"
                " DO NOTHING"
            ),
            {"k": key, "b": body},
        )


def main() -> None:
    url, owner, mode = sys.argv[1:4]
    engine = make_engine(url)
    queue = JobQueue(engine)
    if mode == "drain":

        def record(job: Job) -> None:
            with engine.begin() as connection:
                connection.execute(
                    text("INSERT INTO effects VALUES (:j, :o)"), {"j": job.id, "o": owner}
                )

        while work_one(queue, {"race": record}, owner, lease=timedelta(seconds=30)) is not None:
            pass
    elif mode == "send-and-hang":

        def send_and_hang(job: Job) -> None:
            provider_send(engine, str(job.idempotency_key), str(job.payload["text"]), owner)
            threading.Event().wait()  # killed here, mid-job

        work_one(queue, {"sms": send_and_hang}, owner, lease=timedelta(seconds=1))
    engine.dispose()


if __name__ == "__main__":
    main()
