"""Crash-safe recording of a hearing's audio: journal, recovery, finalisation, playback, expiry.

Per participant track, :class:`RecordingJournal` writes fsync'd FLAC chunks of ``chunk_ms`` plus a
JSON-lines index, so a crash loses less than one chunk. :func:`recover` says where each track's
durable audio ends after a restart; :func:`finalize_hearing` builds one file per participant and
one mix on a common UTC timeline, with a manifest of digests and gaps; :func:`extract_range` cuts a
time range for playback; :func:`expire` applies the retention period. Finalisation streams
(chunks read one at a time, files written through :meth:`RecordingStore.open_write`), so its
memory does not grow with the hearing's length. Times are integer ms or
samples on the timeline (:mod:`recordings.timeline`) plus aware UTC datetimes.
"""

from recordings.bundle import zip_stream
from recordings.codec import decode_flac, encode_flac
from recordings.errors import RecordingError, RecordingNotFoundError
from recordings.expiry import expire, list_hearings
from recordings.extract import extract_range
from recordings.finalize import finalization_is_current, finalize_hearing
from recordings.index import ChunkEntry, GapEntry, IndexProblem, TrackIndex, read_track_index
from recordings.journal import RecordingJournal, TrackRecovery, recover
from recordings.manifest import FinalFile, FinalRecording, final_key, read_manifest
from recordings.store import LocalDirStore, ObjectWriter, RecordingStore, streaming_put

__all__ = [
    "ChunkEntry",
    "FinalFile",
    "FinalRecording",
    "GapEntry",
    "IndexProblem",
    "LocalDirStore",
    "ObjectWriter",
    "RecordingError",
    "RecordingJournal",
    "RecordingNotFoundError",
    "RecordingStore",
    "TrackIndex",
    "TrackRecovery",
    "decode_flac",
    "encode_flac",
    "expire",
    "extract_range",
    "final_key",
    "finalization_is_current",
    "finalize_hearing",
    "list_hearings",
    "read_manifest",
    "read_track_index",
    "recover",
    "streaming_put",
    "zip_stream",
]
