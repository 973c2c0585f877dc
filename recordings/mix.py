"""The mix of a hearing: the sample-wise sum of its finalized track files, clipped to [-1, 1].

Made from the track files as stored (each read back through a streaming decoder), so the mix is
the sum of exactly the audio the manifest's track digests cover. All tracks are decoded side by
side, one block at a time: memory is a block per track whatever the hearing's length.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, closing

import numpy as np

from recordings.codec import Samples, iter_decode_flac
from recordings.flac_object import FlacObject
from recordings.manifest import MIX_NAME, FinalFile, final_key
from recordings.placement import Timeline
from recordings.store import RecordingStore
from recordings.timeline import samples_to_ms

__all__ = ["BlockReader", "write_mix"]

MIX_BLOCK_S = 2


class BlockReader:
    """Pulls exact-size blocks out of a stream of decoded blocks (zeros past its end)."""

    def __init__(self, blocks: Iterator[Samples]) -> None:
        self._it = blocks
        self._pending = np.zeros(0, dtype=np.float32)

    def take(self, n: int) -> Samples:
        parts = [self._pending]
        have = self._pending.size
        while have < n:
            nxt = next(self._it, None)
            if nxt is None:
                parts.append(np.zeros(n - have, dtype=np.float32))
                break
            parts.append(nxt)
            have += nxt.size
        data = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self._pending = data[n:]
        return data[:n]


def write_mix(store: RecordingStore, timeline: Timeline, tracks: list[FinalFile]) -> FinalFile:
    """Write ``final/mix.flac`` from the stored track files."""
    sr, total = timeline.sample_rate_hz, timeline.total_samples
    key = final_key(timeline.hearing_id, MIX_NAME)
    block = MIX_BLOCK_S * sr
    with ExitStack() as stack:
        readers: list[BlockReader] = []
        for f in tracks:
            stream = stack.enter_context(store.open_read(f.key))
            readers.append(BlockReader(stack.enter_context(closing(iter_decode_flac(stream)))))
        out = stack.enter_context(FlacObject(store, key, sr, total))
        pos = 0
        while pos < total:
            n = min(block, total - pos)
            acc = np.zeros(n, dtype=np.float32)
            for r in readers:
                acc += r.take(n)
            out.write(np.clip(acc, -1.0, 1.0, out=acc))
            pos += n
        written = out.commit()
    return FinalFile(
        MIX_NAME, key, written.sha256, written.size_bytes, total, samples_to_ms(total, sr)
    )
