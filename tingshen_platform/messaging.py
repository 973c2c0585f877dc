"""Messages to people (SMS, e-mail) that a side service sends through its host.

The hearing server owns the court's SMS gateway and mail server settings and their providers
(``hearing_server.notices``); a side service gets a :class:`Messenger` in its
:class:`~tingshen_platform.services.ServiceHost` and calls :meth:`Messenger.send` from a durable
job (:mod:`tingshen_platform.jobs`): a failure raises :class:`DeliveryFailed`, which the job
retries unless it is ``permanent``. ``reference`` is stable per message, so a gateway can drop
the duplicate of a retried one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["DeliveryFailed", "Messenger", "OutboundMessage"]


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    channel: Literal["sms", "email"]
    to: str
    text: str
    reference: str
    subject: str | None = None
    """E-mail only."""


class DeliveryFailed(Exception):  # noqa: N818 (named for what happened)
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Messenger(Protocol):
    def send(self, message: OutboundMessage) -> None:
        """Deliver ``message`` (blocking; call from a job's thread); raise
        :class:`DeliveryFailed`."""
        ...
