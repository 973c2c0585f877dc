"""Media core: WebRTC peers (``peer``), audio taps into ASR (``tap``), forwarding between
participants (``relay``: encoded frames via ``forwarding``, decode/re-encode ``fallback``, Opus
silence for the muted in ``opus_silence``; every aiortc private API in ``internals``), ICE
settings (``ice``). See docs/architecture.md for the data flow."""
