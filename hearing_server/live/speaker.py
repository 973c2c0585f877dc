"""Who speaks: the label every transcript and presence message carries, and the message type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Message", "Speaker"]

Message = dict[str, Any]
"""A JSON message of the live protocol (docs/protocol.md)."""


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a stream belongs to: ``key`` is the media key (``participant-7`` / ``staff-3``)."""

    key: str
    participant_id: int | None
    role: str
    display_name: str
    language: str | None = None
    """What the speaker's ASR stream recognises; ``None``: the hearing's language."""
    interprets: Speaker | None = None
    """For an interpreter: whose words they interpret (labelled "翻译：…" in the transcript)."""

    def label(self) -> Message:
        label: Message = {
            "speaker": self.key,
            "participant_id": self.participant_id,
            "role": self.role,
            "display_name": self.display_name,
        }
        if self.language is not None:
            label["language"] = self.language
        if self.interprets is not None:
            label["interprets"] = {
                "speaker": self.interprets.key,
                "role": self.interprets.role,
                "display_name": self.interprets.display_name,
            }
        return label
