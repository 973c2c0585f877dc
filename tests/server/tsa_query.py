"""An RFC 3161 timestamp query for the server tests that post to ``/tsa``."""

from __future__ import annotations

from asn1crypto import tsp  # type: ignore[import-untyped, unused-ignore]

TSQ = {"Content-Type": "application/timestamp-query"}


def timestamp_query(digest: bytes, nonce: int | None = None) -> bytes:
    """A DER TimeStampReq over a SHA-256 ``digest`` asking for the TSA's certificate."""
    request: dict[str, object] = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
        "cert_req": True,
    }
    if nonce is not None:
        request["nonce"] = nonce
    return bytes(tsp.TimeStampReq(request).dump())
