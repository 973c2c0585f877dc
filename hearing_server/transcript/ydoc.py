"""``TranscriptDoc``: the hearing's transcript as a CRDT document (pycrdt; the Yjs wire format).

    doc = TranscriptDoc()
    update = doc.append_commit(new_segment)          # ASR: a committed utterance, in time order
    patch = doc.apply_update(editor_update)          # an editor's Yjs update: what it changed
    doc.segments()                                   # [SegmentView, …] in transcript order
    doc.encode_state(), doc.update_since(state_vector)

Schema (shared with web/static/editor.js): the root array ``segments`` holds one map per segment:
``id`` (str), ``kind`` ("speech" | "note"), ``speaker_key``/``speaker_role``/``speaker_name`` (str),
``start_ms``/``end_ms`` (int), ``text`` (Y.Text, edited character by character), ``asr_text`` (str),
``status`` ("committed" | "edited"), ``locked`` (bool), ``words`` (list of
``[text, start_ms, end_ms, confidence]``), ``start_utc`` (ISO UTC of the first word, which places
the segment in the hearing's recording). Two editors typing into one ``text`` both survive: that
is the CRDT's character-level merge, not ours.

The root array ``gaps`` holds one map per gap of a speaker's recording (written by the server only,
see :meth:`TranscriptDoc.append_gap`): ``id``, ``speaker_key``/``speaker_role``/``speaker_name``,
``reason`` ("mute" | "left" | "removed" | "disconnect" | "restart" | "overload"),
``start_ms``/``end_ms`` (the segments' clock) and ``start_utc``/``end_utc``. A separate array, not
rows among the segments, so that splitting, merging and notes (which work on neighbouring entries
of ``segments``) never meet a gap, and so that any editor's touch of a gap is easy to see.

Every method returns the update it produced, so the caller can persist it before broadcasting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pycrdt import Array, Doc, Map

from hearing_server.transcript.gapmap import gap_map, gap_view
from hearing_server.transcript.model import (
    Change,
    Entry,
    Field,
    GapView,
    SegmentKind,
    SegmentStatus,
    SegmentView,
    WordView,
    diff_gaps,
    diff_segments,
    interleave,
)
from hearing_server.transcript.segmap import NewSegment, segment_map, segment_view, word_rows

__all__ = [
    "NewSegment",
    "Patch",
    "TranscriptDoc",
    "TranscriptDocError",
    "gap_map",
    "segment_map",
]

ROOT = "segments"
GAPS = "gaps"


@dataclass(frozen=True, slots=True)
class Patch:
    """What one update did: the changes, and the touched segments before and after."""

    changes: list[Change]
    before: dict[str, SegmentView]
    after: dict[str, SegmentView]


class TranscriptDocError(ValueError):
    """An update that is not a valid transcript update (garbage bytes, a broken schema)."""


class TranscriptDoc:
    """The document plus a cache of its segments, kept current from pycrdt's change events, so
    applying an edit costs in proportion to what it touched, not to the transcript's length."""

    def __init__(self, updates: Sequence[bytes] = ()) -> None:
        self._doc: Doc[Any] = Doc()
        self._segments: Array[Any] = self._doc.get(ROOT, type=Array)
        self._ids: list[str | None] = []
        """Segment id of every raw array entry (``None`` for an entry that is not a segment)."""
        self._views: dict[str, SegmentView] = {}
        self._touched: set[str] = set()
        self._segments.observe_deep(self._on_events)
        self._gap_array: Array[Any] = self._doc.get(GAPS, type=Array)
        self._gaps: tuple[GapView, ...] = ()
        self._gaps_touched = False
        """The gaps array changed since :attr:`_gaps` was read (whoever changed it)."""
        self._gap_array.observe_deep(self._on_gap_events)
        for update in updates:
            self._apply(update)
        self._touched.clear()

    # ------------------------------------------------------------------------------ reading

    def segments(self) -> list[SegmentView]:
        return [self._views[i] for i in self._ids if i is not None and i in self._views]

    def by_id(self) -> dict[str, SegmentView]:
        return {view.id: view for view in self.segments()}

    def get(self, segment_id: str) -> SegmentView | None:
        return self._views.get(segment_id)

    def __len__(self) -> int:
        return len(self._views)

    def gaps(self) -> tuple[GapView, ...]:
        """The recording gaps, in time order."""
        if self._gaps_touched:
            views = (gap_view(entry) for entry in self._gap_array)
            found = {view.id: view for view in views if view is not None}
            self._gaps = tuple(sorted(found.values(), key=lambda g: (g.start_ms, g.id)))
            self._gaps_touched = False
        return self._gaps

    def entries(self) -> list[Entry]:
        """The transcript of record: segments with each gap in its place (what exports show)."""
        return interleave(self.segments(), self.gaps())

    def encode_state(self) -> bytes:
        """The whole document as one update (a snapshot a client can load)."""
        return bytes(self._doc.get_update())

    def state_vector(self) -> bytes:
        return bytes(self._doc.get_state())

    def update_since(self, state_vector: bytes) -> bytes:
        """What a client with ``state_vector`` is missing."""
        try:
            return bytes(self._doc.get_update(state_vector))
        except Exception as exc:  # pycrdt raises ValueError / RuntimeError on bad input
            raise TranscriptDocError(f"bad state vector: {exc}") from exc

    # ------------------------------------------------------------------------------ writing

    def append_commit(self, segment: NewSegment) -> bytes:
        """Insert an ASR-committed segment in time order (speakers overlap, so not always last)."""
        if segment.id in self._views:
            raise TranscriptDocError(f"segment {segment.id} already exists")
        index = self._time_index(segment.start_ms)
        return self._write(lambda: self._segments.insert(index, segment_map(segment)))

    def extend_segment(
        self, segment_id: str, text: str, end_ms: int, words: tuple[WordView, ...] = ()
    ) -> bytes:
        """Append the ASR's next words of the same utterance (after whatever a person typed)."""
        view = self._views.get(segment_id)
        if view is None:
            raise TranscriptDocError(f"no segment {segment_id}")
        entry = self._segments[self._ids.index(segment_id)]

        def extend() -> None:
            target = entry["text"]
            current = str(target)
            glue = (
                " "
                if current[-1:].isascii()
                and current[-1:].isalnum()
                and text[:1].isascii()
                and text[:1].isalnum()
                else ""
            )
            target.insert(len(current.encode()), glue + text)  # pycrdt indices are UTF-8 bytes
            entry["asr_text"] = view.asr_text + glue + text
            entry["end_ms"] = max(view.end_ms, end_ms)
            entry["words"] = [*word_rows(view.words), *word_rows(words)]

        return self._write(extend)

    def insert_note(self, segment: NewSegment, after_id: str | None) -> bytes:
        """A note after ``after_id`` (or first); it takes that segment's end time."""
        raw_index, start_ms = 0, 0
        if after_id is not None and after_id in self._ids:
            raw_index = self._ids.index(after_id) + 1
            start_ms = self._views[after_id].end_ms
        note = NewSegment(
            segment.id, segment.speaker, start_ms, start_ms, segment.text, kind=SegmentKind.NOTE
        )
        return self._write(lambda: self._segments.insert(raw_index, segment_map(note)))

    def append_gap(self, gap: GapView) -> bytes:
        """Record a gap of a speaker's recording (server only). Appended: gaps are reported when
        they end, not in time order, and readers sort them (:meth:`gaps`)."""
        if any(g.id == gap.id for g in self.gaps()):
            raise TranscriptDocError(f"gap {gap.id} already exists")
        return self._write(lambda: self._gap_array.append(gap_map(gap)))

    def delete_segment(self, segment_id: str) -> bytes:
        """Remove a segment (one with no words: the recogniser took its words back, or a clerk
        removes an empty row; the caller checks which)."""
        if segment_id not in self._views:
            raise TranscriptDocError(f"no segment {segment_id}")
        index = self._ids.index(segment_id)
        return self._write(lambda: self._segments.__delitem__(index))

    def mark_edited(self, segment_ids: Sequence[str]) -> bytes:
        """Flag segments a person changed (the server does this after accepting an edit)."""
        wanted = [
            i
            for i in dict.fromkeys(segment_ids)
            if i in self._views and self._views[i].status is not SegmentStatus.EDITED
        ]
        return self._set_field(wanted, "status", SegmentStatus.EDITED.value)

    def set_locked(self, segment_id: str, locked: bool) -> bytes:
        return self._set_field([segment_id], "locked", locked)

    def replace_text(
        self,
        segment_id: str,
        text: str,
        *,
        asr_text: str | None = None,
        words: tuple[WordView, ...] | None = None,
    ) -> bytes:
        """Server-side replacement of a segment's text (an accepted re-transcription suggestion,
        the recogniser's correction of its own words).

        Only the differing middle is rewritten (common prefix and suffix stay), so an editor's
        cursor before or after the change keeps its place; ``asr_text`` and ``words`` too when
        given.
        """
        view = self._views.get(segment_id)
        if view is None:
            raise TranscriptDocError(f"no segment {segment_id}")
        entry = self._segments[self._ids.index(segment_id)]
        old = view.text
        prefix = 0
        while prefix < min(len(old), len(text)) and old[prefix] == text[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < min(len(old), len(text)) - prefix
            and old[len(old) - 1 - suffix] == text[len(text) - 1 - suffix]
        ):
            suffix += 1
        start = len(old[:prefix].encode())  # pycrdt indices are UTF-8 bytes
        stop = len(old[: len(old) - suffix].encode())

        def replace() -> None:
            target = entry["text"]
            if stop > start:
                del target[start:stop]
            middle = text[prefix : len(text) - suffix]
            if middle:
                target.insert(start, middle)
            if asr_text is not None:
                entry["asr_text"] = asr_text
            if words is not None:
                entry["words"] = word_rows(words)

        return self._write(replace)

    def apply_update(self, update: bytes) -> Patch:
        """Apply someone's update; what it changed, segment by segment."""
        before = dict(self._views)  # a shallow copy of references: cheap
        gaps_before = self.gaps()
        self._touched.clear()
        self._apply(update)
        touched, self._touched = self._touched, set()
        old = {i: before[i] for i in touched if i in before}
        new = {i: self._views[i] for i in touched if i in self._views}
        changes = diff_segments(old, new)
        if self._gaps_touched:
            gap_changes = diff_gaps(gaps_before, self.gaps())
            # Touched but no visible difference (a stray entry, a value set to itself): still
            # a change of the gaps, which the policy refuses.
            changes += gap_changes or [Change(GAPS, Field.GAP, "", "")]
        return Patch(changes, old, new)

    # ------------------------------------------------------------------------------ internals

    def _apply(self, update: bytes) -> None:
        try:
            self._doc.apply_update(update)
        except Exception as exc:
            raise TranscriptDocError(f"not a transcript update: {exc}") from exc

    def _write(self, action: Callable[[], None]) -> bytes:
        state = self._doc.get_state()
        with self._doc.transaction(origin="server"):
            action()
        self._touched.clear()
        return bytes(self._doc.get_update(state))

    def _set_field(self, segment_ids: Sequence[str], key: str, value: Any) -> bytes:
        def write() -> None:
            for segment_id in segment_ids:
                if segment_id in self._ids:
                    entry = self._segments[self._ids.index(segment_id)]
                    if isinstance(entry, Map):
                        entry[key] = value

        return self._write(write)

    def _on_gap_events(self, _events: list[Any]) -> None:
        self._gaps_touched = True

    def _on_events(self, events: list[Any]) -> None:
        """Keep ``_ids``/``_views`` current and note which segments changed."""
        dirty: set[int] = set()
        for event in events:
            path = list(event.path)
            if not path:  # the segment list itself: insertions and deletions
                self._splice(event.delta)
            elif isinstance(path[0], int):
                dirty.add(path[0])
        for index in dirty:
            if 0 <= index < len(self._ids):
                self._refresh(index)

    def _splice(self, delta: list[dict[str, Any]]) -> None:
        position = 0
        for op in delta:
            if "retain" in op:
                position += int(op["retain"])
            elif "delete" in op:
                count = int(op["delete"])
                for segment_id in self._ids[position : position + count]:
                    if segment_id is not None:
                        self._touched.add(segment_id)
                        self._views.pop(segment_id, None)
                del self._ids[position : position + count]
            elif "insert" in op:
                items = list(op["insert"])
                self._ids[position:position] = [None] * len(items)
                for offset in range(len(items)):
                    self._refresh(position + offset, items[offset])
                position += len(items)

    def _refresh(self, index: int, entry: Any = None) -> None:
        view = segment_view(self._segments[index] if entry is None else entry)
        previous = self._ids[index]
        if previous is not None and (view is None or view.id != previous):
            self._views.pop(previous, None)
            self._touched.add(previous)
        if view is None or (view.id in self._views and self._ids[index] != view.id):
            self._ids[index] = None  # not a segment, or a duplicate id: ignored
            return
        self._ids[index] = view.id
        self._views[view.id] = view
        self._touched.add(view.id)

    def _time_index(self, start_ms: int) -> int:
        """Raw array index after the last segment that starts at or before ``start_ms``."""
        index = len(self._ids)
        while index > 0:
            segment_id = self._ids[index - 1]
            view = self._views.get(segment_id) if segment_id is not None else None
            if view is None or view.start_ms <= start_ms:
                break
            index -= 1
        return index
