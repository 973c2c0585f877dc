"""When a received audio frame was captured: the sender's RTP clock, anchored on arrival (pure).

    clock = CaptureClock(rate_hz=48_000)
    end_s = clock.capture_end(rtp_timestamp, samples, arrival_s)   # in the arrival clock's units

The recording places each block of a speaker's audio at the time it was *captured*. Arrival is a
poor stand-in when the CPU is short: an event loop that stalls for half a second receives the
queued packets in one burst, and a sender that stalls (a busy laptop) sends them late; stamped by
arrival, such audio looks late, then early, and the recording got a hole and an overlap for each
stall (about 150 a track in a 451 s hearing on a loaded machine). The RTP timestamp is the
sender's media clock (48 kHz for Opus): contiguous audio has contiguous timestamps whatever the
delays, and a lost packet is a jump of exactly its length.

The clock maps timestamps to the arrival clock by the *least* delay seen: for each frame the
offset ``arrival - media time`` is the network and processing delay plus a constant, and delays
are never negative, so the least offset is the best estimate of the constant. The estimate
follows a new least offset at once (a sender whose clock runs fast, a stream that began with a
burst) and rises only slowly, by at most ``max_rise`` (1 ms) per second of media, towards the
least offset of the last ``window_s`` (a sender whose clock runs slow: 0.2 ms/s at 200 ppm). So:

- a stall (a burst afterwards) leaves the estimate alone: stamps stay contiguous;
- a lost packet: the next timestamp jumps by its length, and so does the stamp: a hole of the
  right length at the right place;
- a server that stays behind for minutes moves the stamps later by at most 1 ms a second (the
  recording's run clock absorbs 50 ms, then inserts a short silence; no audio is dropped);
- a timestamp that jumps by more than ``reset_s`` either way (a sender restarting its stream
  on the same track) starts over: anchored on that frame's arrival.

32-bit RTP timestamps wrap (every 24.9 h at 48 kHz); they are unwrapped against the last one.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

__all__ = ["CaptureClock"]

_WRAP = 1 << 32


@dataclass(frozen=True, slots=True)
class _Offset:
    media: int  # unwrapped timestamp (ticks)
    offset_s: float  # arrival - media time


class CaptureClock:
    def __init__(
        self,
        rate_hz: int = 48_000,
        *,
        window_s: float = 60.0,
        reset_s: float = 10.0,
        max_rise: float = 0.001,
    ):
        if rate_hz <= 0 or window_s <= 0 or reset_s <= 0 or max_rise < 0:
            raise ValueError("rate, window and reset must be positive")
        self.rate_hz = rate_hz
        self._window = round(window_s * rate_hz)
        self._reset = round(reset_s * rate_hz)
        self._max_rise = max_rise
        self._estimate: float | None = None  # offset in use (arrival clock - media time)
        self._last: int | None = None  # last unwrapped timestamp
        self._minima: deque[_Offset] = deque()  # increasing media, increasing offset: a
        # monotonic queue whose head is the least offset within the window
        self.resets = 0

    def capture_end(self, timestamp: int, samples: int, arrival_s: float) -> float:
        """Capture time of the end of a frame of ``samples`` (at ``rate_hz``) whose first sample
        has RTP ``timestamp``, received at ``arrival_s``; in the arrival clock's units."""
        previous = self._last
        media = self._unwrap(timestamp)
        offset = arrival_s - (media + samples) / self.rate_hz
        while self._minima and self._minima[-1].offset_s >= offset:
            self._minima.pop()
        self._minima.append(_Offset(media, offset))
        while self._minima[0].media < media - self._window:
            self._minima.popleft()
        if self._estimate is None or offset < self._estimate:
            self._estimate = offset
        elif previous is not None and media > previous:
            allowed = self._max_rise * (media - previous) / self.rate_hz
            self._estimate += min(self._minima[0].offset_s - self._estimate, allowed)
        return (media + samples) / self.rate_hz + self._estimate

    def _unwrap(self, timestamp: int) -> int:
        timestamp %= _WRAP
        if self._last is None:
            self._last = timestamp
            return timestamp
        delta = (timestamp - self._last) % _WRAP
        if delta >= _WRAP // 2:
            delta -= _WRAP  # backwards (reordered or restarted)
        media = self._last + delta
        if abs(delta) > self._reset:
            self.resets += 1
            self._minima.clear()
            self._estimate = None
        self._last = media
        return media
