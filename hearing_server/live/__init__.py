"""Live hearing: media peers, per-speaker ASR streams and the transcript hub (``hub``, ``room``)."""
