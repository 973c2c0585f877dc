"""The state machine of one service (one document on one recipient), pure.

::

    prepared ──sent──► sent ──arrived──► arrived ──opened──► opened
        │               │  │                 │  └──collected──► collected
        │               │  └─opened/collected (a receipt may overtake the arrival)
        └──failed──► failed (a dead number, an address that bounced, retries used up)
                        sent/arrived ──returned──► returned (a letter sent back by the courier)

``opened`` (the recipient's authenticated opening in the portal) and ``collected`` (handed over
at the court, or signed for at the door) end a service successfully; ``failed`` and ``returned``
end it unsuccessfully and tell the clerk, with the next channel suggested (:func:`next_channel`).
A step that arrives late (an arrival receipt after the opening) is kept in the history but does
not move the state back: :func:`advance` answers the state after the step.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CHANNELS",
    "ELECTRONIC",
    "END_STATES",
    "STATES",
    "SUCCESS",
    "IllegalStepError",
    "advance",
    "next_channel",
]

STATES = ("prepared", "sent", "arrived", "opened", "collected", "failed", "returned")
CHANNELS = ("sms", "email", "post", "collect")
ELECTRONIC = frozenset({"sms", "email"})
"""Channels the law allows only with the recipient's consent (民事诉讼法 第九十条)."""
SUCCESS = frozenset({"opened", "collected"})
END_STATES = SUCCESS | {"failed", "returned"}

_RANK = {"prepared": 0, "sent": 1, "arrived": 2, "opened": 3, "collected": 3}
_FROM: dict[str, frozenset[str]] = {
    "sent": frozenset({"prepared"}),
    "arrived": frozenset({"prepared", "sent"}),
    "opened": frozenset({"prepared", "sent", "arrived"}),
    "collected": frozenset({"prepared", "sent", "arrived"}),
    "failed": frozenset({"prepared", "sent"}),
    "returned": frozenset({"sent", "arrived"}),
}
FALLBACK = ("sms", "email", "post", "collect")
"""Which channel to suggest after a failure: the first not yet tried, in this order."""


class IllegalStepError(ValueError):
    """A step that cannot happen in the service's state (a return after the opening)."""


def advance(state: str, step: str) -> str:
    """The state after ``step``; a step already overtaken (``arrived`` once ``opened``) leaves the
    state as it is; a step that contradicts the state raises :class:`IllegalStepError`."""
    if step not in _FROM:
        raise IllegalStepError(f"unknown step {step!r}")
    if state in _FROM[step]:
        return step
    if state == step:
        return state
    if state in SUCCESS and step in ("sent", "arrived"):
        return state
    if state in _RANK and step in _RANK and _RANK[state] >= _RANK[step]:
        return state
    raise IllegalStepError(f"{step} cannot follow {state}")


def next_channel(tried: Sequence[str], available: Sequence[str]) -> str | None:
    """The channel to suggest to the clerk after ``tried`` failed: the first of
    :data:`FALLBACK` available for the recipient and not tried; ``collect`` is always possible."""
    for channel in FALLBACK:
        if channel not in tried and (channel in available or channel == "collect"):
            return channel
    return None
