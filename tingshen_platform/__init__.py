"""The mechanisms every Tingshen service shares (issue 12), built once and importing no feature.

- :mod:`tingshen_platform.db`: database engines (SQLite's embedded default with WAL and
  ``synchronous=FULL``, or PostgreSQL) and the platform's own schema and migrations, with their
  own Alembic version table (``alembic_version_platform``) so that each service migrates alone.
- :mod:`tingshen_platform.jobs`: durable work: a queue in the database with lease claims, retries
  with back-off, idempotency keys and dead jobs an operator can see and retry; a worker loop.
- :mod:`tingshen_platform.events`: a transactional outbox of versioned events and consumers that
  get each event at least once and handle it once (``docs/events.md``); an event a handler keeps
  failing on is retried with back-off, then parked as dead for an operator to replay.
- :mod:`tingshen_platform.bus`: per-topic fan-out, in this process or across processes (Redis).
- :mod:`tingshen_platform.leases`: named cluster-wide leases with fencing tokens (which process
  runs a live hearing, closing work in progress) and ``ClusterLock``, a lease held as a lock.
- :mod:`tingshen_platform.counters`: attempt counters per time window shared by every process
  (rate limits such as login attempts), atomic on SQLite and PostgreSQL.
- :mod:`tingshen_platform.blobs`: one blob-store contract (recordings, signed PDFs, documents)
  with atomic writes and validated keys; ``LocalBlobStore`` (files under a root) by default.

A service (the hearing server, the side services) imports the platform; the platform imports no
service (an import-linter contract in ``pyproject.toml``). See ``docs/architecture.md``.
"""
