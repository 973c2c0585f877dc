"""From the live hearing to the transcript document: each ASR commit becomes document text.

    registry = LiveRegistry(..., on_commit=asr_sink(documents))

The live hub keeps broadcasting partial and committed text for the room's live view; the
document is the transcript of record that clerks correct (DESIGN.md §1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from hearing_server.live.hub import Speaker
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.model import SpeakerRef, WordView

__all__ = ["CommitSink", "asr_sink"]

CommitSink = Callable[[int, Speaker, dict[str, Any]], Awaitable[None]]
"""``(hearing_id, speaker, committed segment as the hub publishes it)``."""


def asr_sink(rooms: DocumentRooms) -> CommitSink:
    async def sink(hearing_id: int, speaker: Speaker, segment: dict[str, Any]) -> None:
        room = await rooms.get(hearing_id)
        assert room.actions is not None
        words = tuple(
            WordView(str(w["text"]), int(w["start_ms"]), int(w["end_ms"]), float(w["probability"]))
            for w in segment.get("words", [])
        )
        await room.actions.commit_asr(
            SpeakerRef(speaker.key, speaker.role, speaker.display_name),
            int(segment["start_ms"]),
            int(segment["end_ms"]),
            str(segment["text"]),
            words,
            end_of_utterance=bool(segment.get("end_of_utterance", True)),
            start_utc=str(segment.get("start_at") or ""),
        )

    return sink
