"""Who may change what in a transcript: pure rules over :class:`Change` lists.

    verdict = check_changes(EditorRole.CLERK, changes, before)
    if not verdict.allowed: refuse(verdict.reason)

- Clerks and recorders edit: text, speaker labels, split and merge (which create, delete and
  re-time segments), notes.
- The judge edits too, and is the only one who may lock or unlock a segment.
- Nobody changes a locked segment (the judge unlocks it first).
- Parties, lawyers, witnesses and observers read; they never reach this module with an update
  (the API refuses them earlier), and the rules refuse them again here.
- The ASR never changes an existing segment: it only appends (see ``TranscriptDoc.append_commit``);
  re-transcription of a segment a person touched is a suggestion, never an overwrite.
- Nobody writes control or text-direction characters into a segment's text or speaker
  (``tingshen_platform.clean_text``): a right-to-left override can make one speaker read as another.
- Markers (a court stage begins, an identity was checked: ``SegmentKind.MARKER``) are written by
  the server only; nobody's edit may add, change or remove one.
- Recording gaps (a mute, a leave, a disconnect, a server restart) are facts of the record: only
  the server writes them, and nobody's edit may add, change or remove one. A mute shorter than
  :data:`MIN_MUTE_IN_TRANSCRIPT_MS` stays in the recording's log but not in the transcript (a
  cough muted away is not worth a line of the record); every other gap is shown, however short,
  because it is a failure or a departure, not a choice of the speaker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hearing_server.transcript.model import Change, Field, GapReason, SegmentKind, SegmentView
from tingshen_platform.clean_text import control_characters

__all__ = [
    "MIN_MUTE_IN_TRANSCRIPT_MS",
    "EditorRole",
    "Verdict",
    "asr_may_replace",
    "check_changes",
    "gap_in_transcript",
    "may_edit",
]

MIN_MUTE_IN_TRANSCRIPT_MS = 2000


class EditorRole(StrEnum):
    JUDGE = "judge"
    CLERK = "clerk"
    RECORDER = "recorder"
    READER = "reader"
    """Parties, lawyers, witnesses, observers, court admins: read only."""


_EDITORS = frozenset({EditorRole.JUDGE, EditorRole.CLERK, EditorRole.RECORDER})


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    reason: str = ""


ALLOWED = Verdict(True)


def may_edit(role: EditorRole) -> bool:
    return role in _EDITORS


def check_changes(
    role: EditorRole,
    changes: Sequence[Change],
    before: Mapping[str, SegmentView],
    after: Mapping[str, SegmentView] | None = None,
) -> Verdict:
    """Whether ``role`` may turn a transcript whose segments were ``before`` into ``after``."""
    if not changes:
        return ALLOWED
    if any(change.field is Field.GAP for change in changes):
        return Verdict(False, "recording gaps are written by the server only")
    if not may_edit(role):
        return Verdict(False, "only the judge, the clerk and recorders may edit the transcript")
    if _touches_marker(changes, before, after or {}):
        return Verdict(False, "stage and identity markers are written by the server only")
    unclean = _control_characters(changes)
    if unclean:
        return Verdict(
            False, f"text must not contain control or text-direction characters ({unclean})"
        )
    for change in changes:
        old = before.get(change.segment_id)
        if change.field is Field.LOCKED:
            if role is not EditorRole.JUDGE:
                return Verdict(False, "only the judge may lock or unlock a segment")
            continue
        if old is not None and old.locked:
            return Verdict(False, f"segment {change.segment_id} is locked by the judge")
        new = after.get(change.segment_id) if after is not None else None
        created_locked = change.field is Field.CREATED and new is not None and new.locked
        if created_locked and role is not EditorRole.JUDGE:
            return Verdict(False, "only the judge may lock or unlock a segment")
    return ALLOWED


def _touches_marker(
    changes: Sequence[Change],
    before: Mapping[str, SegmentView],
    after: Mapping[str, SegmentView],
) -> bool:
    for change in changes:
        for view in (before.get(change.segment_id), after.get(change.segment_id)):
            if view is not None and view.kind is SegmentKind.MARKER:
                return True
    return False


def _control_characters(changes: Sequence[Change]) -> str:
    """The refused characters a person's change writes (text: multi-line; a speaker: one line)."""
    for change in changes:
        if change.field in (Field.TEXT, Field.CREATED, Field.SPEAKER):
            found = control_characters(change.after, multiline=change.field is not Field.SPEAKER)
            if found:
                return ", ".join(found[:5])
    return ""


def asr_may_replace(segment: SegmentView) -> bool:
    """A later recognition result may replace this segment's text only if nobody touched it."""
    return not segment.touched and not segment.locked


def gap_in_transcript(reason: str, duration_ms: int) -> bool:
    """Whether a recording gap becomes a row of the transcript (all are in the recording log)."""
    if duration_ms <= 0:
        return False
    return reason != GapReason.MUTE or duration_ms >= MIN_MUTE_IN_TRANSCRIPT_MS
