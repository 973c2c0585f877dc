"""Per-socket limits: how big one message may be and how many a socket may send.

    limits = SocketLimits.from_settings(settings)
    budget = MessageBudget(limits)                  # one per socket
    try:
        text = await receive_text(websocket, budget)   # a text frame within the limits
    except SocketLimitError as exc:
        await websocket.close(exc.code, exc.reason)    # 4400, 4413 or 4429 (docs/protocol.md)

Both hearing sockets (the transcript document and the live transcript) read every client
message through :func:`receive_text`, so a binary frame, an oversized message or a flood ends the
socket with a documented close code instead of an exception. The rate limit is a token bucket:
``burst`` messages at once, refilled at ``messages_per_second``; the clock is passed in (tests).
uvicorn's own ``ws_max_size`` (16 MiB by default) bounds a frame before it reaches us.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect

from hearing_server.errors import WS_CLOSE_MALFORMED, WS_CLOSE_RATE_LIMITED, WS_CLOSE_TOO_LARGE
from hearing_server.settings import Settings

__all__ = ["MessageBudget", "SocketLimitError", "SocketLimits", "receive_text"]


@dataclass(frozen=True, slots=True)
class SocketLimits:
    max_message_bytes: int
    messages_per_second: float
    burst: int

    @classmethod
    def from_settings(cls, settings: Settings) -> SocketLimits:
        return cls(
            max_message_bytes=settings.ws_max_message_kib * 1024,
            messages_per_second=settings.ws_messages_per_second,
            burst=settings.ws_message_burst,
        )


class SocketLimitError(Exception):
    """The socket broke a limit or sent a frame it may not: close it with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class MessageBudget:
    """A token bucket of one socket's messages."""

    def __init__(self, limits: SocketLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._tokens = float(limits.burst)
        self._at = clock()

    def take(self) -> bool:
        """One message: True if the socket may send it now."""
        now = self._clock()
        rate, burst = self.limits.messages_per_second, self.limits.burst
        self._tokens = min(float(burst), self._tokens + (now - self._at) * rate)
        self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


def check(text: str | None, budget: MessageBudget) -> str:
    """``text`` if one received frame is acceptable, else :class:`SocketLimitError`."""
    if text is None:
        raise SocketLimitError(WS_CLOSE_MALFORMED, "binary frames are not accepted: send JSON text")
    limit = budget.limits.max_message_bytes
    if len(text) > limit or len(text.encode("utf-8")) > limit:
        raise SocketLimitError(WS_CLOSE_TOO_LARGE, f"message over {limit} bytes: do not resend")
    if not budget.take():
        raise SocketLimitError(WS_CLOSE_RATE_LIMITED, "too many messages: slow down")
    return text


async def receive_text(websocket: WebSocket, budget: MessageBudget) -> str:
    """The next text message within the limits (:class:`WebSocketDisconnect` when it closed)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(int(message.get("code", 1000)), message.get("reason"))
    text = message.get("text")
    return check(text if isinstance(text, str) else None, budget)
