"""The mechanisms every Tingshen service shares (issue 12), built once and importing no feature.

- :mod:`tingshen_platform.db`: database engines (SQLite's embedded default with WAL and
  ``synchronous=FULL``, or PostgreSQL) and the platform's own schema and migrations, with their
  own Alembic version table (``alembic_version_platform``) so that each service migrates alone.
- :mod:`tingshen_platform.jobs`: durable work: a queue in the database with lease claims, retries
  with back-off, idempotency keys and dead jobs an operator can see and retry; a worker loop.
- :mod:`tingshen_platform.events`: a transactional outbox of versioned events and consumers that
  get each event at least once and handle it once (``docs/events.md``).

A service (the hearing server, the side services) imports the platform; the platform imports no
service (an import-linter contract in ``pyproject.toml``). See ``docs/architecture.md``.
"""
