"""A process that dies while it writes a blob: ``python -m tests.platform.blob_child ROOT KEY``
writes part of ``KEY`` through ``open_writer``, makes it durable, prints ``written`` and hangs
until it is killed."""

from __future__ import annotations

import sys
import threading

from tingshen_platform.blobs import LocalBlobStore


def main() -> None:
    root, key = sys.argv[1:3]
    with LocalBlobStore(root).open_writer(key) as writer:
        writer.write(b"RIFF" + bytes(4096))
        writer.sync()
        print("written", flush=True)
        threading.Event().wait()  # killed here, mid-blob


if __name__ == "__main__":
    main()
