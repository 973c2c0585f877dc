"""An ORM session inside an event consumer's transaction (handlers that work with a service's
mapped tables)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.orm import Session

__all__ = ["orm_session"]


@contextmanager
def orm_session(connection: Connection) -> Iterator[Session]:
    """An ORM session inside the consumer's transaction: its work is a savepoint, released at
    the end of the block (the consumer commits it with the event's mark); an error rolls it
    back."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
        session.commit()  # releases the savepoint; the outer transaction is the consumer's
    finally:
        session.close()
