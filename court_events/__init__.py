"""The events every service publishes: their types (name, version) and payload models.

A leaf package: it imports only the platform's event types and pydantic, so that a side service
reads the hearing server's events (and the hearing server a side service's) without importing
the other. Documented, with who publishes what and when, in ``docs/events.md``.
"""
