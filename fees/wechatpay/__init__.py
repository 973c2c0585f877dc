"""WeChat Pay API v3 (Native payments) for the litigation-fee service.

- :mod:`.crypto`: signatures both ways and the AES-256-GCM resource envelope (pure).
- :mod:`.credentials`: a merchant's keys, read from one directory.
- :mod:`.client`: the async API client (orders, refunds, trade bill, certificates), returning
  the types of :mod:`.results`; errors in :mod:`.errors`.
- :mod:`.notifications`: payment and refund notifications, verified and typed.
- :mod:`.bill`: the daily trade bill's file format.
- :mod:`.simulator`: a local gateway speaking the same protocol (a separate process).

Talking to the real provider or to the simulator differs only in configuration: the base URL
and the credentials directory.
"""
