"""Media core: WebRTC peers (``peer``), audio taps into ASR (``tap``), forwarding (``relay``), ICE
settings (``ice``). See docs/architecture.md for the data flow."""
